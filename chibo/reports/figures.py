"""The directive's figures, computed by the database (GROUP BY), rolled up over the org tree.

Nothing here knows about users: ``allowed`` (a set of org ids, or None for
the system) limits what is counted, and the scoped entry points in
``selectors.py`` compute it from the actor's scope. Every count is grouped
per org in SQL — a few thousand rows at most — and the tree roll-up (which
unit an org belonged to *on the date of the event*) is done in Python over
those rows, never over members.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import ExtractYear

from chibo.members.models import ON_ROLLS, Category, EventKind, Gender, Member, MemberEvent, Status
from chibo.orgs.models import Org, OrgPeriod
from chibo.orgs.selectors import tree_as_of

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


def share_pct(part: int, total: int) -> Decimal:
    """``part`` as a percentage of ``total``, rounded half-up to 2 decimals (0 when total is 0)."""
    if not total:
        return Decimal("0.00")
    return (Decimal(part) * HUNDRED / Decimal(total)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


@dataclass(frozen=True)
class OrgInfo:
    id: int
    code: str
    name: str
    school_level: str
    parent_id: int | None
    depth: int


def org_table() -> dict[int, OrgInfo]:
    rows = Org.objects.values_list("id", "code", "name", "school_level", "parent_id", "depth")
    return {r[0]: OrgInfo(*r) for r in rows}


class TreeOn:
    """The org tree as it stood on one day (current parents where no history exists)."""

    def __init__(self, day: dt.date, orgs: dict[int, OrgInfo]) -> None:
        self.day = day
        self.orgs = orgs
        nodes = tree_as_of(day)
        self.parent: dict[int, int | None] = {i: o.parent_id for i, o in orgs.items()}
        self.names: dict[int, str] = {i: o.name for i, o in orgs.items()}
        for node in nodes.values():
            self.parent[node.org_id] = node.parent_id
            self.names[node.org_id] = node.name
        self._unit_cache: dict[tuple[int, int], int | None] = {}

    def unit_under(self, org_id: int, root_id: int) -> int | None:
        """The child of ``root_id`` above ``org_id`` (``root_id`` itself for the root; None: outside)."""
        key = (org_id, root_id)
        if key in self._unit_cache:
            return self._unit_cache[key]
        chain = []
        node: int | None = org_id
        result: int | None = None
        seen = 0
        while node is not None and seen < 64:
            if node == root_id:
                result = chain[-1] if chain else root_id
                break
            chain.append(node)
            node = self.parent.get(node)
            seen += 1
        self._unit_cache[key] = result
        return result

    def subtree_ids(self, root_id: int) -> set[int]:
        return {i for i in self.parent if self.unit_under(i, root_id) is not None}


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


def _org_q(root: Org, ids: set[int], field_name: str = "org_id") -> Q | None:
    if root.parent_id is None:
        return Q()
    if len(ids) <= IN_LIST_MAX:
        return Q(**{f"{field_name}__in": ids})
    return Q()  # filtered in Python


@dataclass
class EventRow:
    org_id: int
    unit_id: int
    year: int
    values: dict[str, Any]
    n: int


def _event_rows(
    root: Org,
    start: dt.date,
    end: dt.date,
    kinds: Iterable[str],
    group: list[str],
    allowed: set[int] | None,
    orgs: dict[int, OrgInfo],
) -> list[EventRow]:
    """Events of ``kinds`` in [start, end], grouped per org/year/``group``, placed in the tree of their date."""
    out: list[EventRow] = []
    for first, last in tree_segments(start, end):
        tree = TreeOn(first, orgs)
        ids = tree.subtree_ids(root.pk)
        if allowed is not None:
            ids &= allowed
        if not ids:
            continue
        qs = (
            MemberEvent.objects.filter(
                _org_q(root, ids),
                kind__in=list(kinds),
                effective_date__gte=first,
                effective_date__lte=last,
            )
            .annotate(year=ExtractYear("effective_date"))
            .order_by()
            .values("org_id", "year", *group)
            .annotate(n=Count("id"))
        )
        for row in qs:
            if row["org_id"] not in ids:
                continue
            unit = tree.unit_under(row["org_id"], root.pk)
            out.append(
                EventRow(row["org_id"], unit, row["year"], {g: row[g] for g in group}, row["n"])
            )
    return out


# --- admissions --------------------------------------------------------------


@dataclass
class Counts:
    total: int = 0
    school_students: int = 0
    school_pupils: int = 0

    def add(self, n: int, category: str, is_school: bool) -> None:
        self.total += n
        if is_school and category == Category.STUDENT:
            self.school_students += n
        elif is_school and category == Category.PUPIL:
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

    def summary(self) -> dict[str, Any]:
        """The contract: exactly these keys, in this order."""
        return {"org": self.org.code, "from": self.start, "to": self.end, **self.counts.as_dict()}

    def breakdown(self) -> dict[str, Any]:
        return {
            **self.summary(),
            "by_year": [{"year": y, **c.as_dict()} for y, c in sorted(self.by_year.items())],
            "by_unit": [
                {"org": self.unit_names[u][0], "name": self.unit_names[u][1], **c.as_dict()}
                for u, c in sorted(
                    self.by_unit.items(), key=lambda kv: (-kv[1].total, self.unit_names[kv[0]][0])
                )
            ],
            "by_school_level": [
                {"school_level": level, **c.as_dict()}
                for level, c in sorted(self.by_school_level.items())
            ],
        }


def admissions(
    root: Org, start: dt.date, end: dt.date, *, allowed: set[int] | None = None
) -> AdmissionsReport:
    """Admissions decided in [start, end] by the orgs of ``root``'s subtree (as it stood on each date).

    Counted by the admitting org (the ``admitted`` event's org) and the
    category at admission (the event's ``category_after``), whatever has
    happened to the member since.
    """
    orgs = org_table()
    report = AdmissionsReport(root, start, end, Counts())
    for row in _event_rows(
        root, start, end, [EventKind.ADMITTED], ["category_after"], allowed, orgs
    ):
        info = orgs[row.org_id]
        category = row.values["category_after"]
        is_school = bool(info.school_level)
        report.counts.add(row.n, category, is_school)
        report.by_year.setdefault(row.year, Counts()).add(row.n, category, is_school)
        report.by_unit.setdefault(row.unit_id, Counts()).add(row.n, category, is_school)
        report.by_school_level.setdefault(info.school_level, Counts()).add(
            row.n, category, is_school
        )
    report.unit_names = {u: (orgs[u].code, orgs[u].name) for u in report.by_unit}
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
            "by_year": [{"year": y, **v} for y, v in sorted(self.by_year.items())],
            "by_unit": [
                {"org": self.unit_names[u][0], "name": self.unit_names[u][1], **v}
                for u, v in sorted(self.by_unit.items(), key=lambda kv: self.unit_names[kv[0]][0])
            ],
        }


def _reasons() -> list[str]:
    from chibo.members.models import RemovalReason

    return list(RemovalReason.values)


def _zero_removal() -> dict[str, int]:
    return {"removed": 0, "expelled": 0, "students_removed_abandoned_activity": 0}


def removals(
    root: Org, start: dt.date, end: dt.date, *, allowed: set[int] | None = None
) -> RemovalsReport:
    """Removals from the rolls (by reason) and expulsions in [start, end], by the org the member was in."""
    orgs = org_table()
    report = RemovalsReport(root, start, end)
    rows = _event_rows(
        root,
        start,
        end,
        [EventKind.REMOVED, EventKind.EXPELLED],
        ["kind", "reason", "category_after"],
        allowed,
        orgs,
    )
    for row in rows:
        kind, reason, category = (
            row.values["kind"],
            row.values["reason"],
            row.values["category_after"],
        )
        key = "removed" if kind == EventKind.REMOVED else "expelled"
        abandoned = (
            key == "removed" and reason == "abandoned_activity" and category == Category.STUDENT
        )
        if key == "removed":
            report.removed += row.n
            report.by_reason[reason or "other"] += row.n
        else:
            report.expelled += row.n
        for bucket in (
            report.by_category.setdefault(category, _zero_removal()),
            report.by_year.setdefault(row.year, _zero_removal()),
            report.by_unit.setdefault(row.unit_id, _zero_removal()),
        ):
            bucket[key] += row.n
            if abandoned:
                bucket["students_removed_abandoned_activity"] += row.n
        if abandoned:
            report.students_abandoned += row.n
    report.unit_names = {u: (orgs[u].code, orgs[u].name) for u in report.by_unit}
    return report


# --- composition ---------------------------------------------------------------


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _state_sql(day: dt.date, org_filter: str) -> tuple[str, list[Any]]:
    """SQL for each member's state on ``day``: (member_id, org_id, status, category, gender, dob, full).

    Members whose last event is on or before ``day`` have their current
    state; only the others are looked up in their events (the last one on
    or before ``day``, ordered by date then id).
    """
    on_rolls = ", ".join(["%s"] * len(ON_ROLLS))
    # Built from constants and integer ids only; values are bound parameters.
    sql = f"""
        SELECT m.id AS member_id, m.org_id AS org_id, m.status AS status, m.category AS category,
               m.gender AS gender, m.date_of_birth AS dob, m.recognized_on AS recognized_on
          FROM members_member m
         WHERE m.last_event_on <= %s AND m.admitted_on <= %s AND m.status IN ({on_rolls}) {org_filter.format(t="m")}
        UNION ALL
        SELECT x.member_id, x.org_id, x.status_after, x.category_after, m.gender, m.date_of_birth, m.recognized_on
          FROM (SELECT e.member_id, e.org_id, e.status_after, e.category_after,
                       ROW_NUMBER() OVER (PARTITION BY e.member_id ORDER BY e.effective_date DESC, e.id DESC) AS rn
                  FROM members_memberevent e
                  JOIN members_member m2 ON m2.id = e.member_id
                 WHERE e.effective_date <= %s AND m2.last_event_on > %s) x
          JOIN members_member m ON m.id = x.member_id
         WHERE x.rn = 1 AND x.status_after IN ({on_rolls}) {org_filter.format(t="x")}
    """  # noqa: S608
    params = [day, day, *ON_ROLLS, day, day, *ON_ROLLS]
    if not Member.objects.filter(last_event_on__gt=day).exists():
        # Nobody's state changed after ``day`` (a report for today): current state only.
        sql = sql[: sql.index("UNION ALL")]
        params = params[: 2 + len(ON_ROLLS)]
    return sql, params


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


def composition(root: Org, as_of: dt.date, *, allowed: set[int] | None = None) -> CompositionReport:
    """Members on the rolls on ``as_of`` (active, exempted, temporarily away), in the tree of that date."""
    orgs = org_table()
    tree = TreeOn(as_of, orgs)
    ids = tree.subtree_ids(root.pk)
    if allowed is not None:
        ids &= allowed
    report = CompositionReport(root, as_of)
    if not ids:
        return report
    org_filter = ""
    # Whether SQL alone selects exactly ``ids`` (then the second query need
    # not be grouped per org, which keeps it to a few dozen rows).
    exact = root.parent_id is None and len(ids) == len(orgs)
    if root.parent_id is not None and len(ids) <= IN_LIST_MAX:
        org_filter = "AND {t}.org_id IN (" + ", ".join(str(int(i)) for i in sorted(ids)) + ")"
        exact = True
    state, params = _state_sql(as_of, org_filter)
    org_col = "0" if exact else "s.org_id"
    org_group = "" if exact else "s.org_id, "
    band_cases = " ".join(f"WHEN s.dob > %s THEN '{name}'" for name, _low, high in AGE_BANDS[:-1])
    band_params = [_years_before(as_of, high) for _name, _low, high in AGE_BANDS[:-1]]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT s.org_id, s.status, CASE WHEN s.recognized_on <= %s THEN 1 ELSE 0 END AS full_flag,
                       COUNT(*)
                  FROM ({state}) s GROUP BY s.org_id, s.status, full_flag""",  # noqa: S608 (constants and ints only)
            [as_of, *params],
        )
        per_org = cursor.fetchall()
        cursor.execute(
            f"""SELECT {org_col}, s.category, s.gender, CASE {band_cases} ELSE '{AGE_BANDS[-1][0]}' END AS band,
                       COUNT(*)
                  FROM ({state}) s GROUP BY {org_group}s.category, s.gender, band""",  # noqa: S608
            [*band_params, *params],
        )
        per_kind = cursor.fetchall()
    for org_id, status, full, n in per_org:
        if org_id not in ids:
            continue
        report.total += n
        if full:
            report.full += n
        else:
            report.probationary += n
        report.by_status[status] = report.by_status.get(status, 0) + n
        level = orgs[org_id].school_level
        report.by_school_level[level] = report.by_school_level.get(level, 0) + n
        unit = tree.unit_under(org_id, root.pk)
        bucket = report.by_unit.setdefault(unit, {"total": 0, "full": 0, "probationary": 0})
        bucket["total"] += n
        bucket["full" if full else "probationary"] += n
    for org_id, category, gender, band, n in per_kind:
        if not exact and org_id not in ids:
            continue
        report.by_category[category] = report.by_category.get(category, 0) + n
        report.by_gender[gender] = report.by_gender.get(gender, 0) + n
        report.by_age_band[band] = report.by_age_band.get(band, 0) + n
    report.unit_names = {u: (orgs[u].code, tree.names.get(u, orgs[u].name)) for u in report.by_unit}
    return report


# Status labels used by the composition table (kept here so the exports share them).
STATUS_ORDER = [Status.ACTIVE, Status.EXEMPTED, Status.TEMP_AWAY]
