"""Meetings, the roster, the minutes summary, bulk import, cells that skipped meetings."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chibo.activity import selectors, services
from chibo.activity.models import Attendance, Meeting
from chibo.members import services as member_services
from chibo.members.models import Member
from chibo.orgs.models import Org
from tests import factories
from tests.activity.conftest import hold

pytestmark = pytest.mark.django_db
D = member_services.Decision(number="1-QĐ/ĐU")


def test_roster_and_minutes_summary(tree: dict[str, Org], student: Member) -> None:
    full = factories.member(
        tree["cell_a"], full_name="Phạm Văn Chính", admitted_on=dt.date(2020, 1, 1)
    )
    member_services.member_recognize(
        actor=None, member=full, decided_on=dt.date(2021, 2, 1), decision=D
    )
    away = factories.member(tree["cell_a"], full_name="Võ Thị Đi", admitted_on=dt.date(2020, 1, 1))
    member_services.member_temp_transfer_out(
        actor=None,
        member=away,
        effective_date=dt.date(2026, 1, 5),
        decision=D,
        host_org=tree["cell_b"],
    )
    meeting = hold(tree["cell_a"], dt.date(2026, 9, 10), {student: "excused", full: "unexcused"})
    sheet = selectors.attendance_sheet(meeting)
    s = sheet.summary
    assert (s["full_total"], s["probationary_total"], s["temp_away_total"]) == (1, 1, 1)
    assert s["present_total"] == 0
    assert [m.full_name for m in s["unexcused"]] == ["Phạm Văn Chính"]
    assert s["excused"][0][1] == "Ốm đau"
    # The temporarily transferred member is attached at the host cell, not expected there.
    host = hold(tree["cell_b"], dt.date(2026, 9, 11))
    row = Attendance.objects.get(meeting=host, member=away)
    assert (row.expected, row.attached) == (False, True)
    assert selectors.attendance_sheet(host).summary["attached_total"] == 1


def test_meeting_validation(tree: dict[str, Org], student: Member) -> None:
    with pytest.raises(ValidationError):
        services.meeting_create(
            actor=None, org=tree["uni"], kind="regular", held_on=dt.date(2026, 9, 1)
        )
    hold(tree["cell_a"], dt.date(2026, 9, 1))
    with pytest.raises(ValidationError):
        hold(tree["cell_a"], dt.date(2026, 9, 1))
    viewer = factories.user("v", "viewer", tree["uni"])
    with pytest.raises(PermissionDenied):
        services.meeting_create(
            actor=viewer, org=tree["cell_a"], kind="regular", held_on=dt.date(2026, 9, 2)
        )


def test_future_meeting_is_refused(tree: dict[str, Org], student: Member) -> None:
    """Recorded with everyone present by default, it would count as held (issue 17)."""
    future = dt.date.today() + dt.timedelta(days=10)
    with pytest.raises(ValidationError) as exc:
        services.meeting_create(
            actor=None, org=tree["cell_a"], kind="thematic", held_on=future, topic="Nghị quyết"
        )
    assert "held_on" in exc.value.message_dict
    assert not Meeting.objects.exists()


def test_bulk_record_meetings(tree: dict[str, Org], student: Member) -> None:
    other = factories.member(tree["cell_a"], admitted_on=dt.date(2024, 3, 1))
    records = [
        services.MeetingRecord(
            "BK-SV1",
            dt.date(2025, 3, 5),
            "regular",
            attendance=[services.AttendanceEntry(student.member_code, "unexcused")],
        ),
        services.MeetingRecord("BK-SV1", dt.date(2025, 3, 20), "thematic"),
    ]
    done = services.meetings_bulk_record(actor=None, records=records)
    assert (done["created"], done["skipped"], done["attendance_rows"]) == (2, 0, 4)
    # Recorded, and shown by the import's check (issue 17): a thematic meeting has a topic.
    assert list(done["unusual"]) == ["row 2"] and len(done["unusual"]["row 2"]) == 1
    assert services.meetings_bulk_record(actor=None, records=records)["skipped"] == 2
    assert (
        Attendance.objects.get(member=other, meeting__held_on=dt.date(2025, 3, 5)).status
        == "present"
    )
    with pytest.raises(ValidationError) as err:
        services.meetings_bulk_record(
            actor=None, records=[services.MeetingRecord("NOPE", dt.date(2025, 4, 1))]
        )
    assert "row 1" in err.value.message_dict
    assert (
        services.meetings_bulk_record(
            actor=None,
            records=[services.MeetingRecord("BK-SV1", dt.date(2025, 4, 1))],
            dry_run=True,
        )["created"]
        == 1
    )
    assert not Meeting.objects.filter(held_on=dt.date(2025, 4, 1)).exists()


def test_cells_missing_meetings(tree: dict[str, Org], student: Member) -> None:
    staff = factories.user("s", "grassroots_staff", tree["uni"])
    as_of = dt.date(2026, 10, 20)
    assert [
        (m.org.code, m.months, m.quarters) for m in selectors.cells_missing_meetings(staff, as_of)
    ] == [("BK-SV1", ["2026-07", "2026-08", "2026-09"], ["2026-Q3"])]
    # The system (the report command) sees every cell: here the same one.
    assert [m.org.code for m in selectors.cells_missing_meetings(None, as_of)] == ["BK-SV1"]
    for day in (dt.date(2026, 7, 3), dt.date(2026, 8, 3), dt.date(2026, 9, 3)):
        hold(tree["cell_a"], day)
    assert selectors.cells_missing_meetings(staff, as_of)[0].months == []
    hold(tree["cell_a"], dt.date(2026, 8, 20), kind="thematic")
    assert selectors.cells_missing_meetings(staff, as_of) == []
    outsider = factories.user("o", "cell_secretary", tree["school"])
    assert selectors.cells_missing_meetings(outsider, as_of) == []  # BK-SV1 not in its scope


def test_absence_reasons_are_configuration(tree: dict[str, Org]) -> None:
    secretary = factories.user("b", "cell_secretary", tree["cell_a"])
    with pytest.raises(PermissionDenied):
        services.absence_reason_save(actor=secretary, code="x", name="X")
    staff = factories.user("s", "grassroots_staff", tree["uni"])
    assert services.absence_reason_save(
        actor=staff, code="military", name="Nghĩa vụ quân sự"
    ).active
