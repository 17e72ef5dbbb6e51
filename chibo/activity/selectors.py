"""Reads of the activity app, always from the actor's scope (404 outside it, 403 on writes)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, overload

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet, PermissionDenied
from django.db import connection, connections
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from chibo.activity import periods, tracking
from chibo.activity.models import (
    AbsenceReason,
    Attendance,
    DuesPayment,
    Meeting,
    MeetingKind,
    MemberWarning,
    Presence,
    WarningLevel,
)
from chibo.activity.services import RosterEntry, meeting_roster
from chibo.core import audit
from chibo.core.models import AuditEntry
from chibo.core.roles import Cap
from chibo.core.scoping import scope_for
from chibo.members.models import ON_ROLLS, Member, Status
from chibo.orgs.models import CELL_KINDS, Org
from chibo.orgs.selectors import get_org_for, orgs_for


def org_for(actor: Any, code: str, *, write: bool = False) -> Org:
    return get_org_for(
        actor, code, cap=Cap.MEMBER_VIEW, write_cap=Cap.MEMBER_CHANGE if write else None
    )


def home_org(actor: Any) -> Org | None:
    """Where an actor's pages start: the top of its member scope."""
    paths = [path for path, _bound in scope_for(actor, Cap.MEMBER_VIEW).ranges]
    return Org.objects.filter(path__in=paths).order_by("path").first()


def can_write(actor: Any, org: Org) -> bool:
    return scope_for(actor, Cap.MEMBER_CHANGE).covers(org)


def can_restructure(actor: Any, org: Org) -> bool:
    """Committee staff over ``org`` (who set its cells' tracking start)."""
    return scope_for(actor, Cap.ORG_RESTRUCTURE).covers(org)


def audit_list_read(actor: Any, codes: list[str], context: dict[str, Any]) -> None:
    """A page showing named members was read (Decree 13/2023): record whose records were seen."""
    if codes:
        audit.record(
            actor=actor,
            action="activity.list",
            object_type="member",
            object_id="",
            data={"members": codes, **context},
        )


# --- meetings and the attendance sheet ------------------------------------------------------


def meetings_of(actor: Any, org: Org) -> list[Meeting]:
    if not scope_for(actor, Cap.MEMBER_VIEW).covers(org):
        raise Http404(_("No such party organization in your scope."))
    return list(
        Meeting.objects.filter(org=org)
        .select_related("group")
        .annotate(absent=Count("attendance", filter=~_present()), rows=Count("attendance"))
        .order_by("-held_on", "kind")
    )


def _present() -> Q:
    return Q(attendance__status=Presence.PRESENT)


def meeting_for(actor: Any, pk: int, *, write: bool = False) -> Meeting:
    meeting = (
        Meeting.objects.filter(scope_for(actor, Cap.MEMBER_VIEW).q("org__"), pk=pk)
        .select_related("org")
        .first()
    )
    if meeting is None:
        raise Http404(_("No such meeting in your scope."))
    if write and not can_write(actor, meeting.org):
        raise PermissionDenied(_("Your role may view this meeting but not change it."))
    return meeting


@dataclass
class SheetRow:
    entry: RosterEntry
    status: str
    reason_id: int | None
    note: str
    saved: bool
    version: int = 0  # Attendance.version (NULL or no row yet: 0)

    @property
    def member(self) -> Member:
        return self.entry.member


@dataclass
class Sheet:
    meeting: Meeting
    expected: list[SheetRow]
    attached: list[SheetRow]
    not_expected: list[RosterEntry]
    reasons: list[AbsenceReason]
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def codes(self) -> list[str]:
        return [r.member.member_code for r in (*self.expected, *self.attached)] + [
            e.member.member_code for e in self.not_expected
        ]


def attendance_sheet(meeting: Meeting) -> Sheet:
    """The whole roster on one screen, present by default where nothing is recorded yet."""
    people = meeting_roster(meeting)
    rows = {
        member_id: (status, reason_id, note, version or 0)
        for member_id, status, reason_id, note, version in Attendance.objects.filter(
            meeting=meeting
        ).values_list("member_id", "status", "reason_id", "note", "version")
    }
    expected: list[SheetRow] = []
    attached: list[SheetRow] = []
    not_expected: list[RosterEntry] = []
    for entry in people:
        if not (entry.expected or entry.attached):
            not_expected.append(entry)
            continue
        row = rows.get(entry.member.pk)
        status, reason_id, note, version = row or (Presence.PRESENT, None, "", 0)
        sheet_row = SheetRow(entry, status, reason_id, note, row is not None, version)
        (attached if entry.attached else expected).append(sheet_row)
    every_reason = list(AbsenceReason.objects.all())
    sheet = Sheet(meeting, expected, attached, not_expected, [r for r in every_reason if r.active])
    sheet.summary = minutes_summary(sheet, {r.pk: r.name for r in every_reason})
    return sheet


