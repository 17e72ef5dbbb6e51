"""The directive's figures, computed by the database (GROUP BY), rolled up over the org tree.

Nothing here knows about users: ``allowed`` (a set of org ids, or None for
the system) limits what is counted, and the scoped entry points in
``selectors.py`` compute it from the actor's scope. Every count is grouped
per org in SQL — a few thousand rows at most — and the tree roll-up (which
unit an org belonged to *on the date of the event*) is a dict lookup per
grouped row: the tree of a date is loaded once, as plain ids, and each org
is mapped to its unit by one walk down from the report's org.

Reads use ``reporting_alias()``: inside ``core.dbrouter.reporting()`` they go
to the read replica when one is configured (the ORM parts through the router,
the raw SQL through the alias).
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property, lru_cache
from typing import Any, TypeVar

from django.db import connections
from django.db.models import Exists, F, OuterRef, Q

from chibo.core.dbrouter import reporting_alias
from chibo.lib.dates import years_before
from chibo.lib.numbers import percent
from chibo.members.models import ON_ROLLS, Category, EventKind, Gender, Status
from chibo.orgs.models import STEP, Org, OrgPeriod
from chibo.reports.sql import fetch, in_list, literal, year_sql

HUNDRED = Decimal(100)
# Orgs in a subtree passed to SQL as an IN list up to this many; beyond, the
# per-org rows are filtered in Python (SQLite caps bound parameters).
IN_LIST_MAX = 900
AGE_BANDS = (
    ("under_30", 0, 30),
    ("30_39", 30, 40),
    ("40_49", 40, 50),
    ("50_59", 50, 60),
    ("60_plus", 60, 200),
)


@lru_cache(maxsize=8192)
def share_pct(part: int, total: int) -> Decimal:
    """``part`` as a percentage of ``total``, rounded half-up to 2 decimals (0 when total is 0).

    Memoized (a Decimal is immutable): a dashboard's thousands of unit rows
    share a few distinct (part, total) pairs.
    """
    return percent(part, total)


# --- the org tree, as plain ids ---------------------------------------------------


_NO_HISTORY = dt.date.min  # ``OrgTree.labels``: the current names, no history read


class OrgTree:
    """Every org's current parent and school level, and the tree on any date, as dicts of ids.

    One instance serves one report run (the dashboard shares one over its six
    figures): the org table is read once (three columns, no model objects) and
    each date's tree once. Codes and names are read only for the units shown.
    """

    def __init__(self) -> None:
        self._parents: dict[dt.date, dict[int, int | None]] = {}
        self._units: dict[tuple[dt.date, int], dict[int, int]] = {}
        self._names: dict[int, tuple[str, str]] = {}
        self._moved: dict[tuple[dt.date, dt.date], bool] = {}
        self._unit_paths: dict[int, dict[str, int]] = {}

    @cached_property
    def _table(self) -> tuple[dict[int, int | None], dict[int, str]]:
        """Every org's current parent, and the school level of those that have one (read once, when needed)."""
        parents: dict[int, int | None] = {}
        levels: dict[int, str] = {}
        for pk, parent, level in Org.objects.order_by().values_list(
            "id", "parent_id", "school_level"
        ):
            parents[pk] = parent
            if level:
                levels[pk] = level
        return parents, levels

    @property
    def current_parent(self) -> dict[int, int | None]:
        return self._table[0]

    @property
    def school_level(self) -> dict[int, str]:
        return self._table[1]

    def moved_during(self, first: dt.date, last: dt.date) -> bool:
        """Whether an org stood elsewhere than today during [first, last]
        (``periods_elsewhere``), asked once per period for the run."""
        if (first, last) not in self._moved:
            self._moved[(first, last)] = periods_elsewhere(first, last).exists()
        return self._moved[(first, last)]

    def unit_paths(self, root: Org) -> dict[str, int]:
        """Path -> id of ``root`` and its children (the units its figures are split into),
        read once for the run (an IN list of a city's thousands of paths costs more to send
        than the children to read)."""
        if root.pk not in self._unit_paths:
            self._unit_paths[root.pk] = dict(
                Org.objects.filter(Q(parent_id=root.pk) | Q(pk=root.pk))
                .order_by()
                .values_list("path", "id")
            )
        return self._unit_paths[root.pk]

    def parents_on(self, day: dt.date) -> dict[int, int | None]:
        """Each org's parent on ``day`` (its current parent where no history covers the day)."""
        if day not in self._parents:
            parent = dict(self.current_parent)
            # Only the periods that place an org elsewhere than today are read.
            parent.update(periods_elsewhere(day, day).values_list("org_id", "parent_id"))
            self._parents[day] = parent
        return self._parents[day]

    def units_on(self, day: dt.date, root_id: int) -> dict[int, int]:
        """Org id -> the child of ``root_id`` above it on ``day`` (``root_id`` for the root itself).

        Only orgs of the subtree are keys. One walk down from the root.
        """
        key = (day, root_id)
        if key not in self._units:
            children: dict[int, list[int]] = defaultdict(list)
            for child, parent in self.parents_on(day).items():
                if parent is not None:
                    children[parent].append(child)
            units = {root_id: root_id}
            for unit in children.get(root_id, ()):
                if unit in units:
                    continue
                units[unit] = unit
                stack = [unit]
                while stack:
                    for child in children.get(stack.pop(), ()):
                        if child not in units:
                            units[child] = unit
                            stack.append(child)
            self._units[key] = units
        return self._units[key]

    def known_names(self) -> dict[int, tuple[str, str]]:
        """The current (code, name) of every org read so far (to keep across runs)."""
        return dict(self._names)

    def remember_names(self, names: dict[int, tuple[str, str]]) -> None:
        """Current names read before, valid for this tree's version (not read again)."""
        self._names.update(names)

    def labels(self, ids: Iterable[int], day: dt.date | None = None) -> dict[int, tuple[str, str]]:
        """(code, name) of ``ids``: the current name, or the name on ``day`` where history has one."""
        wanted = sorted(set(ids))
        if day is None:  # current names: each read once per tree
            missing = [pk for pk in wanted if pk not in self._names]
            if missing:
                self._names.update(self.labels(missing, day=_NO_HISTORY))
            return {pk: self._names[pk] for pk in wanted if pk in self._names}
        out: dict[int, tuple[str, str]] = {}
        for i in range(0, len(wanted), IN_LIST_MAX):
            chunk = wanted[i : i + IN_LIST_MAX]
            # Raw SQL with the ids inlined (ints): the ORM's IN of 900 parameters costs
            # more than the query itself, and a dashboard reads thousands of units.
            inlined = ", ".join(str(int(pk)) for pk in chunk)
            sql = f"SELECT id, code, name FROM orgs_org WHERE id IN ({inlined})"  # noqa: S608 (ints)
            for pk, code, name in fetch(sql, []):
                out[pk] = (code, name)
        if day is not _NO_HISTORY:
            # Only the periods whose name is not the current one change a label; for
            # thousands of units (a city's) they are read at once, not per list of 900 ids.
            renamed = _renamed_on(day)
            if len(wanted) <= IN_LIST_MAX:
                renamed = renamed.filter(org_id__in=wanted)
            for pk, name in renamed:
                if pk in out:
                    out[pk] = (out[pk][0], name)
        return out


