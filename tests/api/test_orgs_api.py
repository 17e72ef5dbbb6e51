"""/api/v1/orgs: scoped reads (404 outside), restructuring (403 read-only), JSON errors."""

from __future__ import annotations

import pytest

from chibo.core.models import AuditEntry
from chibo.orgs.models import Org
from tests.api.conftest import api_for

pytestmark = pytest.mark.django_db


def codes(response) -> list[str]:
    return [item["code"] for item in response.json()["items"]]


def test_list_is_scoped_to_the_actor_subtree(world: dict) -> None:
    u = world["users"]
    assert codes(api_for(u["sec"]).get("/orgs")) == ["BK-SV1"]
    assert set(codes(api_for(u["uni"]).get("/orgs"))) == {"BK", "BK-SV1", "BK-GV1"}
    assert len(codes(api_for(u["sup"]).get("/orgs"))) == 8


def test_list_filters_and_diacritic_insensitive_name_search(world: dict) -> None:
    sup = api_for(world["users"]["sup"])
    assert codes(sup.get("/orgs", q="chi bo sinh vien")) == ["BK-SV1"]
    assert codes(sup.get("/orgs", q="Q1-THPT")) == ["Q1-THPT"]
    assert set(codes(sup.get("/orgs", kind="subordinate_cell"))) == {"BK-SV1", "BK-GV1"}
    assert set(codes(sup.get("/orgs", under="Q1"))) == {"Q1", "Q1-THPT", "Q1-P1"}
    assert set(codes(sup.get("/orgs", school_level="dai_hoc"))) == {"BK", "BK-SV1", "BK-GV1"}
    r = sup.get("/orgs", kind="nonsense")
    assert r.status_code == 422 and "kind" in r.json()["error"]["fields"]


def test_list_cursor_walks_every_org_once(world: dict) -> None:
    sup = api_for(world["users"]["sup"])
    seen, cursor = [], ""
    while True:
        body = sup.get("/orgs", limit=3, **({"cursor": cursor} if cursor else {})).json()
        seen += [i["code"] for i in body["items"]]
        if not body["next"]:
            break
        cursor = body["next"]
    assert len(seen) == len(set(seen)) == 8


def test_detail_inside_outside_and_unknown(world: dict) -> None:
    u = world["users"]
    r = api_for(u["uni"]).get("/orgs/BK")
    assert r.status_code == 200
    body = r.json()
    assert body["code"] == "BK" and body["parent_code"] == "KDHCD"
    assert {c["code"] for c in body["children"]} == {"BK-SV1", "BK-GV1"}
    assert body["member_count"] == 4
    assert body["ancestors"] == []  # the parent is outside the actor's scope
    out = api_for(u["sec"]).get("/orgs/Q1")
    assert out.status_code == 404 and out.json()["error"]["code"] == "not_found"
    assert api_for(u["sup"]).get("/orgs/NOPE").status_code == 404


def test_subtree_returns_the_whole_subtree_for_a_committee(world: dict) -> None:
    r = api_for(world["users"]["sup"]).get("/orgs/TU/subtree")
    assert r.status_code == 200
    body = r.json()
    assert body["root"]["code"] == "TU"
    assert len(body["items"]) == 7 and body["truncated"] is False
    shallow = api_for(world["users"]["sup"]).get("/orgs/TU/subtree", max_depth=1).json()
    assert {i["code"] for i in shallow["items"]} == {"KDHCD", "Q1"}
    assert api_for(world["users"]["sec"]).get("/orgs/BK/subtree").status_code == 404


def test_restructure_rename_inside_readonly_and_outside(world: dict) -> None:
    u = world["users"]
    body = {
        "name": "Chi bộ Sinh viên Khoa Điện",
        "effective_date": "2025-09-01",
        "decision_number": "5-QĐ/ĐU",
    }
    assert api_for(u["viewer"]).post("/orgs/BK-SV1/rename", body).status_code == 403
    assert api_for(u["q1"]).post("/orgs/BK-SV1/rename", body).status_code == 404
    assert (
        api_for(u["sec"]).post("/orgs/BK-SV1/rename", body).status_code == 403
    )  # secretaries don't restructure
    r = api_for(u["uni"]).post("/orgs/BK-SV1/rename", body)
    assert r.status_code == 200, r.json()
    assert r.json()["name"] == "Chi bộ Sinh viên Khoa Điện"
    assert AuditEntry.objects.filter(
        action="orgs.rename", object_id="BK-SV1", actor=u["uni"]
    ).exists()


def test_move_names_the_faulty_field(world: dict) -> None:
    sup = api_for(world["users"]["sup"])
    r = sup.post("/orgs/Q1-THPT/move", {"new_parent": "NOPE", "effective_date": "2025-07-01"})
    assert r.status_code == 422
    assert "new_parent" in r.json()["error"]["fields"]
    r = sup.post("/orgs/Q1-THPT/move", {"new_parent": "KDHCD"})
    assert r.status_code == 422 and "effective_date" in r.json()["error"]["fields"]
    r = sup.post("/orgs/Q1-THPT/move", {"new_parent": "KDHCD", "effective_date": "2025-07-01"})
    assert r.status_code == 200, r.json()
    assert r.json()["parent_code"] == "KDHCD"


def test_create_merge_and_close(world: dict) -> None:
    uni = api_for(world["users"]["uni"])
    r = uni.post(
        "/orgs",
        {
            "parent": "BK",
            "code": "BK-SV2",
            "name": "Chi bộ Sinh viên 2",
            "kind": "subordinate_cell",
            "opened_on": "2025-01-01",
            "school_level": "dai_hoc",
        },
    )
    assert r.status_code == 201, r.json()
    assert r.json()["parent_code"] == "BK"
    r = uni.post("/orgs/BK-SV2/merge", {"target": "BK-SV1", "effective_date": "2025-06-01"})
    assert r.status_code == 200, r.json()
    assert Org.objects.get(code="BK-SV2").closed_on is not None
    r = uni.post("/orgs/BK-GV1/close", {"effective_date": "2025-06-01"})
    assert r.status_code == 422  # still has a member
    assert r.json()["error"]["code"] == "invalid"
    assert (
        api_for(world["users"]["viewer"])
        .post(
            "/orgs",
            {
                "parent": "BK",
                "code": "X",
                "name": "X",
                "kind": "subordinate_cell",
                "opened_on": "2025-01-01",
            },
        )
        .status_code
        == 403
    )