def last_attendance_change(meeting: Meeting, code: str) -> dict[str, Any] | None:
    """Who last saved ``code``'s row of ``meeting``, and when (from the audit log), or None."""
    for entry in (
        AuditEntry.objects.filter(
            object_type="member", object_id=code, action="activity.attendance"
        )
        .select_related("actor")
        .order_by("-seq")[:20]
    ):
        if (entry.data or {}).get("meeting") == meeting.pk:
            actor = entry.actor
            name = (actor.get_full_name() or actor.username) if actor else ""
            return {"name": name, "at": entry.created_at}
    return None


def minutes_summary(sheet: Sheet, reasons: dict[int, str] | None = None) -> dict[str, Any]:
    """The totals the minutes template asks for (RULES.md, "Cell meetings")."""
    if reasons is None:
        reasons = {r.pk: r.name for r in AbsenceReason.objects.all()}
    full = [r for r in sheet.expected if r.entry.full]
    probationary = [r for r in sheet.expected if not r.entry.full]

    def present(rows: list[SheetRow]) -> int:
        return sum(r.status == Presence.PRESENT for r in rows)

    excused = [
        (r.member, reasons.get(r.reason_id or 0, ""), r.note)
        for r in sheet.expected
        if r.status == Presence.EXCUSED
    ]
    unexcused = [r.member for r in sheet.expected if r.status == Presence.UNEXCUSED]
    return {
        "full_total": len(full),
        "probationary_total": len(probationary),
        "attached_total": len(sheet.attached),
        "exempted_total": sum(e.status == Status.EXEMPTED for e in sheet.not_expected),
        "temp_away_total": sum(e.status == Status.TEMP_AWAY for e in sheet.not_expected),
        "expected_total": len(sheet.expected),
        "full_present": present(full),
        "probationary_present": present(probationary),
        "attached_present": present(sheet.attached),
        "present_total": present(sheet.expected),
        "excused": excused,
        "unexcused": unexcused,
    }


# --- the superior's signal: cells that skipped meetings ------------------------------------


@dataclass
class MissingMeetings:
    org: Org
    months: list[str]  # YYYY-MM without a regular meeting
    quarters: list[str]  # YYYY-Qn without a thematic meeting


# Cells with members on the rolls, per subtree, in the shared cache (``populated_cells``).
POPULATED_PREFIX = "activity:populated:v2"
POPULATED_TTL = 600  # seconds: a safety net (see ``populated_state``)
# More newer events than this (an import): the cells are counted again rather than probed.
PROBED_EVENTS_MAX = 2000
_TREE_TABLES = ("orgs_org", "orgs_orgevent", "orgs_orgperiod")


def _populated_version() -> tuple[int, str]:
    """The newest member event's id and the org tree's version (the newest id of its tables),
    in one query of index-only ``MAX(id)`` lookups: who is on a cell's rolls changes only by
    a member event (admission, transfer, removal, death…), the cells only with the tree."""
    tables = ("members_memberevent", *_TREE_TABLES)
    parts = ", ".join(f"(SELECT MAX(id) FROM {table})" for table in tables)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {parts}")  # constant table names
        row = cursor.fetchone()
    return int(row[0] or 0), ".".join(str(v) for v in row[1:])


@dataclass(frozen=True)
class PopulatedState:
    """``upto``: the newest member event the state has seen; ``changed``: the event at which
    the set of populated cells last changed (or the state was first counted); ``key``: the
    cache entry holding that set."""

    upto: int
    changed: int
    key: str


def _cells_on_rolls(under: Org | None) -> Any:
    qs = Org.objects.filter(kind__in=CELL_KINDS)
    if under is not None:
        qs = qs.filter(under.subtree_filter())
    return qs.order_by()


def _probed(under: Org | None, after: int, upto: int) -> dict[int, bool]:
    """The cells of ``under``'s subtree that the members of the events with ids in
    (after, upto] have belonged to (the orgs of all their events, and their current org),
    each with whether it has members on the rolls now: one query, led by the events' key."""
    members = "SELECT member_id FROM members_memberevent WHERE id > %s AND id <= %s"
    kinds = ", ".join(["%s"] * len(CELL_KINDS))
    on_rolls = ", ".join(["%s"] * len(ON_ROLLS))
    where, params = "", []
    if under is not None:
        where, params = " AND o.path >= %s AND o.path < %s", [under.path, under.path_bound]
    sql = f"""SELECT o.id, EXISTS (SELECT 1 FROM members_member m
                                   WHERE m.org_id = o.id AND m.status IN ({on_rolls}))
                FROM orgs_org o
               WHERE o.id IN (SELECT t.org_id FROM members_memberevent t
                               WHERE t.member_id IN ({members})
                              UNION
                              SELECT m.org_id FROM members_member m
                               WHERE m.id IN ({members}))
                 AND o.kind IN ({kinds}){where}"""  # noqa: S608 (placeholders only)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*ON_ROLLS, after, upto, after, upto, *CELL_KINDS, *params])
        return {pk: bool(on) for pk, on in cursor.fetchall()}


def populated_key(under: Org | None, tree: str) -> str:
    """The entry of ``populated_state`` for ``under``'s subtree at the tree's version ``tree``."""
    where = f"{under.pk}:{under.path}" if under is not None else "all"
    return f"{POPULATED_PREFIX}:{where}:{tree}"