def _renamed_on(day: dt.date) -> Any:
    """(org id, name) of the periods covering ``day`` whose name is not the org's current one
    (nearly every org's open period repeats its current name: these are a few renamings)."""
    return (
        OrgPeriod.objects.filter(valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))
        .exclude(name=F("org__name"))
        .values_list("org_id", "name")
    )


def tree_segments(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """Split [start, end] where an existing org changed its place, so each piece has one tree.

    Only a period that follows an earlier period of the same org (a move,
    merge or rename) cuts: an org founded mid-period had no events before.
    """
    earlier = OrgPeriod.objects.filter(
        org_id=OuterRef("org_id"), valid_from__lt=OuterRef("valid_from")
    )
    cuts = set(
        OrgPeriod.objects.filter(Exists(earlier), valid_from__gt=start, valid_from__lte=end)
        .values_list("valid_from", flat=True)
        .distinct()
    )
    bounds = [start, *sorted(cuts)]
    segments = []
    for i, first in enumerate(bounds):
        last = bounds[i + 1] - dt.timedelta(days=1) if i + 1 < len(bounds) else end
        segments.append((first, last))
    return segments


def periods_elsewhere(first: dt.date, last: dt.date) -> Any:
    """Org periods overlapping [first, last] that place their org under another parent than today.

    Only ended periods can: an org's open period is where it stands today
    (``orgs.services`` closes it and opens a new one on every move).
    """
    return (
        OrgPeriod.objects.filter(valid_from__lte=last, valid_to__gt=first)
        .exclude(parent=F("org__parent"))
        .exclude(parent__isnull=True, org__parent__isnull=True)
        .order_by()
    )


def _event_filter(ids: tuple[int, int] | None) -> tuple[str, list[Any]]:
    """The WHERE of an events query (``{marks}``: the kinds' placeholders) and its leading params.

    ``ids=(0, upto)``: every event up to ``upto`` (the period's index leads);
    ``ids=(after, upto)``: the few newer ones, by the primary key (on SQLite
    ``+`` keeps the planner off the (kind, date) index, which would scan the
    whole period for a few rows).
    """
    plain = "e.kind IN ({marks}) AND e.effective_date >= %s AND e.effective_date <= %s"
    if ids is None:
        return plain, []
    after, upto = ids
    if not after:
        return f"e.id <= %s AND {plain}", [upto]
    if connections[reporting_alias()].vendor == "sqlite":
        plain = "+e.kind IN ({marks}) AND +e.effective_date >= %s AND +e.effective_date <= %s"
    return f"e.id > %s AND e.id <= %s AND {plain}", [after, upto]


# A period this short holds few events of a kind, whatever the subtree: read them first.
SHORT_PERIOD_DAYS = 31


def _join_events_first(start: dt.date, end: dt.date) -> str:
    """The join of a short period's events to their orgs. SQLite's planner walks a city's
    10,000 orgs and probes each one's events (20 ms for the 40 events of a week);
    ``CROSS JOIN`` makes it read the period's events by the (kind, date) index first and
    find each one's org by its key. PostgreSQL already reads them so (and rejects
    ``CROSS JOIN … ON``)."""
    short = (end - start).days <= SHORT_PERIOD_DAYS
    return "CROSS JOIN" if short and connections[reporting_alias()].vendor == "sqlite" else "JOIN"


def counted_units(units: dict[int, int], allowed: set[int] | None) -> dict[int, int]:
    """The subtree's orgs that may be counted (org id -> unit)."""
    if allowed is None:
        return units
    return {org: unit for org, unit in units.items() if org in allowed}


def _event_rows(
    root: Org,
    start: dt.date,
    end: dt.date,
    kinds: Iterable[str],
    columns: list[str],
    allowed: set[int] | None,
    tree: OrgTree,
    ids: tuple[int, int] | None = None,
) -> list[tuple[Any, ...]]:
    """Events of ``kinds`` in [start, end], grouped in SQL per org/year/``columns``.

    ``ids=(after, upto)``: only the events with ``after < id <= upto`` (the
    dashboard's cache adds the events written since it counted; events are
    append-only), read by the primary key.

    Rows ``(unit_id, school_level, year, *columns, n)``, each org placed in
    the tree of the event's date (one tree per segment of the
    period). When no org stood elsewhere than today during the period and
    every org may be counted, today's paths are that tree: the units are
    found in SQL and the org table is not read.
    """
    kinds = list(kinds)
    year = year_sql("e.effective_date")
    cols = "".join(f", e.{c}" for c in columns)
    marks = ", ".join(["%s"] * len(kinds))
    where, id_params = _event_filter(ids)
    if ids is not None and ids[0]:
        return _newer_event_rows(root, start, end, kinds, columns, allowed, tree, ids)
    if allowed is None and not tree.moved_during(start, end):
        rows = fetch(
            f"""SELECT substr(o.path, 1, {len(root.path) + STEP}), o.school_level, {year}{cols}, COUNT(*)
                  FROM members_memberevent e {_join_events_first(start, end)} orgs_org o ON o.id = e.org_id
                 WHERE {where.format(marks=marks)}
                   AND o.path >= %s AND o.path < %s
                 GROUP BY 1, 2, {year}{cols}""",  # noqa: S608 (constants and ints only)
            [*id_params, *kinds, start, end, root.path, root.path_bound],
        )
        units = tree.unit_paths(root)
        return [(units[path], level, *rest) for path, level, *rest in rows]
    level = tree.school_level
    out: list[tuple[Any, ...]] = []
    for first, last in tree_segments(start, end):
        counted = counted_units(tree.units_on(first, root.pk), allowed)
        if not counted:
            continue
        org_sql = in_list("e.org_id", counted) if len(counted) <= IN_LIST_MAX else ""
        rows = fetch(
            f"""SELECT e.org_id, {year}{cols}, COUNT(*)
                  FROM members_memberevent e
                 WHERE {where.format(marks=marks)}{org_sql}
                 GROUP BY e.org_id, {year}{cols}""",  # noqa: S608 (constants and ints only)
            [*id_params, *kinds, first, last],
        )
        for org_id, *rest in rows:
            unit = counted.get(org_id)
            if unit is not None:
                out.append((unit, level.get(org_id, ""), *rest))
    return out


# The columns ``newer_events`` reads, after the unit and the school level.
NEWER_COLUMNS = ("effective_date", "kind", "reason", "category_after")
COUNTED_KINDS = (EventKind.ADMITTED, EventKind.REMOVED, EventKind.EXPELLED)


def newer_events(
    root: Org,
    ids: tuple[int, int],
    *,
    allowed: set[int] | None,
    tree: OrgTree,
    moved: dict[dt.date, bool] | None = None,
) -> list[tuple[Any, ...]]:
    """The admissions, removals and expulsions with ``after < id <= upto`` (read by the
    primary key, one query for every period and kind) in ``root``'s subtree:
    ``(unit, school_level, effective_date, kind, reason, category_after)``, each org placed
    in the tree of the event's own day.

    The few orgs' paths and levels are read, and their units found by today's paths: on a
    day when no org stood elsewhere than today, that is the day's tree, and the whole org
    table (``OrgTree``) is not read; on another day the tree of that day is walked.
    ``moved``: whether an org stood elsewhere than today on a day, as far as the caller
    knows it for the tree's version (filled in here).
    """
    after, upto = ids
    marks = ", ".join(["%s"] * len(COUNTED_KINDS))
    # On SQLite ``+`` keeps the planner off the (kind, date) index (a scan of every
    # admission for a few rows): the primary key's range leads.
    plus = "+" if connections[reporting_alias()].vendor == "sqlite" else ""
    rows = fetch(
        f"""SELECT e.org_id, {", ".join(f"e.{c}" for c in NEWER_COLUMNS)}
              FROM members_memberevent e
             WHERE e.id > %s AND e.id <= %s AND {plus}e.kind IN ({marks})""",  # noqa: S608
        [after, upto, *COUNTED_KINDS],
    )
    if not rows:
        return []
    orgs = {
        pk: (path, level)
        for pk, path, level in Org.objects.filter(id__in={r[0] for r in rows})
        .order_by()
        .values_list("id", "path", "school_level")
    }
    width = len(root.path) + STEP
    unit_paths = {path[:width] for path, _level in orgs.values() if len(path) > len(root.path)}
    unit_ids = dict(Org.objects.filter(path__in=unit_paths).order_by().values_list("path", "id"))
    moved = {} if moved is None else moved
    out: list[tuple[Any, ...]] = []
    for org_id, day, *rest in rows:
        day = day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day))
        if day not in moved:
            moved[day] = periods_elsewhere(day, day).exists()
        path, level = orgs.get(org_id, ("", ""))
        if moved[day]:
            unit = counted_units(tree.units_on(day, root.pk), allowed).get(org_id)
            level = tree.school_level.get(org_id, "")
        elif not root.path <= path < root.path_bound or (
            allowed is not None and org_id not in allowed
        ):
            unit = None
        else:
            unit = root.pk if path == root.path else unit_ids.get(path[:width])
        if unit is not None:
            out.append((unit, level or "", day, *rest))
    return out


