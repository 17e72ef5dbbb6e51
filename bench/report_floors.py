"""Hand-written SQL for the same answers as the three reports (the floors of bench/scale.py).

Written without chibo: plain ``sqlite3`` or ``psycopg`` on the floors' own connection
(``search_floors.Floor``), no Django, no chibo module; the definitions (categories,
reasons, age bands, percentages half-up to 2 decimals) are written out here, so a
change on either side shows up as ``same=False``.

Each report places an event (or a member on a past day) in the org tree **of its own
date**: the orgs' periods (``orgs_orgperiod``) say where an org stood before a move
(the demo data has the 2025 reform, when district committees closed and their units
moved under the city). The plan, per report:

- admissions and removals: ONE grouped scan of the period's events by the (kind, date)
  index, grouped per org, year, the columns reported and the tree segment the event's
  date falls in (a ``CASE`` on the dates where an org moved); each segment's tree is
  read once (the orgs' current parents, overridden by the periods covering the day)
  and each org is mapped to its unit by one walk up, memoised;
- composition: one grouped scan of the members (and, for a past day, the last event on
  or before it of the members changed since), grouped per org, mapped by the tree of
  the day.

Units are reported by code, without names (``normalise`` strips chibo's names).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from bench.search_floors import Floor

ON_ROLLS = ("active", "exempted", "temp_away")
CATEGORIES = ("lecturer", "teacher", "cadre", "public_employee", "student", "pupil", "other")
GENDERS = ("male", "female")
REASONS = ("abandoned_activity", "unpaid_dues", "not_recognized", "other")
AGE_BANDS = (("under_30", 30), ("30_39", 40), ("40_49", 50), ("50_59", 60), ("60_plus", None))


def share_pct(part: int, total: int) -> Decimal:
    if not total:
        return Decimal("0.00")
    return (Decimal(part) * 100 / Decimal(total)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def normalise(answer: dict[str, Any]) -> dict[str, Any]:
    """A report's dictionary without the names (the floors do not read them)."""
    units = ({k: v for k, v in row.items() if k != "name"} for row in answer["by_unit"])
    return {**answer, "by_unit": sorted(units, key=lambda row: row["org"])}


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _year(fl: Floor, column: str) -> str:
    if fl.vendor == "postgresql":
        return f"CAST(EXTRACT(YEAR FROM {column}) AS INTEGER)"
    return f"CAST(substr({column}, 1, 4) AS INTEGER)"


def _historical(fl: Floor) -> str:
    if fl.vendor == "postgresql":
        return "COALESCE((e.data ->> 'historical') = 'true', FALSE)"
    return "COALESCE(json_extract(e.data, '$.historical') = 1, 0)"


class _Codes(dict):  # type: ignore[type-arg]
    """Org id → code, read when asked (the units of a report: the root's children)."""

    def __init__(self, fl: Floor, rows: list[tuple[Any, ...]]) -> None:
        super().__init__(rows)
        self.fl = fl

    def __missing__(self, pk: int) -> str:
        code = str(self.fl.q("SELECT code FROM orgs_org WHERE id = ?", [pk])[0][0])
        self[pk] = code
        return code


