"""Member list, record, events, admission, identity edits and incoming transfers via the web UI."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from chibo.core.models import AuditEntry
from chibo.core.roles import Role
from chibo.members import services
from chibo.members.forms import EVENT_FORMS
from chibo.members.models import EventKind, Member, MemberEvent, Status
from chibo.orgs.models import Org
from tests import factories as f


@pytest.fixture
def t(db: None) -> dict[str, Org]:
    return f.tree()


@pytest.fixture
def m(t: dict[str, Org]) -> Member:
    return f.member(t["cell_a"], code="DV0001")


def login(user: object) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def inside(t: dict[str, Org]) -> Client:
    return login(f.user("sec-a", Role.CELL_SECRETARY, t["cell_a"]))


@pytest.fixture
def outside(t: dict[str, Org]) -> Client:
    """The secretary of the neighbouring cell of the same school."""
    return login(f.user("sec-b", Role.CELL_SECRETARY, t["cell_b"]))


@pytest.fixture
def readonly(t: dict[str, Org]) -> Client:
    return login(f.user("viewer", Role.VIEWER, t["uni"]))


# --- list ------------------------------------------------------------------------


def test_list_inside_shows_member_and_audits_the_page(m: Member, inside: Client) -> None:
    response = inside.get(reverse("members:list"))
    assert response.status_code == 200
    assert "Nguyễn Văn An" in response.content.decode()
    entry = AuditEntry.objects.filter(action="members.list").last()
    assert entry is not None and entry.data["members"] == ["DV0001"]


def test_list_outside_does_not_show_member(m: Member, outside: Client) -> None:
    response = outside.get(reverse("members:list"))
    assert response.status_code == 200
    assert "DV0001" not in response.content.decode()


def test_list_read_only_may_view(m: Member, readonly: Client) -> None:
    assert "DV0001" in readonly.get(reverse("members:list")).content.decode()


def test_list_sysadmin_does_not_browse_personal_data(t: dict[str, Org]) -> None:
    client = login(f.user("admin", Role.SYSADMIN, t["city"]))
    assert client.get(reverse("members:list")).status_code == 403


@pytest.mark.parametrize(
    ("query", "found"),
    [("nguyen van", True), ("NGUYEN", True), ("an", True), ("dang", False), ("DV0001", True)],
)
def test_search_ignores_diacritics(m: Member, inside: Client, query: str, found: bool) -> None:
    response = inside.get(reverse("members:list"), {"q": query})
    assert ("DV0001" in response.content.decode()) is found


def test_search_dang_finds_dang_thi_hoa(t: dict[str, Org], inside: Client) -> None:
    f.member(t["cell_a"], full_name="Đặng Thị Hoa", code="DV0002")
    f.member(t["cell_a"], full_name="Nguyễn Văn An", code="DV0003")
    response = inside.get(reverse("members:list"), {"q": "dang"})
    codes = [x.member_code for x in response.context["page"].object_list]
    assert codes == ["DV0002"]


def test_live_search_returns_the_results_partial(m: Member, inside: Client) -> None:
    response = inside.get(
        reverse("members:list"), {"q": "nguyen"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and "DV0001" in body


def test_list_default_status_is_on_rolls(t: dict[str, Org], m: Member, inside: Client) -> None:
    services.member_record_death(
        actor=None, member=m, effective_date=m.admitted_on, decision=services.Decision()
    )
    assert "DV0001" not in inside.get(reverse("members:list")).content.decode()
    response = inside.get(reverse("members:list"), {"status": "deceased"})
    assert "DV0001" in response.content.decode()
    assert "DV0001" in inside.get(reverse("members:list"), {"status": "all"}).content.decode()


def test_list_filters_by_org_category_and_standing(t: dict[str, Org], m: Member) -> None:
    f.member(t["cell_b"], full_name="Lê Thị Lan", code="DV0009", category="lecturer")
    client = login(f.user("bk", Role.GRASSROOTS_STAFF, t["uni"]))
    page = client.get(reverse("members:list"), {"org": "BK-GV1"}).context["page"]
    assert [x.member_code for x in page.object_list] == ["DV0009"]
    page = client.get(reverse("members:list"), {"category": "student"}).context["page"]
    assert [x.member_code for x in page.object_list] == ["DV0001"]
    page = client.get(reverse("members:list"), {"standing": "full"}).context["page"]
    assert list(page.object_list) == []


def test_list_unknown_org_code_is_a_friendly_error(m: Member, inside: Client) -> None:
    response = inside.get(reverse("members:list"), {"org": "Q1"})
    assert response.status_code == 200
    assert response.context["page"] is None
    assert response.context["form"].errors["org"]


def test_list_paginates_by_50(t: dict[str, Org], inside: Client) -> None:
    for i in range(51):
        f.member(t["cell_a"], code=f"P{i:04d}")
    response = inside.get(reverse("members:list"))
    page = response.context["page"]
    assert (len(page.object_list), page.paginator.num_pages) == (50, 2)
    assert len(inside.get(reverse("members:list"), {"page": 2}).context["page"].object_list) == 1


# --- detail ----------------------------------------------------------------------


def test_detail_inside_shows_full_record_and_is_audited(m: Member, inside: Client) -> None:
    response = inside.get(reverse("members:detail", args=["DV0001"]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "079203001234" in body and "0912345689" in body
    assert "01/03/2024" in body  # dd/mm/yyyy
    assert "12-QĐ/ĐU" in body  # decision number on the timeline
    assert AuditEntry.objects.filter(action="members.view", object_id="DV0001").count() == 1


def test_detail_outside_is_404(m: Member, outside: Client) -> None:
    assert outside.get(reverse("members:detail", args=["DV0001"])).status_code == 404
    assert not AuditEntry.objects.filter(action="members.view").exists()


def test_detail_masks_sensitive_fields_for_a_viewer(m: Member, readonly: Client) -> None:
    response = readonly.get(reverse("members:detail", args=["DV0001"]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "079203001234" not in body and "0912345689" not in body
    assert m.masked_citizen_id in body and m.masked_phone in body
    assert reverse("members:edit", args=["DV0001"]) not in body
    assert response.context["allowed"] == []


def test_detail_offers_only_events_allowed_in_current_status(m: Member, inside: Client) -> None:
    allowed = dict(inside.get(reverse("members:detail", args=["DV0001"])).context["allowed"])
    assert EventKind.EXEMPTED in allowed and EventKind.TEMP_OUT in allowed
    assert EventKind.EXEMPTION_ENDED not in allowed and EventKind.TEMP_BACK not in allowed
    assert EventKind.TRANSFER_IN not in allowed


# --- events ----------------------------------------------------------------------


def event_url(kind: str, code: str = "DV0001") -> str:
    return reverse("members:event", args=[code, kind])


@pytest.mark.parametrize("kind", list(EVENT_FORMS))
def test_event_form_inside_200_outside_404_read_only_403(
    kind: str, m: Member, inside: Client, outside: Client, readonly: Client
) -> None:
    assert inside.get(event_url(kind)).status_code == 200
    assert outside.get(event_url(kind)).status_code == 404
    assert readonly.get(event_url(kind)).status_code == 403
    assert readonly.post(event_url(kind), {"version": m.version}).status_code == 403


def test_unknown_event_kind_is_404(m: Member, inside: Client) -> None:
    assert inside.get(event_url("promoted")).status_code == 404


def test_posted_event_appears_on_timeline_and_in_audit(m: Member, inside: Client) -> None:
    response = inside.post(
        event_url(EventKind.EXEMPTED),
        {
            "version": m.version,
            "effective_date": "15/01/2025",
            "decision_number": "3-QĐ/CB",
            "note": "Ốm dài ngày",
            "criterion": "illness",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("members:detail", args=["DV0001"])
    assert Member.objects.get(pk=m.pk).status == Status.EXEMPTED
    entry = AuditEntry.objects.get(action="members.exempted", object_id="DV0001")
    assert entry.data["decision_number"] == "3-QĐ/CB"
    page = inside.get(response["Location"]).content.decode()
    assert "15/01/2025" in page and "3-QĐ/CB" in page and "Ốm dài ngày" in page


def test_stale_version_is_refused_and_nothing_changes(m: Member, inside: Client) -> None:
    stale = m.version
    services.member_issue_card(
        actor=None,
        member=m,
        effective_date=dt.date(2024, 6, 1),
        decision=services.Decision(),
        card_number="123456",
    )
    events_before = MemberEvent.objects.filter(member=m).count()
    response = inside.post(
        event_url(EventKind.EXEMPTED),
        {
            "version": stale,
            "effective_date": "15/01/2025",
            "note": "Ốm dài ngày",
            "criterion": "illness",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert response.context["form"].non_field_errors()
    assert "Reload the page" in body or "Tải lại" in body
    assert 'value="15/01/2025"' in body  # the user's input is kept
    assert MemberEvent.objects.filter(member=m).count() == events_before
    assert Member.objects.get(pk=m.pk).status == Status.ACTIVE
    assert not AuditEntry.objects.filter(action="members.exempted").exists()


def test_service_field_error_is_shown_next_to_the_field(m: Member, inside: Client) -> None:
    response = inside.post(
        event_url(EventKind.TEMP_OUT),
        {
            "version": m.version,
            "effective_date": "15/01/2025",
            "host": "",
            "purpose": "work",
            "until": "15/06/2025",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["host"]


def test_event_date_must_be_dd_mm_yyyy(m: Member, inside: Client) -> None:
    response = inside.post(
        event_url(EventKind.EXEMPTED),
        {"version": m.version, "effective_date": "2025/13/45", "note": "x"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["effective_date"]


def test_removal_needs_reason_and_decision(m: Member, inside: Client) -> None:
    response = inside.post(
        event_url(EventKind.REMOVED), {"version": m.version, "effective_date": "15/01/2025"}
    )
    assert set(response.context["form"].errors) >= {"reason", "decision_number"}
    response = inside.post(
        event_url(EventKind.REMOVED),
        {
            "version": m.version,
            "effective_date": "15/01/2025",
            "reason": "abandoned_activity",
            "decision_number": "8-QĐ/ĐU",
        },
    )
    assert response.status_code == 302
    assert Member.objects.get(pk=m.pk).status == Status.REMOVED
    assert AuditEntry.objects.filter(action="members.removed").exists()


def test_recognize_through_the_view(t: dict[str, Org], inside: Client) -> None:
    member = f.member(t["cell_a"], code="DV0100", admitted_on=dt.date(2023, 1, 10))
    response = inside.post(
        event_url(EventKind.RECOGNIZED, "DV0100"),
        {"version": member.version, "decided_on": "20/02/2024", "decision_number": "1-QĐ"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.is_full and member.recognized_on == member.probation_ends_on


# --- admit / receive / edit ------------------------------------------------------


ADMIT = {
    "org": "BK-SV1",
    "member_code": "DV7777",
    "full_name": "Phạm  Minh Châu",
    "date_of_birth": "17/05/2004",
    "gender": "female",
    "category": "student",
    "ethnicity": "Kinh",
    "admitted_on": "03/02/2025",
    "decision_number": "45-QĐ/ĐU",
}


PAST = {**ADMIT, "deciding_body": "Ban Thường vụ Đảng ủy"}


@pytest.fixture
def committee(t: dict[str, Org]) -> Client:
    return login(f.user("uni-staff", Role.GRASSROOTS_STAFF, t["uni"]))


def test_admit_is_the_admission_path_not_a_form(inside: Client) -> None:
    """Issue 20: a cell secretary cannot create an admitted member from a form any more."""
    page = inside.get(reverse("members:admit"))
    assert page.status_code == 200 and reverse("admissions:register") in page.content.decode()
    assert inside.post(reverse("members:admit"), ADMIT).status_code == 405
    assert inside.get(reverse("members:past_admission")).status_code == 403
    assert inside.post(reverse("members:past_admission"), PAST).status_code == 403
    assert not Member.objects.filter(member_code="DV7777").exists()


def test_past_admission_by_the_committee(committee: Client) -> None:
    response = committee.post(reverse("members:past_admission"), PAST)
    assert response.status_code == 302
    member = Member.objects.get(member_code="DV7777")
    assert member.full_name == "Phạm Minh Châu" and member.org.code == "BK-SV1"
    assert not member.is_full
    assert AuditEntry.objects.filter(action="members.past_admission", object_id="DV7777").exists()


def test_past_admission_into_a_cell_outside_scope_is_refused(t: dict[str, Org]) -> None:
    other = login(f.user("q-staff", Role.GRASSROOTS_STAFF, t["school"]))
    response = other.post(reverse("members:past_admission"), PAST)
    assert response.status_code == 200
    assert response.context["form"].errors["org"]
    assert not Member.objects.filter(member_code="DV7777").exists()


def test_admit_read_only_403(readonly: Client) -> None:
    assert readonly.get(reverse("members:admit")).status_code == 403
    assert readonly.get(reverse("members:past_admission")).status_code == 403
    assert readonly.post(reverse("members:past_admission"), PAST).status_code == 403


def test_past_admission_duplicate_code_keeps_input(m: Member, committee: Client) -> None:
    response = committee.post(reverse("members:past_admission"), {**PAST, "member_code": "DV0001"})
    assert response.status_code == 200
    assert response.context["form"].errors["member_code"]
    assert "Phạm  Minh Châu" in response.content.decode()


def test_receive_from_outside(inside: Client, readonly: Client) -> None:
    data = {
        **ADMIT,
        "member_code": "DV8888",
        "admitted_on": "03/02/2020",
        "recognized_on": "03/02/2021",
        "arrived_on": "01/09/2025",
        "from_body": "Đảng bộ tỉnh Bình Dương",
    }
    assert readonly.post(reverse("members:receive"), data).status_code == 403
    assert inside.get(reverse("members:receive")).status_code == 200
    response = inside.post(reverse("members:receive"), data)
    assert response.status_code == 302
    assert Member.objects.get(member_code="DV8888").is_full


def test_edit_identity(m: Member, inside: Client, outside: Client, readonly: Client) -> None:
    url = reverse("members:edit", args=["DV0001"])
    assert outside.get(url).status_code == 404
    assert readonly.get(url).status_code == 403
    response = inside.get(url)
    assert response.status_code == 200
    assert 'value="17/05/2003"' in response.content.decode()
    data = {
        "version": m.version,
        "full_name": "Nguyễn Văn Ân",
        "date_of_birth": "17/05/2003",
        "gender": "male",
        "ethnicity": "Kinh",
        "expected_graduation": "",
        "citizen_id": "079203001234",
        "phone": "0987654321",
    }
    assert readonly.post(url, data).status_code == 403
    response = inside.post(url, data)
    assert response.status_code == 302
    flashed = [str(message) for message in get_messages(response.wsgi_request)]
    assert len(flashed) == 1 and "Nguyễn Văn Ân" in flashed[0]  # the corrected name
    m.refresh_from_db()
    assert (m.full_name, m.phone) == ("Nguyễn Văn Ân", "0987654321")
    entry = AuditEntry.objects.get(action="members.identity_update")
    assert entry.data["phone"] == "***"
    # the same form posted again is stale now
    response = inside.post(url, {**data, "full_name": "Khác"})
    assert response.status_code == 200 and response.context["form"].non_field_errors()


# --- incoming transfers ----------------------------------------------------------


def test_incoming_transfer_is_recorded_by_the_receiving_cell(t: dict[str, Org], m: Member) -> None:
    sender = login(f.user("bk", Role.GRASSROOTS_STAFF, t["uni"]))
    response = sender.post(
        event_url(EventKind.TRANSFER_OUT),
        {"version": m.version, "effective_date": "01/08/2025", "destination_org": "Q1-THPT"},
    )
    assert response.status_code == 302
    receiver = login(f.user("thpt", Role.CELL_SECRETARY, t["school"]))
    response = receiver.get(reverse("members:incoming"))
    assert response.status_code == 200
    assert "DV0001" in response.content.decode()
    m.refresh_from_db()
    arrive = reverse("members:arrive", args=["DV0001"])
    response = receiver.post(arrive, {"version": m.version, "org": "Q1-THPT", "effective_date": ""})
    assert response.status_code == 200 and "DV0001" in response.content.decode()
    response = receiver.post(
        arrive, {"version": m.version, "org": "Q1-THPT", "effective_date": "10/08/2025"}
    )
    assert response.status_code == 302
    m.refresh_from_db()
    assert (m.status, m.org.code, m.pending_org) == (Status.ACTIVE, "Q1-THPT", None)
    assert AuditEntry.objects.filter(action="members.transfer_in", object_id="DV0001").exists()


def test_incoming_access(t: dict[str, Org], m: Member, inside: Client, readonly: Client) -> None:
    assert inside.get(reverse("members:incoming")).status_code == 200
    assert readonly.get(reverse("members:incoming")).status_code == 403
    # not an incoming transfer for this cell: 404
    assert inside.post(reverse("members:arrive", args=["DV0001"]), {}).status_code == 404
    assert readonly.post(reverse("members:arrive", args=["DV0001"]), {}).status_code == 403


def test_timeline_names_who_recorded_an_event_by_full_name(t: dict[str, Org], m: Member) -> None:
    """ "người ghi cosoviec": the timeline named the user by login; people read the full name."""
    staff = f.user("cosoviec", Role.GRASSROOTS_STAFF, t["uni"])
    staff.first_name, staff.last_name = "Lê Văn", "Hùng"  # as chibo stores names
    staff.save()
    services.member_exempt(
        actor=staff,
        member=m,
        effective_date=dt.date(2025, 2, 1),
        decision=services.Decision(number=""),
        note="Ốm",
    )
    html = login(staff).get(reverse("members:detail", args=[m.member_code])).content.decode()
    timeline = html.split("timeline", 1)[1]
    assert "Lê Văn Hùng" in timeline and "cosoviec" not in timeline
