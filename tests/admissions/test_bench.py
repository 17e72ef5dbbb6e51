"""Scale: demo insert rate and the board's query time with thousands of candidates (make bench)."""

from __future__ import annotations

import random
import statistics
import time

import pytest
from django.utils import timezone

from chibo.admissions import selectors
from chibo.admissions.demo import seed_demo
from chibo.admissions.models import Candidate
from chibo.core.roles import Role
from tests import factories as f

pytestmark = [pytest.mark.bench, pytest.mark.django_db]


def test_board_with_thousands_of_candidates(world: dict) -> None:
    today = timezone.localdate()
    started = time.perf_counter()
    counts = seed_demo(rng=random.Random(1), today=today, scale=30)  # ~4,500 candidates
    insert = time.perf_counter() - started
    staff = f.user("bench-staff", Role.GRASSROOTS_STAFF, world["tree"]["uni"])
    timings = []
    for _ in range(7):
        t0 = time.perf_counter()
        qs, stage_counts, overdue = selectors.board(
            staff, selectors.BoardFilter(category="student"), today
        )
        rows = list(qs[:50])
        timings.append(time.perf_counter() - t0)
    n = Candidate.objects.count()
    print(
        f"\nadmissions bench: {n} candidates, {counts['steps']} steps inserted in {insert:.2f}s "
        f"({counts['steps'] / insert:,.0f} steps/s); board page (counts + overdue + 50 rows) "
        f"median {statistics.median(timings) * 1000:.1f} ms"
    )
    assert rows and sum(stage_counts.values()) > 0 and overdue >= 0
