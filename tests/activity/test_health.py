"""Activity health for the reports: each figure checked against a second, independent count."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection

from chibo.activity import periods, selectors
from chibo.activity.models import MeetingKind
from chibo.members.models import ON_ROLLS
from chibo.orgs.models import CELL_KINDS, Org
from tests import factories
from tests.activity.conftest import AS_OF, hold, pay

pytestmark = pytest.mark.django_db

# AS_OF = 20/10/2026: months 10/2025 … 9/2026, quarter 2026-Q3, dues from 1/1/2026.
MONTHS = periods.span(dt.date(2025, 10, 1), dt.date(2026, 9, 1))
QUARTER = [dt.date(2026, 7, 1), dt.date(2026, 8, 1), dt.date(2026, 9, 1)]
KEYS = (
    "cells",
    "cells_without_data",
    "cell_months",
    "monthly_meetings_held",
    "quarter_cells",
    "thematic_meetings_held",
    "attendance_expected",
    "attendance_present",
    "dues_collected",
)


def _one(query: str, params: list[Any]) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchone()


def _in(values: list[Any]) -> str:
    return ", ".join(["%s"] * len(values))


@pytest.fixture
def city(tree: dict[str, Org]) -> dict[str, Org]:
    a1, a2, a3 = (
        factories.member(
            tree["cell_a"], full_name=f"Sinh viên {i}", admitted_on=dt.date(2024, 3, 1)
        )
        for i in range(3)
    )
    s1 = factories.member(tree["school"], full_name="Giáo viên", admitted_on=dt.date(2020, 5, 1))
    hold(tree["cell_a"], dt.date(2025, 9, 12))  # before the period
    hold(tree["cell_a"], dt.date(2026, 7, 3), {a1: "unexcused"})
    hold(tree["cell_a"], dt.date(2026, 8, 5), {a2: "excused"})
    hold(tree["cell_a"], dt.date(2026, 8, 20), {a1: "unexcused"}, kind=MeetingKind.THEMATIC)
    hold(tree["cell_a"], dt.date(2026, 9, 4))
    hold(tree["cell_a"], dt.date(2026, 10, 2), {a3: "unexcused"})  # as_of's month: not counted
    hold(tree["school"], dt.date(2026, 9, 9), {s1: "excused"})
    pay(a1, dt.date(2025, 12, 1), dt.date(2026, 1, 1), paid_on=dt.date(2025, 12, 28))
    pay(a2, dt.date(2026, 1, 1), dt.date(2026, 6, 1), paid_on=dt.date(2026, 1, 10))
    pay(s1, dt.date(2026, 7, 1), dt.date(2026, 9, 1), paid_on=dt.date(2026, 10, 20))
    pay(a3, dt.date(2026, 10, 1), dt.date(2026, 10, 1), paid_on=dt.date(2026, 10, 21))  # after D
    return tree


def _independent(root: Org, visible: list[Org]) -> dict[str, Any]:
    """The figures by hand-written SQL and plain Python, for the ``visible`` orgs under ``root``."""
    cells = [c for c in visible if c.kind in CELL_KINDS and root.path <= c.path < root.path_bound]
    populated = [
        c
        for c in cells
        if _one(
            f"SELECT COUNT(*) FROM members_member WHERE org_id = %s AND status IN ({_in(ON_ROLLS)})",  # noqa: S608
            [c.pk, *ON_ROLLS],
        )[0]
    ]
    # Tracking start: the earliest meeting or payment of the cell (no committee date here).
    starts = {}
    for c in populated:
        firsts = _one(
            "SELECT (SELECT MIN(held_on) FROM activity_meeting WHERE org_id = %s), "
            "(SELECT MIN(paid_on) FROM activity_duespayment WHERE org_id = %s)",
            [c.pk, c.pk],
        )
        days = [dt.date.fromisoformat(str(d)[:10]) for d in firsts if d is not None]
        if days:
            starts[c.pk] = min(days).replace(day=1)
    open_months = sum(
        1
        for c in populated
        for m in MONTHS
        if c.opened_on <= m
        and (c.closed_on is None or c.closed_on > periods.month_end(m))
        and c.pk in starts
        and starts[c.pk] <= m
    )
    quarter_cells = [c.pk for c in populated if c.pk in starts and starts[c.pk] <= QUARTER[0]]
    counted = [c.pk for c in populated] or [0]
    every = [c.pk for c in cells] or [0]
    held = _one(
        "SELECT COUNT(*) FROM (SELECT DISTINCT org_id, month FROM activity_meeting "  # noqa: S608
        f"WHERE kind = 'regular' AND month >= %s AND month <= %s AND org_id IN ({_in(counted)})) x",
        [MONTHS[0], MONTHS[-1], *counted],
    )[0]
    in_quarter = quarter_cells or [0]
    thematic = _one(
        "SELECT COUNT(DISTINCT org_id) FROM activity_meeting WHERE kind = 'thematic' "  # noqa: S608
        f"AND month >= %s AND month <= %s AND org_id IN ({_in(in_quarter)})",
        [QUARTER[0], QUARTER[-1], *in_quarter],
    )[0]
    expected, present = _one(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN a.status = 'present' THEN 1 ELSE 0 END), 0) "  # noqa: S608
        "FROM activity_attendance a JOIN activity_meeting m ON m.id = a.meeting_id WHERE a.expected "
        f"AND m.month >= %s AND m.month <= %s AND m.org_id IN ({_in(every)})",
        [MONTHS[0], MONTHS[-1], *every],
    )
    seen = [o.pk for o in visible if root.path <= o.path < root.path_bound] or [0]
    dues = _one(
        "SELECT COALESCE(SUM(amount_vnd), 0) FROM activity_duespayment "  # noqa: S608
        f"WHERE paid_on >= %s AND paid_on <= %s AND org_id IN ({_in(seen)})",
        [dt.date(2026, 1, 1), AS_OF, *seen],
    )[0]
    return {
        "cells": len(populated),
        "cells_without_data": len(populated) - len(starts),
        "cell_months": open_months,
        "monthly_meetings_held": held,
        "quarter_cells": len(quarter_cells),  # every cell here is open all quarter
        "thematic_meetings_held": thematic,
        "attendance_expected": expected,
        "attendance_present": present,
        "dues_collected": dues,
    }


def _figures(health: dict[str, Any]) -> dict[str, Any]:
    return {key: health[key] for key in KEYS}


def test_whole_city_figures_match_an_independent_count(city: dict[str, Org]) -> None:
    health = selectors.activity_health(None, city["city"], AS_OF)
    assert _figures(health) == _independent(city["city"], list(Org.objects.all()))
    # And by hand: cell_a and the school have members. cell_a is tracked from its first
    # meeting (12/09/2025: all 12 months), the school from its first (09/09/2026: September
    # only, so not the whole third quarter): 4 cell-months held out of 13.
    assert (health["cells"], health["cell_months"], health["monthly_meetings_held"]) == (2, 13, 4)
    assert health["monthly_meetings_held_pct"] == round(100 * 4 / 13, 2)
    assert health["last_month"] == "2026-09" and health["last_month_meetings_held_pct"] == 100.0
    assert (health["quarter"], health["quarter_cells"]) == ("2026-Q3", 1)
    assert health["thematic_meetings_held_pct"] == 100.0
    # cell_a: 4 meetings × 3 expected, 2 unexcused + 1 excused; school: 1 expected, excused.
    assert (health["attendance_expected"], health["attendance_present"]) == (13, 9)
    assert health["attendance_rate_pct"] == round(100 * 9 / 13, 2)
    # 2026 payments up to D: a1 January (paid 2025: no), a2 six months, s1 three months (on D).
    assert health["dues_collected"] == 9 * 5000 and health["dues_payments"] == 9
    assert (health["period_start"], health["period_end"]) == (
        dt.date(2025, 10, 1),
        dt.date(2026, 9, 30),
    )
    assert (health["dues_from"], health["dues_to"]) == (dt.date(2026, 1, 1), AS_OF)


def test_a_subtree_counts_only_its_own(city: dict[str, Org]) -> None:
    health = selectors.activity_health(None, city["uni"], AS_OF)
    assert _figures(health) == _independent(city["uni"], list(Org.objects.all()))
    assert (health["cells"], health["monthly_meetings_held"], health["dues_collected"]) == (
        1,
        3,
        6 * 5000,
    )


@pytest.mark.parametrize(
    ("role", "where", "cells"),
    [("cell_secretary", "cell_a", 1), ("viewer", "district", 1), ("city_office", "city", 2)],
)
def test_an_actor_sees_only_its_subtree(
    city: dict[str, Org], role: str, where: str, cells: int
) -> None:
    actor = factories.user(f"u-{role}", role, city[where])
    health = selectors.activity_health(actor, city["city"], AS_OF)
    visible = list(Org.objects.filter(city[where].subtree_filter()))
    assert _figures(health) == _independent(city["city"], visible)
    assert health["cells"] == cells


def test_an_actor_without_a_role_sees_zeros(city: dict[str, Org]) -> None:
    nobody = factories.user("nobody")
    health = selectors.activity_health(nobody, city["city"], AS_OF)
    assert _figures(health) == dict.fromkeys(KEYS, 0)
    assert health["monthly_meetings_held_pct"] is None
    assert health["attendance_rate_pct"] is None


def test_empty_data_gives_zeros_and_none(tree: dict[str, Org]) -> None:
    health = selectors.activity_health(None, tree["city"], AS_OF)
    assert _figures(health) == dict.fromkeys(KEYS, 0)
    for key in (
        "monthly_meetings_held_pct",
        "last_month_meetings_held_pct",
        "thematic_meetings_held_pct",
        "attendance_rate_pct",
    ):
        assert health[key] is None


def test_the_reports_read_the_figures(city: dict[str, Org]) -> None:
    from chibo.reports import selectors as reports

    figures = reports.activity(None, city["city"], AS_OF)
    health = selectors.activity_health(None, city["city"], AS_OF)
    for key in ("monthly_meetings_held_pct", "thematic_meetings_held_pct", "attendance_rate_pct"):
        assert health[key] is not None
        assert float(figures[key]) == pytest.approx(health[key], abs=0.005)
    assert figures["dues_collected"] == health["dues_collected"] == 45000
    assert (figures["period_start"], figures["quarter"]) == (health["period_start"], "2026-Q3")
