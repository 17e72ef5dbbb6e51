"""/api/v1/activity: same scoping and services as the UI."""

from __future__ import annotations

import datetime as dt

import pytest

from chibo.activity.models import Attendance, DuesPayment
from chibo.members import services as member_services
from chibo.members.models import Member
from chibo.orgs.models import Org
from tests import factories
from tests.activity.conftest import hold
from tests.api.conftest import api_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def apis(tree: dict[str, Org]) -> dict[str, object]:
    return {
        "inside": api_for(factories.user("inside", "cell_secretary", tree["cell_a"])),
        "outside": api_for(factories.user("outside", "cell_secretary", tree["school"])),
        "viewer": api_for(factories.user("viewer", "viewer", tree["uni"])),
        "staff": api_for(factories.user("staff", "grassroots_staff", tree["uni"])),
    }


def test_warnings_endpoint(tree: dict[str, Org], student: Member, apis: dict) -> None:
    hold(tree["cell_a"], dt.date(2026, 9, 5), {student: "unexcused"})
    response = apis["viewer"].get("/activity/warnings", org="BK", as_of="2026-10-20")
    assert response.status_code == 200
    assert response.json() == {
        "items": [
            {
                "member_code": student.member_code,
                "full_name": "Trần Thị Bình",
                "org_code": "BK-SV1",
                "level": "warning",
                "inactive_months": ["2026-09"],
                "unpaid_months": [],
            }
        ],
        "next": None,
    }
    assert apis["outside"].get("/activity/warnings", org="BK").status_code == 404
    assert apis["inside"].get("/activity/warnings", as_of="0001-01-01").status_code == 422


def test_meetings_and_attendance(tree: dict[str, Org], student: Member, apis: dict) -> None:
    body = {
        "org": "BK-SV1",
        "kind": "thematic",
        "held_on": "2026-09-15",
        "topic": "Học tập Nghị quyết",
    }
    assert apis["viewer"].post("/activity/meetings", body).status_code == 403
    assert apis["outside"].post("/activity/meetings", body).status_code == 404
    made = apis["inside"].post("/activity/meetings", body)
    assert made.status_code == 201
    pk = made.json()["id"]
    assert apis["inside"].post("/activity/meetings", body).status_code == 422  # same day, same type
    url = f"/activity/meetings/{pk}/attendance"
    rows = [{"member_code": student.member_code, "status": "excused", "reason": "study_away"}]
    put = apis["inside"].client.put(
        f"/api/v1{url}", rows, content_type="application/json", headers=apis["inside"].headers
    )
    assert put.status_code == 200
    assert put.json()["summary"]["excused"][0]["reason"] == "Đi học xa"
    assert Attendance.objects.get(member=student).status == "excused"
    denied = apis["viewer"].client.put(
        f"/api/v1{url}", rows, content_type="application/json", headers=apis["viewer"].headers
    )
    assert denied.status_code == 403
    assert apis["outside"].get(f"/activity/meetings/{pk}").status_code == 404
    assert (
        apis["viewer"].get("/activity/meetings", org="BK-SV1").json()[0]["topic"]
        == "Học tập Nghị quyết"
    )


def test_dues_endpoints(tree: dict[str, Org], apis: dict) -> None:
    m = factories.member(tree["cell_a"], admitted_on=dt.date(2024, 3, 1))
    body = {
        "member_code": m.member_code,
        "months": ["2026-01", "2026-02"],
        "amount_vnd": 2000,  # QĐ 342-QĐ/TW until 3/2/2026
        "paid_on": "2026-02-10",
        "method": "online",
        "reference": "DVC-123",
    }
    assert apis["viewer"].post("/activity/dues/payments", body).status_code == 403
    assert apis["outside"].post("/activity/dues/payments", body).status_code == 404
    assert apis["inside"].post("/activity/dues/payments", body).status_code == 201
    assert (
        apis["inside"].post("/activity/dues/payments", {**body, "months": ["2026-13"]}).status_code
        == 422
    )
    assert DuesPayment.objects.filter(member=m).count() == 2
    grid = apis["staff"].get("/activity/dues", org="BK", year=2026).json()
    assert grid["amount_vnd"] == 4000
    row = next(r for r in grid["members"] if r["member_code"] == m.member_code)
    assert row["paid_through"] == "2026-02" and "2026-03" in row["arrears"]


def test_transfers_endpoint(tree: dict[str, Org], student: Member, apis: dict) -> None:
    member_services.member_transfer_out(
        actor=None,
        member=student,
        effective_date=dt.date(2026, 9, 1),
        destination_org=tree["school"],
        decision=member_services.Decision(number="30-QĐ/ĐU"),
    )
    sent = apis["staff"].get("/activity/transfers", org="BK", side="outgoing").json()["items"]
    assert sent[0]["member_code"] == student.member_code
    assert sent[0]["deadline"] == "2026-10-14"  # 30 working days after 1/9/2026 (2/9 holiday)
    received = apis["outside"].get("/activity/transfers", org="Q1-THPT", side="incoming").json()
    assert received["items"][0]["member_code"] == student.member_code
    assert apis["outside"].get("/activity/transfers", org="BK", side="outgoing").status_code == 404
    # Which side is asked for: an old client's call without it is told so.
    assert apis["staff"].get("/activity/transfers", org="BK").status_code == 422


def test_cells_missing_meetings_endpoint(tree: dict[str, Org], student: Member, apis: dict) -> None:
    rows = apis["staff"].get("/activity/cells-missing-meetings", as_of="2026-10-20").json()["items"]
    assert [r["org_code"] for r in rows] == ["BK-SV1"]
    assert rows[0]["months"] == ["2026-07", "2026-08", "2026-09"] and rows[0]["quarters"] == [
        "2026-Q3"
    ]