_UNREAD: Any = object()


def populated_state(
    under: Org | None = None,
    version: tuple[int, str] | None = None,
    stored: Any = _UNREAD,
) -> PopulatedState:
    """Where the set of ``under``'s cells with members on the rolls stands (``populated_cells``
    reads the set itself). ``version``: ``_populated_version()`` when the caller has read it;
    ``stored``: the entry under ``populated_key`` when the caller has read it (None: none).

    Counted once by one index probe per cell (a city: 10,500 probes), then kept up to date
    by the member events written since: only the cells their members have belonged to are
    probed again, and a cell of the subtree among them that was emptied or filled changes
    the set (stored anew under ``changed``). An event elsewhere, or one that leaves every
    cell populated or empty as it was, only moves ``upto`` on. A change of the tree starts
    over. The set is kept as a bitmap of the cells' ids (a city's is a few kilobytes: read
    and compared at once). ``POPULATED_TTL`` is a safety net: on PostgreSQL an event whose
    transaction took a lower id but committed after a newer one was seen is missed until
    the entry expires.
    """
    upto, tree = version or _populated_version()
    key = populated_key(under, tree)
    state = cache.get(key) if stored is _UNREAD else stored
    if state is not None and state["upto"] == upto:
        return PopulatedState(upto, state["changed"], f"{key}:{state['changed']}")
    if state is not None and state["upto"] < upto <= state["upto"] + PROBED_EVENTS_MAX:
        probed = _probed(under, state["upto"], upto)
        changed = state["changed"]
        bitmap = cache.get(f"{key}:{changed}") if probed else b""
        if bitmap is None:
            state = None  # the set expired: counted again below
        elif probed and any(_has(bitmap, pk) != bool(on) for pk, on in probed.items()):
            cells = _cells(bitmap)
            cells.difference_update(probed)
            cells.update(pk for pk, on in probed.items() if on)
            changed = upto
            cache.set(f"{key}:{changed}", _bitmap(cells), POPULATED_TTL)
        if state is not None:
            cache.set(key, {"upto": upto, "changed": changed}, POPULATED_TTL)
            return PopulatedState(upto, changed, f"{key}:{changed}")
    # First count, a replica behind the last one, or an expired set: as if it changed now.
    on_rolls = Member.objects.filter(org=OuterRef("pk"), status__in=ON_ROLLS)
    cells = set(_cells_on_rolls(under).filter(Exists(on_rolls)).values_list("pk", flat=True))
    cache.set(f"{key}:{upto}", _bitmap(cells), POPULATED_TTL)
    cache.set(key, {"upto": upto, "changed": upto}, POPULATED_TTL)
    return PopulatedState(upto, upto, f"{key}:{upto}")