def group_newer(
    events: list[tuple[Any, ...]],
    start: dt.date,
    end: dt.date,
    kinds: Iterable[str],
    columns: list[str],
) -> list[tuple[Any, ...]]:
    """``newer_events`` of ``kinds`` in [start, end], grouped as ``_event_rows`` groups them:
    ``(unit, school_level, year, *columns, n)``."""
    kinds = {str(k) for k in kinds}
    at = [NEWER_COLUMNS.index(c) for c in columns]
    grouped: dict[tuple[Any, ...], int] = defaultdict(int)
    for unit, level, *values in events:
        day = values[0]
        if values[1] in kinds and start <= day <= end:
            grouped[(unit, level, day.year, *(values[i] for i in at))] += 1
    return [(*key, n) for key, n in grouped.items()]


def _newer_event_rows(
    root: Org,
    start: dt.date,
    end: dt.date,
    kinds: list[str],
    columns: list[str],
    allowed: set[int] | None,
    tree: OrgTree,
    ids: tuple[int, int],
) -> list[tuple[Any, ...]]:
    """``_event_rows`` of the few events with ids in ``ids`` (``newer_events``, grouped)."""
    events = newer_events(root, ids, allowed=allowed, tree=tree)
    return group_newer(events, start, end, kinds, columns)


