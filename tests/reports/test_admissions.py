"""The admissions report: shares, periods, categories and units as the directive counts them.

The directive's footnote itself (20,637 admissions, in every format) is
tests/reports/test_admissions_footnote.py.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from chibo.members import services as member_services
from chibo.members.models import Category, RemovalReason
from chibo.orgs import services as org_services
from chibo.orgs.models import Org, OrgKind
from chibo.reports import figures
from tests import factories
from tests.reports import data

START, END = dt.date(2020, 1, 1), dt.date(2023, 6, 30)


def sql_count(
    start: dt.date, end: dt.date, category: str | None = None, school: bool | None = None
) -> int:
    """The second, independent path: a plain SQL count over the members table."""
    sql = (
        "SELECT COUNT(*) FROM members_member m JOIN orgs_org o ON o.id = m.admitting_org_id"
        " WHERE m.admitted_on >= %s AND m.admitted_on <= %s"
    )
    params: list = [start, end]
    if category:
        sql += " AND m.category_at_admission = %s"
        params.append(category)
    if school is True:
        sql += " AND o.school_level <> ''"
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()[0]


@pytest.mark.parametrize(
    ("part", "total", "expected"),
    [
        (1, 800, "0.13"),
        (3, 800, "0.38"),
        (1, 3, "33.33"),
        (2, 3, "66.67"),
        (0, 5, "0.00"),
        (5, 0, "0.00"),
        (1065, 20637, "5.16"),
        (1000, 20637, "4.85"),
        (65, 20637, "0.31"),
        (20640, 20640, "100.00"),
        (1000, 20639, "4.85"),
        (1000, 20640, "4.84"),
        (65, 20635, "0.31"),
        (65, 20634, "0.32"),
    ],
)
def test_share_rounds_half_up_to_two_decimals(part: int, total: int, expected: str) -> None:
    assert figures.share_pct(part, total) == Decimal(expected)


@pytest.mark.parametrize("total", [20635, 20637, 20639])
def test_footnote_totals(total: int) -> None:
    shares = [figures.share_pct(n, total) for n in (1000, 65, 1065)]
    assert shares == [Decimal("4.85"), Decimal("0.31"), Decimal("5.16")]


@pytest.mark.django_db
def test_period_includes_both_ends_and_nothing_outside(tree) -> None:
    data.admissions(tree["cell_a"], 1, Category.STUDENT, [dt.date(2024, 1, 1)])
    data.admissions(tree["cell_a"], 1, Category.STUDENT, [dt.date(2024, 1, 31)])
    data.admissions(tree["cell_a"], 1, Category.STUDENT, [dt.date(2023, 12, 31)])
    data.admissions(tree["cell_a"], 1, Category.STUDENT, [dt.date(2024, 2, 1)])
    report = figures.admissions(tree["city"], dt.date(2024, 1, 1), dt.date(2024, 1, 31))
    assert report.counts.total == 2 == sql_count(dt.date(2024, 1, 1), dt.date(2024, 1, 31))


@pytest.mark.django_db
def test_an_admitted_member_later_removed_still_counts(tree) -> None:
    member = factories.member(tree["cell_a"], admitted_on=dt.date(2024, 3, 1))
    member_services.member_remove(
        actor=None,
        member=member,
        effective_date=dt.date(2024, 9, 1),
        decision=member_services.Decision(number="5-QĐ/ĐU"),
        reason=RemovalReason.ABANDONED_ACTIVITY,
    )
    report = figures.admissions(tree["city"], dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert (report.counts.total, report.counts.school_students) == (1, 1)


@pytest.mark.django_db
def test_category_at_admission_counts_not_the_current_one(tree) -> None:
    member = factories.member(
        tree["cell_a"], admitted_on=dt.date(2024, 3, 1), category=Category.STUDENT
    )
    member_services.member_change_category(
        actor=None, member=member, category=Category.LECTURER, effective_date=dt.date(2024, 6, 1)
    )
    report = figures.admissions(tree["city"], dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert report.counts.school_students == 1


def _school_moved_to_a_ward_on_1_july_2025(tree) -> None:
    """3 pupils admitted by the school in 2024, the school moved under P-BN, 2 more in 2025."""
    ward_committee = factories.org(
        "P-BN", "Đảng ủy Phường Bến Nghé", OrgKind.DIRECT_COMMITTEE, tree["city"]
    )
    data.admissions(tree["school"], 3, Category.PUPIL, [dt.date(2024, 5, 1)])
    org_services.org_move(
        actor=None,
        org=tree["school"],
        new_parent=ward_committee,
        effective_date=dt.date(2025, 7, 1),
    )
    data.admissions(tree["school"], 2, Category.PUPIL, [dt.date(2025, 9, 1)])


@pytest.mark.django_db
def test_units_are_the_tree_as_it_stood_on_the_admission_date(tree) -> None:
    _school_moved_to_a_ward_on_1_july_2025(tree)
    report = figures.admissions(
        tree["city"], dt.date(2024, 1, 1), dt.date(2025, 12, 31)
    ).breakdown()
    by_unit = {row["org"]: row["school_pupils"] for row in report["by_unit"]}
    assert by_unit == {"Q1": 3, "P-BN": 2}
    assert {row["year"]: row["school_pupils"] for row in report["by_year"]} == {2024: 3, 2025: 2}
    assert {row["school_level"]: row["school_pupils"] for row in report["by_school_level"]} == {
        "thpt": 5
    }
    # The district's own report for 2024 still holds the school's 2024 admissions.
    district = figures.admissions(tree["district"], dt.date(2024, 1, 1), dt.date(2025, 12, 31))
    assert district.counts.school_pupils == 3


@pytest.mark.django_db
def test_a_period_after_a_move_is_counted_on_todays_paths_with_the_same_result(tree) -> None:
    _school_moved_to_a_ward_on_1_july_2025(tree)
    data.admissions(tree["cell_a"], 2, Category.STUDENT, [dt.date(2025, 9, 1)])
    member_services.member_remove(
        actor=None,
        member=factories.member(tree["school"], admitted_on=dt.date(2025, 8, 1)),
        effective_date=dt.date(2025, 10, 1),
        decision=member_services.Decision(number="7-QĐ/ĐU"),
        reason=RemovalReason.ABANDONED_ACTIVITY,
    )
    start, end = dt.date(2025, 7, 1), dt.date(2025, 12, 31)
    assert not figures.periods_elsewhere(start, end).exists()  # the fast path applies…
    assert figures.periods_elsewhere(dt.date(2024, 1, 1), end).exists()  # …not across the move
    every = set(Org.objects.values_list("id", flat=True))
    for report in (figures.admissions, figures.removals):
        by_path = report(tree["city"], start, end)  # today's paths, units in SQL
        by_tree = report(tree["city"], start, end, allowed=every)  # the dated tree
        as_dict = "breakdown" if report is figures.admissions else "as_dict"
        assert getattr(by_path, as_dict)() == getattr(by_tree, as_dict)()
    got = figures.admissions(tree["city"], start, end).breakdown()
    assert {row["org"]: row["total_admissions"] for row in got["by_unit"]}[
        "P-BN"
    ] == 3  # 2 pupils + 1 member later removed


@pytest.mark.django_db
def test_subtree_report_and_scope_restriction(tree) -> None:
    data.admissions(tree["cell_a"], 4, Category.STUDENT, [dt.date(2024, 5, 1)])
    data.admissions(tree["school"], 2, Category.PUPIL, [dt.date(2024, 5, 1)])
    khoi = figures.admissions(tree["khoi"], dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert (khoi.counts.total, khoi.counts.school_students, khoi.counts.school_pupils) == (4, 4, 0)
    only_uni = figures.admissions(
        tree["city"], dt.date(2024, 1, 1), dt.date(2024, 12, 31), allowed={tree["cell_b"].pk}
    )
    assert only_uni.counts.total == 0
