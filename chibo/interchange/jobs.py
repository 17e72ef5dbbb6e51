"""Web imports as jobs: upload, check (dry run) and import in the background, with progress.

A job belongs to the user who uploaded it (nobody else sees it). The task
wraps ``services.import_file``; progress goes to the job row while the file
is read and checked, which is most of the time (the final write is one
transaction, shown as "writing").

Every sign of life (queued, started, each progress step, the start of the
write) stamps ``heartbeat_at``. A queued or running job without a heartbeat
for ``CHIBO_IMPORT_STALE_MINUTES`` (default 10) lost its worker: it is shown
as interrupted and may be retried. A retry is safe even if the old worker
was merely slow: the import is one transaction and idempotent, so the later
run finds the rows already there (or fails and writes nothing).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import uuid
from itertools import islice
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.core import audit
from chibo.core.busy import disk_full_message, is_disk_full
from chibo.core.roles import Cap
from chibo.core.scoping import has_cap
from chibo.interchange import columns as C
from chibo.interchange import profiles
from chibo.interchange.mapping import (
    Mapping,
    MappingError,
    at_header,
    detect_headers,
    footer_said,
)
from chibo.interchange.models import ImportJob
from chibo.interchange.reader import FileRefused, max_bytes, open_table
from chibo.interchange.report import MAX_PROBLEMS
from chibo.interchange.tasks import preview_import_job

logger = logging.getLogger(__name__)

# The preview the job page shows: the first rows, few columns, short cells.
PREVIEW_ROWS = 10
PREVIEW_COLUMNS = 30
PREVIEW_CHARS = 80
PREVIEW_SCAN = 50_000  # rows read further to find the footer under the table

WRITE_CAP = {
    C.ORGS: Cap.ORG_RESTRUCTURE,
    C.MEMBERS: Cap.MEMBER_CHANGE,
    C.ATTENDANCE: Cap.MEMBER_CHANGE,
    C.DUES: Cap.MEMBER_CHANGE,
}


def upload_dir() -> Path:
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def may_import(user: Any, kind: str) -> bool:
    return kind in WRITE_CAP and has_cap(user, WRITE_CAP[kind])


def job_for(user: Any, pk: Any) -> ImportJob:
    """The user's own job (anybody else's: 404)."""
    from django.http import Http404

    job = ImportJob.objects.filter(pk=pk, user=user).first()
    if job is None:
        raise Http404(_("No such import."))
    return job


def job_create(*, actor: Any, kind: str, upload: Any, profile: Any = None) -> ImportJob:
    """Store an uploaded file (streamed to disk, size-capped) as a new job.

    ``profile`` (``profiles.Profile``): read the file with that mapping.
    """
    if profile is not None and profile.kind != kind:
        raise FileRefused(
            _("The mapping profile «%(name)s» is for another kind of file.")
            % {"name": profile.name}
        )
    if not may_import(actor, kind):
        raise PermissionDenied(_("Your role does not allow this import."))
    if upload.size > max_bytes():
        raise FileRefused(
            _(
                "The file is too large (%(size)s MB; the limit is %(limit)s MB). Split it into several files."
            )
            % {"size": round(upload.size / 1048576, 1), "limit": max_bytes() // 1048576}
        )
    suffix = ".xlsx" if upload.name.lower().endswith(".xlsx") else ".csv"
    uploads_cleanup()  # first: what old jobs left may be the space this one needs
    target = upload_dir() / f"{uuid.uuid4().hex}{suffix}"
    try:
        with target.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        with transaction.atomic():
            job = ImportJob.objects.create(
                user=actor,
                kind=kind,
                filename=Path(upload.name).name[:255],
                stored_as=str(target),
                size=upload.size,
                mapping=profile.mapping.as_json() if profile is not None else {},
                profile_name=profile.name if profile is not None else "",
            )
            audit.record(
                actor=actor,
                action="interchange.upload",
                object_type="import_job",
                object_id=job.pk,
                data={"kind": kind, "file": job.filename, "size": upload.size},
            )
            transaction.on_commit(lambda: preview_import_job.enqueue(str(job.pk)))
    except BaseException as exc:
        target.unlink(missing_ok=True)  # never a partial file, nor one no job points to
        if is_disk_full(exc):
            raise FileRefused(disk_full_message()) from exc
        raise
    return job


def keep_days() -> int:
    """Days a file not imported stays in var/imports (failed, refused, left unconfirmed).

    Setting CHIBO_IMPORT_KEEP_DAYS (environment variable of that name, default 7).
    """
    return int(settings.CHIBO_IMPORT_KEEP_DAYS)


def uploads_cleanup(now: dt.datetime | None = None) -> int:
    """Delete the uploads nobody will use again; how many files went.

    * The file (and error report) of a job that is not imported, not running
      and untouched for ``keep_days()``: failed, refused, checked but never
      confirmed, or uploaded and left. The job stays in the list, saying the
      file was deleted and should be uploaded again.
    * Any file of the upload folder no job points to, a day old: a partial
      write (a full disk, a process killed while writing).

    An imported job's file is deleted as soon as it is imported (``job_run``).
    """
    now = now or timezone.now()
    folder = upload_dir()
    removed = 0
    days = keep_days()
    idle = ImportJob.objects.filter(
        updated_at__lt=now - dt.timedelta(days=days),
        state__in=[
            ImportJob.State.UPLOADED,
            ImportJob.State.CHECKED,
            ImportJob.State.INVALID,
            ImportJob.State.FAILED,
        ],
    )
    for job in idle:
        files = [p for p in (Path(job.stored_as), Path(job.report_path)) if p.exists()]
        if not files:
            continue  # already cleaned up
        for path in files:
            path.unlink(missing_ok=True)
            removed += 1
        message = str(
            _("The uploaded file was deleted after %(days)s days without use; upload it again.")
            % {"days": days}
        )
        ImportJob.objects.filter(pk=job.pk).update(
            state=ImportJob.State.INVALID,
            preview={"refused": message},
            problems=[
                {
                    "sheet": "",
                    "row": 0,
                    "column": "",
                    "value": "",
                    "message": message,
                }
            ],
        )
    known = {
        name
        for stored in ImportJob.objects.exclude(state=ImportJob.State.DONE).values_list(
            "stored_as", flat=True
        )
        for name in (Path(stored).name, Path(stored).name + ".errors.xlsx")
    }
    day_ago = (now - dt.timedelta(days=1)).timestamp()
    for path in folder.iterdir():
        try:
            if path.is_file() and path.name not in known and path.stat().st_mtime < day_ago:
                path.unlink()
                removed += 1
        except OSError:
            continue
    return removed


def _short(value: str, limit: int = PREVIEW_CHARS) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def job_preview(*, job_id: str) -> None:
    """The task's body: read the first rows (bounded, as every import does) and store them small.

    A refused file is refused here, in the worker: the job shows why and
    offers no check.
    """
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None or job.preview:
        return
    try:
        try:
            mapping = Mapping.from_json(job.mapping, job.kind) if job.mapping else None
        except MappingError:
            mapping = None
        # From the header row (title rows above it skipped), with the file's row numbers.
        try:
            table, plan = at_header(open_table(job.stored_as, job.kind), job.kind, mapping)
        except MappingError:  # the mapping's header row is not in this file: detect it
            table, plan = at_header(open_table(job.stored_as, job.kind), job.kind)
        headers = [_short(h) for h in table.headers[:PREVIEW_COLUMNS]]
        first = list(islice(table.rows, PREVIEW_ROWS))
        rows = [[_short(C.text(c)) for c in cells[:PREVIEW_COLUMNS]] for _n, cells in first]
        preview: dict[str, Any] = {
            "headers": headers,
            "rows": rows,
            "row_numbers": [n for n, _cells in first],
            "header_row": plan.layout.header_row,
            "header_rows": plan.layout.header_rows,
        }
        # The footer under the table (totals, signatures): read to the end of a file of
        # ordinary size; the check says it for any file.
        for _row in islice(table.rows, PREVIEW_SCAN):
            pass
        if next(table.rows, None) is None:
            preview["footer"] = [[n, _short(text)] for n, text in plan.footer]
            if plan.footer:
                preview["footer_said"] = footer_said(plan.footer)
        if len(table.headers) > PREVIEW_COLUMNS:
            preview["more_columns"] = len(table.headers) - PREVIEW_COLUMNS
        updates: dict[str, Any] = {"preview": preview}
    except FileRefused as exc:
        updates = {
            "preview": {"refused": str(exc)},
            "state": ImportJob.State.INVALID,
            "problems": [{"sheet": "", "row": 0, "column": "", "value": "", "message": str(exc)}],
        }
    ImportJob.objects.filter(pk=job.pk, state=ImportJob.State.UPLOADED).update(**updates)


def job_start(*, actor: Any, job: ImportJob, dry_run: bool) -> ImportJob:
    """Queue a check (dry run) or the import itself; the import needs a clean check first."""
    from chibo.interchange.tasks import run_import_job

    if job.preview.get("refused"):
        raise PermissionDenied(job.preview["refused"])

    if job.user_id != actor.pk or not may_import(actor, job.kind):
        raise PermissionDenied(_("Your role does not allow this import."))
    if job.is_running:
        return job
    # An interrupted import (never started without a clean check) may run again.
    retrying_import = job.may_retry and not job.dry_run
    if not dry_run and job.state != ImportJob.State.CHECKED and not retrying_import:
        raise PermissionDenied(_("Check the file first; import it once the check finds no errors."))
    with transaction.atomic():
        ImportJob.objects.filter(pk=job.pk).update(
            state=ImportJob.State.QUEUED,
            dry_run=dry_run,
            done=0,
            phase="",
            heartbeat_at=timezone.now(),
        )
        transaction.on_commit(lambda: run_import_job.enqueue(str(job.pk), dry_run))
    job.refresh_from_db()
    return job


def job_set_mapping(*, actor: Any, job: ImportJob, mapping: Mapping, profile_name: str) -> None:
    """The mapping the next check and the import apply (the mapping step); a new check is needed."""
    if job.user_id != actor.pk or not may_import(actor, job.kind):
        raise PermissionDenied(_("Your role does not allow this import."))
    if job.is_running or job.state == ImportJob.State.DONE:
        raise PermissionDenied(_("This import is running or finished: its mapping cannot change."))
    ImportJob.objects.filter(pk=job.pk).update(
        mapping=mapping.as_json(),
        profile_name=profile_name[:100],
        state=ImportJob.State.UPLOADED,
    )
    job.refresh_from_db()


def _mapping_for(job: ImportJob) -> Mapping | None:
    """The job's mapping; for a check without one, a profile that names every column of the header."""
    if job.mapping:
        return Mapping.from_json(job.mapping, job.kind)
    if not job.dry_run:
        return None
    headers = detect_headers(job.stored_as, job.kind)
    offered = profiles.offer(job.user, job.kind, headers) if headers else None
    if offered is None:
        return None
    # Offered because the detected header has its names: that header's row is read
    # (a profile made for row 1 still fits the same table under title rows).
    mapping = dataclasses.replace(offered.mapping, header_row=None)
    ImportJob.objects.filter(pk=job.pk).update(mapping=mapping.as_json(), profile_name=offered.name)
    return mapping


