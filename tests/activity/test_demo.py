"""Demo data: five years of meetings, attendance and dues with lapses among final-year students."""

from __future__ import annotations

import datetime as dt
import io
import random

import pytest
from django.core.management import call_command, get_commands

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
    counts = demo.seed_demo(rng=random.Random(7), today=TODAY, scale=0.1)
    assert counts["meetings"] == Meeting.objects.count() > 0
    assert counts["attendance"] == Attendance.objects.count() > 0
    assert counts["dues_payments"] == DuesPayment.objects.count() > 0
    first = Meeting.objects.order_by("held_on").first()
    assert first is not None and first.held_on < dt.date(2022, 1, 1)
    assert not Meeting.objects.filter(held_on__gt=TODAY).exists()
    root = Org.objects.get(parent__isnull=True)
    assert risk.compute(root, TODAY)  # some members at risk


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
