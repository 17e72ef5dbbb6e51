"""The activity writes a cached count must follow, through the services, shared by the tests
that check the overview's counts (tests/activity/test_overview_cache.py) and the dashboard's
(tests/reports/test_cold_dashboard.py) against a fresh count after each."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from chibo.activity import periods, services, tracking
from chibo.activity.models import MeetingKind, Presence
from chibo.members import services as member_services
from chibo.members.models import RemovalReason


def activity_writes(
    tree: dict[str, Any], members: dict[str, Any], meetings: dict[str, Any], today: dt.date
) -> dict[str, Callable[[], None]]:
    """Attendance in ``cell_a``'s meeting, a new meeting there last month and its kind changed
    (in that order: the change edits the new meeting), ``cell_b``'s tracking start set, the
    ``ward`` member removed (the ward's cell emptied). Keys are the writes' names."""
    last_month = periods.shift(periods.month_of(today), -1)

    def attendance() -> None:
        services.attendance_record(
            actor=None,
            meeting=meetings["cell_a"],
            entries=[services.AttendanceEntry(members["cell_a"].member_code, Presence.UNEXCUSED)],
        )

    def meeting_new() -> None:
        meetings["new"] = services.meeting_create(
            actor=None, org=tree["cell_a"], kind=MeetingKind.REGULAR, held_on=last_month
        )

    def meeting_kind() -> None:
        services.meeting_update(
            actor=None, meeting=meetings["new"], kind=MeetingKind.THEMATIC, topic="Nghị quyết"
        )

    def tracking_start() -> None:
        tracking.tracking_set(actor=None, org=tree["cell_b"], set_on=today - dt.timedelta(days=200))

    def cell_emptied() -> None:
        member_services.member_remove(
            actor=None,
            member=members["ward"],
            effective_date=today,
            decision=member_services.Decision("3-QĐ/ĐU"),
            reason=RemovalReason.ABANDONED_ACTIVITY,
        )

    return {
        write.__name__: write
        for write in (attendance, meeting_new, meeting_kind, tracking_start, cell_emptied)
    }
