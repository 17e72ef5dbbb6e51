"""A subtree's work counted per cell and per unit (``compute``), kept in the shared cache for a big
subtree.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from chibo.activity import periods
from chibo.activity.models import (
    Attendance,
    DuesPayment,
    Meeting,
    MeetingKind,
    MemberWarning,
    Tracking,
    TransferLetter,
    WarningLevel,
)
from chibo.activity.transfers import TempAway
from chibo.admissions.models import CLOSED, Candidate
from chibo.directives import selectors as directive_selectors
from chibo.directives.models import Assignment, ProgressReport, ReportStatus
from chibo.lib.dates import add_months
from chibo.members.models import ON_ROLLS, EventKind, Member, MemberEvent, Status
from chibo.orgs.models import CELL_KINDS, STEP, Org
from chibo.orgs.selectors import BIG_SUBTREE, subtree_member_counts

SOON_DAYS = 14


CACHE_TTL = 300  # seconds, big subtrees only


DUES_STATUSES = (Status.ACTIVE, Status.TEMP_AWAY)


# The order of the items on a page and of the columns of the units' table.
KEYS = (
    "no_data",
    "regular",
    "attendance",
    "thematic",
    "dues",
    "warnings",
    "reviews",
    "admissions_overdue",
    "admissions_due",
    "histories_overdue",
    "histories_due",
    "recognition_escalated",
    "directives_overdue",
    "directives_due",
    "transfers_out",
    "transfers_in",
    "temporary_overdue",
    "temporary_ending",
)


LAG_KEYS = (
    "missed_last_month",
    "attendance",
    "admissions_overdue",
    "histories_overdue",
    "directives_overdue",
    "warnings",
    "reviews",
)


@dataclass(frozen=True)
class MeetingRef:
    """A meeting to link to (the page needs its id and date only)."""

    pk: int
    held_on: dt.date


@dataclass
class Counts:
    """The figures of one cell or unit (``org``); ``cells`` = open cells with members."""

    org: Org
    cells: int = 0
    n: Counter = field(default_factory=Counter)
    # Cell level only: what to link to.
    planned: MeetingRef | None = None  # this month's regular meeting, not yet held
    unrecorded: MeetingRef | None = None  # held this month, no attendance rows

    @property
    def lag(self) -> int:
        return sum(self.n[k] for k in LAG_KEYS)

    @property
    def open_items(self) -> int:
        return sum(self.n[k] for k in KEYS)


@dataclass
class Item:
    """One line of the to-do list: a sentence, its count and the page that resolves it."""

    key: str
    label: str
    count: int
    url: str
    late: bool = False


@dataclass
class Work:
    root: Org
    month: dt.date
    quarter: tuple[int, int]
    total: Counts
    units: list[Counts]  # committee: one per unit, lagging first; a cell: empty
    computed_at: dt.datetime | None = None
    cached: bool = False  # kept in the shared cache (a big subtree)


# --- the figures --------------------------------------------------------------------------------


def _unit_of(root: Org, units: dict[str, Counts], total: Counts) -> Any:
    """A function from an org path to the Counts of its unit (the root itself: ``total`` only)."""
    width = len(root.path) + STEP

    def find(path: str) -> Counts | None:
        return units.get(path[:width]) if len(path) >= width else None

    return find


def compute(root: Org, today: dt.date, *, can_see_directives: bool = True) -> Work:
    """The month's work under ``root`` (a cell: its own; a committee: per unit)."""
    month = periods.month_of(today)
    last_month = periods.shift(month, -1)
    quarter = periods.quarter_of(month)
    quarter_months = periods.quarter_months(*quarter)
    total = Counts(root)
    units: dict[str, Counts] = {}
    if not root.is_cell:
        for unit in Org.objects.filter(parent=root, closed_on__isnull=True).order_by("path"):
            units[unit.path] = Counts(unit)
    unit_of = _unit_of(root, units, total)

    def add(path: str, key: str, n: int = 1) -> None:
        total.n[key] += n
        unit = unit_of(path)
        if unit is not None:
            unit.n[key] += n

    # Cells with members on the rolls: the ones expected to meet.
    cells: dict[int, str] = {}
    opened: dict[int, dt.date] = {}
    tracked_from: dict[int, dt.date] = {}  # the first month judged (activity.tracking)
    for pk, path, opened_on, start, first_month in (
        Org.objects.filter(root.subtree_filter(), kind__in=CELL_KINDS, closed_on__isnull=True)
        .filter(
            Exists(Member.objects.filter(org=OuterRef("pk"), status__in=ON_ROLLS)),
            opened_on__lte=today,
        )
        .values_list(
            "pk", "path", "opened_on", "activity_tracking__start", "activity_tracking__month"
        )
    ):
        cells[pk], opened[pk] = path, opened_on
        if start is not None and first_month is not None and start <= today:
            tracked_from[pk] = first_month
        else:
            add(path, "no_data")
    for path in cells.values():
        total.cells += 1
        unit = unit_of(path)
        if unit is not None:
            unit.cells += 1

    # Meetings: this month's and last month's regular ones, the quarter's thematic ones.
    held_regular: set[int] = set()
    held_last_month: set[int] = set()
    held_thematic: set[int] = set()
    meetings = (
        Meeting.objects.filter(root.subtree_filter("org__"))
        .filter(
            Q(kind=MeetingKind.REGULAR, month__in=[last_month, month])
            | Q(kind=MeetingKind.THEMATIC, month__in=quarter_months, held_on__lte=today)
        )
        .annotate(has_rows=Exists(Attendance.objects.filter(meeting=OuterRef("pk"))))
        .order_by("held_on", "pk")
    )
    planned: dict[int, MeetingRef] = {}
    for pk, org_id, kind, month_of, held_on, has_rows in meetings.values_list(
        "pk", "org_id", "kind", "month", "held_on", "has_rows"
    ):
        if kind == MeetingKind.THEMATIC:
            held_thematic.add(org_id)
        elif month_of == last_month:
            held_last_month.add(org_id)
        elif held_on > today:
            planned.setdefault(org_id, MeetingRef(pk, held_on))
        else:
            held_regular.add(org_id)
            if not has_rows and org_id in cells:
                add(cells[org_id], "attendance")
                if root.is_cell:
                    total.unrecorded = MeetingRef(pk, held_on)
    for org_id, path in cells.items():
        if org_id not in held_regular:
            add(path, "regular")
            if root.is_cell:
                total.planned = planned.get(org_id)
        if org_id not in held_thematic:
            add(path, "thematic")
        # Last month is judged only when the cell was open and tracked the whole of it.
        tracked = tracked_from.get(org_id)
        if (
            org_id not in held_last_month
            and opened[org_id] <= last_month
            and tracked is not None
            and tracked <= last_month
        ):
            add(path, "missed_last_month")

    # Dues not paid through this month, in tracked cells only.
    unpaid = (
        Member.objects.filter(
            root.subtree_filter("org__"), status__in=DUES_STATUSES, admitted_on__lte=today
        )
        .filter(_tracked("org", today))
        .exclude(Exists(DuesPayment.objects.filter(member=OuterRef("pk"), period__gte=month)))
        .order_by()
        .values_list("org__path")
        .annotate(n=Count("pk"))
    )
    for path, n in unpaid:
        add(path, "dues", n)

    # Stored warnings.
    for path, level, n in (
        MemberWarning.objects.filter(root.subtree_filter("org__"))
        .order_by()
        .values_list("org__path", "level")
        .annotate(n=Count("pk"))
    ):
        add(path, "reviews" if level == WarningLevel.REMOVAL_REVIEW else "warnings", n)

    # Admission steps due or overdue.
    soon = today + dt.timedelta(days=SOON_DAYS)
    for path, due, n in (
        Candidate.objects.filter(root.subtree_filter("org__"), next_due__lte=soon)
        .exclude(stage__in=CLOSED)
        .order_by()
        .values_list("org__path", "next_due")
        .annotate(n=Count("pk"))
    ):
        add(path, "admissions_overdue" if due < today else "admissions_due", n)

    # New members' personal histories not recorded, due soon or overdue (30 working days
    # after the ceremony), and recognition cases the cell sent to the upper committee.
    for path, due, n in (
        Candidate.objects.filter(
            root.subtree_filter("org__"),
            history_declared_on__isnull=True,
            history_due_on__lte=soon,
        )
        .exclude(stage__in=CLOSED)
        .order_by()
        .values_list("org__path", "history_due_on")
        .annotate(n=Count("pk"))
    ):
        add(path, "histories_overdue" if due < today else "histories_due", n)
    for path, n in (
        Candidate.objects.filter(root.subtree_filter("org__"), escalated_on__isnull=False)
        .exclude(stage__in=CLOSED)
        .order_by()
        .values_list("org__path")
        .annotate(n=Count("pk"))
    ):
        add(path, "recognition_escalated", n)

    # Transfers: out without a letter (last 12 months), in not yet received. For a committee
    # the rows are found through the (kind, date) index and the pending members (a few
    # thousand at city scale) and kept by path here: joined to a large subtree's orgs, SQLite
    # would read every event of every org (docs/performance.md).
    width = len(root.path)
    outgoing = MemberEvent.objects.filter(
        kind__in=(EventKind.TRANSFER_OUT, EventKind.TEMP_OUT),
        effective_date__gte=add_months(today, -12),
    ).exclude(Exists(TransferLetter.objects.filter(event=OuterRef("pk"))))
    if root.is_cell:
        outgoing = outgoing.filter(org=root)
    for path in outgoing.order_by().values_list("org__path", flat=True):
        if path[:width] == root.path:
            add(path, "transfers_out")
    # pending_org is set only while a transfer inside chibo is in transit: its index is small.
    for path, status in (
        Member.objects.filter(pending_org_id__gt=0)
        .order_by()
        .values_list("pending_org__path", "status")
    ):
        if status == Status.TRANSFERRED_OUT and path[:width] == root.path:
            add(path, "transfers_in")

    # Temporary transfers ending or past their expected end (members still away).
    away = dict(
        Member.objects.filter(root.subtree_filter("org__"), status=Status.TEMP_AWAY)
        .order_by()
        .values_list("pk", "org__path")
    )
    ends: dict[int, tuple[dt.date, int, str | None]] = {}
    for member_id, start, pk, data in MemberEvent.objects.filter(
        member_id__in=list(away), kind=EventKind.TEMP_OUT
    ).values_list("member_id", "effective_date", "pk", "data"):
        if member_id not in ends or (start, pk) > ends[member_id][:2]:
            ends[member_id] = (start, pk, (data or {}).get("until"))
    for member_id, (_start, _pk, until) in ends.items():
        if until:
            state = TempAway.state_on(dt.date.fromisoformat(until), today)
            if state in ("ending", "overdue"):
                add(away[member_id], f"temporary_{state}")

    if can_see_directives:
        for path, state in directive_states(root, today):
            add(path, state)

    ordered = sorted(units.values(), key=lambda u: (-u.lag, -u.open_items, u.org.path))
    return Work(root, month, quarter, total, ordered, computed_at=timezone.now())


