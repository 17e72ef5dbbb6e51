"""Each cell's tracking start, the date its activity data begins: read and set."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Schema

from chibo.activity import periods, selectors, tracking
from chibo.activity.api.common import CURSOR, LIMIT, NEXT, _day, _org, _texts, router
from chibo.apitools import decode_cursor, encode_cursor, require_cap
from chibo.core.roles import Cap


class TrackingOut(Schema):
    org_code: str
    org_name: str
    members_on_rolls: int
    tracked_from: dt.date | None = Field(
        description="The start: the committee's date, else the first meeting or dues payment "
        "recorded; null = no activity data (nobody in the cell is judged)"
    )
    first_month: str | None = Field(description="YYYY-MM: the first month judged")
    source: Literal["committee", "first_meeting", "first_payment", "none"]
    set_on: dt.date | None
    first_meeting_on: dt.date | None
    first_payment_on: dt.date | None


class TrackingIn(Schema):
    org: str = Field(description="a cell, or a committee: all its open cells")
    tracked_from: dt.date | None = Field(
        description="the day the cell started recording in chibo; null = from the first record"
    )
    note: str = Field("", max_length=255)


def _tracking(org: Any, t: Any, on_rolls: int) -> dict[str, object]:
    start = t.start if t else None
    if start is None:
        source = "none"
    elif t.set_on:
        source = "committee"
    else:
        source = "first_meeting" if start == t.first_meeting_on else "first_payment"
    return {
        "org_code": org.code,
        "org_name": org.name,
        "members_on_rolls": on_rolls,
        "tracked_from": start,
        "first_month": periods.label(t.month) if start else None,
        "source": source,
        "set_on": t.set_on if t else None,
        "first_meeting_on": t.first_meeting_on if t else None,
        "first_payment_on": t.first_payment_on if t else None,
    }


class TrackingPage(Schema):
    items: list[TrackingOut]
    next: str | None = NEXT


@router.get(
    "/tracking",
    response=TrackingPage,
    summary="From when each cell of an org subtree is tracked (no data: nobody judged), "
    "in tree order, paged",
)
def tracking_list(
    request: HttpRequest, org: str = "", limit: int = LIMIT, cursor: str = CURSOR
) -> dict[str, object]:
    require_cap(request.user, Cap.MEMBER_VIEW)
    root = _org(request, org) if org else selectors.home_org(request.user)
    if root is None:
        return {"items": [], "next": None}
    # Keyset on the tree path, read from the database a page at a time.
    start = decode_cursor(cursor, 1)[0] if cursor else ""
    rows = tracking.cells_tracking(request.user, root, limit=limit + 1, after=start)
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "items": [_tracking(r.org, r.tracking, r.on_rolls) for r in rows],
        "next": encode_cursor([rows[-1].org.path]) if more else None,
    }


@router.put(
    "/tracking",
    response=list[TrackingOut],
    summary="Set (or clear) the day a cell, or every cell under a committee, started recording",
)
def tracking_put(request: HttpRequest, payload: TrackingIn) -> list[dict[str, object]]:
    _texts(payload.dict())
    target = _org(request, payload.org)
    if payload.tracked_from is not None:
        _day(payload.tracked_from, "tracked_from")
    rows = tracking.tracking_set(
        actor=request.user, org=target, set_on=payload.tracked_from, note=payload.note
    )
    counts = {
        r.org.pk: r.on_rolls for r in tracking.cells_tracking(request.user, target, limit=None)
    }
    return [_tracking(r.org, r, counts.get(r.org_id, 0)) for r in rows]
