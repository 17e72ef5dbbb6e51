"""The city dashboard after writes (docs/performance.md): cold, warm, and right after each kind of write.

    DATABASE_URL=sqlite:///var/copy.sqlite3 .venv/bin/python bench/dashboard_writes.py [--runs 5]

Run it on a COPY of a seeded database: it writes (through the services, as
the system): one attendance row changed on a cell's meeting, a dues payment,
a meeting's topic edited, a member event (a member of a cell removed). After
each write the city dashboard is read once (``reports.selectors.dashboard``,
the figures the page shows, server time without the template); the medians
over ``--runs`` rounds are printed with the ratio to a warm read, and the
CPU time of the process next to the wall time. "cold" is the first read with
an empty cache (a restart with a new cache, or a scope never seen), measured
``--runs`` times for the city and for its largest unit (the first child with
the most events).

The code measured is the one on ``sys.path`` first: run from another checkout
(``cd ../other && .venv/bin/python /path/to/bench/dashboard_writes.py``) to
compare two versions on the same data.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path.cwd()))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chibo.settings")

import django

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.utils import timezone  # noqa: E402

from chibo.activity import dues, periods, services  # noqa: E402
from chibo.activity.models import DuesPayment, Meeting, MeetingKind  # noqa: E402
from chibo.members import services as member_services  # noqa: E402
from chibo.members.models import ON_ROLLS, Member, RemovalReason  # noqa: E402
from chibo.orgs.models import CELL_KINDS, Org  # noqa: E402
from chibo.reports import selectors  # noqa: E402

CPU: dict[str, list[float]] = {}


def _ms(func: Callable[[], Any], case: str = "") -> float:
    started, cpu = time.perf_counter(), time.process_time()
    func()
    if case:
        CPU.setdefault(case, []).append((time.process_time() - cpu) * 1000)
    return (time.perf_counter() - started) * 1000


def _cell() -> Org:
    """A cell with members on the rolls (the same one each run: the busiest of the first 200)."""
    busy = (
        Member.objects.filter(status__in=ON_ROLLS, org__kind__in=CELL_KINDS)
        .values("org_id")
        .annotate(n=Count("id"))
        .order_by("-n", "org_id")[:1]
    )
    return Org.objects.get(pk=busy[0]["org_id"])


def _meeting(cell: Org, today: dt.date) -> Meeting:
    held_on = today.replace(day=1) if today.day > 1 else today
    meeting = Meeting.objects.filter(org=cell, held_on=held_on).first()
    if meeting is None:
        meeting = services.meeting_create(
            actor=None, org=cell, kind=MeetingKind.REGULAR, held_on=held_on, confirm=True
        )
    return meeting


def _unpaid(cell: Org, today: dt.date, n: int) -> list[tuple[Member, dt.date]]:
    """``n`` members of ``cell`` on the rolls, each with a month of this year they have not
    paid (a seeded database has paid most members up to this month: a payment for a month
    already paid is refused), this month first, then the months before, then the next."""
    this_month = today.replace(day=1)
    months = [this_month.replace(month=m) for m in range(this_month.month, 0, -1)]
    months += [periods.shift(this_month, k) for k in (1, 2)]
    paid: dict[int, set[dt.date]] = {}
    on_rolls = Member.objects.filter(org=cell, status__in=ON_ROLLS)
    for member_id, period in DuesPayment.objects.filter(
        member__in=on_rolls, period__in=months
    ).values_list("member_id", "period"):
        paid.setdefault(member_id, set()).add(period)
    out = []
    for member in on_rolls.order_by("id"):
        first = periods.month_of(member.admitted_on)
        free = [m for m in months if m >= first and m not in paid.get(member.pk, ())]
        if free:
            out.append((member, free[0]))
        if len(out) == n:
            break
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    today = timezone.localdate()
    root = Org.objects.filter(parent__isnull=True).order_by("path").first()
    cell = _cell()
    meeting = _meeting(cell, today)
    members = list(
        Member.objects.filter(org=cell, status__in=ON_ROLLS).order_by("id")[: 3 * args.runs + 3]
    )

    def read() -> None:
        selectors.dashboard(None, root, today)

    flips = iter(range(10**6))

    def attendance() -> None:
        status = "present" if next(flips) % 2 else "unexcused"
        row = meeting.attendance.select_related("member").order_by("id").first()
        services.attendance_record(
            actor=None,
            meeting=meeting,
            entries=[services.AttendanceEntry(row.member.member_code, status)],
        )

    def meeting_edit() -> None:
        services.meeting_update(actor=None, meeting=meeting, topic=f"bench {time.time_ns()}")

    unpaid = _unpaid(cell, today, args.runs + 1)
    payers = iter(unpaid)

    def dues_payment() -> None:
        member, month = next(payers)
        dues.dues_pay(
            actor=None,
            member=member,
            months=[month],
            amount_vnd=10000,
            paid_on=today,
            method="cash",
            confirm=True,
        )

    paying = {member.pk for member, _month in unpaid}
    leavers = iter([m for m in reversed(members) if m.pk not in paying])

    def member_event() -> None:
        member_services.member_remove(
            actor=None,
            member=next(leavers),
            effective_date=today,
            decision=member_services.Decision("1-QĐ/bench"),
            reason=RemovalReason.ABANDONED_ACTIVITY,
        )

    # The unit: the child of the city with the most orgs under it.
    width = len(root.path) + 6
    sizes: dict[str, int] = {}
    for path in Org.objects.filter(depth__gt=root.depth + 1).values_list("path", flat=True):
        sizes[path[:width]] = sizes.get(path[:width], 0) + 1
    unit_org = Org.objects.get(path=max(sizes, key=sizes.get)) if sizes else root
    cold: dict[str, list[float]] = {"cold, city": [], f"cold, unit {unit_org.code}": []}
    for _ in range(args.runs):
        cache.clear()
        cold["cold, city"].append(_ms(read, "cold, city"))
        cache.clear()
        cold[f"cold, unit {unit_org.code}"].append(
            _ms(
                lambda: selectors.dashboard(None, unit_org, today),
                f"cold, unit {unit_org.code}",
            )
        )
    cache.clear()
    read()
    cases: dict[str, list[float]] = {"warm": []}
    writes = {
        "after an attendance row": attendance,
        "after a dues payment": dues_payment,
        "after a meeting edit": meeting_edit,
        "after a member event": member_event,
    }
    for name in writes:
        cases[name] = []
    for _ in range(args.runs):
        read()
        cases["warm"].append(_ms(read, "warm"))
        for name, write in writes.items():
            try:
                write()
            except Exception as exc:  # a write this data cannot take: said, skipped
                print(f"  {name}: the write failed ({exc.__class__.__name__}: {exc})")
                continue
            cases[name].append(_ms(read, name))
    warm = statistics.median(cases["warm"])
    print(
        f"dashboard_writes: {connection.vendor}, {Member.objects.count()} members, "
        f"city {root.code}, cell {cell.code}, load {os.getloadavg()[0]:.2f}"
    )
    for name, times in {**cold, **cases}.items():
        if times:
            median = statistics.median(times)
            cpu = statistics.median(CPU[name])
            print(
                f"  {name:27} {median:8.1f} ms  ×{median / warm:5.1f} of warm"
                f"  (CPU {cpu:.1f} ms; runs: {', '.join(f'{t:.0f}' for t in times)})"
            )


if __name__ == "__main__":
    main()
