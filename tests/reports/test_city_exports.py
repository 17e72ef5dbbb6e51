"""The city's exports and the admissions report (issue 24): the same figures by cheaper paths.

- Composition for a day after which no member event is dated (today): the members' current
  rows, through the (org, status) index for a subtree, by a plain scan of the table for the
  whole tree on SQLite; the same figures as the general path (which looks up the states of
  those who changed after the day).
- Unit names of a city's thousands of units: one read of the org table, not lists of ids.
- Admissions per unit: the units' ids from the root's children, not an IN list of paths
  that grows with the units.
- XLSX cells typed once per distinct number: the same cells.

Speed is measured in ``bench/report_exports.py``, never here.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chibo.members import services as ms
from chibo.members.models import Category, Gender, RemovalReason
from chibo.orgs import services as org_services
from chibo.reports import exports, figures
from chibo.reports.tables import INT, PCT, TEXT, Table
from tests import factories

D = ms.Decision(number="9-QĐ/ĐU")


def _members(tree: dict[str, Any], today: dt.date) -> None:
    """Members of every kind the composition counts, in several orgs (some changed since)."""
    year = today.year
    a = factories.member(
        tree["cell_a"],
        admitted_on=dt.date(year - 6, 3, 1),
        gender=Gender.FEMALE,
        date_of_birth=dt.date(year - 26, 5, 17),
    )
    b = factories.member(tree["cell_a"], admitted_on=dt.date(year - 5, 3, 1))
    c = factories.member(
        tree["school"],
        category=Category.TEACHER,
        admitted_on=dt.date(year - 7, 3, 1),
        date_of_birth=dt.date(year - 66, 1, 1),
    )
    factories.member(
        tree["cell_b"], category=Category.LECTURER, admitted_on=dt.date(year - 2, 1, 5)
    )
    factories.member(tree["ward"], category=Category.OTHER, admitted_on=dt.date(year - 3, 3, 1))
    ms.member_recognize(actor=None, member=a, decided_on=dt.date(year - 5, 3, 20), decision=D)
    ms.member_remove(
        actor=None,
        member=b,
        effective_date=dt.date(year - 2, 5, 1),
        decision=D,
        reason=RemovalReason.ABANDONED_ACTIVITY,
    )
    ms.member_change_category(
        actor=None, member=a, category=Category.LECTURER, effective_date=dt.date(year - 1, 9, 1)
    )
    ms.member_temp_transfer_out(
        actor=None,
        member=c,
        effective_date=dt.date(year - 1, 1, 10),
        decision=D,
        host="Đảng bộ Phường Bến Thành",
    )


@pytest.mark.django_db
def test_composition_for_today_counts_what_the_general_path_counts(tree, monkeypatch) -> None:
    today = timezone.localdate()
    _members(tree, today)
    assert figures.events_after(today) is False
    assert figures.events_after(dt.date(today.year - 1, 6, 1)) is True
    roots = ("city", "uni", "cell_a", "district", "school")
    fast = {name: figures.composition(tree[name], today).as_dict() for name in roots}
    monkeypatch.setattr(figures, "events_after", lambda day: True)  # the general path
    general = {name: figures.composition(tree[name], today).as_dict() for name in roots}
    assert fast == general
    assert fast["city"]["total_members"] == 4
    assert fast["city"]["by_status"]["temp_away"] == 1
    assert fast["city"]["by_category"]["lecturer"] == 2
    assert fast["uni"]["total_members"] == 2
    # Only the members' current rows were read (no lookup of anyone's past state).
    monkeypatch.undo()
    with CaptureQueriesContext(connection) as queries:
        figures.composition(tree["city"], today)
    assert not any("members_memberevent l" in q["sql"] for q in queries.captured_queries)


def _member_query(root: Any, day: dt.date, monkeypatch) -> tuple[str, list[Any]]:
    """The SQL and parameters of the members query ``figures.composition`` runs."""
    seen: list[tuple[str, list[Any]]] = []
    fetch = figures.fetch

    def spy(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        seen.append((sql, params))
        return fetch(sql, params)

    monkeypatch.setattr(figures, "fetch", spy)
    figures.composition(root, day)
    monkeypatch.setattr(figures, "fetch", fetch)
    (found,) = [(sql, params) for sql, params in seen if "FROM members_member m" in sql]
    return found


def _plan(sql: str, params: list[Any]) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(
            str(row[-1] if connection.vendor == "sqlite" else row[0]) for row in cursor
        )


@pytest.mark.django_db
def test_a_subtrees_composition_for_today_reads_only_its_orgs_members(tree, monkeypatch) -> None:
    """Before: ``last_event_on > day OR (org IN …)`` scanned every member of the city for a
    cell's report (at 400k: 250 ms on SQLite, 100 ms on PostgreSQL, for a few dozen members)."""
    today = timezone.localdate()
    _members(tree, today)
    plan = _plan(*_member_query(tree["uni"], today, monkeypatch))
    assert "member_org_state_idx" in plan, plan
    # A search of the index by org (SQLite), an index condition on the org (PostgreSQL);
    # before, both walked the whole index (or table) and filtered.
    # PostgreSQL writes the condition alone, "(org_id = ANY …)", in a bitmap scan (chosen once
    # an earlier test's ANALYZE left other statistics) and "((org_id = ANY …) AND …)" in an
    # index scan: either searches the index by org.
    assert "SEARCH m USING" in plan or re.search(r"Index Cond: \(+org_id = ANY", plan), plan