def _bitmap(ids: set[int]) -> bytes:
    """``ids`` as a bitmap (bit ``i % 8`` of byte ``i // 8``)."""
    out = bytearray(max(ids) // 8 + 1 if ids else 0)
    for i in ids:
        out[i >> 3] |= 1 << (i & 7)
    return bytes(out)


def _has(bitmap: bytes, i: int) -> bool:
    return (i >> 3) < len(bitmap) and bool(bitmap[i >> 3] & (1 << (i & 7)))


def _cells(bitmap: bytes) -> set[int]:
    return {
        (n << 3) | bit
        for n, byte in enumerate(bitmap)
        if byte
        for bit in range(8)
        if byte & (1 << bit)
    }


def populated_cells(under: Org | None = None, state: PopulatedState | None = None) -> set[int]:
    """The cells of ``under``'s subtree (None: every cell) with members on the rolls, from the
    shared cache (``populated_state``: kept up to date by the member events written since
    it was counted), so that the city's overview reads a set instead of probing every cell
    after each member event."""
    state = state or populated_state(under)
    bitmap = cache.get(state.key)
    if bitmap is None:  # expired between the two reads: counted again
        on_rolls = Member.objects.filter(org=OuterRef("pk"), status__in=ON_ROLLS)
        return set(_cells_on_rolls(under).filter(Exists(on_rolls)).values_list("pk", flat=True))
    return _cells(bitmap)


class MissingList(Sequence[MissingMeetings]):
    """The cells that skipped meetings, as ``(org id, months, quarters)``: each slice's orgs
    (with their parents) read when the slice is taken. A page of a city's 1,200 cells reads
    50 orgs, not all of them."""

    def __init__(self, found: list[tuple[int, list[str], list[str]]]) -> None:
        self.found = found

    def __len__(self) -> int:
        return len(self.found)

    @overload
    def __getitem__(self, index: int) -> MissingMeetings: ...

    @overload
    def __getitem__(self, index: slice) -> list[MissingMeetings]: ...

    def __getitem__(self, index: int | slice) -> MissingMeetings | list[MissingMeetings]:
        if isinstance(index, int):
            return self._load([self.found[index]])[0]
        return self._load(self.found[index])

    @staticmethod
    def _load(rows: list[tuple[int, list[str], list[str]]]) -> list[MissingMeetings]:
        orgs: dict[int, Org] = {}
        ids = [pk for pk, _months, _quarters in rows]
        for i in range(0, len(ids), 500):
            orgs.update(Org.objects.select_related("parent").in_bulk(ids[i : i + 500]))
        return [MissingMeetings(orgs[pk], months_, quarters_) for pk, months_, quarters_ in rows]


def cells_missing_meetings(
    actor: Any, as_of: dt.date, *, months: int = 3, under: Org | None = None
) -> list[MissingMeetings]:
    """The cells ``missing_meetings`` finds, each with its org and the org's parent."""
    return list(missing_meetings(actor, as_of, months=months, under=under)[:])


def _fetched(qs: Any, index: str = "") -> list[tuple[Any, ...]]:
    """``qs``'s rows as the driver gives them, read on ``qs``'s database (the replica under
    ``reporting()``): no Django converter per value. ``index``: `` INDEXED BY name`` for
    ``qs``'s table, on SQLite (its planner's choice otherwise)."""
    try:
        sql, params = qs.query.get_compiler(qs.db).as_sql()
    except EmptyResultSet:  # a condition nothing can meet (an empty scope)
        return []
    if index and connections[qs.db].vendor == "sqlite":
        table = f'FROM "{qs.model._meta.db_table}"'
        assert sql.count(table) == 1, sql
        sql = sql.replace(table, table + index)
    with connections[qs.db].cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def missing_meetings(
    actor: Any, as_of: dt.date, *, months: int = 3, under: Org | None = None
) -> MissingList:
    """Cells in the actor's scope without their monthly meeting (``_judged``; the docstring
    there)."""
    return MissingList(_judged(actor, as_of, months, under)[0])


def judged_counts(
    actor: Any, as_of: dt.date, under: Org, populated: set[int] | None = None
) -> tuple[int, int]:
    """How many cells of ``under``'s subtree in the actor's scope ``missing_meetings`` lists
    (over 3 months) and how many are without activity data (``tracking.cells_without_data``),
    in one scan of the cells (the dashboard's two counts). ``populated``: the subtree's cells
    with members on the rolls, when the caller has read them."""
    found, without_data = _judged(actor, as_of, 3, under, populated)
    return len(found), without_data


def overview_counts(actor: Any, org: Org, as_of: dt.date) -> dict[str, Any]:
    """What the activity overview of ``org`` counts, as plain values (kept in the shared
    cache by ``activity.signals.overview_keeper``): ``missing``, the cells that skipped meetings (``(org id,
    months, quarters)``, ``missing_meetings``), ``without_data``, the cells with members on
    the rolls and no tracking start (``tracking.cells_without_data``, read in the same scan
    of the cells from the populated set instead of a probe per cell), and ``warnings``, the
    stored warnings per level (``warning_counts``)."""
    found, without_data = _judged(actor, as_of, 3, org)
    return {
        "missing": found,
        "without_data": without_data,
        "warnings": warning_counts(actor, org),
    }


def _judged(
    actor: Any,
    as_of: dt.date,
    months: int,
    under: Org | None,
    populated: set[int] | None = None,
) -> tuple[list[tuple[int, list[str], list[str]]], int]:
    """Cells in the actor's scope without their monthly meeting in any of the last ``months``
    complete months, or without a thematic meeting in a complete quarter among them (Charter Art. 24).

    Only open cells with members on the rolls are expected to meet, and only from their
    tracking start (``activity.tracking``): a month before the start's month, or a quarter
    that began before it, is not judged; a cell without any record is not listed here but
    among the cells without activity data (``tracking.cells_without_data``). ``actor=None``
    is the system (the ``report`` command): every cell.
    """
    current = periods.month_of(as_of)
    checked = [periods.shift(current, -i) for i in range(months, 0, -1)]
    quarters = sorted(
        {
            periods.quarter_of(m)
            for m in checked
            if periods.quarter_months(*periods.quarter_of(m))[-1] < current
        }
    )
    visible = Org.objects.all() if actor is None else orgs_for(actor, Cap.MEMBER_VIEW)
    cells = visible.filter(kind__in=CELL_KINDS)
    if under is not None:
        cells = cells.filter(under.subtree_filter())
    # Only tracked cells with members on the rolls are judged: those with a tracking start
    # (the cell's own row, one to one: its start and month come in the same read) among the
    # subtree's populated cells (kept in the cache: ``populated_cells``). The populated cells
    # without a start are the cells without activity data (``tracking.cells_without_data``).
    # Read by the cursor: the driver gives the dates (Django's converters, one call per value
    # of a city's 10,500 rows, are not needed).
    if populated is None:
        populated = populated_cells(under)
    judged = []
    without_data = 0
    rows = cells.order_by("path").values_list(
        "pk", "opened_on", "closed_on", "activity_tracking__start", "activity_tracking__month"
    )
    for row in _fetched(rows):
        if row[0] in populated:
            # No start by ``as_of``: without activity data (a later start judges nothing yet).
            if row[3] is None or row[3] > as_of:
                without_data += 1
            else:
                judged.append(row)
    # What was held, one row per cell: a flag per checked month (a regular meeting) and per
    # quarter (a thematic meeting), aggregated in SQL over the (org, month) index, read for
    # the subtree's cells (a superset of the judged ones: the scope and the probes above
    # are not repeated).
    flags = {
        f"m{i}": Count("month", filter=Q(kind=MeetingKind.REGULAR, month=m))
        for i, m in enumerate(checked)
    }
    for j, (year, q) in enumerate(quarters):
        flags[f"q{j}"] = Count(
            "month", filter=Q(kind=MeetingKind.THEMATIC, month__in=periods.quarter_months(year, q))
        )
    first = min([checked[0], *[periods.quarter_months(*q)[0] for q in quarters]])
    meetings = Meeting.objects.filter(month__gte=first, month__lt=current)
    # A top org's subtree is (nearly) every org: its meetings are read without the join to
    # the orgs that filters them (the other tops' meetings only add rows never looked up).
    whole = under is None or under.parent_id is None
    if under is not None and not whole:
        meetings = meetings.filter(under.subtree_filter("org__"))
    names = list(flags)
    grouped = meetings.order_by().values("org_id").annotate(**flags).values_list("org_id", *names)
    # SQLite reads the months' meetings from the (month, org, kind) index alone; by itself it
    # takes (org, month) and reads each meeting's row for its kind (60 ms at 71,000 against 40).
    covering = " INDEXED BY meeting_month_org_idx" if whole else ""
    held = {row[0]: row[1:] for row in _fetched(grouped, covering)}  # whole numbers
    nothing = (0,) * len(names)
    # Per checked month: its label, first day and last day; per quarter: its label, months.
    month_spans = [(periods.label(m), m, periods.month_end(m)) for m in checked]
    quarter_spans = [
        (
            periods.quarter_label(year, q),
            periods.quarter_months(year, q)[0],
            periods.month_end(periods.quarter_months(year, q)[-1]),
        )
        for year, q in quarters
    ]
    found: list[tuple[int, list[str], list[str]]] = []
    for pk, opened_on, closed_on, _start, start_month in judged:
        if start_month is None:  # a start without its month is not a start (``tracking``)
            continue
        # Alive in a month: opened by its first day, not closed by its last, tracked from it.
        since = max(opened_on, start_month)
        row = held.get(pk, nothing)
        missing_months = [
            label
            for i, (label, first_day, last_day) in enumerate(month_spans)
            if not row[i] and since <= first_day and (closed_on is None or closed_on > last_day)
        ]
        missing_quarters = [
            label
            for j, (label, first_day, last_day) in enumerate(quarter_spans)
            if not row[len(checked) + j]
            and since <= first_day
            and (closed_on is None or closed_on > last_day)
        ]
        if missing_months or missing_quarters:
            found.append((pk, missing_months, missing_quarters))
    return found, without_data


# --- warnings (stored by the daily run) ---------------------------------------------------

WARNING_SORTS = {
    "level": ("-level", "org__code", "member__name_folded"),
    "name": ("member__name_folded", "member__member_code"),
    "org": ("org__code", "member__name_folded"),
    "as_of": ("-as_of", "member__name_folded"),
}


def _warnings(actor: Any, org: Org, level: str = "") -> Any:
    if not scope_for(actor, Cap.MEMBER_VIEW).covers(org):
        raise Http404(_("No such party organization in your scope."))
    qs = MemberWarning.objects.filter(org.subtree_filter("org__"))
    return qs.filter(level=level) if level else qs


def warnings_for(
    actor: Any, org: Org, *, sort: str = "level", level: str = "", limit: int | None = None
) -> list[MemberWarning]:
    """Stored warnings of ``org``'s subtree, sorted; the first ``limit`` rows (all by default)."""
    qs = _warnings(actor, org, level).select_related("member", "org")
    if sort in ("inactive", "unpaid"):  # by the length of a JSON list: sorted here
        attr = "inactive_months" if sort == "inactive" else "unpaid_months"
        rows = sorted(qs.order_by(*WARNING_SORTS["level"]), key=lambda w: -len(getattr(w, attr)))
        return rows[:limit] if limit is not None else rows
    qs = qs.order_by(*WARNING_SORTS.get(sort, WARNING_SORTS["level"]))
    return list(qs[:limit] if limit is not None else qs)


def warning_counts(actor: Any, org: Org) -> dict[str, int]:
    """How many stored warnings of each level ``org``'s subtree has (one grouped count)."""
    counts = dict.fromkeys(WarningLevel.values, 0)
    counts.update(
        _warnings(actor, org)
        .order_by()
        .values_list("level")
        .annotate(n=Count("pk"))
        .values_list("level", "n")
    )
    return counts


# --- dues ------------------------------------------------------------------------------------


@dataclass
class DuesRow:
    member: Member
    paid: dict[dt.date, int]  # month → amount
    paid_through: dt.date | None
    arrears: list[dt.date]
    cells: list[tuple[dt.date, int | None, bool]] = field(
        default_factory=list
    )  # month, amount, in arrears


def dues_grid(
    org: Org, year: int, as_of: dt.date
) -> tuple[list[dt.date], list[DuesRow], dict[str, int]]:
    """Who paid which month of ``year`` in ``org``'s cells; arrears from the cell's tracking start
    (``activity.tracking``) up to the month before ``as_of``."""
    months = [dt.date(year, m, 1) for m in range(1, 13)]
    members = list(
        Member.objects.filter(
            org.subtree_filter("org__"),
            status__in=(Status.ACTIVE, Status.TEMP_AWAY, Status.EXEMPTED),
        )
        .select_related("org")
        .order_by("org__path", "name_folded")[:2000]
    )
    paid: dict[int, dict[dt.date, int]] = defaultdict(dict)
    last_paid: dict[int, dt.date] = {}
    ids = [m.pk for m in members]
    for i in range(0, len(ids), 500):
        for member_id, period, amount in DuesPayment.objects.filter(
            member_id__in=ids[i : i + 500]
        ).values_list("member_id", "period", "amount_vnd"):
            if period.year == year:
                paid[member_id][period] = amount
            if member_id not in last_paid or period > last_paid[member_id]:
                last_paid[member_id] = period
    current = periods.month_of(as_of)
    starts = tracking.starts({m.org_id for m in members})
    from chibo.members.seniority import exempt_for_seniority, seniority_map

    seniority = seniority_map(members)
    rows = []
    for m in members:
        # Arrears only from the cell's tracking start (none for a cell without data).
        start = starts.get(m.org_id)
        first = max(periods.month_of(m.admitted_on), start.month) if start else None
        arrears = [
            mo
            for mo in months
            if first is not None
            and first <= mo < current
            and mo not in paid[m.pk]
            and m.status != Status.EXEMPTED
            # 50 years of party seniority: exempt from that month (QĐ 01-QĐ/TW; issue 20)
            and not exempt_for_seniority(seniority.get(m.pk), mo)
        ]
        cells = [(mo, paid[m.pk].get(mo), mo in arrears) for mo in months]
        rows.append(DuesRow(m, paid[m.pk], last_paid.get(m.pk), arrears, cells))
    totals = DuesPayment.objects.filter(
        org.subtree_filter("member__org__"), period__year=year
    ).aggregate(amount=Sum("amount_vnd"), payments=Count("id"))
    return (
        months,
        rows,
        {
            "amount": totals["amount"] or 0,
            "payments": totals["payments"] or 0,
            "members": len(rows),
            "in_arrears": sum(bool(r.arrears) for r in rows),
        },
    )


def cells_page(org: Org, number: Any) -> Any:
    """One open cell of ``org``'s subtree per page, in tree order (with its parent): city-scale
    lists are paged by unit. A cell is its own only page."""
    from django.core.paginator import Paginator

    cells = (
        Org.objects.filter(org.subtree_filter(), kind__in=CELL_KINDS, closed_on__isnull=True)
        .select_related("parent")
        .order_by("path")
    )
    return Paginator(cells, 1).get_page(number)


JUMP_MAX = 400  # cells a dues page lists to jump to; beyond, the org picker


def cells_jump(org: Org, count: int) -> list[tuple[str, list[tuple[int, str]]]]:
    """The pages of ``cells_page`` by unit, to jump to one: [(unit name, [(page, cell name)])].

    The names without a leading "Chi bộ " (the list is labelled "Chọn chi bộ"): they fit a
    phone's width. Empty above JUMP_MAX cells (the org picker is the way there). One query."""
    if count > JUMP_MAX:
        return []
    groups: list[tuple[str, list[tuple[int, str]]]] = []
    last = None
    rows = (
        Org.objects.filter(org.subtree_filter(), kind__in=CELL_KINDS, closed_on__isnull=True)
        .order_by("path")
        .values_list("name", "parent_id", "parent__name")
    )
    for number, (name, parent_id, parent_name) in enumerate(rows, start=1):
        if parent_id != last or not groups:
            groups.append((parent_name or "", []))
            last = parent_id
        groups[-1][1].append((number, name.removeprefix("Chi bộ ").strip() or name))
    return groups


CELLS_SHOWN = 12  # cells an overview names under each unit; the rest behind "all N cells"


UNITS_PREFIX = "activity:units:v1"


class _PageRows(Sequence[Any]):
    """A page's rows standing for all ``count`` rows of a list (a ``Paginator`` over it gives
    the page back without reading the others)."""

    def __init__(self, size: int, rows: list[Any]) -> None:
        self.size, self.rows = size, rows

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, index: Any) -> Any:
        return self.rows


