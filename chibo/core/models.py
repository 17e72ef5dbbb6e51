"""Rules registry and the audit log: what every app stands on."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RuleVersion(models.Model):
    """One value of a rule, as set by one regulation, for a span of dates.

    Services ask ``rules.rule_in_force(key, on=date)``: the version whose
    [valid_from, valid_to) contains the event's date. A refusal quotes
    ``source`` and ``clause``.
    """

    class Confidence(models.TextChoices):
        HIGH = "H", _("High: primary text or several sources agree")
        MEDIUM = "M", _("Medium: one secondary source")
        LOW = "L", _("Low: thin; configuration")

    key = models.CharField(_("rule"), max_length=80, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    value = models.JSONField(_("value"))
    source = models.CharField(_("regulation"), max_length=120)
    clause = models.CharField(_("clause"), max_length=120, blank=True)
    valid_from = models.DateField(_("in force from"))
    valid_to = models.DateField(_("in force until (exclusive)"), null=True, blank=True)
    confidence = models.CharField(_("confidence"), max_length=1, choices=Confidence.choices)
    note = models.TextField(_("note"), blank=True)
    # With the row count and the newest id, the version stamp a request reads at its first
    # rule to know the process's cached rules are current (core.rules._load).
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["key", "valid_from"], name="rule_version_unique_start"),
        ]
        verbose_name = _("rule version")

    def __str__(self) -> str:
        return f"{self.key} @ {self.valid_from}: {self.value}"


class AuditEntry(models.Model):
    """An append-only, hash-chained record of a read or change.

    ``entry_hash`` = HMAC-SHA256 under CHIBO_AUDIT_KEY over the previous entry's
    hash and this entry's canonical content (see ``core.audit``); ``chibo audit-verify`` recomputes
    the chain and finds an edited, inserted or deleted entry.
    """

    seq = models.BigIntegerField(unique=True)
    created_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict)
    request_id = models.CharField(max_length=64, blank=True)
    group_id = models.UUIDField(default=uuid.uuid4)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]
        verbose_name = _("audit entry")

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise RuntimeError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("audit entries are append-only")


class AuditHead(models.Model):
    """The chain's head (one row): last seq and hash.

    Appending locks this row, so concurrent writers extend the chain one at a
    time; it also lets verification notice that the newest entries were cut.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    # Entries up to this seq were written before the chain was keyed (plain
    # SHA-256 links); every later one is HMAC-SHA256 under CHIBO_AUDIT_KEY.
    keyed_from = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"audit head #{self.last_seq}"


class Notification(models.Model):
    """An in-app notice for one user (warnings, reminders); e-mail is optional on top."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40)
    message = models.CharField(max_length=500)
    url = models.CharField(max_length=300, blank=True)
    dedupe_key = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_read_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "dedupe_key"],
                condition=~models.Q(dedupe_key=""),
                name="notification_dedupe",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.message[:40]}"


class WorkerHeartbeat(models.Model):
    """A background-task worker's last sign of life (``chibo db_worker`` stamps it every few seconds).

    The import page reads it to tell, when no worker has been seen lately, that
    an uploaded file will wait until one runs (``core.worker``).
    """

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("task worker")

    def __str__(self) -> str:
        return f"{self.hostname}:{self.pid} ({self.seen_at:%Y-%m-%d %H:%M:%S})"


class CalendarAdjustment(models.Model):
    """One day the government's calendar for the year sets apart from the Labour Code's holidays.

    ``working`` True: a make-up working day (a Saturday worked for a swapped day off,
    or a day the ``holidays`` library lists that is not official); False: an extra day
    off (a swapped weekday). ``chibo.lib.workdays`` applies them on top of the library;
    the city office edits them (``core.calendar``, audited).
    """

    day = models.DateField(_("date"), unique=True)
    working = models.BooleanField(_("working day"))
    name = models.CharField(_("what it is"), max_length=200)
    source = models.CharField(_("source"), max_length=255)
    confidence = models.CharField(
        _("confidence"), max_length=1, choices=RuleVersion.Confidence.choices
    )
    note = models.TextField(_("note"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["day"]
        verbose_name = _("calendar adjustment")

    def __str__(self) -> str:
        return f"{self.day}: {'working' if self.working else 'off'}"
