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


@pytest.mark.bench
@pytest.mark.django_db(transaction=True)
def test_bench_city_dashboard_after_writes() -> None:
    """The city dashboard cold, warm, and right after a cell's attendance row, a meeting edit and a
    member event (issue 24): an attendance row costs at most 5× a warm read (it is not among the
    figures). The other figures are printed (bench/dashboard_writes.py measures them on a copy
    of a seeded database)."""
    from django.core.cache import cache
    from django.db.models import Count
    from django.utils import timezone

    from chibo.activity import services as activity
    from chibo.members import services as member_services
    from chibo.members.models import ON_ROLLS, Member, RemovalReason
    from chibo.orgs.models import CELL_KINDS
    from chibo.reports import selectors

    call_command("seed-demo", "--members", str(MEMBERS), "--members-only")
    today = timezone.localdate()
    root = Org.objects.get(parent__isnull=True)
    busiest = (
        Member.objects.filter(status__in=ON_ROLLS, org__kind__in=CELL_KINDS)
        .values("org_id")
        .annotate(n=Count("id"))
        .order_by("-n", "org_id")[0]["org_id"]
    )
    cell = Org.objects.get(pk=busiest)
    meeting = activity.meeting_create(
        actor=None, org=cell, kind="regular", held_on=today.replace(day=1), confirm=True
    )
    codes = list(meeting.attendance.values_list("member__member_code", flat=True))
    leavers = list(Member.objects.filter(org=cell, status="active").order_by("-id")[:5])

    def read() -> None:
        selectors.dashboard(None, root, today)

    cache.clear()
    started = time.perf_counter()
    read()
    cold = time.perf_counter() - started
    warm = _median(read)
    times: dict[str, list[float]] = {"attendance": [], "meeting": [], "event": []}
    for i in range(5):
        activity.attendance_record(
            actor=None,
            meeting=meeting,
            entries=[activity.AttendanceEntry(codes[i], "unexcused")],
        )
        times["attendance"].append(_median(read, runs=1))
        activity.meeting_update(actor=None, meeting=meeting, topic=f"Chủ đề {i}")
        times["meeting"].append(_median(read, runs=1))
        member_services.member_remove(
            actor=None,
            member=leavers[i],
            effective_date=today,
            decision=member_services.Decision(f"{i}-QĐ/ĐU"),
            reason=RemovalReason.ABANDONED_ACTIVITY,
        )
        times["event"].append(_median(read, runs=1))
    after = {k: statistics.median(v) for k, v in times.items()}
    print(
        f"\nBENCH city dashboard [{connection.vendor}] members={MEMBERS}: cold {cold * 1000:.0f} ms, "
        f"warm {warm * 1000:.1f} ms; after an attendance row {after['attendance'] * 1000:.1f} ms, "
        f"a meeting edit {after['meeting'] * 1000:.1f} ms, a member event {after['event'] * 1000:.1f} ms"
    )
    assert after["attendance"] <= 5 * warm
