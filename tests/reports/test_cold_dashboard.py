"""The first dashboard after a restart (issue 24): each period's events read once, the cells
scanned once for both activity counts, a top org's meetings read without the join to the
orgs, and the counts equal to the general path's after every kind of write."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chibo.activity import periods, services, tracking
from chibo.activity import selectors as activity_selectors
from chibo.activity.models import MeetingKind, Tracking
from chibo.core.roles import Role
from chibo.members.models import Category
from chibo.reports import figures, selectors
from tests import factories
from tests.activity.writes import activity_writes
from tests.reports import data

pytestmark = pytest.mark.django_db


@pytest.fixture
def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def city(tree: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """Admissions this year, last year and in this month; members in four cells, two of them
    meeting months ago (tracked from then, missing the meetings since)."""
    cache.clear()
    first = today.replace(day=1)
    for day in (dt.date(today.year, 1, 1), dt.date(today.year - 1, 1, 1), first):
        data.admissions(tree["cell_a"], 2, Category.STUDENT, [day])
    data.admissions(tree["school"], 1, Category.PUPIL, [dt.date(today.year - 1, first.month, 1)])
    members = {n: factories.member(tree[n]) for n in ("cell_a", "cell_b", "school", "ward")}
    long_ago = periods.shift(periods.month_of(today), -5)
    meetings = {
        n: services.meeting_create(
            actor=None, org=tree[n], kind=MeetingKind.REGULAR, held_on=long_ago, confirm=True
        )
        for n in ("cell_a", "school")
    }
    users = {
        "city": factories.user("vanphong", Role.CITY_OFFICE, tree["city"]),
        "uni": factories.user("cosoviec", Role.GRASSROOTS_STAFF, tree["uni"]),
        "khoi": factories.user("captren", Role.SUPERIOR_STAFF, tree["khoi"]),
    }
    return {"tree": tree, "members": members, "meetings": meetings, "users": users}


def _general(actor: Any, root: Any, today: dt.date) -> dict[str, Any]:
    """The activity counts by the general path: the missing meetings listed and the cells
    without data probed cell by cell (``tracking.cells_without_data``)."""
    return selectors.activity(actor, root, today, with_health=False)


def _kept(actor: Any, root: Any, today: dt.date) -> dict[str, Any]:
    """The dashboard's activity counts (its cache's path: from the populated cells)."""
    return selectors.dashboard(actor, root, today)["activity"]


def test_a_cold_dashboard_reads_each_period_of_events_once(
    city: dict[str, Any], today: dt.date
) -> None:
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        context = selectors.dashboard(city["users"]["city"], city["tree"]["city"], today)
    events = [
        (q["sql"]) for q in queries.captured_queries if "FROM members_memberevent e" in q["sql"]
    ]
    # This year's and the trend's month in progress are the same days; last year's month apart.
    assert len(events) == len(set(events)) == 4, events
    units = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('SELECT "orgs_org"."path" AS "path", "orgs_org"."id"')
    ]
    assert len(units) <= 1, units
    tracked = [q["sql"] for q in queries.captured_queries if '"activity_tracking"' in q["sql"]]
    assert len(tracked) == 1, "one scan of the cells gives both activity counts"
    assert context["admissions"]["total_admissions"] == 4
    assert context["admissions_last_year"]["total_admissions"] == 3


def test_a_top_orgs_meetings_are_read_without_the_join_to_the_orgs(
    city: dict[str, Any], today: dt.date
) -> None:
    tree = city["tree"]
    for root, joined in ((tree["city"], False), (tree["district"], True)):
        with CaptureQueriesContext(connection) as queries:
            activity_selectors.judged_counts(None, today, root)
        (sql,) = [q["sql"] for q in queries.captured_queries if '"activity_meeting"' in q["sql"]]
        assert ('"orgs_org"' in sql) is joined, sql
        covering = connection.vendor == "sqlite" and not joined
        assert ("INDEXED BY meeting_month_org_idx" in sql) is covering, sql


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_a_short_periods_events_are_read_before_their_orgs_on_sqlite(
    city: dict[str, Any], today: dt.date
) -> None:
    tree = city["tree"]
    first = today.replace(day=1)
    for start, events_first in ((first, True), (dt.date(today.year - 4, 1, 1), False)):
        with CaptureQueriesContext(connection) as queries:
            figures.admission_rows(tree["city"], start, today, ids=(0, 10**12))
        (sql,) = [q["sql"] for q in queries.captured_queries if "memberevent e" in q["sql"]]
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            plan = [row[3] for row in cursor.fetchall() if row[3].startswith(("SCAN", "SEARCH"))]
        # A longer period is left to the planner (a school's years: its orgs first).
        assert ("CROSS JOIN orgs_org" in sql) is events_first, sql
        if events_first:
            assert plan[0].startswith("SEARCH e USING INDEX mevent_kind_date_idx"), plan


def test_after_each_kind_of_write_the_dashboard_counts_what_the_general_path_counts(
    city: dict[str, Any], today: dt.date, django_capture_on_commit_callbacks: Any
) -> None:
    tree, members, meetings, users = city["tree"], city["members"], city["meetings"], city["users"]
    scopes = [
        (users["city"], tree["city"]),
        (users["city"], tree["district"]),
        (users["khoi"], tree["khoi"]),
        (users["uni"], tree["uni"]),
    ]

    w = activity_writes(tree, members, meetings, today)

    def cell_filled() -> None:
        factories.member(tree["ward"], full_name="Lê Văn Cường")

    seen = set()
    for write in (
        None,
        w["attendance"],
        w["meeting_new"],
        w["meeting_kind"],
        w["tracking_start"],
        w["cell_emptied"],
        cell_filled,
    ):
        if write is not None:
            with django_capture_on_commit_callbacks(execute=True):
                write()
        for actor, root in scopes:
            kept = _kept(actor, root, today)
            cache.clear()
            cold = _kept(actor, root, today)
            general = _general(actor, root, today)
            name = getattr(write, "__name__", "none")
            for key in ("cells_missing_meetings", "cells_without_activity_data", "overdue_tasks"):
                assert kept[key] == cold[key] == general[key], (name, root.code, key)
            seen.add((kept["cells_missing_meetings"], kept["cells_without_activity_data"]))
    assert len(seen) >= 3, seen  # the writes changed the counts


def test_a_tracking_start_after_the_day_asked_is_no_activity_data_yet(
    city: dict[str, Any], today: dt.date
) -> None:
    """The overview's and the dashboard's scan counts a cell whose tracking starts after the
    day asked among the cells without activity data, as ``tracking.cells_without_data``."""
    tree, office = city["tree"], city["users"]["city"]
    Tracking.objects.filter(org=tree["school"]).update(start=today - dt.timedelta(days=10))
    day = today - dt.timedelta(days=60)
    for root in (tree["city"], tree["district"]):
        expected = tracking.cells_without_data(office, under=root, as_of=day).count()
        counts = activity_selectors.overview_counts(office, root, day)
        assert counts["without_data"] == expected
        assert activity_selectors.judged_counts(office, day, root)[1] == expected
    assert activity_selectors.overview_counts(office, tree["district"], day)["without_data"] == 2