# The kinds and columns each figure groups its events by.
ADMISSION_GROUPS: tuple[list[str], list[str]] = ([EventKind.ADMITTED], ["category_after"])
REMOVAL_GROUPS: tuple[list[str], list[str]] = (
    [EventKind.REMOVED, EventKind.EXPELLED],
    ["kind", "reason", "category_after"],
)


def admission_rows(
    root: Org,
    start: dt.date,
    end: dt.date,
    *,
    allowed: set[int] | None = None,
    tree: OrgTree | None = None,
    ids: tuple[int, int] | None = None,
) -> list[tuple[Any, ...]]:
    """The grouped ``admitted`` events ``admissions`` counts: (unit, level, year, category, n)."""
    kinds, columns = ADMISSION_GROUPS
    return _event_rows(root, start, end, kinds, columns, allowed, tree or OrgTree(), ids)


def historical_sql() -> str:
    """True for an ``admitted`` event flagged ``historical`` (an admission made before chibo,
    entered afterwards: ``/members/past-admission/``, imports)."""
    if connections[reporting_alias()].vendor == "postgresql":
        return "(e.data ->> 'historical') = 'true'"
    return "json_extract(e.data, '$.historical') = 1"


def historical_admission_rows(
    root: Org,
    start: dt.date,
    end: dt.date,
    *,
    allowed: set[int] | None = None,
    tree: OrgTree | None = None,
) -> list[tuple[int, str, int, int]]:
    """The ``admitted`` events in [start, end] flagged historical, placed as ``_event_rows``
    places them (the tree of each segment): (unit, level, year, n). Issue 20: reports show
    the past admissions entered as records apart from the admissions made in chibo."""
    tree = tree or OrgTree()
    year = year_sql("e.effective_date")
    level = tree.school_level
    out: list[tuple[int, str, int, int]] = []
    for first, last in tree_segments(start, end):
        counted = counted_units(tree.units_on(first, root.pk), allowed)
        if not counted:
            continue
        org_sql = in_list("e.org_id", counted) if len(counted) <= IN_LIST_MAX else ""
        rows = fetch(
            f"""SELECT e.org_id, {year}, COUNT(*)
                  FROM members_memberevent e
                 WHERE e.kind = %s AND e.effective_date >= %s AND e.effective_date <= %s
                   AND {historical_sql()}{org_sql}
                 GROUP BY e.org_id, {year}""",  # noqa: S608 (constants and ints only)
            [str(EventKind.ADMITTED), first, last],
        )
        for org_id, y, n in rows:
            unit = counted.get(org_id)
            if unit is not None:
                out.append((unit, level.get(org_id, ""), int(y), n))
    return out


def removal_rows(
    root: Org,
    start: dt.date,
    end: dt.date,
    *,
    allowed: set[int] | None = None,
    tree: OrgTree | None = None,
    ids: tuple[int, int] | None = None,
) -> list[tuple[Any, ...]]:
    """The grouped removals and expulsions ``removals`` counts: (unit, level, year, kind, reason, category, n)."""
    kinds, columns = REMOVAL_GROUPS
    return _event_rows(root, start, end, kinds, columns, allowed, tree or OrgTree(), ids)


# --- admissions --------------------------------------------------------------


SCHOOL_CATEGORIES = (Category.STUDENT, Category.PUPIL)
_STUDENT, _PUPIL = str(Category.STUDENT), str(Category.PUPIL)  # plain str: compared per row


