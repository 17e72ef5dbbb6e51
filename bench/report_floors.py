"""Hand-written SQL for the same answers as the three reports (the floors of bench/scale.py).

Each function returns the report's whole dictionary (every breakdown, units by
code, without names), computed by one grouped query over the current org
tree (the bench data has no moved orgs) and folded in Python; the ORM side
is normalised by ``normalise`` to the same shape, so the bench compares the
whole answer, not only its total.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db import connection

from chibo.members.models import ON_ROLLS, Category, Gender
from chibo.orgs.models import STEP, Org
from chibo.reports.figures import AGE_BANDS, _years_before, share_pct

ON_ROLLS_SQL = "(" + ", ".join(f"'{s}'" for s in ON_ROLLS) + ")"


def _q(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _year(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(EXTRACT(YEAR FROM {column}) AS INTEGER)"
    return f"CAST(strftime('%%Y', {column}) AS INTEGER)"


def _unit_sql(root: Org) -> str:
    """The unit of an org: the path of the root's child above it (the root's own path for the root)."""
    return f"substr(o.path, 1, {len(root.path) + STEP})"


def _unit_codes(paths: set[str]) -> dict[str, str]:
    if not paths:
        return {}
    marks = ", ".join(["%s"] * len(paths))
    return dict(_q(f"SELECT path, code FROM orgs_org WHERE path IN ({marks})", sorted(paths)))  # noqa: S608


def normalise(answer: dict[str, Any]) -> dict[str, Any]:
    """A report's dictionary without the names (the floors do not read them)."""
    units = ({k: v for k, v in row.items() if k != "name"} for row in answer["by_unit"])
    return {**answer, "by_unit": sorted(units, key=lambda row: row["org"])}


# --- admissions ------------------------------------------------------------------


def _counts(rows: list[tuple[int, str, bool]]) -> dict[str, Any]:
    total = sum(n for n, _c, _s in rows)
    students = sum(n for n, c, s in rows if s and c == Category.STUDENT)
    pupils = sum(n for n, c, s in rows if s and c == Category.PUPIL)
    both = students + pupils
    return {
        "total_admissions": total,
        "school_students": students,
        "school_pupils": pupils,
        "school_students_and_pupils": both,
        "school_students_share_pct": share_pct(students, total),
        "school_pupils_share_pct": share_pct(pupils, total),
        "school_students_and_pupils_share_pct": share_pct(both, total),
    }


def admissions(root: Org, start: dt.date, end: dt.date) -> dict[str, Any]:
    rows = _q(
        f"""SELECT {_unit_sql(root)}, {_year("e.effective_date")}, o.school_level,
                   e.category_after, COUNT(*)
              FROM members_memberevent e JOIN orgs_org o ON o.id = e.org_id
             WHERE e.kind = 'admitted' AND e.effective_date BETWEEN %s AND %s
               AND o.path >= %s AND o.path < %s
             GROUP BY 1, 2, 3, 4""",  # noqa: S608
        [start, end, root.path, root.path_bound],
    )
    codes = _unit_codes({r[0] for r in rows})
    every: list[tuple[int, str, bool]] = []
    by_year: dict[int, list] = defaultdict(list)
    by_unit: dict[str, list] = defaultdict(list)
    by_level: dict[str, list] = defaultdict(list)
    for unit, year, level, category, n in rows:
        item = (n, category, bool(level))
        every.append(item)
        by_year[year].append(item)
        by_unit[codes[unit]].append(item)
        by_level[level or ""].append(item)
    return {
        "org": root.code,
        "from": start,
        "to": end,
        **_counts(every),
        "by_year": [{"year": y, **_counts(v)} for y, v in sorted(by_year.items())],
        "by_unit": sorted(
            ({"org": u, **_counts(v)} for u, v in by_unit.items()), key=lambda r: r["org"]
        ),
        "by_school_level": [
            {"school_level": level, **_counts(v)} for level, v in sorted(by_level.items())
        ],
    }


# --- removals --------------------------------------------------------------------


