"""Attendance rows carry their version: a mark made from a stale view of a row that someone
else saved meanwhile is a conflict, never written over."""

from __future__ import annotations

import datetime as dt

import pytest

from chibo.activity import selectors, services
from chibo.activity.models import Attendance
from chibo.activity.services import AttendanceConflict, AttendanceEntry
from chibo.members.models import Member
from chibo.orgs.models import Org
from tests import factories

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 10, 5)


@pytest.fixture
def meeting(tree: dict[str, Org]) -> object:
    for i, name in enumerate(["Lê Văn Minh", "Phạm Thị Hoa"]):
        factories.member(tree["cell_a"], code=f"DV-A{i}", full_name=name)
    return services.meeting_create(actor=None, org=tree["cell_a"], kind="regular", held_on=DAY)


def _row(meeting: object, code: str) -> Attendance:
    return Attendance.objects.get(meeting=meeting, member__member_code=code)


def test_rows_start_at_version_0_and_count_changes(meeting: object) -> None:
    sheet = selectors.attendance_sheet(meeting)
    assert [r.version for r in sheet.expected] == [0, 0]
    services.attendance_record(
        actor=None, meeting=meeting, entries=[AttendanceEntry("DV-A0", "unexcused", version=0)]
    )
    assert _row(meeting, "DV-A0").version == 1
    # The same state again changes nothing and keeps the version.
    services.attendance_record(
        actor=None, meeting=meeting, entries=[AttendanceEntry("DV-A0", "unexcused", version=1)]
    )
    assert _row(meeting, "DV-A0").version == 1
    services.attendance_record(
        actor=None, meeting=meeting, entries=[AttendanceEntry("DV-A0", "present", version=1)]
    )
    assert _row(meeting, "DV-A0").version == 2


def test_a_stale_version_is_a_conflict_and_nothing_is_written(meeting: object) -> None:
    # Someone else marks DV-A0 excused while the secretary's phone is offline.
    services.attendance_record(
        actor=None,
        meeting=meeting,
        entries=[AttendanceEntry("DV-A0", "excused", "illness", version=0)],
    )
    # The phone comes back and sends what it marked from version 0: DV-A0 unexcused, DV-A1 excused.
    with pytest.raises(AttendanceConflict) as conflict:
        services.attendance_record(
            actor=None,
            meeting=meeting,
            entries=[
                AttendanceEntry("DV-A0", "unexcused", version=0),
                AttendanceEntry("DV-A1", "excused", "illness", version=0),
            ],
        )
    assert conflict.value.codes == ["DV-A0"]
    assert "DV-A0" in conflict.value.message_dict
    assert _row(meeting, "DV-A0").status == "excused"  # not overwritten
    assert _row(meeting, "DV-A1").status == "present"  # the request wrote nothing


def test_the_same_mark_from_a_stale_version_is_no_conflict(meeting: object) -> None:
    services.attendance_record(
        actor=None, meeting=meeting, entries=[AttendanceEntry("DV-A1", "unexcused", version=0)]
    )
    changed = services.attendance_record(
        actor=None, meeting=meeting, entries=[AttendanceEntry("DV-A1", "unexcused", version=0)]
    )
    assert changed == 0


def test_entries_without_a_version_are_not_checked(meeting: object, tree: dict) -> None:
    """Imports and the system write without a version (as before)."""
    services.attendance_record(
        actor=None, meeting=meeting, entries=[AttendanceEntry("DV-A0", "unexcused", version=0)]
    )
    services.attendance_record(
        actor=None, meeting=meeting, entries=[AttendanceEntry("DV-A0", "present")]
    )
    row = _row(meeting, "DV-A0")
    assert (row.status, row.version) == ("present", 2)
    assert Member.objects.count() == 2


def _secretary(tree: dict[str, Org]) -> object:
    from django.test import Client

    client = Client()
    client.force_login(factories.user("bithu", "cell_secretary", tree["cell_a"]))
    return client


def test_the_row_answers_409_with_the_saved_row_and_the_mark_sent(
    tree: dict[str, Org], meeting: object
) -> None:
    client = _secretary(tree)
    url = f"/activity/meetings/{meeting.pk}/attendance/DV-A0/"
    services.attendance_record(
        actor=None, meeting=meeting, entries=[AttendanceEntry("DV-A0", "excused", "illness")]
    )
    response = client.post(
        url, {"status-DV-A0": "unexcused", "version-DV-A0": "0"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "conflict-row" in html and "Lưu lựa chọn của tôi" in html
    assert 'name="version-DV-A0" value="1"' in html
    assert _row(meeting, "DV-A0").status == "excused"
    # The saved row, as it is (the "keep" button).
    again = client.get(url, HTTP_HX_REQUEST="true")
    assert again.status_code == 200 and "conflict-row" not in again.content.decode()
    # Marking from the version now shown saves.
    ok = client.post(
        url, {"status-DV-A0": "unexcused", "version-DV-A0": "1"}, HTTP_HX_REQUEST="true"
    )
    assert ok.status_code == 200 and _row(meeting, "DV-A0").status == "unexcused"


def test_the_whole_sheet_saves_the_others_and_names_the_conflicts(
    tree: dict[str, Org], meeting: object
) -> None:
    from django.contrib.messages import get_messages

    client = _secretary(tree)
    services.attendance_record(
        actor=None, meeting=meeting, entries=[AttendanceEntry("DV-A0", "excused", "illness")]
    )
    response = client.post(
        f"/activity/meetings/{meeting.pk}/attendance/",
        {
            "status-DV-A0": "unexcused",
            "version-DV-A0": "0",
            "status-DV-A1": "unexcused",
            "version-DV-A1": "0",
        },
    )
    assert response.status_code == 302
    flashed = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("DV-A0" in m and "không bị thay đổi" in m for m in flashed), flashed
    assert _row(meeting, "DV-A0").status == "excused"
    assert _row(meeting, "DV-A1").status == "unexcused"


def test_the_api_carries_the_version_and_refuses_a_stale_one(
    tree: dict[str, Org], meeting: object
) -> None:
    from tests.api.conftest import api_for

    api = api_for(factories.user("bithu", "cell_secretary", tree["cell_a"]))
    url = f"/api/v1/activity/meetings/{meeting.pk}/attendance"
    sheet = api.get(f"/activity/meetings/{meeting.pk}").json()
    assert {r["member_code"]: r["version"] for r in sheet["attendance"]} == {
        "DV-A0": 0,
        "DV-A1": 0,
    }
    mark = [{"member_code": "DV-A0", "status": "unexcused", "version": 0}]
    ok = api.client.put(url, mark, content_type="application/json", headers=api.headers)
    assert ok.status_code == 200
    assert {r["member_code"]: r["version"] for r in ok.json()["attendance"]}["DV-A0"] == 1
    stale = [{"member_code": "DV-A0", "status": "present", "version": 0}]
    refused = api.client.put(url, stale, content_type="application/json", headers=api.headers)
    assert refused.status_code == 422
    assert "DV-A0" in refused.json()["error"]["fields"]
    assert _row(meeting, "DV-A0").status == "unexcused"