@pytest.mark.django_db
def test_the_whole_trees_composition_scans_the_table_itself_on_sqlite(tree, monkeypatch) -> None:
    """SQLite: walking the (org, status) index looks each member's row up; at 400k a scan of
    the table and a sort of the groups costs less (bench/report_exports.py)."""
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL reads the covering (org, status) index alone")
    today = timezone.localdate()
    _members(tree, today)
    sql, params = _member_query(tree["city"], today, monkeypatch)
    plan = _plan(sql, params)
    assert "SCAN m" in plan and "INDEX" not in plan, plan


@pytest.mark.django_db
def test_thousands_of_unit_names_read_their_names_of_the_day_in_one_query(
    tree, monkeypatch
) -> None:
    day = timezone.localdate() - dt.timedelta(days=30)
    org_services.org_rename(
        actor=None, org=tree["uni"], name="Đảng ủy Đại học Bách khoa mới", effective_date=day
    )
    before = day - dt.timedelta(days=1)
    ids = [tree[name].pk for name in ("city", "khoi", "uni", "cell_a", "cell_b", "ward")]
    small = figures.OrgTree().labels(ids, day=before)
    assert small[tree["uni"].pk] == ("BK", "Đảng ủy Trường Đại học Bách khoa")
    monkeypatch.setattr(figures, "IN_LIST_MAX", 2)  # six ids: "thousands"
    with CaptureQueriesContext(connection) as queries:
        many = figures.OrgTree().labels(ids, day=before)
    assert many == small
    # Three lists of two ids, then the renamed periods once (before: once per list).
    assert len(queries.captured_queries) == 4
    assert figures.OrgTree().labels(ids, day=day)[tree["uni"].pk][1] == (
        "Đảng ủy Đại học Bách khoa mới"
    )


@pytest.mark.django_db
def test_admissions_per_unit_send_no_list_that_grows_with_the_units(tree) -> None:
    today = timezone.localdate()
    start = dt.date(today.year, 1, 1)
    for name in ("cell_a", "cell_b", "school", "ward", "cell_a"):
        factories.member(tree[name], admitted_on=start)
    with CaptureQueriesContext(connection) as queries:
        report = figures.admissions(tree["khoi"], start, today)
    assert report.counts.total == 3
    assert {report.unit_names[u][0]: c.total for u, c in report.by_unit.items()} == {"BK": 3}
    city = figures.admissions(tree["city"], start, today)
    assert {city.unit_names[u][0]: c.total for u, c in city.by_unit.items()} == {
        "KDHCD": 3,
        "Q1": 2,
    }
    assert not any('"path" IN (' in q["sql"] for q in queries.captured_queries)


def test_xlsx_cells_typed_once_per_number_are_the_cells_typed_one_by_one() -> None:
    table = Table(
        "t",
        [("Code", TEXT), ("Members", INT), ("Share", PCT)],
        rows=[
            ["=A1", 3, Decimal("1.5")],
            ["b", 3, Decimal("1.50")],
            ["c", Decimal("3"), 1],
            ["d", None, Decimal("100.00")],
            ["e", True, Decimal("0")],
            ["f", 0, None],
        ],
    )
    styles = {"vnd": 1, PCT: 2, INT: 3}
    once = list(exports._typed_cells(table, styles))
    one_by_one = [
        [exports._xlsx_value(value, kind, styles) for value, kind in row]
        for row in table.typed_rows
    ]
    assert once == one_by_one
    assert [type(v) for row in once for v, _s in row] == [
        type(v) for row in one_by_one for v, _s in row
    ]
