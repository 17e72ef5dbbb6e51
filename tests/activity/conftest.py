from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from chibo.activity import dues, periods, services
from chibo.activity.models import Meeting, MeetingKind
from chibo.members.models import Member
from chibo.orgs.models import Org

AS_OF = dt.date(2026, 10, 20)


def hold(
    org: Org,
    day: dt.date,
    absences: dict[Member, str] | None = None,
    kind: str = MeetingKind.REGULAR,
    reason: str = "illness",
) -> Meeting:
    """A meeting of ``org`` on ``day``; ``absences`` maps members to "excused"/"unexcused"."""
    topic = "Học tập chuyên đề" if kind == MeetingKind.THEMATIC else ""
    meeting = services.meeting_create(
        actor=None, org=org, kind=kind, held_on=day, topic=topic, confirm=True
    )
    entries = [
        services.AttendanceEntry(m.member_code, status, reason if status == "excused" else "")
        for m, status in (absences or {}).items()
    ]
    if entries:
        services.attendance_record(actor=None, meeting=meeting, entries=entries)
    return meeting


def pay(member: Member, first: dt.date, last: dt.date, paid_on: dt.date | None = None) -> None:
    months = periods.span(first, last)
    dues.dues_pay(
        actor=None,
        member=member,
        months=months,
        amount_vnd=5000,
        paid_on=paid_on or last,
        confirm=True,  # 2,000 đ before QĐ 01-QĐ/TW: the warnings tests do not care
    )


@pytest.fixture
def student(tree: dict[str, Org]) -> Member:
    from tests import factories

    m = factories.member(tree["cell_a"], full_name="Trần Thị Bình", admitted_on=dt.date(2024, 3, 1))
    pay(m, dt.date(2024, 3, 1), dt.date(2025, 10, 1), paid_on=dt.date(2025, 10, 1))
    pay(m, dt.date(2025, 11, 1), dt.date(2026, 10, 1), paid_on=dt.date(2025, 11, 5))
    return m


@pytest.fixture
def helpers() -> dict[str, Callable[..., Any]]:
    return {"hold": hold, "pay": pay}


def walk_pages(api: Any, path: str, limit: int, **params: Any) -> list[dict[str, Any]]:
    """Every item of a paged API list ({"items", "next"}), read ``limit`` at a time; each
    page holds at most ``limit`` items and no empty page comes before the last."""
    items: list[dict[str, Any]] = []
    cursor = ""
    for _ in range(60):
        answer = api.get(path, limit=limit, cursor=cursor, **params)
        assert answer.status_code == 200, answer.content
        body = answer.json()
        assert set(body) == {"items", "next"}
        assert len(body["items"]) <= limit
        assert body["items"] or body["next"] is None
        items += body["items"]
        if body["next"] is None:
            return items
        cursor = body["next"]
    raise AssertionError("the pages never ended")
