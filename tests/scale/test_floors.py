"""The floors of `make bench` (bench/report_floors.py, bench/home_floor.py) give chibo's answer.

A floor is hand-written SQL for the same answer as chibo (issue 22: "each floor's answer is
compared with chibo's answer"); `make bench` fails a case whose answers differ. Here the
comparison runs on a small demo, whose org tree has the 2025 reform (district committees
closed, their units moved under the city): a report places each event, and each member on
a past day, in the tree of that date, and the home page counts every figure chibo shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from bench import home_floor
from bench import report_floors as floors
from bench.search_floors import Floor
from chibo.home import work
from chibo.lib.text import prefix_upper_bound
from chibo.members.models import Member
from chibo.orgs.models import STEP, Org, OrgPeriod
from chibo.reports import selectors as rep
from tests.module_data import module_data

pytestmark = pytest.mark.django_db


class _Django:
    """The test's own connection (its transaction holds the demo) behind the floors' API."""

    def execute(self, sql: str, params: list[Any]) -> Any:
        cursor = connection.cursor()
        cursor.execute(sql, params)
        return cursor


def _floor() -> Floor:
    fl = Floor.__new__(Floor)
    fl.vendor, fl.conn, fl.mark, fl._scopes = connection.vendor, _Django(), "%s", {}
    return fl


@pytest.fixture(scope="module")
def demo(
    django_db_setup, django_db_blocker, tmp_path_factory
) -> Iterator[tuple[User, Org, dt.date]]:
    # Seeded once for the module; each test runs in its own rolled-back savepoint
    # (tests/module_data.py).
    with module_data(django_db_blocker, tmp_path_factory):
        call_command("seed-demo", "--members", "400", "--as-of", "2026-11-30", "--verbosity", "0")
        city = User.objects.get(username="vanphong")
        as_of = Member.objects.order_by("-last_event_on").values_list("last_event_on", flat=True)[0]
        yield city, rep.report_root(city), as_of + dt.timedelta(days=1)


def test_the_demo_tree_has_moved_orgs(demo) -> None:
    """The comparison below means something only when orgs stood elsewhere in the past."""
    moved = [p for p in OrgPeriod.objects.exclude(valid_to=None) if p.parent_id != p.org.parent_id]
    assert moved


def test_admissions_and_removals_floors_place_events_in_the_tree_of_their_date(demo) -> None:
    city, root, as_of = demo
    fl = _floor()
    for year in (as_of.year - 1, as_of.year - 2):
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        chibo = floors.normalise(rep.admissions(city, root, start, end).breakdown())
        assert chibo["total_admissions"]
        assert floors.admissions(fl, root.code, start, end) == chibo
        chibo = floors.normalise(rep.removals(city, root, start, end).as_dict())
        assert floors.removals(fl, root.code, start, end) == chibo
    # A period across the reform (two trees).
    start, end = dt.date(as_of.year - 2, 1, 1), dt.date(as_of.year - 1, 12, 31)
    chibo = floors.normalise(rep.admissions(city, root, start, end).breakdown())
    assert floors.admissions(fl, root.code, start, end) == chibo


def test_the_composition_floor_counts_a_past_day_in_that_days_tree(demo) -> None:
    city, root, as_of = demo
    fl = _floor()
    for day, changed in ((as_of, False), (dt.date(as_of.year - 2, 6, 30), True)):
        chibo = floors.normalise(rep.composition(city, root, day).as_dict())
        assert chibo["total_members"]
        assert floors.composition(fl, root.code, day, changed_since=changed) == chibo


def test_the_home_floor_counts_every_figure_chibo_shows(demo) -> None:
    _city, root, _as_of = demo
    today = dt.date.today()
    result = work.compute(root, today, can_see_directives=False)
    chibo = {u.org.path: {k: n for k, n in u.n.items() if n} for u in result.units if +u.n}
    found = home_floor.figures(root.path, prefix_upper_bound(root.path), today, STEP)
    assert chibo
    assert {p: dict(c) for p, c in found.items() if +c} == chibo


def test_every_statement_of_a_cells_home_floor_is_bounded_by_its_path(demo) -> None:
    """A cell's floor reads its own scope only: the transfers out and in were read for the
    whole city and filtered in Python (ratio 0.31–0.64 to chibo, session 5: no floor)."""
    cell = (
        Org.objects.filter(kind__in=home_floor.CELLS, closed_on__isnull=True)
        .annotate(n=Count("members"))
        .order_by("-n", "path")
        .first()
    )
    today = dt.date.today()
    with CaptureQueriesContext(connection) as seen:
        found = home_floor.figures(cell.path, cell.path_bound, today, 0)
    for query in seen.captured_queries:
        assert cell.path in query["sql"] and cell.path_bound in query["sql"], query["sql"]
    result = work.compute(cell, today, can_see_directives=False)
    units = result.units or [result.total]
    chibo = {u.org.path: {k: n for k, n in u.n.items() if n} for u in units if +u.n}
    assert {p: dict(c) for p, c in found.items() if +c} == chibo


def test_the_search_floor_plans_each_statement_with_its_values(demo) -> None:
    """psycopg prepares a statement after five runs, and PostgreSQL may then plan a range of
    names generically: the 100k list's floor took 2.3 or 9.7 ms run to run (slower than
    chibo, whose statements carry their values). The floors prepare nothing; the list's
    page reads its rows in the statement that finds it."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's prepared statements")
    db = connection.settings_dict
    fl = Floor(
        "postgresql",
        f"host={db['HOST'] or 'localhost'} port={db['PORT'] or 5432} dbname={db['NAME']} "
        f"user={db['USER']}" + (f" password={db['PASSWORD']}" if db["PASSWORD"] else ""),
    )
    try:
        assert fl.conn.prepare_threshold is None
    finally:
        fl.close()


def test_the_search_floor_gives_the_lists_answer_in_one_statement_a_page(demo) -> None:
    from chibo.members import selectors as member_sel

    city, _root, _as_of = demo
    fl = _floor()
    for actor in (city, User.objects.get(username="bithu")):
        for text in ("nguyen van", "", "an", "đ"):
            expected = [
                m.member_code
                for m in member_sel.member_search(
                    actor, member_sel.MemberFilter(q=text, status="on_rolls")
                ).rows(limit=50)
            ]
            with CaptureQueriesContext(connection) as seen:
                assert fl.search(actor.username, text) == expected, (actor.username, text)
            pages = [q for q in seen.captured_queries if "ORDER BY m.name_folded" in q["sql"]]
            assert all("o.name" in q["sql"] for q in pages), pages  # the rows, not only codes
