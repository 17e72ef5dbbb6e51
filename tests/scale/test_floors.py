"""The floors of `make bench` (bench/report_floors.py, bench/home_floor.py) give chibo's answer.

A floor is hand-written SQL for the same answer as chibo (issue 22: "each floor's answer is
compared with chibo's answer"); `make bench` fails a case whose answers differ. Here the
comparison runs on a small demo, whose org tree has the 2025 reform (district committees
closed, their units moved under the city): a report places each event, and each member on
a past day, in the tree of that date, and the home page counts every figure chibo shows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection

from bench import home_floor
from bench import report_floors as floors
from bench.search_floors import Floor
from chibo.home import work
from chibo.lib.text import prefix_upper_bound
from chibo.members.models import Member
from chibo.orgs.models import STEP, Org, OrgPeriod
from chibo.reports import selectors as rep

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


@pytest.fixture
def demo() -> tuple[User, Org, dt.date]:
    call_command("seed-demo", "--members", "400", "--as-of", "2026-11-30", "--verbosity", "0")
    city = User.objects.get(username="vanphong")
    as_of = Member.objects.order_by("-last_event_on").values_list("last_event_on", flat=True)[0]
    return city, rep.report_root(city), as_of + dt.timedelta(days=1)


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
