"""Scale: warnings and activity health for the whole city, the attendance page of a 200-member cell.

Part of ``make bench``.

City: ``CHIBO_BENCH_MEMBERS`` members (default 400,000) from the members' demo
generator, with five years of monthly meetings and attendance and the last
two years of dues from ``activity.demo``. Generating it takes minutes, so on
SQLite the loaded database is cached in ``var/bench/`` (keyed by the member
count and the migrations) and copied into the in-memory test database on the
next run; delete the file to rebuild. PostgreSQL (a throwaway server) always
generates it, with COPY.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import sqlite3
import statistics
import time
from pathlib import Path

import pytest
from django.db import connection
from django.test import RequestFactory

from chibo.activity import demo, selectors, services, views
from chibo.activity import warnings as risk
from chibo.activity.models import Attendance
from chibo.orgs import services as org_services
from chibo.orgs.models import Org, OrgKind

pytestmark = [pytest.mark.bench, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

AS_OF = dt.date(2026, 11, 20)
ROOT = Path(__file__).resolve().parents[2]


def _members() -> int:
    import os

    return int(os.environ.get("CHIBO_BENCH_MEMBERS", "400000"))


def _cache_file(members: int) -> Path:
    digest = hashlib.sha256()
    for path in sorted((ROOT / "chibo").glob("*/migrations/*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    for path in (ROOT / "chibo/activity/demo.py", ROOT / "chibo/members/demo/generate.py"):
        digest.update(path.read_bytes())
    return ROOT / "var" / "bench" / f"activity-{members}-{digest.hexdigest()[:12]}.sqlite3"


def _generate(members: int) -> dict[str, float]:
    from chibo.members.demo.generate import build_plan
    from chibo.members.demo.writer import write_plan

    started = time.perf_counter()
    write_plan(build_plan(members=members, seed=2023, as_of=AS_OF))
    members_s = time.perf_counter() - started
    started = time.perf_counter()
    counts = demo.seed(rng=random.Random(5), today=AS_OF, dues_years=2)
    return {"members_s": members_s, "activity_s": time.perf_counter() - started, **counts}


def _load_city(members: int) -> str:
    if connection.vendor != "sqlite":
        figures = _generate(members)
        return f"generated: {figures}"
    cache = _cache_file(members)
    connection.ensure_connection()
    if cache.exists():
        started = time.perf_counter()
        source = sqlite3.connect(cache)
        source.backup(connection.connection)
        source.close()
        return f"loaded {cache.name} in {time.perf_counter() - started:.1f} s"
    figures = _generate(members)
    cache.parent.mkdir(parents=True, exist_ok=True)
    target = sqlite3.connect(cache)
    connection.connection.backup(target)
    target.close()
    return f"generated and cached in {cache.relative_to(ROOT)}: {figures}"


def _median(times: list[float]) -> str:
    return f"median {statistics.median(times) * 1000:.0f} ms (min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f})"


@pytest.fixture
def _fast_teardown() -> object:
    """Empty the big tables first: the flush after the test then has no foreign keys to check."""
    yield
    with connection.cursor() as cursor:
        for table in (
            "activity_attendance",
            "activity_duespayment",
            "activity_memberwarning",
            "activity_meeting",
        ):
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names


@pytest.mark.usefixtures("_fast_teardown")
def test_bench_warnings_whole_city_and_attendance_page() -> None:
    members = _members()
    how = _load_city(members)
    attendance_rows = Attendance.objects.count()
    print(
        f"\n[activity bench {connection.vendor}] {members:,} members, {attendance_rows:,} attendance rows; {how}"
    )
    root = Org.objects.get(parent__isnull=True)
    times = []
    found: list[risk.MemberRisk] = []
    for _ in range(3):
        started = time.perf_counter()
        found = risk.compute(root, AS_OF)
        times.append(time.perf_counter() - started)
    reviews = sum(r.level == "removal_review" for r in found)
    print(
        f"[activity bench {connection.vendor}] warnings for the whole city: {_median(times)}; "
        f"{len(found):,} at risk ({reviews:,} removal_review)"
    )
    assert found

    health_times = []
    for _ in range(3):
        started = time.perf_counter()
        health = selectors.activity_health(None, root, AS_OF)
        health_times.append(time.perf_counter() - started)
    print(
        f"[activity bench {connection.vendor}] activity health for the whole city: "
        f"{_median(health_times)}; meetings {health['monthly_meetings_held_pct']} %, thematic "
        f"{health['thematic_meetings_held_pct']} %, attendance {health['attendance_rate_pct']} %, "
        f"dues {health['dues_collected']:,} đ"
    )

    # A 200-member cell with a meeting: the attendance sheet page and one htmx row save.
    from tests import factories

    parent = (
        Org.objects.filter(kind=OrgKind.GRASSROOTS_COMMITTEE, closed_on__isnull=True)
        .order_by("path")
        .first()
    )
    cell = org_services.org_create(
        actor=None,
        code="BENCH-200",
        name="Chi bộ Sinh viên bench",
        parent=parent,
        kind=OrgKind.SUBORDINATE_CELL,
        opened_on=dt.date(2015, 1, 1),
    )
    people = [
        factories.member(
            cell,
            full_name=f"Nguyễn Văn Bench {i}",
            code=f"BENCH{i:05d}",
            admitted_on=dt.date(2022, 1, 10),
        )
        for i in range(200)
    ]
    meeting = services.meeting_create(
        actor=None, org=cell, kind="regular", held_on=dt.date(2026, 11, 5)
    )
    secretary = factories.user("bench-bithu", "cell_secretary", cell)
    # Server time: the view itself (scoping, roster, sheet, audit, template), called through
    # RequestFactory so the test client's per-template context capture does not inflate it.
    rf = RequestFactory()
    page_times = []
    for _ in range(7):
        request = rf.get(f"/activity/meetings/{meeting.pk}/")
        request.user = secretary
        started = time.perf_counter()
        response = views.meeting(request, pk=meeting.pk)
        page_times.append(time.perf_counter() - started)
        assert response.status_code == 200
    save_times = []
    for i in range(7):
        code = people[i].member_code
        request = rf.post(
            f"/activity/meetings/{meeting.pk}/attendance/{code}/",
            {f"status-{code}": "unexcused"},
            HTTP_HX_REQUEST="true",
        )
        request.user = secretary
        started = time.perf_counter()
        response = views.row_save(request, pk=meeting.pk, code=code)
        save_times.append(time.perf_counter() - started)
        assert response.status_code == 200
    print(
        f"[activity bench {connection.vendor}] attendance page, 200-member cell: {_median(page_times)}; "
        f"htmx row save: {_median(save_times)}"
    )