@dataclass
class Counts:
    total: int = 0
    school_students: int = 0
    school_pupils: int = 0

    def add(self, n: int, category: str, is_school: bool) -> None:
        self.total += n
        if is_school and category == _STUDENT:
            self.school_students += n
        elif is_school and category == _PUPIL:
            self.school_pupils += n

    def as_dict(self) -> dict[str, Any]:
        both = self.school_students + self.school_pupils
        return {
            "total_admissions": self.total,
            "school_students": self.school_students,
            "school_pupils": self.school_pupils,
            "school_students_and_pupils": both,
            "school_students_share_pct": share_pct(self.school_students, self.total),
            "school_pupils_share_pct": share_pct(self.school_pupils, self.total),
            "school_students_and_pupils_share_pct": share_pct(both, self.total),
        }


@dataclass
class AdmissionsReport:
    org: Org
    start: dt.date
    end: dt.date
    counts: Counts
    by_year: dict[int, Counts] = field(default_factory=dict)
    by_unit: dict[int, Counts] = field(default_factory=dict)
    by_school_level: dict[str, Counts] = field(default_factory=dict)
    unit_names: dict[int, tuple[str, str]] = field(default_factory=dict)
    # Past admissions entered as records (the ``historical`` flag), in total and per key of
    # each breakdown; None when not counted (the dashboard's cached rows).
    historical: dict[str, dict[Any, int]] | None = None

    def _past(self, total: int, bucket: str = "", key: Any = None) -> dict[str, Any]:
        """``historical_admissions`` (entered as records of admissions made before chibo) and
        ``admissions_in_chibo`` (the rest: decided through the admission path)."""
        if self.historical is None:
            return {}
        n = self.historical.get(bucket, {}).get(key, 0)
        return {"historical_admissions": n, "admissions_in_chibo": total - n}

    def summary(self) -> dict[str, Any]:
        """The contract: these keys, in this order (keys are only ever added at the end)."""
        return {
            "org": self.org.code,
            "from": self.start,
            "to": self.end,
            **self.counts.as_dict(),
            **self._past(self.counts.total),
        }

    def _row(self, counts: Counts, bucket: str = "", key: Any = None) -> dict[str, Any]:
        """A breakdown row: its counts, its own shares (of the row's admissions) and
        ``share_of_total_pct``, its students and pupils as a share of the whole report's
        admissions."""
        both = counts.school_students + counts.school_pupils
        return {
            **counts.as_dict(),
            "share_of_total_pct": share_pct(both, self.counts.total),
            **self._past(counts.total, bucket, key),
        }

    def by_year_rows(self) -> list[dict[str, Any]]:
        return [{"year": y, **self._row(c, "year", y)} for y, c in sorted(self.by_year.items())]

    def by_unit_rows(self, limit: int | None = None) -> list[dict[str, Any]]:
        """The units by their admissions (most first, then by code); ``limit``: only the first."""
        items = self.by_unit.items()

        def order(kv: tuple[int, Counts]) -> tuple[int, str]:
            return (-kv[1].total, self.unit_names[kv[0]][0])

        chosen = sorted(items, key=order) if limit is None else heapq.nsmallest(limit, items, order)
        return [
            {"org": self.unit_names[u][0], "name": self.unit_names[u][1], **self._row(c, "unit", u)}
            for u, c in chosen
        ]

    def breakdown(self) -> dict[str, Any]:
        return {
            **self.summary(),
            "by_year": self.by_year_rows(),
            "by_unit": self.by_unit_rows(),
            "by_school_level": [
                {"school_level": level, **self._row(c, "level", level)}
                for level, c in sorted(self.by_school_level.items())
            ],
        }


Key = TypeVar("Key")


def _add_sums(sums: dict[Key, list[int]], key: Key, total: int, students: int, pupils: int) -> None:
    """Add [total, students, pupils] to ``sums[key]``."""
    acc = sums.get(key)
    if acc is None:
        sums[key] = [total, students, pupils]
    else:
        acc[0] += total
        acc[1] += students
        acc[2] += pupils


Totals = list[int]  # [total, school students, school pupils]


def fold_admissions(
    rows: Iterable[tuple[Any, ...]],
) -> tuple[Totals, dict[int, Totals], dict[int, Totals], dict[str, Totals]]:
    """Admission rows ``(unit, school_level, year, category, n)`` summed as ``admissions``
    reports them: the whole, then per year, unit and school level (the dashboard adds the
    newer events' rows to its kept sums the same way)."""
    # Fold the per-org rows (tens of thousands over years) into the few keys reported.
    folded: dict[tuple[int, int, str, str], int] = defaultdict(int)
    for unit, level, year, category, n in rows:
        school_level = level or ""
        counted = category if school_level and category in SCHOOL_CATEGORIES else ""
        folded[(year, unit, school_level, counted)] += n
    # Plain lists: a city's thousands of units are summed here.
    by_year: dict[int, Totals] = {}
    by_unit: dict[int, Totals] = {}
    by_level: dict[str, Totals] = {}
    whole = [0, 0, 0]
    for (year, unit, school_level, category), n in folded.items():
        students = n if school_level and category == _STUDENT else 0
        pupils = n if school_level and category == _PUPIL else 0
        whole[0] += n
        whole[1] += students
        whole[2] += pupils
        _add_sums(by_year, year, n, students, pupils)
        _add_sums(by_unit, unit, n, students, pupils)
        _add_sums(by_level, school_level, n, students, pupils)
    return whole, by_year, by_unit, by_level


