"""/api/v1/reports answers exactly the report's figures, through declared response schemas:
the same keys in the same order, at every level, as ``report --format json`` (issue 18)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from chibo.core.roles import Role
from chibo.members import services as ms
from chibo.members.models import Category, RemovalReason
from chibo.reports import build
from tests import factories
from tests.reports import data

DAYS = [dt.date(2024, 2, 1), dt.date(2024, 9, 1), dt.date(2025, 3, 1)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "path", "params", "args"),
    [
        (
            "admissions",
            "admissions/breakdown",
            {"from": "2024-01-01", "to": "2025-12-31"},
            {"start": dt.date(2024, 1, 1), "end": dt.date(2025, 12, 31), "breakdown": True},
        ),
        (
            "removals",
            "removals",
            {"from": "2024-01-01", "to": "2025-12-31"},
            {"start": dt.date(2024, 1, 1), "end": dt.date(2025, 12, 31)},
        ),
        ("composition", "composition", {"as_of": "2025-06-30"}, {"as_of": dt.date(2025, 6, 30)}),
        ("activity", "activity", {"as_of": "2025-06-30"}, {"as_of": dt.date(2025, 6, 30)}),
    ],
)
def test_report_api_is_the_report_json_key_for_key(tree, client, kind, path, params, args) -> None:
    data.admissions(tree["cell_a"], 4, Category.STUDENT, DAYS)
    data.admissions(tree["school"], 2, Category.PUPIL, DAYS)
    data.admissions(tree["ward"], 3, Category.OTHER, DAYS, gender="female")
    member = factories.member(tree["cell_a"], admitted_on=dt.date(2022, 3, 1))
    ms.member_remove(
        actor=None,
        member=member,
        effective_date=dt.date(2024, 5, 1),
        decision=ms.Decision(number="9-QĐ/ĐU"),
        reason=RemovalReason.ABANDONED_ACTIVITY,
    )
    office = factories.user("vanphong", Role.CITY_OFFICE, tree["city"])
    client.force_login(office)
    response = client.get(f"/api/v1/reports/{path}", params)
    assert response.status_code == 200, response.content
    figures, _doc = build.build(kind, office, tree["city"], **args)
    expected = build.jsonable(figures)
    # json.dumps keeps the order: the same keys in the same order at every level.
    assert json.dumps(response.json()) == json.dumps(expected)
