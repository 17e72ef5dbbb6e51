"""/api/v1/members: the stable list/detail shapes, scoping, audit, events, locking."""

from __future__ import annotations

import datetime as dt

import pytest

from chibo.core.models import AuditEntry
from chibo.members.models import Member
from tests import factories
from tests.api.conftest import api_for

pytestmark = pytest.mark.django_db
STABLE_ITEM_KEYS = {"member_code", "full_name", "org_code", "category", "status"}


def member_codes(response) -> list[str]:
    return [i["member_code"] for i in response.json()["items"]]


def test_search_without_diacritics_is_scoped_and_stable(world: dict) -> None:
    r = api_for(world["users"]["sec"]).get("/members", q="nguyen")
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"items", "next"} and body["next"] is None
    assert member_codes(r) == [
        "DV-BINH",
        "DV-AN",
    ]  # sorted by folded name; DV-GV, DV-HS are outside
    assert set(body["items"][0]) >= STABLE_ITEM_KEYS
    assert body["items"][0]["org_code"] == "BK-SV1"


def test_search_folds_d_stroke_and_matches_given_name_and_code(world: dict) -> None:
    uni = api_for(world["users"]["uni"])
    assert member_codes(uni.get("/members", q="dang van dung")) == ["DV-DUNG"]
    assert member_codes(uni.get("/members", q="ĐẶNG")) == ["DV-DUNG"]
    assert member_codes(uni.get("/members", q="an")) == ["DV-AN"]
    assert member_codes(uni.get("/members", q="DV-GV")) == ["DV-GV"]


def test_org_filter_is_a_subtree_and_outside_org_is_named(world: dict) -> None:
    sup = api_for(world["users"]["sup"])
    assert set(member_codes(sup.get("/members", org="BK"))) == {
        "DV-AN",
        "DV-BINH",
        "DV-DUNG",
        "DV-GV",
    }
    assert member_codes(sup.get("/members", org="Q1", category="teacher")) == ["DV-HS"]
    r = api_for(world["users"]["sec"]).get("/members", org="Q1")
    assert r.status_code == 422 and "org" in r.json()["error"]["fields"]


