"""``make bench``: the admissions and composition reports for the whole city at 400,000 members.

The data is the real demo generator (``chibo seed-demo --members 400000``),
loaded once per run into the test database; medians of 5 runs are printed.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import time

import pytest
from django.core.management import call_command
from django.db import connection

from chibo.orgs.models import Org
from chibo.reports import figures

MEMBERS = int(os.environ.get("CHIBO_BENCH_MEMBERS", "400000"))


def _median(func, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


@pytest.mark.bench
@pytest.mark.django_db(transaction=True)
def test_bench_admissions_and_composition_whole_city() -> None:
    started = time.perf_counter()
    call_command("seed-demo", "--members", str(MEMBERS), "--members-only")
    load = time.perf_counter() - started
    if connection.vendor == "postgresql":
        # As a production database is after autovacuum: statistics and the visibility map.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE members_member, members_memberevent, orgs_org")
    root = Org.objects.get(parent__isnull=True)
    today = dt.date.today()
    start = dt.date(today.year - 5, 1, 1)
    adm = _median(lambda: figures.admissions(root, start, today))
    comp_now = _median(lambda: figures.composition(root, today))
    comp_past = _median(lambda: figures.composition(root, dt.date(today.year - 2, 6, 30)))
    report = figures.admissions(root, start, today)
    vendor = connection.vendor
    print(
        f"\nBENCH reports [{vendor}] members={MEMBERS} (seed-demo {load:.0f} s): "
        f"admissions 5y median {adm * 1000:.0f} ms ({report.counts.total} admissions); "
        f"composition today median {comp_now * 1000:.0f} ms; "
        f"composition 2y ago median {comp_past * 1000:.0f} ms"
    )
    limit = 1.0 if vendor == "postgresql" else 5.0
    assert adm < limit and comp_now < limit and comp_past < limit