def cells_by_unit(org: Org, number: Any, per_page: int = 20, shown: int = CELLS_SHOWN) -> Any:
    """``units_page`` kept in the shared cache per version of the org tree (the open cells
    and their units change only with it: every change of the tree writes an ``OrgEvent``):
    the page of units, each with ``.cells`` and ``.cell_count``. One query of ``MAX(id)``s
    when kept (``POPULATED_TTL``), five when not."""
    from django.core.paginator import Paginator

    _upto, tree = _populated_version()
    key = f"{UNITS_PREFIX}:{org.pk}:{org.path}:{tree}:{per_page}:{shown}:{number!s:.12}"
    kept = cache.get(key)
    if kept is None:
        page = units_page(org, number, per_page, shown)
        units = [
            (u.pk, u.code, u.name, u.cell_count, [(c.pk, c.code, c.name) for c in u.cells])
            for u in page.object_list
        ]
        kept = {"count": page.paginator.count, "number": page.number, "units": units}
        cache.set(key, kept, POPULATED_TTL)
    rows = [
        SimpleNamespace(
            pk=pk,
            code=code,
            name=name,
            cell_count=cell_count,
            cells=[SimpleNamespace(pk=c[0], code=c[1], name=c[2]) for c in cells],
        )
        for pk, code, name, cell_count, cells in kept["units"]
    ]
    return Paginator(_PageRows(kept["count"], rows), per_page).page(kept["number"])