def test_keyset_pagination_visits_everyone_once_even_with_equal_names(world: dict) -> None:
    cell = world["tree"]["cell_a"]
    for i in range(7):
        factories.member(cell, full_name="Trần Văn Trùng", code=f"DV-T{i}")
    sec = api_for(world["users"]["sec"])
    seen, cursor, pages = [], None, 0
    while True:
        r = sec.get("/members", limit=2, **({"cursor": cursor} if cursor else {}))
        assert r.status_code == 200
        seen += member_codes(r)
        pages += 1
        cursor = r.json()["next"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 10 and pages == 5
    assert seen == sorted(seen, key=lambda c: (Member.objects.get(member_code=c).name_folded, c))


@pytest.mark.parametrize(("limit", "status"), [(0, 422), (1, 200), (200, 200), (201, 422)])
def test_limit_boundaries(world: dict, limit: int, status: int) -> None:
    r = api_for(world["users"]["sec"]).get("/members", limit=limit)
    assert r.status_code == status
    if status == 422:
        assert "limit" in r.json()["error"]["fields"]


def test_bad_cursor_is_a_field_error(world: dict) -> None:
    r = api_for(world["users"]["sec"]).get("/members", cursor="garbage!")
    assert r.status_code == 422
    assert "cursor" in r.json()["error"]["fields"]


def test_list_read_is_audited(world: dict) -> None:
    api_for(world["users"]["sec"]).get("/members", q="nguyen")
    entry = AuditEntry.objects.filter(action="members.list", actor=world["users"]["sec"]).latest(
        "seq"
    )
    assert entry.data["members"] == ["DV-BINH", "DV-AN"] and entry.data["q"] == "nguyen"


def test_detail_inside_outside_and_audited(world: dict) -> None:
    u = world["users"]
    r = api_for(u["sec"]).get("/members/DV-AN")
    assert r.status_code == 200
    body = r.json()
    assert body["member_code"] == "DV-AN" and body["org_code"] == "BK-SV1"
    assert body["citizen_id"] == "079203001234" and body["sensitive"] is True
    assert "exempted" in body["allowed_events"]
    assert AuditEntry.objects.filter(
        action="members.view", object_id="DV-AN", actor=u["sec"]
    ).exists()
    out = api_for(u["sec"]).get("/members/DV-HS")
    assert out.status_code == 404 and out.json()["error"]["code"] == "not_found"


def test_sensitive_fields_are_masked_for_roles_without_the_right(world: dict) -> None:
    for who in ("office", "viewer"):
        body = api_for(world["users"][who]).get("/members/DV-AN").json()
        assert body["sensitive"] is False
        assert body["citizen_id"] == "0*********34" and body["phone"] == "0*******89"
        assert body["allowed_events"] == []


def test_sysadmin_sees_no_personal_data(world: dict) -> None:
    admin = api_for(world["users"]["admin"])
    assert admin.get("/members").status_code == 403  # as the page: no list at all
    assert admin.get("/members/DV-AN").status_code == 404


def test_events_timeline_is_audited(world: dict) -> None:
    r = api_for(world["users"]["uni"]).get("/members/DV-AN/events")
    assert r.status_code == 200
    assert [e["kind"] for e in r.json()["items"]] == ["admitted"]
    assert AuditEntry.objects.filter(
        action="members.view", object_id="DV-AN", data__part="events"
    ).exists()
    assert api_for(world["users"]["q1"]).get("/members/DV-AN/events").status_code == 404


def test_record_event_inside_readonly_outside(world: dict) -> None:
    u = world["users"]
    body = {
        "effective_date": "2025-02-01",
        "note": "Điều trị bệnh dài ngày",
        "criterion": "illness",
        "version": 1,
    }
    assert api_for(u["viewer"]).post("/members/DV-AN/events/exempted", body).status_code == 403
    assert api_for(u["office"]).post("/members/DV-AN/events/exempted", body).status_code == 403
    assert api_for(u["q1"]).post("/members/DV-AN/events/exempted", body).status_code == 404
    r = api_for(u["sec"]).post("/members/DV-AN/events/exempted", body)
    assert r.status_code == 201, r.json()
    assert r.json()["event"]["kind"] == "exempted" and r.json()["member"]["status"] == "exempted"
    assert r.json()["member"]["version"] == 2
    assert AuditEntry.objects.filter(
        action="members.exempted", object_id="DV-AN", actor=u["sec"]
    ).exists()
    stale = api_for(u["sec"]).post(
        "/members/DV-AN/events/exemption_ended",
        {"effective_date": "2025-03-01", "application_on": "2025-02-25", "version": 1},
    )
    assert stale.status_code == 422  # optimistic locking: someone changed it since version 1


def test_event_validation_names_the_field(world: dict) -> None:
    sec = api_for(world["users"]["sec"])
    r = sec.post(
        "/members/DV-AN/events/removed",
        {"effective_date": "2025-02-01", "reason": "unpaid_dues", "version": 1},
    )
    assert r.status_code == 422 and "decision_number" in r.json()["error"]["fields"]
    r = sec.post(
        "/members/DV-AN/events/removed",
        {"effective_date": "2025-02-01", "reason": "bogus", "version": 1},
    )
    assert r.status_code == 422 and "reason" in r.json()["error"]["fields"]
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    r = sec.post("/members/DV-AN/events/temp_back", {"effective_date": tomorrow, "version": 1})
    assert r.status_code == 422


def test_recognition_boundary_quotes_the_rule(world: dict) -> None:
    # Admitted 1/3/2024 with ceremony the same day: probation (12 months) ends 1/3/2025.
    sec = api_for(world["users"]["sec"])
    early = sec.post("/members/DV-AN/events/recognized", {"decided_on": "2025-02-28", "version": 1})
    assert early.status_code == 422
    assert early.json()["error"]["code"] == "rule_violation"
    assert "decided_on" in early.json()["error"]["fields"]
    ok = sec.post(
        "/members/DV-AN/events/recognized",
        {"decided_on": "2025-03-01", "decision_number": "7-QĐ/ĐU", "version": 1},
    )
    assert ok.status_code == 201, ok.json()
    assert ok.json()["member"]["standing"] == "full"
    assert ok.json()["event"]["effective_date"] == "2025-03-01"


def test_past_admission_and_duplicate_code(world: dict) -> None:
    """Admissions now go through the path; a past one needs admission.decide (issue 20)."""
    u = world["users"]
    body = {
        "org": "BK-SV1",
        "member_code": "DV-NEW",
        "full_name": "Lê Thị Mới",
        "date_of_birth": "2004-02-02",
        "gender": "female",
        "category": "student",
        "admitted_on": "2025-05-19",
        "decision_number": "9-QĐ/ĐU",
        "deciding_body": "Đảng ủy Trường",
    }
    assert api_for(u["viewer"]).post("/members/past-admissions", body).status_code == 403
    assert api_for(u["sec"]).post("/members/past-admissions", body).status_code == 403
    assert api_for(u["sec"]).post("/members", body).status_code == 403
    r = api_for(u["q1"]).post("/members/past-admissions", body)
    assert r.status_code == 422 and "org" in r.json()["error"]["fields"]
    r = api_for(u["uni"]).post("/members/past-admissions", body)
    assert r.status_code == 201, r.json()
    assert r.json()["standing"] == "probationary" and r.json()["probation_ends_on"] == "2026-05-19"
    assert r.json()["admission_historical"] is True
    dup = api_for(u["uni"]).post("/members/past-admissions", body)
    assert dup.status_code == 422 and "member_code" in dup.json()["error"]["fields"]


def test_patch_identity_with_optimistic_locking(world: dict) -> None:
    u = world["users"]
    assert (
        api_for(u["viewer"])
        .patch("/members/DV-AN", {"version": 1, "phone": "0900000000"})
        .status_code
        == 403
    )
    r = api_for(u["sec"]).patch("/members/DV-AN", {"version": 1, "full_name": "Nguyễn Văn Ân"})
    assert r.status_code == 200, r.json()
    assert r.json()["full_name"] == "Nguyễn Văn Ân" and r.json()["version"] == 2
    stale = api_for(u["sec"]).patch("/members/DV-AN", {"version": 1, "phone": "0900000000"})
    assert stale.status_code == 422
    missing = api_for(u["sec"]).patch("/members/DV-AN", {"phone": "0900000000"})
    assert missing.status_code == 422 and "version" in missing.json()["error"]["fields"]
    entry = AuditEntry.objects.filter(action="members.identity_update", object_id="DV-AN").latest(
        "seq"
    )
    assert entry.data == {"full_name": "Nguyễn Văn Ân"}


def test_transfer_then_receive_by_the_destination(world: dict) -> None:
    u = world["users"]
    r = api_for(u["sec"]).post(
        "/members/DV-AN/events/transfer_out",
        {
            "effective_date": "2025-08-01",
            "destination_org": "Q1-THPT",
            "decision_number": "3",
            "version": 1,
        },
    )
    assert r.status_code == 201, r.json()
    assert r.json()["member"]["pending_org_code"] == "Q1-THPT"
    q1 = api_for(u["q1"])
    incoming = q1.get("/members/incoming").json()["items"]
    assert [i["member_code"] for i in incoming] == ["DV-AN"]
    assert api_for(u["viewer"]).get("/members/incoming").status_code == 403
    assert (
        api_for(u["viewer"])
        .post(
            "/members/DV-AN/receive",
            {"org": "Q1-THPT", "effective_date": "2025-08-10", "version": 2},
        )
        .status_code
        == 403
    )
    assert (
        api_for(u["uni"])
        .post(
            "/members/DV-AN/receive",
            {"org": "BK-SV1", "effective_date": "2025-08-10", "version": 2},
        )
        .status_code
        == 404
    )
    r = q1.post(
        "/members/DV-AN/receive", {"org": "Q1-THPT", "effective_date": "2025-08-10", "version": 2}
    )
    assert r.status_code == 201, r.json()
    assert r.json()["member"]["org_code"] == "Q1-THPT" and r.json()["member"]["status"] == "active"
    assert (
        api_for(u["sec"]).get("/members/DV-AN").status_code == 404
    )  # no longer in the cell's scope


def test_text_no_database_can_store_is_a_422_not_a_500(world: dict) -> None:
    sec = api_for(world["users"]["sec"])
    r = sec.get("/members", q="nguy\x00en")
    assert r.status_code == 422 and "q" in r.json()["error"]["fields"]
    assert sec.get("/orgs", under="\x00").status_code == 422
    assert (
        sec.post(
            "/members/DV-AN/events/exempted", {"effective_date": "2025-01-01", "note": "a\x00b"}
        ).status_code
        == 422
    )
    assert sec.get("/members/DV%00AN").status_code in (404, 422)
