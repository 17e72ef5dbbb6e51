"""In-app notifications, with e-mail when EMAIL_HOST is configured.

Read notifications are kept ``CHIBO_NOTIFICATION_RETENTION_DAYS`` days (default
180) after they were read, then deleted by ``chibo purge-candidates``
(``notifications_purge``); unread ones are kept until read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from chibo.core.models import Notification


def notify(
    *, user: Any, kind: str, message: str, url: str = "", dedupe_key: str = ""
) -> Notification | None:
    """Create a notice; with ``dedupe_key`` the same notice is not repeated. Returns None if deduped."""
    if dedupe_key and Notification.objects.filter(user=user, dedupe_key=dedupe_key).exists():
        return None
    notice = Notification.objects.create(
        user=user, kind=kind, message=message[:500], url=url, dedupe_key=dedupe_key
    )
    if getattr(settings, "EMAIL_HOST", "") and user.email:
        transaction.on_commit(
            lambda: send_mail(
                subject=f"[chibo] {message[:80]}",
                message=f"{message}\n{url}",
                from_email=None,
                recipient_list=[user.email],
                fail_silently=True,
            )
        )
    return notice


@dataclass
class NotificationPurge:
    cutoff: dt.datetime
    days: int
    dry_run: bool
    deleted: int = 0


def notifications_purge(
    *, actor: Any, now: dt.datetime | None = None, days: int | None = None, dry_run: bool = False
) -> NotificationPurge:
    """Delete notifications read more than ``days`` ago (never unread ones); audited."""
    from chibo.core import audit

    days = days or settings.CHIBO_NOTIFICATION_RETENTION_DAYS
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    report = NotificationPurge(cutoff=cutoff, days=days, dry_run=dry_run)
    due = Notification.objects.filter(read_at__isnull=False, read_at__lt=cutoff)
    with transaction.atomic():
        report.deleted = due.count()
        if dry_run or not report.deleted:
            return report
        due.delete()
        audit.record(
            actor=actor,
            action="core.notifications_purge",
            object_type="notification",
            data={"deleted": report.deleted, "cutoff": cutoff.isoformat(), "days": days},
        )
    return report