def units_page(org: Org, number: Any, per_page: int = 20, shown: int = CELLS_SHOWN) -> Any:
    """The open cells of ``org``'s subtree grouped under their parent (the unit), paged by unit.

    Returns the page of units; each unit carries ``.cells`` (its first ``shown`` cells in tree
    order) and ``.cell_count`` (all of them): a city whose 3,800 grassroots cells stand
    directly under it names 12 and links to the rest (``unit_cells``). Four queries.
    """
    from django.core.paginator import Paginator
    from django.db.models import F, Window
    from django.db.models.functions import RowNumber

    cells = Org.objects.filter(org.subtree_filter(), kind__in=CELL_KINDS, closed_on__isnull=True)
    units = Org.objects.filter(pk__in=cells.values("parent_id")).order_by("path")
    page = Paginator(units, per_page).get_page(number)
    ids = [u.pk for u in page.object_list]
    counts = dict(
        cells.filter(parent__in=ids)
        .order_by()
        .values_list("parent_id")
        .annotate(n=Count("pk"))
        .values_list("parent_id", "n")
    )
    first = (
        cells.filter(parent__in=ids)
        .annotate(rank=Window(RowNumber(), partition_by=[F("parent_id")], order_by=F("path").asc()))
        .filter(rank__lte=shown)
        .order_by("path")
    )
    grouped: dict[int | None, list[Org]] = defaultdict(list)
    for cell in first:
        grouped[cell.parent_id].append(cell)
    for unit in page.object_list:
        unit.cells = grouped.get(unit.pk, [])
        unit.cell_count = counts.get(unit.pk, 0)
    return page