def job_retry(*, actor: Any, job: ImportJob) -> ImportJob:
    """Run an interrupted (stale) or failed job again, as it was: check or import."""
    if not job.may_retry:
        raise PermissionDenied(_("This import is not interrupted; there is nothing to retry."))
    return job_start(actor=actor, job=job, dry_run=job.dry_run)


def job_run(*, job_id: str, dry_run: bool) -> None:
    """The task's body: run the import service for the job's user, storing progress and the report."""
    from chibo.interchange.services import analyse_file, import_file

    job = ImportJob.objects.select_related("user").get(pk=job_id)
    ImportJob.objects.filter(pk=job.pk).update(
        state=ImportJob.State.RUNNING, heartbeat_at=timezone.now()
    )

    def progress(phase: str, done: int, total: int) -> None:
        # Inside the write transaction these only show once it commits: the
        # stale limit must exceed the longest write (400,000 members: ~2 min).
        ImportJob.objects.filter(pk=job.pk).update(
            phase=phase, done=done, total=total, heartbeat_at=timezone.now()
        )

    try:
        job.dry_run = dry_run
        mapping = None
        try:
            mapping = _mapping_for(job)
            if dry_run:
                # The mapping step shows what the check found (the web never parses the file).
                found = analyse_file(job.stored_as, job.kind, mapping, job.user)
                ImportJob.objects.filter(pk=job.pk).update(analysis=found.as_json())
        except (FileRefused, MappingError):
            pass  # the import below reports it
        result = import_file(
            actor=job.user,
            kind=job.kind,
            path=job.stored_as,
            dry_run=dry_run,
            filename=job.filename,
            progress=progress,
            mapping=mapping,
        )
    except Exception:
        ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.FAILED)
        raise
    if not result.ok:
        state = ImportJob.State.INVALID
    elif dry_run:
        state = ImportJob.State.CHECKED
    else:
        state = ImportJob.State.DONE
    ImportJob.objects.filter(pk=job.pk).update(
        state=state,
        counts=result.counts(),
        problems=[p.as_dict() for p in result.problems[:MAX_PROBLEMS]],
        phase="done",
        heartbeat_at=timezone.now(),
    )
    if state == ImportJob.State.INVALID:
        _store_error_report(job, result)
    if state == ImportJob.State.DONE:
        Path(job.stored_as).unlink(missing_ok=True)