def admissions(
    root: Org,
    start: dt.date,
    end: dt.date,
    *,
    allowed: set[int] | None = None,
    tree: OrgTree | None = None,
    rows: list[tuple[Any, ...]] | None = None,
) -> AdmissionsReport:
    """Admissions decided in [start, end] by the orgs of ``root``'s subtree (as it stood on each date).

    Counted by the admitting org (the ``admitted`` event's org) and the
    category at admission (the event's ``category_after``), whatever has
    happened to the member since.
    """
    tree = tree or OrgTree()
    report = AdmissionsReport(root, start, end, Counts())
    if rows is None:
        rows = admission_rows(root, start, end, allowed=allowed, tree=tree)
        past: dict[str, dict[Any, int]] = {"": {}, "year": {}, "unit": {}, "level": {}}
        for unit, level, year, n in historical_admission_rows(
            root, start, end, allowed=allowed, tree=tree
        ):
            for bucket, key in (("", None), ("year", year), ("unit", unit), ("level", level)):
                past[bucket][key] = past[bucket].get(key, 0) + n
        report.historical = past
    whole, by_year, by_unit, by_level = fold_admissions(rows)
    report.counts = Counts(*whole)
    report.by_year = {key: Counts(*acc) for key, acc in by_year.items()}
    report.by_unit = {key: Counts(*acc) for key, acc in by_unit.items()}
    report.by_school_level = {key: Counts(*acc) for key, acc in by_level.items()}
    report.unit_names = tree.labels(report.by_unit)
    return report


# --- removals ----------------------------------------------------------------


@dataclass
class RemovalsReport:
    org: Org
    start: dt.date
    end: dt.date
    removed: int = 0
    expelled: int = 0
    students_abandoned: int = 0
    by_reason: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    by_category: dict[str, dict[str, int]] = field(default_factory=dict)
    by_year: dict[int, dict[str, int]] = field(default_factory=dict)
    by_unit: dict[int, dict[str, int]] = field(default_factory=dict)
    unit_names: dict[int, tuple[str, str]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "org": self.org.code,
            "from": self.start,
            "to": self.end,
            "total_removals": self.removed + self.expelled,
            "removed": self.removed,
            "expelled": self.expelled,
            "students_removed_abandoned_activity": self.students_abandoned,
            "by_reason": {r: self.by_reason.get(r, 0) for r in _reasons()},
            "by_category": {c: self.by_category.get(c, _zero_removal()) for c in Category.values},
            "by_year": self.by_year_rows(),
            "by_unit": [
                {"org": self.unit_names[u][0], "name": self.unit_names[u][1], **v}
                for u, v in sorted(self.by_unit.items(), key=lambda kv: self.unit_names[kv[0]][0])
            ],
        }

    def by_year_rows(self) -> list[dict[str, Any]]:
        return [{"year": y, **v} for y, v in sorted(self.by_year.items())]


def _reasons() -> list[str]:
    from chibo.members.models import RemovalReason

    return list(RemovalReason.values)


def _zero_removal() -> dict[str, int]:
    return {"removed": 0, "expelled": 0, "students_removed_abandoned_activity": 0}


def removals(
    root: Org,
    start: dt.date,
    end: dt.date,
    *,
    allowed: set[int] | None = None,
    tree: OrgTree | None = None,
    rows: list[tuple[Any, ...]] | None = None,
) -> RemovalsReport:
    """Removals from the rolls (by reason) and expulsions in [start, end], by the org the member was in."""
    tree = tree or OrgTree()
    report = RemovalsReport(root, start, end)
    if rows is None:
        rows = removal_rows(root, start, end, allowed=allowed, tree=tree)
    for unit, _level, year, kind, reason, category, n in rows:
        key = "removed" if kind == EventKind.REMOVED else "expelled"
        abandoned = (
            key == "removed" and reason == "abandoned_activity" and category == Category.STUDENT
        )
        if key == "removed":
            report.removed += n
            report.by_reason[reason or "other"] += n
        else:
            report.expelled += n
        for bucket in (
            report.by_category.setdefault(category, _zero_removal()),
            report.by_year.setdefault(year, _zero_removal()),
            report.by_unit.setdefault(unit, _zero_removal()),
        ):
            bucket[key] += n
            if abandoned:
                bucket["students_removed_abandoned_activity"] += n
        if abandoned:
            report.students_abandoned += n
    report.unit_names = tree.labels(report.by_unit)
    return report


# --- composition ---------------------------------------------------------------


# Per-org counters of the composition query, in this order after (org_id, changed):
# total, full, one per status on the rolls, per category, per gender, then the
# members younger than each band's upper age (cumulative: the bands are differences).
_BAND_LIMITS = [high for _name, _low, high in AGE_BANDS[:-1]]
_STATUSES = [str(s) for s in ON_ROLLS]
_CATEGORIES = [str(c) for c in Category.values]
_GENDERS = [str(g) for g in Gender.values]


