"""The lifecycle registry: one declaration per event kind drives forms, API, import and bulk rows.

The bulk writer (``interchange.members_write``) inserts new members' events below the ORM;
``test_bulk_writer_writes_what_the_services_write`` imports every kind it can write both
ways — as a new member (bulk) and as a change to a member the services created (the
services path) — and compares the two event logs field by field.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django import forms

from chibo.api import api
from chibo.interchange.services import import_file
from chibo.members import lifecycle, services
from chibo.members.api import event_schema
from chibo.members.forms import EVENT_FORMS, event_form
from chibo.members.lifecycle import (
    RECORDABLE,
    SPECS,
    EventKind,
    EventSpec,
    Input,
    InputType,
    Status,
    allowed_events,
)
from chibo.members.models import Member
from tests import factories as f
from tests.interchange.helpers import MEMBER_HEADER, member_row, write_xlsx

HEADER = [*MEMBER_HEADER, "so_quyet_dinh"]


def test_every_event_kind_is_declared_once() -> None:
    assert list(SPECS) == [spec.kind for spec in SPECS.values()]
    assert set(SPECS) == set(EventKind.values)
    assert set(RECORDABLE) == set(SPECS) - {
        EventKind.ADMITTED,
        EventKind.CEREMONY,
        EventKind.REASSIGNED,
    }


def test_forms_and_api_routes_follow_the_registry() -> None:
    assert list(EVENT_FORMS) == list(RECORDABLE)
    operations = {
        op["operationId"]
        for path in api.get_openapi_schema()["paths"].values()
        for op in path.values()
    }
    for kind in RECORDABLE:
        spec = SPECS[kind]
        form = EVENT_FORMS[kind]
        assert {i.name for i in spec.inputs} <= set(form.base_fields), kind
        fields = form(user=None, member=Member(version=1)).fields
        assert ("effective_date" in fields) == (spec.dated is None), kind
        assert f"member_event_{kind}" in operations
        schema = event_schema(spec)
        assert {i.name for i in spec.inputs} <= set(schema.model_fields), kind


def test_a_new_kind_needs_only_its_spec(tree) -> None:
    """What an engineer adds (an EventSpec) is enough for a form and an API body."""
    spec = EventSpec(
        "medal_awarded",
        allowed_from=(Status.ACTIVE,),
        inputs=(
            Input("medal", InputType.TEXT, "Medal", required=True, max_length=40),
            Input("awarded_by", InputType.ORG, "Awarded by (code)"),
            Input("until", InputType.DATE, "Until"),
        ),
    )
    form_class = event_form(spec)
    member = f.member(tree["cell_a"])
    form = form_class(
        {
            "version": member.version,
            "effective_date": "01/02/2025",
            "medal": "Huy hiệu 30 năm",
            "awarded_by": "TU",
            "until": "",
        },
        user=None,
        member=member,
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["awarded_by"] == tree["city"]
    assert isinstance(form.fields["until"], forms.DateField)
    schema = event_schema(spec)
    assert schema.__name__ == "EventMedalAwardedIn"
    body = schema(effective_date="2025-02-01", medal="Huy hiệu 30 năm", version=1)
    assert (body.medal, body.awarded_by, body.until) == ("Huy hiệu 30 năm", "", None)


@pytest.mark.django_db
@pytest.mark.parametrize("status", Status.values)
def test_allowed_events_follow_each_specs_statuses(tree, status: str) -> None:
    member = f.member(tree["cell_a"])
    member.status = status  # allowed_events reads the member as it is
    expected = [
        kind
        for kind in RECORDABLE
        if status in SPECS[kind].allowed_from
        and (kind != EventKind.RECOGNIZED or not member.is_full)
    ]
    assert allowed_events(member) == expected


# --- the bulk writer against the services -------------------------------------------

# (the row's overrides, beyond member_row's): one case for each kind the bulk writer writes.
CASES: dict[str, dict[str, str]] = {
    "active": {},
    "reassigned_and_category": {
        "ma_to_chuc": "BK-GV1",
        "ma_to_chuc_ket_nap": "BK-SV1",
        "doi_tuong": "Giảng viên",
        "doi_tuong_khi_ket_nap": "Sinh viên",
        "ngay_sinh": "17/05/1999",  # a lecturer from the admission day: old enough (22)
    },
    "recognized": {"ngay_chinh_thuc": "01/03/2023"},
    "exempted": {"trang_thai": "Miễn sinh hoạt", "ly_do": "Ốm dài ngày"},
    "temp_out": {"trang_thai": "Tạm chuyển đi", "ly_do": "Trường THPT Lê Lợi"},
    "transfer_out": {"trang_thai": "Đã chuyển đi", "ly_do": "Đảng bộ tỉnh Long An"},
    "transfer_out_without_destination": {"trang_thai": "Đã chuyển đi"},
    "removed_coded": {"trang_thai": "Đã xóa tên", "ly_do": "Không đóng đảng phí"},
    "removed_other": {"trang_thai": "Đã xóa tên", "ly_do": "Tự ý bỏ đi"},
    "expelled": {"trang_thai": "Đã khai trừ", "ly_do": "Vi phạm kỷ luật"},
    "deceased": {"trang_thai": "Từ trần"},
}


def _log(member: Member) -> list[tuple[Any, ...]]:
    out = []
    for e in member.events.order_by("effective_date", "id").select_related("org"):
        data = {k: v for k, v in e.data.items() if k != "import"}
        out.append(
            (
                e.kind,
                e.effective_date,
                e.org.code,
                e.status_after,
                e.category_after,
                e.decision_number,
                e.issuing_body,
                e.note,
                e.reason,
                data,
            )
        )
    return out


STATE = (
    "org_id",
    "status",
    "category",
    "is_full",
    "admitted_on",
    "admitting_org_id",
    "category_at_admission",
    "ceremony_on",
    "probation_ends_on",
    "recognized_on",
    "temp_host_org_id",
    "pending_org_id",
    "status_changed_on",
    "last_event_on",
)


def _run(tmp_path: Path, name: str, row: dict[str, str]) -> None:
    result = import_file(
        actor=None, kind="members", path=write_xlsx(tmp_path / name, HEADER, [row])
    )
    assert result.ok, [p.line() for p in result.problems]


def _by_services(code: str, row: dict[str, str], tree: dict[str, Any]) -> Member:
    """The member the row describes, written through the members services (active)."""
    org = {o.code: o for o in tree.values()}
    adm_org = org[row["ma_to_chuc_ket_nap"] or row["ma_to_chuc"]]
    admitted = dt.date(2022, 3, 1)
    category_at_admission = "student"
    member = services.member_admit(
        actor=None,
        org=adm_org,
        identity=services.Identity(
            member_code=code,
            full_name=row["ho_ten"],
            date_of_birth=dt.datetime.strptime(row["ngay_sinh"], "%d/%m/%Y").date(),
            gender="female",
            category=category_at_admission,
            citizen_id=row["so_cccd"],
            phone=row["so_dien_thoai"],
        ),
        admitted_on=admitted,
        ceremony_on=admitted,
        decision=services.Decision(),
        historical=True,  # an imported member was admitted before chibo (issue 20)
    )
    if org[row["ma_to_chuc"]] != adm_org:
        services.members_reassign(
            actor=None, source=adm_org, target=org[row["ma_to_chuc"]], effective_date=admitted
        )
        member.refresh_from_db()
    if row["doi_tuong"] != row["doi_tuong_khi_ket_nap"] and row["doi_tuong_khi_ket_nap"]:
        services.member_change_category(
            actor=None, member=member, effective_date=admitted, category="lecturer"
        )
    if row["ngay_chinh_thuc"]:
        services.member_recognize(
            actor=None,
            member=member,
            decided_on=dt.datetime.strptime(row["ngay_chinh_thuc"], "%d/%m/%Y").date(),
            decision=services.Decision(),
        )
    return member


@pytest.mark.django_db
@pytest.mark.parametrize("case", list(CASES))
def test_bulk_writer_writes_what_the_services_write(tree, tmp_path, case: str) -> None:
    over = CASES[case]
    status_on = {"ngay_thay_doi_trang_thai": "05/06/2024", "so_quyet_dinh": "12-QĐ/ĐU"}
    full = {**member_row("A1", **over), **(status_on if "trang_thai" in over else {})}
    # 1. a new member: the bulk writer.
    _run(tmp_path, "a.xlsx", full)
    bulk = Member.objects.get(member_code="A1")
    # 2. the same member through the services, then its status changed by import (services).
    by_services = _by_services("B1", {**member_row("B1"), **over}, tree)
    _run(tmp_path, "b.xlsx", {**full, "ma_dang_vien": "B1"})
    by_services.refresh_from_db()
    assert _log(bulk) == _log(by_services)
    assert {k: getattr(bulk, k) for k in STATE} == {k: getattr(by_services, k) for k in STATE}
    assert lifecycle.replay(bulk) == lifecycle.replay(by_services)
    if case == "transfer_out_without_destination":
        assert bulk.events.get(kind=EventKind.TRANSFER_OUT).data["destination"] == "(không ghi)"


def test_the_cases_cover_every_status_a_new_member_may_have() -> None:
    from chibo.interchange import columns as C

    statuses = {
        C.vocab_value("trang_thai", o.get("trang_thai", "Đang sinh hoạt")) for o in CASES.values()
    }
    assert statuses == set(Status.values)