def removals(root: Org, start: dt.date, end: dt.date) -> dict[str, Any]:
    from chibo.members.models import RemovalReason

    rows = _q(
        f"""SELECT {_unit_sql(root)}, {_year("e.effective_date")}, e.kind, e.reason,
                   e.category_after, COUNT(*)
              FROM members_memberevent e JOIN orgs_org o ON o.id = e.org_id
             WHERE e.kind IN ('removed', 'expelled') AND e.effective_date BETWEEN %s AND %s
               AND o.path >= %s AND o.path < %s
             GROUP BY 1, 2, 3, 4, 5""",  # noqa: S608
        [start, end, root.path, root.path_bound],
    )
    codes = _unit_codes({r[0] for r in rows})

    def zero() -> dict[str, int]:
        return {"removed": 0, "expelled": 0, "students_removed_abandoned_activity": 0}

    totals = zero()
    by_reason: dict[str, int] = defaultdict(int)
    by_category = {c: zero() for c in Category.values}
    by_year: dict[int, dict[str, int]] = defaultdict(zero)
    by_unit: dict[str, dict[str, int]] = defaultdict(zero)
    for unit, year, kind, reason, category, n in rows:
        abandoned = kind == "removed" and reason == "abandoned_activity" and category == "student"
        if kind == "removed":
            by_reason[reason or "other"] += n
        for bucket in (totals, by_category[category], by_year[year], by_unit[codes[unit]]):
            bucket[kind] += n
            bucket["students_removed_abandoned_activity"] += n if abandoned else 0
    return {
        "org": root.code,
        "from": start,
        "to": end,
        "total_removals": totals["removed"] + totals["expelled"],
        **totals,
        "by_reason": {r: by_reason.get(r, 0) for r in RemovalReason.values},
        "by_category": by_category,
        "by_year": [{"year": y, **v} for y, v in sorted(by_year.items())],
        "by_unit": sorted(({"org": u, **v} for u, v in by_unit.items()), key=lambda r: r["org"]),
    }


# --- composition -----------------------------------------------------------------


def composition(root: Org, day: dt.date, *, changed_since: bool) -> dict[str, Any]:
    """Members on the rolls on ``day``; ``changed_since``: some members' rows are newer than ``day``.

    Unchanged members count from their row; the others (only when
    ``changed_since``) from their last event on or before ``day``.
    """
    past = ""
    params: list[Any] = [day, day]
    if changed_since:
        past = f"""UNION ALL
            SELECT x.org_id, x.status_after, x.category_after, x.gender, x.date_of_birth, x.recognized_on
              FROM (SELECT e.org_id, e.status_after, e.category_after, m.gender, m.date_of_birth,
                           m.recognized_on, ROW_NUMBER() OVER (PARTITION BY e.member_id
                           ORDER BY e.effective_date DESC, e.id DESC) AS rn
                      FROM members_memberevent e JOIN members_member m ON m.id = e.member_id
                     WHERE e.effective_date <= %s AND m.last_event_on > %s) x
             WHERE x.rn = 1 AND x.status_after IN {ON_ROLLS_SQL}"""  # noqa: S608
        params += [day, day]
    bands = " ".join(f"WHEN s.dob > %s THEN '{name}'" for name, _low, high in AGE_BANDS[:-1])
    band_params = [_years_before(day, high) for _name, _low, high in AGE_BANDS[:-1]]
    rows = _q(
        f"""WITH s (org_id, status, category, gender, dob, recognized_on) AS (
              SELECT m.org_id, m.status, m.category, m.gender, m.date_of_birth, m.recognized_on
                FROM members_member m
               WHERE m.last_event_on <= %s AND m.admitted_on <= %s AND m.status IN {ON_ROLLS_SQL}
              {past})
            SELECT {_unit_sql(root)}, o.school_level, s.status, s.category, s.gender,
                   CASE WHEN s.recognized_on <= %s THEN 1 ELSE 0 END,
                   CASE {bands} ELSE '{AGE_BANDS[-1][0]}' END, COUNT(*)
              FROM s JOIN orgs_org o ON o.id = s.org_id
             WHERE o.path >= %s AND o.path < %s
             GROUP BY 1, 2, 3, 4, 5, 6, 7""",  # noqa: S608
        [*params, day, *band_params, root.path, root.path_bound],
    )
    codes = _unit_codes({r[0] for r in rows})
    total = full = 0
    by: dict[str, dict[str, int]] = {
        "by_status": {s: 0 for s in ON_ROLLS},
        "by_category": {c: 0 for c in Category.values},
        "by_gender": {g: 0 for g in Gender.values},
        "by_age_band": {b[0]: 0 for b in AGE_BANDS},
    }
    levels: dict[str, int] = defaultdict(int)
    units: dict[str, dict[str, int]] = defaultdict(
        lambda: {"total": 0, "full": 0, "probationary": 0}
    )
    for unit, level, status, category, gender, is_full, band, n in rows:
        total += n
        full += n * is_full
        for key, value in (
            ("by_status", status),
            ("by_category", category),
            ("by_gender", gender),
            ("by_age_band", band),
        ):
            by[key][value] += n
        levels[level or ""] += n
        bucket = units[codes[unit]]
        bucket["total"] += n
        bucket["full"] += n * is_full
        bucket["probationary"] += n * (1 - is_full)
    return {
        "org": root.code,
        "as_of": day,
        "total_members": total,
        "full": full,
        "probationary": total - full,
        **by,
        "by_school_level": dict(sorted(levels.items())),
        "by_unit": sorted(({"org": u, **v} for u, v in units.items()), key=lambda r: r["org"]),
    }