def unit_cells(org: Org, unit: Org, number: Any, per_page: int = 100) -> Any:
    """One unit's open cells (those of ``org``'s subtree whose parent is ``unit``), paged."""
    from django.core.paginator import Paginator

    cells = Org.objects.filter(
        org.subtree_filter(), parent=unit, kind__in=CELL_KINDS, closed_on__isnull=True
    ).order_by("path")
    return Paginator(cells, per_page).get_page(number)


def open_warnings(actor: Any, root: Org) -> Any:
    """Stored warnings (from the daily refresh) of members under ``root`` that ``actor`` may see."""
    qs = MemberWarning.objects.filter(root.subtree_filter("org__"))
    if actor is not None:
        qs = qs.filter(scope_for(actor, Cap.MEMBER_VIEW).q("org__"))
    return qs


# --- activity health (figures for the reports) ----------------------------------------------

HEALTH_MONTHS = 12


def _alive(first: dt.date, last: dt.date, prefix: str = "") -> Q:
    """The org was open and tracked the whole of [first, last] (the rule ``cells_missing_meetings``
    uses): opened by ``first``, not closed before ``last``, its tracking start's month by ``first``."""
    return (
        Q(**{f"{prefix}opened_on__lte": first})
        & (Q(**{f"{prefix}closed_on__isnull": True}) | Q(**{f"{prefix}closed_on__gt": last}))
        & Q(**{f"{prefix}activity_tracking__month__lte": first})
    )


def _scope_q(actor: Any, root: Org, prefix: str = "") -> Q:
    """What ``actor`` may see of ``root``'s subtree; no condition when it sees all of it."""
    if actor is None or scope_for(actor, Cap.MEMBER_VIEW).covers(root):
        return Q()
    return scope_for(actor, Cap.MEMBER_VIEW).q(prefix)


def _cells_meeting(kind: str, months: list[dt.date]) -> Count:
    """Cells with a meeting of ``kind`` in ``months`` that were open through all of them."""
    alive = _alive(months[0], periods.month_end(months[-1]), "org__")
    return Count("org", distinct=True, filter=Q(kind=kind, month__in=months) & alive)


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 2) if whole else None