def _counters_sql(status: str, category: str, gender: str, dob: str, recognized: str) -> str:
    """The counters' SELECT list over the given column expressions (params: full date, band dates).

    SQLite counts a member into a ``FILTER``ed aggregate faster than through a ``CASE`` per
    counter (the city's 351,705 members: ~425 ms against ~360); on PostgreSQL it made no
    difference (session 7)."""
    sqlite = connections[reporting_alias()].vendor == "sqlite"

    def when(condition: str) -> str:
        if sqlite:
            return f"COUNT(*) FILTER (WHERE {condition})"
        return f"COUNT(CASE WHEN {condition} THEN 1 END)"

    parts = ["COUNT(*)", when(f"{recognized} <= %s")]
    parts += [when(f"{status} = {literal(s)}") for s in _STATUSES]
    parts += [when(f"{category} = {literal(c)}") for c in _CATEGORIES]
    parts += [when(f"{gender} = {literal(g)}") for g in _GENDERS]
    parts += [when(f"{dob} > %s") for _high in _BAND_LIMITS]
    return ", ".join(parts)


def _counter_params(day: dt.date) -> list[Any]:
    return [day, *(years_before(day, high) for high in _BAND_LIMITS)]


def last_events_sql() -> str:
    """Members admitted by a day D whose last event is after it: their last event on or before D.

    Params: D three times. (A member's first event is the admission, so one
    admitted after D has no state on D.)

    Columns: org_id, status_after, category_after (of the event), gender,
    date_of_birth, recognized_on, member_id (of the member). The order is by
    date, then id. (``reports.records`` lists the members behind a figure from
    the same query.)
    """
    if connections[reporting_alias()].vendor == "postgresql":
        # One probe per member of the covering index ``mevent_member_state_idx``
        # (index-only): at 5.5M about a quarter faster than one DISTINCT ON pass
        # over the events, and as fast at 400k (docs/performance.md).
        return """SELECT x.org_id, x.status_after, x.category_after,
                         m.gender, m.date_of_birth, m.recognized_on, m.id AS member_id
                    FROM members_member m CROSS JOIN LATERAL (
                         SELECT l.org_id, l.status_after, l.category_after
                           FROM members_memberevent l
                          WHERE l.member_id = m.id AND l.effective_date <= %s
                          ORDER BY l.effective_date DESC, l.id DESC LIMIT 1) x
                   WHERE m.last_event_on > %s AND m.admitted_on <= %s"""
    # SQLite: a correlated lookup per member, on the (member_id, effective_date, id) index.
    return """SELECT e.org_id, e.status_after, e.category_after,
                     m.gender, m.date_of_birth, m.recognized_on, m.id AS member_id
                FROM members_member m JOIN members_memberevent e ON e.id = (
                     SELECT l.id FROM members_memberevent l
                      WHERE l.member_id = m.id AND l.effective_date <= %s
                      ORDER BY l.effective_date DESC, l.id DESC LIMIT 1)
               WHERE m.last_event_on > %s AND m.admitted_on <= %s"""


def events_after(day: dt.date) -> bool:
    """Whether any member event is dated after ``day``: one probe of ``mevent_kind_date_idx``
    per kind (a member's ``last_event_on`` is the date of one of its events, so without one
    nobody's state changed after ``day``)."""
    kinds = ", ".join(literal(str(k)) for k in EventKind.values)
    sql = f"SELECT 1 FROM members_memberevent WHERE kind IN ({kinds}) AND effective_date > %s"  # noqa: S608 (constants)
    return bool(fetch(f"{sql} LIMIT 1", [day]))


def _composition_rows(day: dt.date, org_ids: Iterable[int] | None) -> list[tuple[Any, ...]]:
    """Per org on ``day``: ``(org_id, counters...)`` of the members on the rolls then.

    When no member event is dated after ``day`` (a report for today: ``events_after``), every
    member's current row is their state on ``day``: one query counts the members on the rolls
    of ``org_ids`` (None: all), through the (org, status) index for a subtree of a few orgs
    (PostgreSQL: index-only), by one scan of the table for the whole tree (SQLite: the table
    itself, not the index with a row lookup per member).

    Otherwise one scan of the members table counts everyone whose last event is on or before
    ``day`` (their current row is their state then) and, in a group of its own, notes whether
    anyone changed after ``day``; only then are those members' states looked up in their
    events (the last one on or before ``day``, by date then id).
    """
    on_rolls = ", ".join(literal(s) for s in _STATUSES)
    now_filter = in_list("m.org_id", org_ids) if org_ids is not None else ""
    counters = _counters_sql(
        "m.status", "m.category", "m.gender", "m.date_of_birth", "m.recognized_on"
    )
    if not events_after(day):
        table = "members_member m"
        if org_ids is None and connections[reporting_alias()].vendor == "sqlite":
            table += " NOT INDEXED"
        return fetch(
            f"""SELECT m.org_id, {counters}
                  FROM {table}
                 WHERE m.status IN ({on_rolls}){now_filter}
                   AND m.admitted_on <= %s AND m.last_event_on <= %s
                 GROUP BY m.org_id""",  # noqa: S608 (constants and ints only)
            [*_counter_params(day), day, day],
        )
    changed = "CASE WHEN m.last_event_on > %s THEN 1 ELSE 0 END"
    rows = fetch(
        f"""SELECT m.org_id, {changed}, {counters}
              FROM members_member m
             WHERE m.admitted_on <= %s
               AND (m.last_event_on > %s OR (m.status IN ({on_rolls}){now_filter}))
             GROUP BY 1, 2""",  # noqa: S608 (constants and ints only)
        [day, *_counter_params(day), day, day],
    )
    current = [(row[0], *row[2:]) for row in rows if not row[1]]
    if len(current) == len(rows):
        return current  # nobody's state changed after ``day``
    past_filter = in_list("x.org_id", org_ids) if org_ids is not None else ""
    counters = _counters_sql(
        "x.status_after", "x.category_after", "x.gender", "x.date_of_birth", "x.recognized_on"
    )
    past = fetch(
        f"""SELECT x.org_id, {counters}
              FROM ({last_events_sql()}) x
             WHERE x.status_after IN ({on_rolls}){past_filter}
             GROUP BY x.org_id""",  # noqa: S608 (constants and ints only)
        [*_counter_params(day), day, day, day],
    )
    return current + past


