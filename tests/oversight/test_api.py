"""/api/v1/oversight end to end: scoping (404), read-only (403), rules (422)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from tests.api.conftest import api_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_throttle() -> None:
    cache.clear()


def _plan(api: Any) -> Any:
    return api.post(
        "/oversight/inspections",
        {
            "org": "BK",
            "year": 2026,
            "kind": "inspection",
            "topic": "Sinh hoạt chuyên đề",
            "target_org": "BK-SV1",
            "starts_on": "2026-03-01",
            "ends_on": "2026-03-20",
            "team": "Tổ kiểm tra",
        },
    )


def test_inspection_api_flow(world: dict) -> None:
    staff = api_for(world["staff"])
    response = _plan(staff)
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert api_for(world["out"]).get(f"/oversight/inspections/{pk}").status_code == 404
    assert (
        api_for(world["view"])
        .post(
            f"/oversight/inspections/{pk}/conclusion",
            {"conclusion": "x", "concluded_on": "2026-03-25"},
        )
        .status_code
        == 403
    )
    assert _plan(api_for(world["view"])).status_code == 403
    done = staff.post(
        f"/oversight/inspections/{pk}/conclusion",
        {
            "findings": "Đủ",
            "conclusion": "Đạt",
            "concluded_on": "2026-03-25",
            "conclusion_number": "3-KL/ĐU",
        },
    )
    assert done.json()["status"] == "concluded" and done.json()["conclusion_number"] == "3-KL/ĐU"
    assert (
        staff.post(
            f"/oversight/inspections/{pk}/followups",
            {"action": "Khắc phục", "due_on": "2026-06-30"},
        ).status_code
        == 201
    )
    cov = api_for(world["sup"]).get(
        "/oversight/coverage", org="KDHCD", date_from="2026-01-01", date_to="2026-12-31"
    )
    body = cov.json()
    assert {s["org"]: s["in_period"] for s in body["schools"]}["BK-SV1"] == 1 and body["never"] >= 1


def test_discipline_api_flow_and_rule_refusal(world: dict) -> None:
    sec, staff = api_for(world["sec"]), api_for(world["staff"])
    case = sec.post(
        "/oversight/discipline",
        {"member": "DV-P1", "violation": "Vi phạm", "opened_on": "2026-06-01"},
    )
    assert case.status_code == 201
    pk = case.json()["id"]
    refused = staff.post(
        f"/oversight/discipline/{pk}/decide",
        {
            "penalty": "khai_tru",
            "deciding_org": "BK",
            "decided_on": "2026-06-10",
            "decision_number": "9-QĐ/ĐU",
        },
    )
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "rule_violation"
    ok = staff.post(
        f"/oversight/discipline/{pk}/decide",
        {
            "penalty": "canh_cao",
            "deciding_org": "BK",
            "decided_on": "2026-06-10",
            "decision_number": "9-QĐ/ĐU",
            "received_on": "2026-06-11",
        },
    )
    assert ok.status_code == 200 and ok.json()["penalty"] == "canh_cao"
    late = sec.post(f"/oversight/discipline/{pk}/appeal", {"filed_on": "2026-07-12"})
    assert late.status_code == 422
    assert (
        sec.post(f"/oversight/discipline/{pk}/appeal", {"filed_on": "2026-07-11"}).status_code
        == 200
    )
    assert api_for(world["out"]).get(f"/oversight/discipline/{pk}").status_code == 404
    timeline = api_for(world["view"]).get("/oversight/members/DV-P1/discipline").json()
    assert [c["penalty"] for c in timeline["discipline"]] == ["canh_cao"]


def test_evaluation_api_propose_confirm_summary(world: dict) -> None:
    sec = api_for(world["sec"])
    body = {
        "cell": "BK-SV1",
        "year": 2025,
        "grades": [{"member": "DV-A1", "score": 95}, {"member": "DV-A2", "score": 75}],
    }
    response = sec.post("/oversight/evaluations", body)
    data = response.json()
    assert response.status_code == 200 and data["cap"] == {
        "excellent": 1,
        "good": 1,
        "limit": 0,
        "ok": False,
    }
    assert data["warnings"] and [g["grade"] for g in data["saved"]] == ["HTXSNV", "HTTNV"]
    assert api_for(world["view"]).post("/oversight/evaluations", body).status_code == 403
    confirm = api_for(world["staff"]).post(
        "/oversight/evaluations/confirm",
        {"unit": "BK", "year": 2025, "overrides": {"DV-A1": "HTTNV"}},
    )
    assert confirm.status_code == 200 and confirm.json()["confirmed"] == 2
    summary = (
        api_for(world["sup"]).get("/oversight/evaluations/summary", org="BK", year=2025).json()
    )
    assert summary["members"]["HTTNV"] == 2 and summary["members"]["confirmed"] == 2
    assert (
        api_for(world["out"]).get("/oversight/evaluations/summary", org="BK", year=2025).status_code
        == 404
    )
