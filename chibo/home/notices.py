"""The user's own notifications (``core.notify`` writes them): reads and the mark-read writes.

A notification belongs to one user; nobody else reads or marks it (404 for
another user's). Marking read changes only the user's own inbox state, so it
is not written to the audit log; the retention purge is
(``core.retention.notifications_purge``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from chibo.core.models import Notification


def unread_count(user: Any) -> int:
    """One indexed count (notification_user_read_idx)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notifications_of(
    user: Any, *, unread_only: bool = False, before_id: int | None = None
) -> QuerySet[Notification]:
    """The user's notifications, newest first (keyset on the id: ``before_id`` is the last seen)."""
    qs = Notification.objects.filter(user=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    if before_id is not None:
        qs = qs.filter(pk__lt=before_id)
    return qs.order_by("-pk")


def get_notification_for(user: Any, pk: int) -> Notification:
    """One of the user's notifications; 404 for anyone else's (and for ids no row can have)."""
    notice = Notification.objects.filter(user=user, pk=pk).first() if 0 < pk < 2**63 else None
    if notice is None:
        raise Http404(_("No such notification."))
    return notice


def safe_url(notice: Notification) -> str:
    """The notification's link when it is a path of this site, else ""."""
    url = notice.url or ""
    if url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=None):
        return url
    return ""


def notification_mark_read(*, actor: Any, notification: Notification) -> Notification:
    """Mark one of the actor's own notifications read (idempotent)."""
    if notification.user_id != actor.pk:
        raise Http404(_("No such notification."))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def notifications_mark_all_read(*, actor: Any) -> int:
    """Mark every unread notification of the actor read; returns how many."""
    return Notification.objects.filter(user=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )
