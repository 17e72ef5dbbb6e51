"""Background work of core: the daily verification of the audit hash chain.

``verify_audit_chain`` recomputes the chain (``core.audit.verify``, against
the signed checkpoints too); when it is intact it appends a new checkpoint
(``core.checkpoints``), and on a break it notifies every system administrator in-app (and by e-mail when
EMAIL_HOST is set). It re-enqueues itself for the next night, so one
``chibo audit-verify --schedule`` (or any first run through the worker)
keeps it going every day; a cron line calling ``chibo audit-verify --alert``
does the same without the worker.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)

RUN_AT_HOUR = 2  # 02:00 local time, when nobody works


def next_run(now: dt.datetime | None = None) -> dt.datetime:
    """The next 02:00 local time after ``now``."""
    local = timezone.localtime(now or timezone.now())
    run = local.replace(hour=RUN_AT_HOUR, minute=0, second=0, microsecond=0)
    if run <= local:
        run += dt.timedelta(days=1)
    return run


def audit_verify_and_alert(*, today: dt.date | None = None) -> dict[str, Any]:
    """Verify the chain; on a break notify the sysadmins (once a day) and record it. Returns a summary."""
    from django.contrib.auth.models import User

    from chibo.core import audit, checkpoints
    from chibo.core.models import AuditEntry
    from chibo.core.notify import notify
    from chibo.core.roles import Role

    day = today or timezone.localdate()
    problems = list(audit.verify())
    summary: dict[str, Any] = {
        "entries": AuditEntry.objects.count(),
        "problems": len(problems),
        "first": [f"seq {p.seq}: {p.problem}" for p in problems[:5]],
        "range": audit.altered_range(problems),
    }
    if not problems:
        # A clean chain: sign where it stands, outside the database (at least daily).
        mark = checkpoints.write()
        summary["checkpoint"] = mark.seq if mark else None
        return summary
    logger.error("audit chain BROKEN: %s", summary)
    admins = User.objects.filter(is_active=True).filter(
        role_assignments__role=Role.SYSADMIN
    ) | User.objects.filter(is_active=True, is_superuser=True)
    message = (
        f"Nhật ký kiểm toán bị phá vỡ: {len(problems)} lỗi trong {summary['entries']} bản ghi "
        f"(đầu tiên: {summary['first'][0]}). Chạy `chibo audit-verify` và kiểm tra ngay."
    )
    with transaction.atomic():
        for admin in admins.distinct():
            notify(
                user=admin,
                kind="audit_broken",
                message=message,
                dedupe_key=f"audit-broken:{day.isoformat()}",
            )
        audit.record(
            actor=None, action="core.audit_chain_broken", object_type="audit", data=summary
        )
    summary["alerted"] = admins.distinct().count()
    return summary


def schedule_next(now: dt.datetime | None = None) -> bool:
    """Enqueue tomorrow's run unless one is already waiting. True if enqueued."""
    from django_tasks_db.models import DBTaskResult

    if not verify_audit_chain.get_backend().supports_defer:
        return False  # e.g. TASKS_BACKEND=immediate: use cron + `chibo audit-verify --alert`
    path = f"{verify_audit_chain.func.__module__}.{verify_audit_chain.func.__qualname__}"
    waiting = DBTaskResult.objects.filter(task_path=path, status="READY").exists()
    if waiting:
        return False
    verify_audit_chain.using(run_after=next_run(now)).enqueue()
    return True


@task()
def verify_audit_chain(reschedule: bool = True) -> dict[str, Any]:
    """The daily run (a thin wrapper around ``audit_verify_and_alert``)."""
    summary = audit_verify_and_alert()
    if reschedule:
        schedule_next()
    return summary