class Tree:
    """The org table read once (id → parent, school level); units per day; the codes of the
    root and of its children (the units a report shows), any other when asked."""

    def __init__(self, fl: Floor, root_code: str) -> None:
        self.fl = fl
        self.parent: dict[int, int | None] = {}
        self.level: dict[int, str] = {}
        for pk, parent, level in fl.q("SELECT id, parent_id, school_level FROM orgs_org"):
            self.parent[pk] = parent
            if level:
                self.level[pk] = level
        self.root = fl.q("SELECT id FROM orgs_org WHERE code = ?", [root_code])[0][0]
        self.code = _Codes(
            fl, fl.q("SELECT id, code FROM orgs_org WHERE id = ? OR parent_id = ?", [self.root] * 2)
        )

    def cuts(self, start: dt.date, end: dt.date) -> list[dt.date]:
        """The days in (start, end] on which an org that stood before moved (or was renamed)."""
        rows = self.fl.q(
            "SELECT DISTINCT p.valid_from FROM orgs_orgperiod p WHERE p.valid_from > ?"
            " AND p.valid_from <= ? AND EXISTS (SELECT 1 FROM orgs_orgperiod q"
            " WHERE q.org_id = p.org_id AND q.valid_from < p.valid_from)",
            [str(start), str(end)],
        )
        return sorted(_date(r[0]) for r in rows)

    def units_on(self, day: dt.date, orgs: Iterable[int] | None = None) -> dict[int, int | None]:
        """org id → the root's child above it on ``day`` (the root for itself; None outside),
        for ``orgs`` (default: every org). Only the periods that place an org elsewhere
        than today are read (the others change no parent)."""
        parent = dict(self.parent)
        for org, up in self.fl.q(
            "SELECT p.org_id, p.parent_id FROM orgs_orgperiod p JOIN orgs_org o ON o.id = p.org_id"
            " WHERE p.valid_from <= ? AND (p.valid_to IS NULL OR p.valid_to > ?)"
            " AND (p.parent_id <> o.parent_id OR (p.parent_id IS NULL) <> (o.parent_id IS NULL))",
            [str(day), str(day)],
        ):
            parent[org] = up
        root = self.root
        memo: dict[int, int | None] = {root: root}
        for org in parent if orgs is None else orgs:
            chain: list[int] = []
            x: int | None = org
            while x is not None and x not in memo:
                if parent.get(x) == root:
                    memo[x] = x
                    break
                chain.append(x)
                x = parent.get(x)
            unit = memo.get(x) if x is not None else None
            for c in chain:
                memo[c] = unit
        return memo


def _segment_sql(cuts: list[dt.date]) -> str:
    if not cuts:
        return "0"
    return " + ".join("CASE WHEN e.effective_date >= ? THEN 1 ELSE 0 END" for _ in cuts)


def _events(
    fl: Floor,
    tree: Tree,
    kinds: tuple[str, ...],
    columns: list[str],
    start: dt.date,
    end: dt.date,
) -> list[tuple[Any, ...]]:
    """(unit, org id, year, *columns, n) of the events of ``kinds`` in [start, end] of the
    root's subtree, each org placed in the tree of the event's date."""
    cuts = tree.cuts(start, end)
    segments = [start, *cuts]
    marks = ", ".join("?" for _ in kinds)
    rows = fl.q(
        f"""SELECT e.org_id, {_segment_sql(cuts)}, {_year(fl, "e.effective_date")},
                   {", ".join(columns)}, COUNT(*)
              FROM members_memberevent e
             WHERE e.kind IN ({marks}) AND e.effective_date >= ? AND e.effective_date <= ?
             GROUP BY 1, 2, 3, {", ".join(str(i + 4) for i in range(len(columns)))}""",  # noqa: S608
        [*map(str, cuts), *kinds, str(start), str(end)],
    )
    # Each segment's tree walked up from the orgs that have events in it only.
    maps = [
        tree.units_on(day, {row[0] for row in rows if row[1] == n})
        for n, day in enumerate(segments)
    ]
    out = []
    for org, segment, year, *rest in rows:
        unit = maps[segment].get(org)
        if unit is not None:
            out.append((unit, org, year, *rest))
    return out


# --- admissions ------------------------------------------------------------------


def _counts(items: list[tuple[int, str, bool, bool]], whole: int | None = None) -> dict[str, Any]:
    total = sum(n for n, _c, _s, _h in items)
    students = sum(n for n, c, s, _h in items if s and c == "student")
    pupils = sum(n for n, c, s, _h in items if s and c == "pupil")
    historical = sum(n for n, _c, _s, h in items if h)
    both = students + pupils
    row = {
        "total_admissions": total,
        "school_students": students,
        "school_pupils": pupils,
        "school_students_and_pupils": both,
        "school_students_share_pct": share_pct(students, total),
        "school_pupils_share_pct": share_pct(pupils, total),
        "school_students_and_pupils_share_pct": share_pct(both, total),
    }
    if whole is not None:
        row["share_of_total_pct"] = share_pct(both, whole)
    return {**row, "historical_admissions": historical, "admissions_in_chibo": total - historical}


