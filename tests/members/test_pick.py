"""Pick, don't type: people are chosen from the roster in scope, searched without diacritics;
a wrong value is a message on the form (input kept), never an error page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from chibo.activity.models import DuesPayment
from chibo.core.models import AuditEntry
from chibo.core.roles import Role
from chibo.members.models import Member
from chibo.members.pick import resolve
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(tree: dict[str, Any]) -> dict[str, Member]:
    names = {
        "DV-A1": ("cell_a", "Đặng Thu Trang"),
        "DV-A2": ("cell_a", "Đặng Văn Hùng"),
        "DV-A3": ("cell_a", "Lê Thị Ánh"),
        "DV-B1": ("cell_b", "Đặng Quốc Bảo"),
    }
    return {
        code: factories.member(
            tree[cell], code=code, full_name=name, admitted_on=dt.date(2024, 3, 1)
        )
        for code, (cell, name) in names.items()
    }


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def secretary(tree: dict[str, Any]) -> Client:
    return _client(factories.user("bithu", Role.CELL_SECRETARY, tree["cell_a"]))


def test_search_without_diacritics_in_the_roster_in_scope(
    secretary: Client, people: dict[str, Member]
) -> None:
    html = secretary.get("/members/pick/", {"field": "member", "member": "dang"}).content.decode()
    assert "Đặng Thu Trang" in html and "Đặng Văn Hùng" in html
    assert "Đặng Quốc Bảo" not in html  # another cell: not in her scope
    assert 'data-code="DV-A1"' in html
    one = secretary.get("/members/pick/", {"field": "member", "member": "dang thu"}).content
    assert b"DV-A1" in one and b"DV-A2" not in one
    by_given = secretary.get("/members/pick/", {"field": "member", "member": "anh"}).content
    assert b"DV-A3" in by_given
    entry = AuditEntry.objects.filter(action="members.list").order_by("-seq").first()
    assert entry.data["via"] == "picker" and entry.data["members"] == ["DV-A3"]


def test_search_is_narrowed_to_an_org_and_full_members(
    tree: dict[str, Any], people: dict[str, Member]
) -> None:
    staff = _client(factories.user("cs", Role.GRASSROOTS_STAFF, tree["uni"]))
    both = staff.get("/members/pick/", {"q": "dang"}).content
    assert b"DV-A1" in both and b"DV-B1" in both
    cell_b = staff.get("/members/pick/", {"q": "dang", "org": "BK-GV1"}).content
    assert b"DV-A1" not in cell_b and b"DV-B1" in cell_b
    full = staff.get("/members/pick/", {"q": "dang", "standing": "full"}).content.decode()
    assert "DV-A1" not in full and "Không có đảng viên nào khớp" in full
    assert staff.get("/members/pick/", {"q": "dang", "org": "Q1"}).status_code == 404
    assert staff.get("/members/pick/", {"q": "da\x00ng"}).status_code == 200


def test_the_picker_needs_the_member_view_right(tree: dict[str, Any]) -> None:
    admin = _client(factories.user("qt", Role.SYSADMIN, tree["city"]))
    assert admin.get("/members/pick/", {"q": "dang"}).status_code == 403
    assert Client().get("/members/pick/").status_code == 302


def test_resolve_reads_a_code_or_a_name_only_one_member_has(people: dict[str, Member]) -> None:
    roster = Member.objects.filter(org__code="BK-SV1")
    assert resolve(roster, "DV-A2").member_code == "DV-A2"
    assert resolve(roster, "dv-a2").member_code == "DV-A2"
    assert resolve(roster, "le thi anh").member_code == "DV-A3"
    assert resolve(roster, "  Đặng Thu  ").member_code == "DV-A1"
    with pytest.raises(ValidationError, match="Đặng Thu Trang \\(DV-A1\\), Đặng Văn Hùng"):
        resolve(roster, "dang")
    with pytest.raises(ValidationError, match="Không có đảng viên nào"):
        resolve(roster, "DV-B1")  # another cell's code: not in this roster
    with pytest.raises(ValidationError):
        resolve(roster, "")


def _payment(member: str) -> dict[str, str]:
    return {
        "org": "BK-SV1",
        "member": member,
        "first": "01/2026",
        "last": "02/2026",
        "amount_vnd": "2000",
        "paid_on": "15/03/2026",
        "method": "cash",
    }


def test_dues_a_typo_is_a_message_on_the_form_with_the_input_kept(
    secretary: Client, people: dict[str, Member]
) -> None:
    for typed in ("DV-A9", "DV-B1", "dang"):  # a typo, another cell's member, two names
        response = secretary.post("/activity/dues/?org=BK-SV1", _payment(typed))
        assert response.status_code == 200, typed
        form = response.context["form"]
        assert form.errors["member"], typed
        html = response.content.decode()
        assert f'value="{typed}"' in html and 'value="15/03/2026"' in html
    assert not DuesPayment.objects.exists()


def test_dues_by_name(secretary: Client, people: dict[str, Member]) -> None:
    response = secretary.post("/activity/dues/?org=BK-SV1", _payment("le thi anh"))
    assert response.status_code == 302
    assert DuesPayment.objects.filter(member=people["DV-A3"]).count() == 2


def test_the_dues_form_uses_the_picker(secretary: Client, people: dict[str, Member]) -> None:
    html = secretary.get("/activity/dues/?org=BK-SV1").content.decode()
    assert 'hx-get="/members/pick/?field=member&amp;org=BK-SV1"' in html
    assert 'role="combobox"' in html


def test_training_and_discipline_take_names_and_say_what_is_wrong(
    tree: dict[str, Any], people: dict[str, Member]
) -> None:
    from chibo.oversight.models import DisciplineCase

    staff = _client(factories.user("cs", Role.GRASSROOTS_STAFF, tree["uni"]))
    wrong = staff.post(
        "/oversight/discipline/new/",
        {"member": "khong ai", "violation": "Vi phạm", "opened_on": "01/06/2026"},
    )
    assert wrong.status_code == 200 and wrong.context["form"].errors["member"]
    assert "khong ai" in wrong.content.decode()
    right = staff.post(
        "/oversight/discipline/new/",
        {"member": "dang quoc", "violation": "Vi phạm", "opened_on": "01/06/2026"},
    )
    assert right.status_code == 302
    assert DisciplineCase.objects.get().member == people["DV-B1"]