def compute_cached(root: Org, today: dt.date) -> Work:
    """``compute``, kept CACHE_TTL seconds in the shared cache for a subtree of BIG_SUBTREE members."""
    if root.is_cell or subtree_member_counts([root]).get(root.pk, 0) < BIG_SUBTREE:
        return compute(root, today)
    key = f"home:work:v1:{root.pk}:{root.path}:{today.isoformat()}"
    found = cache.get(key)
    if found is None:
        found = compute(root, today)
        found.cached = True
        cache.set(key, found, CACHE_TTL)
    return found


def _tracked(prefix: str, today: dt.date) -> Q:
    """Orgs whose activity is tracked by ``today`` (a start in ``activity.tracking``)."""
    return Q(Exists(Tracking.objects.filter(org=OuterRef(prefix), start__lte=today)))


def directive_states(root: Org, today: dt.date) -> list[tuple[str, str]]:
    """(org path, "directives_overdue" | "directives_due") of the subtree's assignments (2 queries)."""
    soon = today + dt.timedelta(days=SOON_DAYS)
    assignments = list(
        Assignment.objects.filter(root.subtree_filter("org__"))
        .select_related("task", "org")
        .order_by("pk")
    )
    latest: dict[int, tuple[str, dt.date]] = {}
    for a in assignments:
        started = directive_selectors.task_periods(a.task, today)
        if started:
            period = max(started, key=lambda p: p.start)
            latest[a.pk] = (period.key, directive_selectors.due_on(a.task, period))
    done = {
        (assignment_id, period)
        for assignment_id, period in ProgressReport.objects.filter(
            assignment_id__in=list(latest),
            status__in=(ReportStatus.SUBMITTED, ReportStatus.ACCEPTED),
        ).values_list("assignment_id", "period")
    }
    out = []
    for a in assignments:
        if a.pk not in latest:
            continue
        key, due = latest[a.pk]
        if (a.pk, key) in done or due > soon or a.org is None:
            continue
        out.append((a.org.path, "directives_overdue" if due < today else "directives_due"))
    return out