def admissions(fl: Floor, root_code: str, start: dt.date, end: dt.date) -> dict[str, Any]:
    tree = Tree(fl, root_code)
    rows = _events(fl, tree, ("admitted",), ["e.category_after", _historical(fl)], start, end)
    every: list[tuple[int, str, bool, bool]] = []
    by_year: dict[int, list] = defaultdict(list)
    by_unit: dict[str, list] = defaultdict(list)
    by_level: dict[str, list] = defaultdict(list)
    for unit, org, year, category, historical, n in rows:
        level = tree.level.get(org, "")
        item = (n, category, bool(level), bool(historical))
        every.append(item)
        by_year[int(year)].append(item)
        by_unit[tree.code[unit]].append(item)
        by_level[level].append(item)
    whole = sum(n for n, *_rest in every)
    return {
        "org": root_code,
        "from": start,
        "to": end,
        **_counts(every),
        "by_year": [{"year": y, **_counts(v, whole)} for y, v in sorted(by_year.items())],
        "by_unit": sorted(
            ({"org": u, **_counts(v, whole)} for u, v in by_unit.items()), key=lambda r: r["org"]
        ),
        "by_school_level": [
            {"school_level": level, **_counts(v, whole)} for level, v in sorted(by_level.items())
        ],
    }


# --- removals --------------------------------------------------------------------


def removals(fl: Floor, root_code: str, start: dt.date, end: dt.date) -> dict[str, Any]:
    tree = Tree(fl, root_code)
    rows = _events(
        fl, tree, ("removed", "expelled"), ["e.kind", "e.reason", "e.category_after"], start, end
    )

    def zero() -> dict[str, int]:
        return {"removed": 0, "expelled": 0, "students_removed_abandoned_activity": 0}

    totals = zero()
    by_reason: dict[str, int] = defaultdict(int)
    by_category = {c: zero() for c in CATEGORIES}
    by_year: dict[int, dict[str, int]] = defaultdict(zero)
    by_unit: dict[str, dict[str, int]] = defaultdict(zero)
    for unit, _org, year, kind, reason, category, n in rows:
        abandoned = kind == "removed" and reason == "abandoned_activity" and category == "student"
        if kind == "removed":
            by_reason[reason or "other"] += n
        for bucket in (totals, by_category[category], by_year[int(year)], by_unit[tree.code[unit]]):
            bucket[kind] += n
            bucket["students_removed_abandoned_activity"] += n if abandoned else 0
    return {
        "org": root_code,
        "from": start,
        "to": end,
        "total_removals": totals["removed"] + totals["expelled"],
        **totals,
        "by_reason": {r: by_reason.get(r, 0) for r in REASONS},
        "by_category": by_category,
        "by_year": [{"year": y, **v} for y, v in sorted(by_year.items())],
        "by_unit": sorted(({"org": u, **v} for u, v in by_unit.items()), key=lambda r: r["org"]),
    }


# --- composition -----------------------------------------------------------------


def _counters(status: str, category: str, gender: str, dob: str, recognized: str) -> str:
    """One row per org: COUNT, full, then one conditional count per status, category and
    gender, then the members younger than each age band's upper bound (cumulative)."""
    cases = [f"COUNT(CASE WHEN {recognized} <= ? THEN 1 END)"]
    cases += [f"COUNT(CASE WHEN {status} = '{v}' THEN 1 END)" for v in ON_ROLLS]
    cases += [f"COUNT(CASE WHEN {category} = '{v}' THEN 1 END)" for v in CATEGORIES]
    cases += [f"COUNT(CASE WHEN {gender} = '{v}' THEN 1 END)" for v in GENDERS]
    cases += [f"COUNT(CASE WHEN {dob} > ? THEN 1 END)" for _b in AGE_BANDS[:-1]]
    return "COUNT(*), " + ", ".join(cases)


