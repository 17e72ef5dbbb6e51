"""Absurd numbers get a clear 422 (or the page's own default), never a 500 (review item 15).

The review found: a target of 10^30 (`/reports/targets/`, `PUT
/api/v1/reports/targets`), an evaluation score of `²` or of 5,000 digits,
and `GET /api/v1/oversight/evaluations/summary?year=-1254` (or ≥ 10000). The
same digits that are not ASCII (`²`, `٣`), 5,000-digit numbers (over
Python's int-string limit) and integers past a 64-bit column reach a few
more pages, tried here too.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from chibo.accounts.tokens import token_create
from chibo.core.roles import Role
from chibo.reports.models import Target
from tests import factories as f
from tests.oversight.conftest import full_member

pytestmark = pytest.mark.django_db

HUGE = 10**30
DIGITS = "9" * 5000
ODD = ["²", "٣", "-1254", "10000", str(HUGE), DIGITS, "1e9", " "]


def _web(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _api(user: Any) -> Client:
    _token, raw = token_create(actor=None, user=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def _json(client: Client, method: str, url: str, body: Any) -> Any:
    data = body if isinstance(body, str) else json.dumps(body)
    return getattr(client, method)(url, data=data, content_type="application/json")


@pytest.fixture
def staff(tree):
    return f.user("khoi", Role.SUPERIOR_STAFF, tree["khoi"])


def test_target_of_ten_to_the_thirty_is_refused(tree, staff) -> None:
    for value in (str(HUGE), DIGITS, "²", "-1"):
        response = _web(staff).post(
            reverse("reports:targets") + "?org=BK",
            {"org": "BK", "year": "2026", "indicator": "total_admissions", "value": value},
        )
        assert response.status_code == 422, value
    api = _api(staff)
    base = {"org": "BK", "year": 2026, "indicator": "total_admissions"}
    for value in (HUGE, -1, 2**63):
        response = _json(api, "put", "/api/v1/reports/targets", {**base, "value": value})
        assert response.status_code == 422, value
        assert response.json()["error"]["code"]
    raw = json.dumps({**base, "value": 0}).replace('"value": 0', f'"value": {DIGITS}')
    assert _json(api, "put", "/api/v1/reports/targets", raw).status_code == 422
    for year in (-1254, 10000, HUGE):
        response = _json(api, "put", "/api/v1/reports/targets", {**base, "year": year, "value": 5})
        assert response.status_code == 422, year
    assert not Target.objects.exists()
    assert (
        _json(api, "put", "/api/v1/reports/targets", {**base, "value": 1_000_000}).status_code
        == 200
    )


@pytest.fixture
def cell(tree):
    for i in range(2):
        full_member(tree["cell_a"], f"DV-E{i}", f"Nguyễn Văn {i}")
    return tree["cell_a"]


def test_evaluation_scores_that_are_not_numbers_are_refused(tree, cell) -> None:
    secretary = f.user("bithu", Role.CELL_SECRETARY, cell)
    url = reverse("oversight:grade_cell", args=[cell.code, 2025])
    for score in ("²", DIGITS, "٣٣", "101", "-5"):
        response = _web(secretary).post(url, {"score_DV-E0": score, "score_DV-E1": "80"})
        assert response.status_code == 422, score
        assert "0" in response.content.decode() and "100" in response.content.decode()
    api = _api(secretary)
    for score in ("²", HUGE, -1, 101):
        body = {"cell": cell.code, "year": 2025, "grades": [{"member": "DV-E0", "score": score}]}
        assert _json(api, "post", "/api/v1/oversight/evaluations", body).status_code == 422, score
    body = {"cell": cell.code, "year": 2025, "grades": [{"member": "DV-E0", "score": 0}]}
    raw = json.dumps(body).replace('"score": 0', f'"score": {DIGITS}')
    assert _json(api, "post", "/api/v1/oversight/evaluations", raw).status_code == 422


def test_summary_year_out_of_range_is_422(tree, staff) -> None:
    api = _api(staff)
    for year in ("-1254", "10000", str(HUGE), DIGITS, "²"):
        response = api.get("/api/v1/oversight/evaluations/summary", {"org": "BK", "year": year})
        assert response.status_code == 422, year
    assert (
        api.get("/api/v1/oversight/evaluations/summary", {"org": "BK", "year": 2025}).status_code
        == 200
    )


def test_pages_with_a_year_or_number_in_the_query_never_fail(tree, staff) -> None:
    f.member(tree["cell_a"], code="A1")
    grassroots = _web(f.user("bk", Role.GRASSROOTS_STAFF, tree["uni"]))
    pages = [
        (reverse("oversight:index"), "year"),
        (reverse("oversight:evaluation"), "year"),
        (reverse("activity:dues") + "?org=BK-SV1", "year"),
        (reverse("directives:register"), "q"),
    ]
    for url, name in pages:
        for value in ODD:
            joiner = "&" if "?" in url else "?"
            response = grassroots.get(f"{url}{joiner}{name}={value}")
            assert response.status_code in (200, 422), (url, value, response.status_code)
    for year in (0, 10000, 99999999999999):
        url = reverse("oversight:grade_cell", args=["BK-SV1", year])
        assert grassroots.get(url).status_code in (404, 422), year
