"""An import started from the web UI: the uploaded file, its progress and its report."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# A queued or running job whose heartbeat is older than settings.CHIBO_IMPORT_STALE_MINUTES
# (environment variable of the same name, default 10) is shown as interrupted and may be
# retried (docs/import.md).

# What each kind of file holds, as the pages name it (columns.KINDS, in order).
KIND_LABELS = {
    "orgs": _("Party organizations"),
    "members": _("Party members"),
    "attendance": _("Meeting attendance"),
    "dues": _("Party dues"),
}


def stale_after() -> dt.timedelta:
    return dt.timedelta(minutes=int(settings.CHIBO_IMPORT_STALE_MINUTES))


class ImportJob(models.Model):
    class State(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("In progress")
        CHECKED = "checked", _("Checked: ready to import")
        INVALID = "invalid", _("Has errors: nothing was written")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=12)
    filename = models.CharField(_("file"), max_length=255)
    stored_as = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField(default=0)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.UPLOADED
    )
    dry_run = models.BooleanField(default=True)
    phase = models.CharField(max_length=16, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    problems = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Last sign of life of the worker running the job (queued, started, progress).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # Issue 23: the mapping the check and the import apply (mapping.Mapping JSON;
    # empty: detected and proposed), the profile it came from, and what the
    # check found (mapping.Analysis JSON: header, columns, distinct values).
    mapping = models.JSONField(default=dict, blank=True)
    profile_name = models.CharField(max_length=100, blank=True)
    analysis = models.JSONField(default=dict, blank=True)
    # The first rows, read by the background task (the web process never parses
    # an upload): {"headers": [...], "rows": [[...]]} or {"refused": "why"}; {}
    # while it is being read. Small by construction (jobs.PREVIEW_*).
    preview = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")

    def __str__(self) -> str:
        return f"{self.kind} {self.filename} ({self.state})"

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))

    @property
    def percent(self) -> int:
        if self.state in (self.State.CHECKED, self.State.DONE, self.State.INVALID):
            return 100
        if not self.total:
            return 0
        return min(99, int(self.done * 100 / self.total))

    @property
    def is_running(self) -> bool:
        """Queued or running, and the worker still gives signs of life."""
        return self.state in (self.State.QUEUED, self.State.RUNNING) and not self.is_stale

    @property
    def is_stale(self) -> bool:
        """Queued or running, but no heartbeat for ``stale_after()``: the worker died."""
        if self.state not in (self.State.QUEUED, self.State.RUNNING):
            return False
        last = self.heartbeat_at or self.updated_at
        return last is not None and timezone.now() - last > stale_after()

    @property
    def stale_minutes(self) -> int:
        return int(stale_after().total_seconds() // 60)

    @property
    def may_retry(self) -> bool:
        return self.state == self.State.FAILED or self.is_stale

    @property
    def state_label(self) -> str:
        if self.is_stale:
            return str(_("The task was interrupted"))
        return str(self.get_state_display())

    @property
    def preview_late(self) -> bool:
        """Uploaded, not read after ``stale_after()``: no worker is taking the tasks."""
        return (
            not self.preview
            and self.state == self.State.UPLOADED
            and timezone.now() - self.created_at > stale_after()
        )

    @property
    def report_path(self) -> str:
        """Where the task stores the error report (.xlsx) of a check that found errors."""
        return f"{self.stored_as}.errors.xlsx"

    @property
    def errors(self) -> list[dict]:
        return [_with_header(p) for p in self.problems if p.get("fatal", True)]

    @property
    def warnings(self) -> list[dict]:
        return [_with_header(p) for p in self.problems if not p.get("fatal", True)]


def _with_header(problem: dict) -> dict:
    """A stored problem with its column's Vietnamese header (``header``) for the page."""
    from chibo.interchange.columns import header_of

    column = problem.get("column") or ""
    return {**problem, "header": header_of(column) if column else ""}


class ImportProfile(models.Model):
    """A confirmed mapping (header row, columns, values), saved by name in an org (issue 23).

    Offered for the next file with the same header; visible in the org's
    subtree and to the orgs above it (a city ships its profiles to its
    schools with ``chibo import-profile export/import``). The profiles chibo
    ships are files in ``interchange/profiles/`` (``profiles.SHIPPED``).
    """

    org = models.ForeignKey("orgs.Org", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=12)
    name = models.CharField(_("name"), max_length=100)
    mapping = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("mapping profile")
        constraints = [
            models.UniqueConstraint(
                fields=["org", "kind", "name"], name="import_profile_unique_name"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"
