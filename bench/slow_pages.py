"""Issue 24's slow pages, one request at a time, server time through the test client.

    DATABASE_URL=... .venv/bin/python bench/slow_pages.py [--runs 10] [--only overview,dues]
                                                          [--html DIR]

Each page is requested by the role that reads it, signed in (second factor marked
done), through the whole Django stack (middleware, view, template), with the
process's cache (locmem unless ``CACHE_BACKEND`` says otherwise):

- the activity overview ``/activity/?org=`` of the city (city office) and of the
  school (a grassroots committee with a school level) with the most cells;
- the meetings list ``/activity/meetings/`` of a cell secretary's cell and of the city;
- the dues page ``/activity/dues/`` of a cell (its secretary) and of the direct
  committee with the most cells (city office);
- the city dashboard ``/reports/``: cold (cache cleared: a restart), warm, and right
  after one attendance row saved by a cell secretary through the sheet's htmx POST;
- the city's overview warm and right after a meeting recorded by a cell secretary (the
  counts it reads change).

"first" is the first request after ``cache.clear()``; then ``--runs`` requests give
p50 / p95 (and the median CPU time). The attendance saves and meetings are rolled back (each in a
transaction, its on-commit work run inside it), so the script may run on a shared
database: it writes nothing that stays. ``--html DIR`` keeps each page's HTML (to
compare two versions of the code: run from the other checkout, as
bench/dashboard_writes.py says).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path.cwd()))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chibo.settings")
os.environ.setdefault("DEBUG", "false")

import django

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client, TestCase  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from chibo.accounts.models import RoleAssignment  # noqa: E402
from chibo.activity.models import Attendance, Meeting, Presence  # noqa: E402
from chibo.orgs.models import CELL_KINDS, Org, OrgKind  # noqa: E402

setup_test_environment()


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    session = client.session
    session["chibo_2fa_user"] = user.pk  # accounts.twofactor.SESSION_KEY
    session.save()
    return client


def _user(role: str, org: Org | None = None) -> tuple[User, Org]:
    qs = RoleAssignment.objects.filter(role=role).select_related("user", "org")
    if org is not None:
        qs = qs.filter(org=org)
    if role == "cell_secretary":  # a cell whose meetings were recorded, the busiest first
        qs = qs.annotate(n=Count("org__meetings")).filter(n__gt=0).order_by("-n", "user__username")
    ra = qs.order_by("user__username").first() if role != "cell_secretary" else qs.first()
    if ra is None:
        raise SystemExit(f"no {role} account")
    return ra.user, ra.org


def _widest(kind: str, school: bool = False) -> Org:
    """The org of ``kind`` (a school: with a school level) with the most open cells under it."""
    best, most = None, -1
    orgs = Org.objects.filter(kind=kind).order_by("path")
    if school:
        orgs = orgs.exclude(school_level="")
    for org in orgs or Org.objects.filter(kind=kind).order_by("path"):
        n = Org.objects.filter(
            org.subtree_filter(), kind__in=CELL_KINDS, closed_on__isnull=True
        ).count()
        if n > most:
            best, most = org, n
    assert best is not None
    return best


def _get(client: Client, url: str) -> tuple[float, float, Any]:
    started, cpu = time.perf_counter(), time.process_time()
    response = client.get(url)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert response.status_code == 200, (url, response.status_code)
    return wall * 1000, cpu * 1000, response


def _p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _line(name: str, first: float | None, walls: list[float], cpus: list[float]) -> None:
    head = f"first {first:7.1f}" if first is not None else " " * 13
    print(
        f"  {name:42} {head}  p50 {statistics.median(walls):7.1f}  p95 {_p95(walls):7.1f} ms"
        f"  (CPU p50 {statistics.median(cpus):6.1f}; n={len(walls)})",
        flush=True,
    )


def page(name: str, client: Client, url: str, runs: int, html: str | None) -> None:
    cache.clear()
    first, _cpu, response = _get(client, url)
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu, response = _get(client, url)
        walls.append(wall)
        cpus.append(cpu)
    _line(f"{name} {url}", first, walls, cpus)
    if html:
        safe = name.replace(" ", "_").replace(",", "")
        Path(html, f"{safe}.html").write_bytes(response.content)


def dashboard(office: Client, secretary: Client, cell: Org, runs: int) -> None:
    url = "/reports/"
    colds, cold_cpu = [], []
    for _ in range(runs):
        cache.clear()
        wall, cpu, _r = _get(office, url)
        colds.append(wall)
        cold_cpu.append(cpu)
    _line("dashboard city, cold (cache cleared)", None, colds, cold_cpu)
    meeting = Meeting.objects.filter(org=cell).order_by("-held_on").first()
    assert meeting is not None
    row = (
        Attendance.objects.filter(meeting=meeting, expected=True)
        .select_related("member")
        .order_by("id")
        .first()
    )
    assert row is not None
    code = row.member.member_code
    save = f"/activity/meetings/{meeting.pk}/attendance/{code}/"
    warm, warm_cpu, after, after_cpu = [], [], [], []
    _get(office, url)
    for _ in range(runs):
        wall, cpu, _r = _get(office, url)
        warm.append(wall)
        warm_cpu.append(cpu)
        status = Presence.PRESENT if row.status != Presence.PRESENT else Presence.UNEXCUSED
        with transaction.atomic():
            sid = transaction.savepoint()
            with TestCase.captureOnCommitCallbacks(execute=True):
                response = secretary.post(
                    save,
                    {f"status-{code}": status},
                    headers={"HX-Request": "true"},
                )
            assert response.status_code == 200, response.status_code
            wall, cpu, _r = _get(office, url)
            after.append(wall)
            after_cpu.append(cpu)
            transaction.savepoint_rollback(sid)
            transaction.set_rollback(True)
    _line("dashboard city, warm", None, warm, warm_cpu)
    _line(f"dashboard city, after an attendance row ({cell.code})", None, after, after_cpu)
    print(f"    ratio after/warm: ×{statistics.median(after) / statistics.median(warm):.1f}")


def after_meeting(office: Client, user: User, cell: Org, url: str, runs: int) -> None:
    """The overview right after a meeting is recorded in one of its cells (the counts it
    reads change: counted again), each meeting rolled back, next to a warm one."""
    from chibo.activity import services

    warm, warm_cpu, after, after_cpu = [], [], [], []
    for _ in range(runs):
        _get(office, url)  # counted again after the last round's rollback
        wall, cpu, _r = _get(office, url)
        warm.append(wall)
        warm_cpu.append(cpu)
        with transaction.atomic():
            sid = transaction.savepoint()
            with TestCase.captureOnCommitCallbacks(execute=True):
                services.meeting_create(
                    actor=user,
                    org=cell,
                    kind="regular",
                    held_on=timezone.localdate(),
                    confirm=True,
                )
            wall, cpu, _r = _get(office, url)
            after.append(wall)
            after_cpu.append(cpu)
            transaction.savepoint_rollback(sid)
            transaction.set_rollback(True)
    _line(f"overview city, warm {url}", None, warm, warm_cpu)
    _line(f"overview city, after a meeting of {cell.code}", None, after, after_cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--only", default="overview,meetings,dues,dashboard")
    parser.add_argument("--html", default="")
    args = parser.parse_args()
    only = set(args.only.split(","))
    if args.html:
        Path(args.html).mkdir(parents=True, exist_ok=True)
    root = Org.objects.filter(parent__isnull=True).order_by("path").first()
    assert root is not None
    office_user, _office_org = _user("city_office", root)
    secretary_user, cell = _user("cell_secretary")
    office, secretary = _client(office_user), _client(secretary_user)
    print(
        f"slow_pages: {connection.vendor}, city {root.code}, office {office_user.username}, "
        f"secretary {secretary_user.username} of {cell.code}, load {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    # Templates and first connections: not what is measured.
    secretary.get("/activity/")
    if "overview" in only:
        school = _widest(OrgKind.GRASSROOTS_COMMITTEE, school=True)
        page("overview city", office, f"/activity/?org={root.code}", args.runs, args.html)
        page("overview school", office, f"/activity/?org={school.code}", args.runs, args.html)
        after_meeting(office, secretary_user, cell, f"/activity/?org={root.code}", args.runs)
    if "meetings" in only:
        page("meetings cell", secretary, "/activity/meetings/", args.runs, args.html)
        page("meetings city", office, f"/activity/meetings/?org={root.code}", args.runs, args.html)
    if "dues" in only:
        unit = _widest(OrgKind.DIRECT_COMMITTEE)
        page("dues cell", secretary, "/activity/dues/", args.runs, args.html)
        page("dues unit", office, f"/activity/dues/?org={unit.code}", args.runs, args.html)
    if "dashboard" in only:
        dashboard(office, secretary, cell, args.runs)
    print(f"  load {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    sys.exit(main())