@dataclass
class CompositionReport:
    org: Org
    as_of: dt.date
    total: int = 0
    full: int = 0
    probationary: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_category: dict[str, int] = field(default_factory=dict)
    by_gender: dict[str, int] = field(default_factory=dict)
    by_age_band: dict[str, int] = field(default_factory=dict)
    by_school_level: dict[str, int] = field(default_factory=dict)
    by_unit: dict[int, dict[str, int]] = field(default_factory=dict)
    unit_names: dict[int, tuple[str, str]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "org": self.org.code,
            "as_of": self.as_of,
            "total_members": self.total,
            "full": self.full,
            "probationary": self.probationary,
            "by_status": {s: self.by_status.get(s, 0) for s in ON_ROLLS},
            "by_category": {c: self.by_category.get(c, 0) for c in Category.values},
            "by_gender": {g: self.by_gender.get(g, 0) for g in Gender.values},
            "by_age_band": {b[0]: self.by_age_band.get(b[0], 0) for b in AGE_BANDS},
            "by_school_level": dict(sorted(self.by_school_level.items())),
            "by_unit": [
                {"org": self.unit_names[u][0], "name": self.unit_names[u][1], **v}
                for u, v in sorted(self.by_unit.items(), key=lambda kv: self.unit_names[kv[0]][0])
            ],
        }


def composition(
    root: Org, as_of: dt.date, *, allowed: set[int] | None = None, tree: OrgTree | None = None
) -> CompositionReport:
    """Members on the rolls on ``as_of`` (active, exempted, temporarily away), in the tree of that date."""
    tree = tree or OrgTree()
    report = CompositionReport(root, as_of)
    counted = counted_units(tree.units_on(as_of, root.pk), allowed)
    if not counted:
        return report
    every_org = len(counted) == len(tree.current_parent)
    small = len(counted) <= IN_LIST_MAX and not every_org
    width = 2 + len(_STATUSES) + len(_CATEGORIES) + len(_GENDERS) + len(_BAND_LIMITS)
    level = tree.school_level
    rows = [
        row for row in _composition_rows(as_of, counted if small else None) if row[0] in counted
    ]
    totals = [sum(column) for column in zip(*rows, strict=True)][1:] or [0] * width
    for org_id, n, full, *_rest in rows:
        unit = counted[org_id]
        school_level = level.get(org_id, "")
        report.by_school_level[school_level] = report.by_school_level.get(school_level, 0) + n
        bucket = report.by_unit.setdefault(unit, {"total": 0, "full": 0, "probationary": 0})
        bucket["total"] += n
        bucket["full"] += full
        bucket["probationary"] += n - full
    report.by_school_level = {k: v for k, v in report.by_school_level.items() if v}
    report.by_unit = {u: v for u, v in report.by_unit.items() if v["total"]}
    _fill_composition(report, totals)
    report.unit_names = tree.labels(report.by_unit, day=as_of)
    return report


def _fill_composition(report: CompositionReport, totals: list[int]) -> None:
    it = iter(totals)
    report.total, report.full = next(it), next(it)
    report.probationary = report.total - report.full
    report.by_status = {s: next(it) for s in _STATUSES}
    report.by_category = {c: next(it) for c in _CATEGORIES}
    report.by_gender = {g: next(it) for g in _GENDERS}
    younger = [next(it) for _high in _BAND_LIMITS] + [report.total]
    below = 0
    for (name, _low, _high), count in zip(AGE_BANDS, younger, strict=True):
        report.by_age_band[name] = count - below
        below = count


# Status labels used by the composition table (kept here so the exports share them).
STATUS_ORDER = [Status.ACTIVE, Status.EXEMPTED, Status.TEMP_AWAY]


def directive_figures(root: Org, start: dt.date, end: dt.date) -> Any:
    """The counts a directive's compiled report quotes (``directives.figures.SystemFigures``):
    admissions and student removals in [start, end], by the tree of each event's date."""
    from chibo.directives.figures import SystemFigures

    report = admissions(root, start, end)
    admitted = report.counts
    removed = removals(root, start, end)
    return SystemFigures(
        period_start=start,
        period_end=end,
        org_code=root.code,
        admissions_total=admitted.total,
        admissions_students=admitted.school_students,
        admissions_pupils=admitted.school_pupils,
        removals_students_abandoned=removed.students_abandoned,
        admissions_historical=(report.historical or {}).get("", {}).get(None, 0),
    )
