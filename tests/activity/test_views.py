"""Pages: inside actor 200, outside actor 404, read-only actor 403 on writes; the sheet saves with htmx."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from chibo.activity import services
from chibo.activity.models import Attendance, DuesPayment, Meeting, MemberWarning, TransferLetter
from chibo.members import services as member_services
from chibo.members.models import Member
from chibo.orgs.models import Org
from tests import factories
from tests.activity.conftest import hold

pytestmark = pytest.mark.django_db


@pytest.fixture
def actors(tree: dict[str, Org]) -> dict[str, Client]:
    clients = {}
    for name, role, org in (
        ("inside", "cell_secretary", tree["cell_a"]),
        ("outside", "cell_secretary", tree["school"]),
        ("viewer", "viewer", tree["uni"]),
        ("staff", "grassroots_staff", tree["uni"]),
    ):
        client = Client()
        client.force_login(factories.user(name, role, org))
        clients[name] = client
    return clients


@pytest.fixture
def meeting(tree: dict[str, Org], student: Member) -> Meeting:
    return hold(tree["cell_a"], dt.date(2026, 9, 10))


def test_overview_lists_cells_that_skipped_meetings(
    tree: dict[str, Org], student: Member, actors: dict[str, Client]
) -> None:
    page = actors["staff"].get("/activity/?org=BK")
    assert page.status_code == 200
    assert b"BK-SV1" in page.content and b"missing-meetings" in page.content
    assert actors["outside"].get("/activity/?org=BK").status_code == 404
    assert actors["inside"].get("/activity/").status_code == 200


def test_meetings_list_and_create(
    tree: dict[str, Org], student: Member, actors: dict[str, Client]
) -> None:
    assert actors["inside"].get("/activity/meetings/?org=BK-SV1").status_code == 200
    assert actors["outside"].get("/activity/meetings/?org=BK-SV1").status_code == 404
    assert actors["viewer"].get("/activity/meetings/?org=BK-SV1").status_code == 200
    form = {
        "kind": "regular",
        "held_on": "05/10/2026",
        "place": "Phòng B1",
        "agenda": "Nghị quyết tháng",
    }
    assert actors["viewer"].post("/activity/meetings/new/?org=BK-SV1", form).status_code == 403
    assert actors["outside"].post("/activity/meetings/new/?org=BK-SV1", form).status_code == 404
    response = actors["inside"].post("/activity/meetings/new/?org=BK-SV1", form)
    assert response.status_code == 302
    made = Meeting.objects.get(org=tree["cell_a"], held_on=dt.date(2026, 10, 5))
    assert (
        Attendance.objects.filter(meeting=made, status="present").count() == 1
    )  # present by default


def test_attendance_sheet_row_saves_with_htmx(
    meeting: Meeting, student: Member, actors: dict[str, Client]
) -> None:
    page = actors["inside"].get(f"/activity/meetings/{meeting.pk}/")
    assert page.status_code == 200 and student.member_code.encode() in page.content
    assert actors["outside"].get(f"/activity/meetings/{meeting.pk}/").status_code == 404
    assert actors["viewer"].get(f"/activity/meetings/{meeting.pk}/").status_code == 200
    url = f"/activity/meetings/{meeting.pk}/attendance/{student.member_code}/"
    data = {f"status-{student.member_code}": "unexcused", f"reason-{student.member_code}": ""}
    assert actors["viewer"].post(url, data, HTTP_HX_REQUEST="true").status_code == 403
    assert actors["outside"].post(url, data, HTTP_HX_REQUEST="true").status_code == 404
    response = actors["inside"].post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert (
        b'hx-swap-oob="true"' in response.content and "Trần Thị Bình".encode() in response.content
    )
    assert Attendance.objects.get(meeting=meeting, member=student).status == "unexcused"


def test_sheet_rows_show_the_saved_choice_escaped_and_read_only_for_a_viewer(
    meeting: Meeting, student: Member, actors: dict[str, Client]
) -> None:
    from chibo.activity import services

    code = student.member_code
    services.attendance_record(
        actor=None,
        meeting=meeting,
        entries=[services.AttendanceEntry(code, "excused", "illness", '<script>"ốm"</script>')],
    )
    page = actors["inside"].get(f"/activity/meetings/{meeting.pk}/").content.decode()
    row = page[page.index(f'<tr id="row-{code}"') :]
    row = row[: row.index("</tr>")]
    assert f'hx-post="/activity/meetings/{meeting.pk}/attendance/{code}/"' in row
    assert 'value="excused" checked' in row and '<option value="illness" selected>' in row
    assert "&lt;script&gt;&quot;ốm&quot;&lt;/script&gt;" in row and "<script>" not in row
    assert "Vắng có lý do" in row and "disabled" not in row  # Vietnamese labels, writable
    viewed = actors["viewer"].get(f"/activity/meetings/{meeting.pk}/").content.decode()
    row = viewed[viewed.index(f'<tr id="row-{code}"') :]
    row = row[: row.index("</tr>")]
    assert "hx-post" not in row and row.count(" disabled") == 5  # 3 radios, reason, note


def test_excused_without_reason_keeps_the_choice_and_asks_for_it(
    meeting: Meeting, student: Member, actors: dict[str, Client]
) -> None:
    url = f"/activity/meetings/{meeting.pk}/attendance/{student.member_code}/"
    code = student.member_code
    response = actors["inside"].post(url, {f"status-{code}": "excused"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and b"field-error" in response.content
    assert b'value="excused" checked' in response.content
    actors["inside"].post(
        url, {f"status-{code}": "excused", f"reason-{code}": "illness"}, HTTP_HX_REQUEST="true"
    )
    row = Attendance.objects.get(meeting=meeting, member=student)
    assert (row.status, row.reason.code) == ("excused", "illness")


def test_whole_sheet_save(meeting: Meeting, student: Member, actors: dict[str, Client]) -> None:
    url = f"/activity/meetings/{meeting.pk}/attendance/"
    data = {f"status-{student.member_code}": "unexcused"}
    assert actors["viewer"].post(url, data).status_code == 403
    assert actors["outside"].post(url, data).status_code == 404
    assert actors["inside"].post(url, data).status_code == 302
    assert Attendance.objects.get(meeting=meeting, member=student).status == "unexcused"


def test_meeting_minutes_edit(meeting: Meeting, actors: dict[str, Client]) -> None:
    form = {
        "kind": "regular",
        "held_on": "10/09/2026",
        "minutes": "Biên bản",
        "resolution": "Nghị quyết",
    }
    assert actors["viewer"].post(f"/activity/meetings/{meeting.pk}/", form).status_code == 403
    assert actors["outside"].post(f"/activity/meetings/{meeting.pk}/", form).status_code == 404
    assert actors["inside"].post(f"/activity/meetings/{meeting.pk}/", form).status_code == 302
    meeting.refresh_from_db()
    assert meeting.minutes == "Biên bản"


def test_warnings_page_and_refresh(
    tree: dict[str, Org], student: Member, actors: dict[str, Client]
) -> None:
    hold(tree["cell_a"], dt.date(2026, 9, 10), {student: "unexcused"})
    assert actors["viewer"].post("/activity/warnings/refresh/", {"org": "BK"}).status_code == 403
    assert actors["outside"].post("/activity/warnings/refresh/", {"org": "BK"}).status_code == 404
    assert actors["staff"].post("/activity/warnings/refresh/", {"org": "BK"}).status_code == 302
    assert MemberWarning.objects.filter(member=student).exists()
    page = actors["viewer"].get("/activity/warnings/?org=BK&sort=inactive")
    assert page.status_code == 200 and student.member_code.encode() in page.content
    assert actors["outside"].get("/activity/warnings/?org=BK").status_code == 404
    partial = actors["inside"].get(
        "/activity/warnings/?org=BK-SV1&level=warning", HTTP_HX_REQUEST="true"
    )
    assert partial.status_code == 200 and b"<html" not in partial.content


def test_dues_page_and_payment(tree: dict[str, Org], actors: dict[str, Client]) -> None:
    m = factories.member(tree["cell_a"], admitted_on=dt.date(2024, 3, 1))
    assert actors["inside"].get("/activity/dues/?org=BK-SV1&year=2026").status_code == 200
    assert actors["outside"].get("/activity/dues/?org=BK-SV1").status_code == 404
    form = {
        "org": "BK-SV1",
        "member": m.member_code,
        "first": "03/2026",
        "last": "05/2026",
        "amount_vnd": "5.000",  # as people type it (Django's IntegerField read this as 5)
        "paid_on": "15/05/2026",
        "method": "cash",
    }
    assert actors["viewer"].post("/activity/dues/?org=BK-SV1", form).status_code == 403
    assert actors["outside"].post("/activity/dues/?org=BK-SV1", form).status_code == 404
    paid = actors["inside"].post("/activity/dues/?org=BK-SV1", form)
    assert paid.status_code == 302
    flashed = [str(message) for message in get_messages(paid.wsgi_request)]
    assert len(flashed) == 1 and m.full_name in flashed[0]
    assert DuesPayment.objects.filter(member=m).count() == 3
    again = actors["inside"].post("/activity/dues/?org=BK-SV1", form)
    assert again.status_code == 200
    assert "Đã đóng".encode() in again.content or b"Already paid" in again.content
    assert again.context["form"].errors["first"]  # the service's "periods" error, by the month


def test_transfers_page_and_letter(
    tree: dict[str, Org], student: Member, actors: dict[str, Client]
) -> None:
    event = member_services.member_transfer_out(
        actor=None,
        member=student,
        effective_date=dt.date(2026, 9, 1),
        destination_org=tree["school"],
        decision=member_services.Decision(number="30-QĐ/ĐU"),
    )
    page = actors["staff"].get("/activity/transfers/?org=BK")
    assert page.status_code == 200 and student.member_code.encode() in page.content
    assert actors["outside"].get("/activity/transfers/?org=BK").status_code == 404
    # The receiving side sees it too.
    assert (
        student.member_code.encode()
        in actors["outside"].get("/activity/transfers/?org=Q1-THPT").content
    )
    url = f"/activity/transfers/{event.pk}/letter/"
    assert actors["viewer"].get(url).status_code == 200
    form = {"number": "25-GGT/ĐU", "issued_on": "02/09/2026"}
    assert actors["viewer"].post(url, form).status_code == 403
    assert actors["outside"].post(url, form).status_code == 403  # the receiver does not issue it
    assert actors["staff"].post(url, form).status_code == 302
    letter = TransferLetter.objects.get(event=event)
    assert letter.dues_paid_through == dt.date(2026, 10, 1)
    other = factories.user("far", "cell_secretary", tree["ward"])
    client = Client()
    client.force_login(other)
    assert client.get(url).status_code == 404


def test_reasons_page(actors: dict[str, Client]) -> None:
    assert actors["inside"].get("/activity/reasons/").status_code == 200
    form = {"code": "military", "name": "Nghĩa vụ quân sự", "position": "5", "active": "on"}
    assert actors["inside"].post("/activity/reasons/", form).status_code == 403
    assert actors["viewer"].post("/activity/reasons/", form).status_code == 403
    assert actors["staff"].post("/activity/reasons/", form).status_code == 302
    assert services.roster  # module import sanity
