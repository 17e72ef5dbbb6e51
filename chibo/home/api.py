"""/api/v1/notifications: the caller's own notifications, mark read (one or all).

Keyset pagination as the other lists (``{"items", "next"}``, ``?cursor=``):
newest first, the cursor holds the id of the last notification shown.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from chibo.apitools import DEFAULT_LIMIT, MAX_LIMIT, keyset_page
from chibo.core.models import Notification
from chibo.home import notices

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str = Field(description="e.g. activity.warning, admissions.overdue, audit_broken")
    message: str
    url: str = Field(description="Path of the object in the web UI (empty when none)")
    created_at: dt.datetime
    read_at: dt.datetime | None = Field(description="Null while unread")


class NotificationPage(Schema):
    items: list[NotificationOut]
    next: str | None = Field(
        description="Cursor of the next page (pass as ?cursor=), null on the last"
    )
    unread: int = Field(description="How many of the caller's notifications are unread")


class NotificationFilters(Schema):
    unread: bool = Field(False, description="Only unread notifications")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: str = Field("", max_length=100)


class MarkedOut(Schema):
    marked: int = Field(description="Notifications marked read by this call")
    unread: int


def _out(notice: Notification) -> dict:
    return {
        "id": notice.pk,
        "kind": notice.kind,
        "message": notice.message,
        "url": notices.safe_url(notice),
        "created_at": notice.created_at,
        "read_at": notice.read_at,
    }


@router.get("", response=NotificationPage, summary="The caller's notifications, newest first")
def notification_list(request: HttpRequest, filters: Query[NotificationFilters]) -> dict:
    qs = notices.notifications_of(request.user, unread_only=filters.unread)
    rows, after = keyset_page(qs, ("-id",), filters.limit, filters.cursor)
    return {
        "items": [_out(n) for n in rows],
        "next": after,
        "unread": notices.unread_count(request.user),
    }


@router.post("/read-all", response=MarkedOut, summary="Mark every unread notification read")
def notification_read_all(request: HttpRequest) -> dict:
    marked = notices.notifications_mark_all_read(actor=request.user)
    return {"marked": marked, "unread": notices.unread_count(request.user)}


@router.post("/{notification_id}/read", response=NotificationOut, summary="Mark one read")
def notification_read(request: HttpRequest, notification_id: int) -> dict:
    notice = notices.get_notification_for(request.user, notification_id)
    return _out(notices.notification_mark_read(actor=request.user, notification=notice))