def health_periods(as_of: dt.date) -> dict[str, Any]:
    """The periods ``activity_health`` measures, all ending before ``as_of``'s month except dues."""
    current = periods.month_of(as_of)
    months = [periods.shift(current, -i) for i in range(HEALTH_MONTHS, 0, -1)]
    quarter_start = periods.quarter_months(*periods.quarter_of(current))[0]
    quarter = periods.quarter_of(periods.shift(quarter_start, -1))
    return {
        "months": months,
        "quarter": quarter,
        "quarter_months": periods.quarter_months(*quarter),
        "dues_from": dt.date(as_of.year, 1, 1),
    }


def activity_health(actor: Any, root: Org, as_of: dt.date) -> dict[str, Any]:
    """Activity health of ``root``'s subtree, counting only what ``actor`` may see (None: the system).

    - **Monthly meetings** over the 12 complete months before ``as_of``'s month
      (``period_start`` … ``period_end``): of the cell-months in which a counted cell was
      open the whole month, the share with at least one regular meeting; the same for the
      last complete month alone (``last_month_…``). Counted cells: party cells of the subtree
      with members on the rolls (as ``cells_missing_meetings`` counts them).
    - **Thematic meetings** in the last complete quarter before ``as_of``'s quarter: of the
      counted cells open the whole quarter, the share with at least one thematic meeting.
    - **Attendance rate** over the same 12 months: present / expected attendance rows
      (members expected at a meeting of a cell of the subtree; attached members are not
      expected, excused absences count as absent).
    - **Dues collected**: the sum in đồng of payments recorded (``paid_on``) from 1 January
      of ``as_of``'s year through ``as_of``, by the collecting orgs of the subtree.

    A percentage (2 decimals) is None when there is nothing to measure; counts and sums are
    0. Four aggregate queries whatever the size of the subtree, the two big ones (attendance,
    dues) answered from covering indexes.
    """
    when = health_periods(as_of)
    months: list[dt.date] = when["months"]
    quarter = _alive(when["quarter_months"][0], periods.month_end(when["quarter_months"][-1]))
    first, last = months[0], periods.month_end(months[-1])
    cells = Org.objects.filter(root.subtree_filter(), _scope_q(actor, root), kind__in=CELL_KINDS)
    counted = cells.filter(
        Exists(Member.objects.filter(org=OuterRef("pk"), status__in=ON_ROLLS))
    ).order_by()
    expected = counted.aggregate(
        cells=Count("pk"),
        tracked=Count("pk", filter=Q(activity_tracking__start__lte=as_of)),
        quarter=Count("pk", filter=quarter),
        **{
            f"m{i}": Count("pk", filter=_alive(m, periods.month_end(m)))
            for i, m in enumerate(months)
        },
    )
    held = Meeting.objects.filter(
        org__in=counted.values("pk"),
        month__gte=min(first, when["quarter_months"][0]),
        month__lte=months[-1],
    ).aggregate(
        quarter=_cells_meeting(MeetingKind.THEMATIC, when["quarter_months"]),
        **{f"m{i}": _cells_meeting(MeetingKind.REGULAR, [m]) for i, m in enumerate(months)},
    )
    cell_months = sum(expected[f"m{i}"] for i in range(len(months)))
    held_months = sum(held[f"m{i}"] for i in range(len(months)))
    last_i = len(months) - 1
    # The two big counts read covering indexes only (attendance_expected_idx, dues_paid_on_org_idx);
    # the whole city, seen whole (the system, the city office), needs no filter by org.
    everything = root.parent_id is None and not _scope_q(actor, root)
    attendance = Attendance.objects.filter(month__gte=first, month__lte=months[-1], expected=True)
    if not everything:
        attendance = attendance.filter(org__in=cells.values("pk"))
    rate = attendance.aggregate(
        expected=Count("status"), present=Count("status", filter=Q(status=Presence.PRESENT))
    )
    dues = DuesPayment.objects.filter(paid_on__gte=when["dues_from"], paid_on__lte=as_of)
    if not everything:
        dues = dues.filter(root.subtree_filter("org__"), _scope_q(actor, root, "org__"))
    collected = dues.order_by().aggregate(amount=Sum("amount_vnd"), payments=Count("*"))
    return {
        "org": root.code,
        "as_of": as_of,
        "period_start": first,
        "period_end": last,
        "cells": expected["cells"],
        "cells_without_data": expected["cells"] - expected["tracked"],
        "cell_months": cell_months,
        "monthly_meetings_held": held_months,
        "monthly_meetings_held_pct": _pct(held_months, cell_months),
        "last_month": periods.label(months[-1]),
        "last_month_meetings_held_pct": _pct(held[f"m{last_i}"], expected[f"m{last_i}"]),
        "quarter": periods.quarter_label(*when["quarter"]),
        "quarter_cells": expected["quarter"],
        "thematic_meetings_held": held["quarter"],
        "thematic_meetings_held_pct": _pct(held["quarter"], expected["quarter"]),
        "attendance_expected": rate["expected"],
        "attendance_present": rate["present"],
        "attendance_rate_pct": _pct(rate["present"], rate["expected"]),
        "dues_from": when["dues_from"],
        "dues_to": as_of,
        "dues_payments": collected["payments"],
        "dues_collected": collected["amount"] or 0,
    }
