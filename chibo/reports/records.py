"""The members behind a report figure: exactly those the figure counts.

Each figure with people behind it links to ``/reports/<kind>/members/`` with
the report's own parameters (org, period or day) and the row's facet (a unit,
a category, a year …). The members are found by the figure's own rules, on
the same queries' terms (``reports.figures``):

- admissions and removals: the ``admitted`` (or ``removed``/``expelled``)
  events of the period, each placed in the tree of its date, counted where the
  event's org may be counted (``allowed``);
- composition: the members on the rolls on the day, with their state of that
  day, in the tree of that day.

So "116 admitted" opens the 116 admitted members, not the org's 2,608. Those
who have since left the actor's scope are counted by the figure but are not
listed; the page says how many (``Records.hidden``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.http import QueryDict
from django.urls import get_script_prefix, get_urlconf, reverse

from chibo.lib.dates import years_before
from chibo.members.models import ON_ROLLS, Category, EventKind, Gender, RemovalReason
from chibo.orgs.models import Org, SchoolLevel
from chibo.reports import figures, sql
from chibo.reports.figures import AGE_BANDS, IN_LIST_MAX, SCHOOL_CATEGORIES, OrgTree

# The facets each report's rows can carry, with their allowed values.
SCHOOL = "school"  # admissions: students and pupils of school orgs together
NO_LEVEL = "none"  # an org that is not a school
LEVELS = {*SchoolLevel.values, NO_LEVEL}
FACETS: dict[str, dict[str, set[str] | None]] = {
    "admissions": {
        "unit": None,
        "category": {*Category.values, SCHOOL},
        "level": LEVELS,
        "year": None,
        # Issue 20: "past" = entered as a record of an admission made before chibo, "chibo" =
        # through the admission path (the ``admitted`` event's ``historical`` flag).
        "origin": {"past", "chibo"},
    },
    "removals": {
        "unit": None,
        "category": set(Category.values),
        "kind": {"removed", "expelled"},
        "reason": set(RemovalReason.values),
        "abandoned": {"1"},
        "year": None,
    },
    "composition": {
        "unit": None,
        "standing": {"full", "probationary"},
        "status": {str(s) for s in ON_ROLLS},
        "category": set(Category.values),
        "gender": set(Gender.values),
        "age": {name for name, _low, _high in AGE_BANDS},
        "level": LEVELS,
    },
}
KINDS = tuple(FACETS)


class BadFacet(ValueError):
    """A facet the report does not have, or a value it cannot take."""


def facets_from(kind: str, query: QueryDict | dict[str, str]) -> dict[str, str]:
    """The facets of ``kind`` given in ``query`` (empty ones left out); BadFacet for a wrong value."""
    out: dict[str, str] = {}
    for name, allowed in FACETS[kind].items():
        value = (query.get(name) or "").strip()
        if not value:
            continue
        if name == "year" and not (value.isdigit() and len(value) == 4):
            raise BadFacet(name)
        if allowed is not None and value not in allowed:
            raise BadFacet(name)
        out[name] = value
    return out


# The records page's path per (urlconf, script prefix, report): reversed once, since a
# report's table links each of its rows (a city's thousands of units).
_PATHS: dict[tuple[Any, str, str], str] = {}


def _path(report: str) -> str:
    key = (get_urlconf(), get_script_prefix(), report)
    path = _PATHS.get(key)
    if path is None:
        path = _PATHS[key] = reverse("reports:records", args=[report])
    return path


def link(report: str, org_code: str, when: dict[str, dt.date], **facets: Any) -> str:
    """The URL of the members behind one figure of ``report`` (``when``: ``start``/``end`` or ``as_of``)."""
    return linker(report, org_code, when)(**facets)


def linker(report: str, org_code: str, when: dict[str, dt.date]) -> Callable[..., str]:
    """``link`` of one report, org and period: a function of the facets (a table's rows)."""
    base = _base(report, org_code, when)

    def link_of(**facets: Any) -> str:
        pairs = [(name, str(value)) for name, value in facets.items() if value not in (None, "")]
        return f"{base}&{urlencode(pairs)}" if pairs else base

    return link_of


# The records page of one report, org and period, with its query's first pairs: a report's
# table links each of its rows (a city's thousands of units) to one of these plus a facet.
_BASES: dict[tuple[Any, ...], str] = {}


def _base(report: str, org_code: str, when: dict[str, dt.date]) -> str:
    key = (get_urlconf(), get_script_prefix(), report, org_code, *sorted(when.items()))
    base = _BASES.get(key)
    if base is None:
        pairs = [("org", org_code)]
        if "as_of" in when:
            pairs.append(("as_of", when["as_of"].isoformat()))
        else:
            pairs += [("from", when["start"].isoformat()), ("to", when["end"].isoformat())]
        if len(_BASES) > 1000:
            _BASES.clear()
        base = _BASES[key] = f"{_path(report)}?{urlencode(pairs)}"
    return base


# --- who is counted ---------------------------------------------------------------


@dataclass(frozen=True)
class Counted:
    """One member as a figure counts them, with what its facets look at."""

    member_id: int
    unit: int
    level: str  # the school level of the org ("" if not a school)
    year: int | None = None
    kind: str = ""
    reason: str = ""
    category: str = ""
    status: str = ""
    gender: str = ""
    born: dt.date | None = None
    recognized: dt.date | None = None
    day: dt.date | None = None  # the event's date (admissions, removals)
    historical: bool = False  # admissions: entered as a past record (issue 20)


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _events(
    root: Org,
    start: dt.date,
    end: dt.date,
    kinds: Iterable[str],
    allowed: set[int] | None,
    tree: OrgTree,
) -> list[Counted]:
    """Each event of ``kinds`` in [start, end], placed as ``figures._event_rows`` places it."""
    kinds = list(kinds)
    marks = ", ".join(["%s"] * len(kinds))
    level = tree.school_level
    out: list[Counted] = []
    for first, last in figures.tree_segments(start, end):
        counted = figures.counted_units(tree.units_on(first, root.pk), allowed)
        if not counted:
            continue
        org_sql = sql.in_list("e.org_id", counted) if len(counted) <= IN_LIST_MAX else ""
        rows = sql.fetch(
            f"""SELECT e.member_id, e.org_id, e.effective_date, e.kind, e.reason, e.category_after,
                       CASE WHEN {figures.historical_sql()} THEN 1 ELSE 0 END
                  FROM members_memberevent e
                 WHERE e.kind IN ({marks}) AND e.effective_date >= %s AND e.effective_date <= %s{org_sql}""",  # noqa: S608 (ints only)
            [*kinds, first, last],
        )
        for member_id, org_id, day, kind, reason, category, historical in rows:
            unit = counted.get(org_id)
            if unit is None:
                continue
            day = _date(day)
            out.append(
                Counted(
                    member_id,
                    unit,
                    level.get(org_id, ""),
                    year=day.year if day else None,
                    kind=kind,
                    reason=reason or "",
                    category=category or "",
                    day=day,
                    historical=bool(historical),
                )
            )
    return out


def _on_rolls(root: Org, day: dt.date, allowed: set[int] | None, tree: OrgTree) -> list[Counted]:
    """The members on the rolls on ``day``, as ``figures.composition`` counts them."""
    counted = figures.counted_units(tree.units_on(day, root.pk), allowed)
    if not counted:
        return []
    level = tree.school_level
    on_rolls = ", ".join(sql.literal(str(s)) for s in ON_ROLLS)
    small = len(counted) <= IN_LIST_MAX
    current = sql.fetch(
        f"""SELECT m.id, m.org_id, m.status, m.category, m.gender, m.date_of_birth, m.recognized_on
              FROM members_member m
             WHERE m.admitted_on <= %s AND m.last_event_on <= %s
               AND m.status IN ({on_rolls}){sql.in_list("m.org_id", counted) if small else ""}""",  # noqa: S608 (constants and ints only)
        [day, day],
    )
    past = sql.fetch(
        f"""SELECT x.member_id, x.org_id, x.status_after, x.category_after,
                   x.gender, x.date_of_birth, x.recognized_on
              FROM ({figures.last_events_sql()}) x
             WHERE x.status_after IN ({on_rolls}){sql.in_list("x.org_id", counted) if small else ""}""",  # noqa: S608 (constants and ints only)
        [day, day, day],
    )
    out = []
    for member_id, org_id, status, category, gender, born, recognized in [*current, *past]:
        unit = counted.get(org_id)
        if unit is None:
            continue
        out.append(
            Counted(
                member_id,
                unit,
                level.get(org_id, ""),
                status=status,
                category=category,
                gender=gender,
                born=_date(born),
                recognized=_date(recognized),
            )
        )
    return out


def _age_band(born: dt.date | None, day: dt.date) -> str:
    """The band ``figures.composition`` counts a date of birth in (younger than each band's top)."""
    for name, _low, high in AGE_BANDS[:-1]:
        if born is not None and born > years_before(day, high):
            return name
    return AGE_BANDS[-1][0]


def _admission_matches(row: Counted, facets: dict[str, str], unit: int | None) -> bool:
    is_school = bool(row.level)
    category = facets.get("category")
    if category == SCHOOL and not (is_school and row.category in SCHOOL_CATEGORIES):
        return False
    if category in SCHOOL_CATEGORIES and not (is_school and row.category == category):
        return False
    if category and category not in (SCHOOL, *SCHOOL_CATEGORIES) and row.category != category:
        return False
    origin = facets.get("origin")
    if origin and row.historical != (origin == "past"):
        return False
    return _common_matches(row, facets, unit)


def _removal_matches(row: Counted, facets: dict[str, str], unit: int | None) -> bool:
    key = "removed" if row.kind == EventKind.REMOVED else "expelled"
    if facets.get("kind") and key != facets["kind"]:
        return False
    if facets.get("reason") and not (
        key == "removed" and (row.reason or "other") == facets["reason"]
    ):
        return False
    if facets.get("abandoned") and not (
        key == "removed"
        and row.reason == RemovalReason.ABANDONED_ACTIVITY
        and row.category == Category.STUDENT
    ):
        return False
    if facets.get("category") and row.category != facets["category"]:
        return False
    return _common_matches(row, facets, unit)


def _composition_matches(
    row: Counted, facets: dict[str, str], unit: int | None, day: dt.date
) -> bool:
    full = row.recognized is not None and row.recognized <= day
    standing = facets.get("standing")
    if standing and (standing == "full") != full:
        return False
    for name, value in (("status", row.status), ("category", row.category), ("gender", row.gender)):
        if facets.get(name) and value != facets[name]:
            return False
    if facets.get("age") and _age_band(row.born, day) != facets["age"]:
        return False
    return _common_matches(row, facets, unit)


def _common_matches(row: Counted, facets: dict[str, str], unit: int | None) -> bool:
    if unit is not None and row.unit != unit:
        return False
    if facets.get("level") and row.level != (
        "" if facets["level"] == NO_LEVEL else facets["level"]
    ):
        return False
    return not (facets.get("year") and row.year != int(facets["year"]))


def counted(
    kind: str,
    root: Org,
    when: dict[str, dt.date],
    facets: dict[str, str],
    *,
    allowed: set[int] | None,
    tree: OrgTree | None = None,
) -> list[Counted]:
    """Every member the figure ``kind``/``facets`` of ``root`` counts (one entry per event or member)."""
    tree = tree or OrgTree()
    unit: int | None = None
    if facets.get("unit"):
        unit = Org.objects.filter(code=facets["unit"]).values_list("pk", flat=True).first()
        if unit is None:
            return []
    if kind == "admissions":
        rows = _events(root, when["start"], when["end"], [EventKind.ADMITTED], allowed, tree)
        return [r for r in rows if _admission_matches(r, facets, unit)]
    if kind == "removals":
        kinds = [EventKind.REMOVED, EventKind.EXPELLED]
        rows = _events(root, when["start"], when["end"], kinds, allowed, tree)
        return [r for r in rows if _removal_matches(r, facets, unit)]
    if kind == "composition":
        day = when["as_of"]
        return [
            r
            for r in _on_rolls(root, day, allowed, tree)
            if _composition_matches(r, facets, unit, day)
        ]
    raise BadFacet(kind)


# --- what the actor may see of them --------------------------------------------------


@dataclass
class Records:
    """The members behind a figure, for one actor."""

    total: int  # what the figure counts
    ids: list[int]  # those the actor may see today, in name order
    members: int = 0  # the distinct members counted (a figure counts events)
    days: dict[int, dt.date] = field(default_factory=dict)  # member → the event's date
    categories: dict[int, str] = field(default_factory=dict)  # member → the category counted

    @property
    def hidden(self) -> int:
        """Counted, but now outside the actor's scope (transferred since): not listed."""
        return self.members - len(self.ids)


CHUNK = 900  # ids per query (SQLite's bound parameters)


def records(actor: Any, rows: list[Counted]) -> Records:
    """The actor's view of ``rows``: visible members (``members_for``), sorted by name."""
    from chibo.members.selectors import members_for

    wanted = sorted({r.member_id for r in rows})
    visible: list[tuple[str, str, int]] = []
    scope = members_for(actor)
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        visible += [
            (name, code, pk)
            for pk, name, code in scope.filter(pk__in=chunk).values_list(
                "pk", "name_folded", "member_code"
            )
        ]
    visible.sort()
    days = {r.member_id: r.day for r in rows if r.day is not None}
    categories = {r.member_id: r.category for r in rows if r.category}
    ids = [pk for _name, _code, pk in visible]
    return Records(total=len(rows), ids=ids, members=len(wanted), days=days, categories=categories)