def composition(fl: Floor, root_code: str, day: dt.date, *, changed_since: bool) -> dict[str, Any]:
    """Members on the rolls on ``day``, in the tree of that day; ``changed_since``: some
    members' rows are newer than ``day``.

    One scan of the members counts, per org, those unchanged since ``day`` from their row;
    the others (only when ``changed_since``) count from their last event on or before
    ``day`` (one index probe per member), per org too.
    """
    tree = Tree(fl, root_code)
    units = tree.units_on(day)
    rolls = ", ".join(f"'{s}'" for s in ON_ROLLS)
    limits = [str(_years_before(day, high)) for _name, high in AGE_BANDS[:-1] if high]
    counter_params = [str(day), *limits]
    rows = fl.q(
        f"""SELECT m.org_id, {_counters("m.status", "m.category", "m.gender", "m.date_of_birth", "m.recognized_on")}
              FROM members_member m
             WHERE m.last_event_on <= ? AND m.admitted_on <= ? AND m.status IN ({rolls})
             GROUP BY m.org_id""",  # noqa: S608
        [*counter_params, str(day), str(day)],
    )
    if changed_since:
        # Each changed member's last event on or before the day: one probe of the
        # (member, date, id) index per member (PostgreSQL: LATERAL; SQLite: correlated).
        if fl.vendor == "postgresql":
            last = """SELECT x.org_id, x.status_after, x.category_after, m.gender,
                             m.date_of_birth, m.recognized_on
                        FROM members_member m CROSS JOIN LATERAL (
                             SELECT l.org_id, l.status_after, l.category_after
                               FROM members_memberevent l
                              WHERE l.member_id = m.id AND l.effective_date <= ?
                              ORDER BY l.effective_date DESC, l.id DESC LIMIT 1) x
                       WHERE m.last_event_on > ? AND m.admitted_on <= ?"""
        else:
            last = """SELECT e.org_id, e.status_after, e.category_after, m.gender,
                             m.date_of_birth, m.recognized_on
                        FROM members_member m JOIN members_memberevent e ON e.id = (
                             SELECT l.id FROM members_memberevent l
                              WHERE l.member_id = m.id AND l.effective_date <= ?
                              ORDER BY l.effective_date DESC, l.id DESC LIMIT 1)
                       WHERE m.last_event_on > ? AND m.admitted_on <= ?"""
        counters = _counters(
            "x.status_after", "x.category_after", "x.gender", "x.date_of_birth", "x.recognized_on"
        )
        rows += fl.q(
            f"""SELECT x.org_id, {counters}
                  FROM ({last}) x
                 WHERE x.status_after IN ({rolls})
                 GROUP BY x.org_id""",  # noqa: S608
            [*counter_params, str(day), str(day), str(day)],
        )
    width = 2 + len(ON_ROLLS) + len(CATEGORIES) + len(GENDERS) + len(AGE_BANDS) - 1
    sums = [0] * width
    levels: dict[str, int] = defaultdict(int)
    by_unit: dict[str, dict[str, int]] = {}
    for org, *counts in rows:
        unit = units.get(org)
        if unit is None or not counts[0]:
            continue
        counts = [int(c or 0) for c in counts]
        sums = [a + b for a, b in zip(sums, counts, strict=True)]
        levels[tree.level.get(org, "")] += counts[0]
        bucket = by_unit.setdefault(tree.code[unit], {"total": 0, "full": 0, "probationary": 0})
        bucket["total"] += counts[0]
        bucket["full"] += counts[1]
        bucket["probationary"] += counts[0] - counts[1]
    it = iter(sums)
    total, full = next(it), next(it)
    by_status = {s: next(it) for s in ON_ROLLS}
    by_category = {c: next(it) for c in CATEGORIES}
    by_gender = {g: next(it) for g in GENDERS}
    younger = [next(it) for _b in AGE_BANDS[:-1]] + [total]
    by_band: dict[str, int] = {}
    below = 0
    for (name, _high), n in zip(AGE_BANDS, younger, strict=True):
        by_band[name] = n - below
        below = n
    return {
        "org": root_code,
        "as_of": day,
        "total_members": total,
        "full": full,
        "probationary": total - full,
        "by_status": by_status,
        "by_category": by_category,
        "by_gender": by_gender,
        "by_age_band": by_band,
        "by_school_level": dict(sorted((k, v) for k, v in levels.items() if v)),
        "by_unit": sorted(({"org": u, **v} for u, v in by_unit.items()), key=lambda r: r["org"]),
    }
