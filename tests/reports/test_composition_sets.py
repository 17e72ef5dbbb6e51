"""The city's composition export, cheaper (issue 24, session 8): on SQLite the seventeen
counters per member as FILTERed aggregates instead of CASE expressions; an export builds no
link per unit (only the report page shows them). Same figures, same files.

Speed is measured in ``bench/report_exports.py``, never here.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chibo.core.roles import Role
from chibo.members.models import Category, Gender
from chibo.reports import figures, records
from tests import factories
from tests.reports.test_city_exports import _members

pytestmark = pytest.mark.django_db


def _more_members(tree: dict[str, Any], today: dt.date) -> None:
    """Members of every age band: pupils, students and teachers, men and women."""
    year = today.year
    ages = (
        (19, Category.PUPIL),
        (23, Category.STUDENT),
        (31, Category.LECTURER),
        (45, Category.TEACHER),
        (58, Category.OTHER),
        (61, Category.OTHER),
        (80, Category.OTHER),
    )
    for i, (age, category) in enumerate(ages):
        factories.member(
            tree["school"] if i % 2 else tree["cell_b"],
            category=category,
            gender=Gender.FEMALE if i % 3 else Gender.MALE,
            date_of_birth=dt.date(year - age, 1, 1),
            admitted_on=dt.date(year - 1, 3, 1),
        )


def test_the_counters_filtered_on_sqlite_count_what_case_counters_count(tree) -> None:
    today = timezone.localdate()
    _members(tree, today)
    _more_members(tree, today)
    with CaptureQueriesContext(connection) as queries:
        report = figures.composition(tree["city"], today)
    (sql,) = [q["sql"] for q in queries.captured_queries if "FROM members_member m" in q["sql"]]
    filtered = connection.vendor == "sqlite"
    assert ("FILTER (WHERE" in sql) is filtered and ("CASE WHEN" in sql) is not filtered, sql
    # The same rows as seventeen CASE counters (the query before the change).
    case = figures._counters_sql(
        "m.status", "m.category", "m.gender", "m.date_of_birth", "m.recognized_on"
    )
    case = re.sub(
        r"COUNT\(\*\) FILTER \(WHERE (.*?)\)(?=, |$)", r"COUNT(CASE WHEN \1 THEN 1 END)", case
    )
    assert "FILTER" not in case
    on_rolls = ", ".join(f"'{s}'" for s in figures._STATUSES)
    rows = figures.fetch(
        f"""SELECT m.org_id, {case} FROM members_member m
             WHERE m.status IN ({on_rolls}) AND m.admitted_on <= %s AND m.last_event_on <= %s
             GROUP BY m.org_id""",  # noqa: S608 (constants)
        [*figures._counter_params(today), today, today],
    )
    assert sorted(figures._composition_rows(today, None)) == sorted(rows)
    assert report.total == 11 and sum(report.by_age_band.values()) == 11


def test_an_export_makes_no_link_per_unit_and_the_page_all_of_them(tree, monkeypatch) -> None:
    today = timezone.localdate()
    _members(tree, today)
    _more_members(tree, today)
    client = Client()
    client.force_login(factories.user("vanphong", Role.CITY_OFFICE, tree["city"]))
    made: list[Any] = []
    urlencode = records.urlencode

    def counted(pairs: Any) -> str:
        made.append(pairs)
        return urlencode(pairs)

    monkeypatch.setattr(records, "urlencode", counted)
    for kind in ("composition", "admissions", "removals"):
        made.clear()
        response = client.get(f"/reports/{kind}/export/xlsx/?org=TU")
        assert response.status_code == 200
        assert not [p for p in made if any(name == "unit" for name, _v in p)], kind
    made.clear()
    page = client.get("/reports/composition/?org=TU").content.decode()
    units = [p for p in made if any(name == "unit" for name, _v in p)]
    assert len(units) == 2  # the university committee's and the district's
    assert all(f"unit={code}" in page for code in ("KDHCD", "Q1"))