def _store_error_report(job: ImportJob, result: Any) -> None:
    """The error report, built here in the worker (it reads the file again); the page serves it."""
    from chibo.interchange.sheets import error_report_xlsx

    problems = [p.as_dict() for p in result.problems[:MAX_PROBLEMS]]
    report = Path(job.report_path)
    try:
        # The header row the import read (its plan), so the sheet's column names are the file's.
        layout = result.plan.layout if result.plan is not None else None
        header = (layout.header_row, layout.header_rows) if layout is not None else None
        report.write_bytes(error_report_xlsx(job.stored_as, job.kind, problems, header))
    except OSError:
        # A full disk: the errors are on the page all the same; no partial report is left.
        report.unlink(missing_ok=True)
        logger.exception("error report of import %s not stored", job.pk)


def job_worker_died(sender: Any, orphan: Any, **kwargs: Any) -> None:
    """The worker running an import job's task died: the job failed (the page offers a retry).

    Without this the job would only show as interrupted once its own
    heartbeat is ``CHIBO_IMPORT_STALE_MINUTES`` old.
    """
    from chibo.interchange.tasks import preview_import_job, run_import_job

    paths = {
        f"{t.func.__module__}.{t.func.__qualname__}": t
        for t in (run_import_job, preview_import_job)
    }
    if orphan.task_path not in paths or not orphan.args:
        return
    if paths[orphan.task_path] is preview_import_job:
        # Reading the first rows killed the worker: the file is not read again by itself.
        message = _("Reading the file stopped unexpectedly; nothing was imported.")
        ImportJob.objects.filter(pk=orphan.args[0], state=ImportJob.State.UPLOADED).update(
            state=ImportJob.State.INVALID,
            preview={"refused": message},
            problems=[{"sheet": "", "row": 0, "column": "", "value": "", "message": message}],
        )
        return
    ImportJob.objects.filter(
        pk=orphan.args[0], state__in=[ImportJob.State.QUEUED, ImportJob.State.RUNNING]
    ).update(state=ImportJob.State.FAILED, phase="", heartbeat_at=timezone.now())
