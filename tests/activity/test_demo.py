"""Demo data: five years of meetings, attendance and dues with lapses among final-year students."""

from __future__ import annotations

import datetime as dt
import io
import random

import pytest
from django.core.management import call_command, get_commands
from django.db import connection

from chibo.activity import demo
from chibo.activity import warnings as risk
from chibo.activity.models import Attendance, DuesPayment, Meeting
from chibo.members.models import Category, Member
from chibo.orgs.models import Org
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 20)


def test_seed_demo_on_the_base_seed() -> None:
    if "seed-demo" not in get_commands():
        pytest.skip("seed-demo is not available")
    call_command(
        "seed-demo",
        "--members",
        "300",
        "--members-only",
        "--as-of",
        TODAY.isoformat(),
        stdout=io.StringIO(),
    )
    _statistics_of_an_emptied_table()
    counts = demo.seed_demo(rng=random.Random(7), today=TODAY, scale=0.1)
    assert counts["meetings"] == Meeting.objects.count() > 0
    assert counts["attendance"] == Attendance.objects.count() > 0
    assert counts["dues_payments"] == DuesPayment.objects.count() > 0
    # The load leaves statistics of its real size: the warnings below are planned on them (on
    # PostgreSQL, "empty" statistics nest a scan of all attendance in the absence query: minutes).
    assert _rows_in_statistics("activity_attendance") == counts["attendance"]
    assert _rows_in_statistics("activity_meeting") == counts["meetings"]
    first = Meeting.objects.order_by("held_on").first()
    assert first is not None and first.held_on < dt.date(2022, 1, 1)
    assert not Meeting.objects.filter(held_on__gt=TODAY).exists()
    root = Org.objects.get(parent__isnull=True)
    assert risk.compute(root, TODAY)  # some members at risk


def _statistics_of_an_emptied_table() -> None:
    """Attendance analyzed when it held pages but no row (what a database emptied by deletes,
    or a test database after rolled-back tests, looks like to ANALYZE)."""
    member = Member.objects.first()
    assert member is not None
    meeting = Meeting.objects.create(
        org_id=member.org_id, kind="regular", held_on=TODAY, month=TODAY.replace(day=1)
    )
    Attendance.objects.create(
        meeting=meeting, member=member, status="present", org_id=member.org_id, month=meeting.month
    )
    Attendance.objects.all().delete()
    meeting.delete()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE activity_attendance")
        cursor.execute("ANALYZE activity_meeting")
    assert _rows_in_statistics("activity_attendance") == 0


def _rows_in_statistics(table: str) -> int:
    """The number of rows the planner's statistics give ``table``."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
            return max(0, int(cursor.fetchone()[0]))
        cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s", [table])
        row = cursor.fetchone()
        return int(row[0].split()[0]) if row else 0


def test_lapses_concentrate_among_final_year_students(tree: dict[str, Org]) -> None:
    rng = random.Random(3)
    for i in range(80):
        student = i % 2 == 1
        m = factories.member(
            tree["cell_a"] if student else tree["cell_b"],
            full_name=f"Lê Văn {i}",
            admitted_on=dt.date(2021, 1, rng.randint(1, 28)),
            category=Category.STUDENT if student else Category.LECTURER,
            date_of_birth=dt.date(2002, 5, 17) if student else dt.date(1985, 5, 17),
        )
        if student and i % 4 == 1:  # final year
            Member.objects.filter(pk=m.pk).update(expected_graduation=dt.date(2027, 6, 30))
    demo.seed_demo(rng=random.Random(7), today=TODAY, scale=0.03)
    found = risk.compute(tree["city"], TODAY)
    students = set(
        Member.objects.filter(category=Category.STUDENT).values_list("member_code", flat=True)
    )
    reviews = [r for r in found if r.level == "removal_review"]
    assert reviews
    assert sum(r.member_code in students for r in reviews) > sum(
        r.member_code not in students for r in reviews
    )
    assert (
        Meeting.objects.filter(held_on__year=2022, kind="regular").count() > 40
    )  # 4 cells, monthly
