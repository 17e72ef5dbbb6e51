"""/api/v1/candidates end to end: list, register, detail, steps, override, probation watch."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from chibo.accounts.tokens import token_create
from chibo.admissions.models import Candidate, Stage
from chibo.core.models import AuditEntry
from chibo.lib.workdays import add_working_days
from tests import factories as f
from tests.admissions.conftest import walk

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttles() -> None:
    cache.clear()


class Api:
    def __init__(self, user: Any) -> None:
        _t, raw = token_create(actor=None, user=user)
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {raw}"}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1/candidates{path}", params, headers=self.headers)

    def post(self, path: str, body: dict) -> Any:
        # A client sends the version it read (required on every change of a candidate).
        changes = re.match(r"/(\d+)/(steps/|decision-received)", path)
        if changes and "version" not in body:
            candidate = Candidate.objects.filter(pk=changes.group(1)).first()
            body = {**body, "version": candidate.version if candidate else 1}
        return self.client.post(
            f"/api/v1/candidates{path}", body, content_type="application/json", headers=self.headers
        )


def test_list_inside_outside(world: dict, cand: Candidate) -> None:
    body = Api(world["users"]["sec"]).get("", category="student").json()
    assert [c["id"] for c in body["items"]] == [cand.pk] and body["counts"] == {"registered": 1}
    assert body["items"][0]["citizen_id"] == "" and "next_step" in body["items"][0]
    assert Api(world["users"]["sec_b"]).get("").json()["items"] == []
    assert Api(world["users"]["sec_b"]).get(f"/{cand.pk}").status_code == 404


def test_register_and_walk_with_refusal_and_override(world: dict) -> None:
    sec, uni, viewer = (
        Api(world["users"]["sec"]),
        Api(world["users"]["uni"]),
        Api(world["users"]["viewer"]),
    )
    payload = {
        "org": "BK-SV1",
        "full_name": "Trịnh Văn Khoa",
        "date_of_birth": "2007-03-03",
        "gender": "male",
        "category": "student",
        "registered_on": "2024-09-02",
        "mentor": "DV-F1",
        "education_level": "upper_secondary",
    }
    assert viewer.post("", payload).status_code == 403
    response = sec.post("", payload)
    assert response.status_code == 201, response.content
    cid = response.json()["id"]
    steps = [
        (
            "course",
            {
                "done_on": "2024-10-15",
                "document_number": "9/GCN",
                "data": {"cert_number": "9/GCN", "cert_issuer": "TTCT"},
            },
        ),
        ("application", {"done_on": "2024-11-01"}),
        ("history", {"done_on": "2024-11-15"}),
        ("background_check", {"done_on": "2024-12-10"}),
        (
            "introducers",
            {"done_on": "2025-01-06", "introducers": [{"member": "DV-F1", "months_together": 14}]},
        ),
        ("youth_union", {"done_on": "2025-01-10", "data": {"youth_union_body": "BCH Đoàn"}}),
        ("opinions", {"done_on": "2025-01-15"}),
    ]
    for stage, body in steps:
        r = sec.post(f"/{cid}/steps/{stage}", body)
        assert r.status_code == 200, (stage, r.content)
    vote = {
        "done_on": "2025-02-03",
        "data": {"full_members": 3, "absent_excluded": 0, "votes_for": 3},
    }
    refused = sec.post(f"/{cid}/steps/cell_resolution", vote)  # 17 years 11 months on 03/02/2025
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert "date_of_birth" in error["fields"] and "QĐ 232-QĐ/TW" in error["message"]
    assert (
        viewer.post(
            f"/{cid}/override",
            {"stage": "cell_resolution", "rule_key": "admission.age_min_months", "reason": "x"},
        ).status_code
        == 403
    )
    assert (
        sec.post(
            f"/{cid}/override",
            {"stage": "cell_resolution", "rule_key": "admission.age_min_months", "reason": "x"},
        ).status_code
        == 403
    )
    r = uni.post(
        f"/{cid}/override",
        {
            "stage": "cell_resolution",
            "rule_key": "admission.age_min_months",
            "reason": "Thử nghiệm",
        },
    )
    assert r.status_code == 201
    r = sec.post(f"/{cid}/steps/cell_resolution", vote)
    assert r.status_code == 200 and r.json()["stage"] == "cell_resolution"
    assert (
        r.json()["next_step"] == "grassroots_resolution" and r.json()["next_due"] == "2025-04-28"
    )  # Saturday 26/04/2025 worked (issue 20)
    assert (
        sec.post(f"/{cid}/steps/grassroots_resolution", {"done_on": "2025-02-20"}).status_code
        == 403
    )
    assert (
        uni.post(f"/{cid}/steps/grassroots_resolution", {"done_on": "2025-02-20"}).status_code
        == 200
    )
    detail = sec.get(f"/{cid}").json()
    assert [p["state"] for p in detail["path"][:3]] == ["done", "done", "done"]
    assert detail["overrides"][0]["rule"] == "admission.age_min_months"
    assert AuditEntry.objects.filter(action="admissions.view", object_id=str(cid)).exists()


def test_unknown_step_and_wrong_order(world: dict, cand: Candidate) -> None:
    sec = Api(world["users"]["sec"])
    assert sec.post(f"/{cand.pk}/steps/nope", {"done_on": "2024-10-01"}).status_code == 422
    assert sec.post(f"/{cand.pk}/steps/decision", {"done_on": "2024-10-01"}).status_code == 403
    r = sec.post(f"/{cand.pk}/steps/application", {"done_on": "2024-10-01"})
    assert r.status_code == 422


def test_probation_watch(world: dict) -> None:
    f.member(world["tree"]["cell_a"], code="DV-W1", admitted_on=dt.date(2025, 6, 2))
    body = Api(world["users"]["uni"]).get("/probation-watch").json()
    item = next(i for i in body["items"] if i["member_code"] == "DV-W1")
    assert item["state"] == "overdue" and item["probation_ends_on"] == "2026-06-02"
    assert Api(world["users"]["sec_b"]).get("/probation-watch").json()["items"] == []


def test_detail_with_ceremony_shows_member(world: dict, cand: Candidate) -> None:
    walk(world, cand, Stage.CEREMONY)
    body = Api(world["users"]["sec"]).get(f"/{cand.pk}").json()
    assert body["member_code"] == f"KN{cand.pk:07d}" and body["next_step"] == "recognition_vote"
    assert body["member"]["ceremony_on"] == "2025-03-25"
    assert body["member"]["probation_ends_on"] == "2026-03-25"


def test_decision_by_api_admits_the_member_ceremony_pending(world: dict, cand: Candidate) -> None:
    walk(world, cand, Stage.GRASSROOTS_RESOLUTION)
    r = Api(world["users"]["uni"]).post(
        f"/{cand.pk}/steps/decision",
        {
            "done_on": "2025-03-10",
            "document_number": "09-QĐ/ĐU",
            "data": {"deciding_body": "Đảng ủy Khối", "member_code": "DV-API1"},
        },
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["member_code"] == "DV-API1" and body["next_step"] == "ceremony"
    assert body["member"] == {
        "member_code": "DV-API1",
        "admitted_on": "2025-03-10",
        "ceremony_on": None,
        "probation_ends_on": None,
        "recognized_on": None,
        "is_full": False,
    }
    assert "not_recognized" in body["allowed_steps"] and "withdrawn" not in body["allowed_steps"]
    member = Api(world["users"]["sec"]).client.get(
        "/api/v1/members/DV-API1", headers=Api(world["users"]["sec"]).headers
    )
    assert member.status_code == 200, member.content
    assert (
        member.json()["ceremony_on"] is None and "recognized" not in member.json()["allowed_events"]
    )


LIST_KEYS = {
    "id",
    "full_name",
    "date_of_birth",
    "gender",
    "category",
    "org",
    "stage",
    "stage_on",
    "next_step",
    "next_due",
    "overdue",
    "member_code",
    "version",
    "citizen_id",
    "phone",
}


def test_decision_received_on_is_a_new_nullable_key(world: dict, cand: Candidate) -> None:
    api = Api(world["users"]["sec"])
    [item] = api.get("").json()["items"]
    # Issue 20 (items 6, 8, 9): the education level, the personal history after the
    # ceremony, the escalation.
    assert set(item) == LIST_KEYS | {
        "decision_received_on",
        "education_level",
        "member_history",
        "escalated_on",
    }
    assert item["decision_received_on"] is None
    assert item["member_history"] is None and item["escalated_on"] is None
    assert item["education_level"] == "upper_secondary"  # the factory's
    assert api.get(f"/{cand.pk}").json()["decision_received_on"] is None


def test_decision_by_api_with_the_date_the_cell_received_it(world: dict, cand: Candidate) -> None:
    walk(world, cand, Stage.GRASSROOTS_RESOLUTION)
    api = Api(world["users"]["uni"])
    body = {"done_on": "2025-03-10", "document_number": "09-QĐ/ĐU"}
    r = api.post(f"/{cand.pk}/steps/decision", {**body, "data": {"received_on": "2025-03-07"}})
    assert r.status_code == 422 and "received_on" in r.json()["error"]["fields"]
    assert "không thể trước ngày ra quyết định (10/03/2025)" in r.json()["error"]["message"]
    r = api.post(f"/{cand.pk}/steps/decision", {**body, "data": {"received_on": "2025-03-14"}})
    assert r.status_code == 200, r.content
    out = r.json()
    assert out["decision_received_on"] == "2025-03-14"
    assert out["next_due"] == add_working_days(dt.date(2025, 3, 14), 30).isoformat()


def test_decision_received_recorded_later_by_api(world: dict) -> None:
    c = f.candidate(world["tree"]["cell_a"], world["full"][0])
    walk(world, c, Stage.DECISION)  # decided 10/03/2025
    url = f"/{c.pk}/decision-received"
    assert Api(world["users"]["sec_b"]).post(url, {"received_on": "2025-03-14"}).status_code == 404
    assert Api(world["users"]["viewer"]).post(url, {"received_on": "2025-03-14"}).status_code == 403
    api = Api(world["users"]["sec"])
    r = api.post(url, {"received_on": "2025-03-07"})
    assert r.status_code == 422 and r.json()["error"]["fields"]["received_on"]
    r = api.post(url, {"received_on": "14/03/2025"})
    assert r.status_code == 422
    assert api.get(f"/{c.pk}").json()["decision_received_on"] is None  # nothing changed
    r = api.post(url, {"received_on": "2025-03-14"})
    assert r.status_code == 200, r.content
    assert r.json()["decision_received_on"] == "2025-03-14"
    assert r.json()["next_due"] == add_working_days(dt.date(2025, 3, 14), 30).isoformat()
    assert AuditEntry.objects.filter(action="admissions.decision_received").count() == 1
