"""Scoped entry points to the figures: what the UI and the API call.

A report's org must be in the actor's member-view scope (404 otherwise) and
only orgs that are *today* inside that scope are counted, so an aggregate
never reaches past the actor's subtree (DESIGN.md, Decree 13/2023). The
``report`` command runs as the system (``actor=None``) over the whole tree.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _

from chibo.activity import selectors as activity_selectors
from chibo.activity import tracking
from chibo.activity.selectors import PopulatedState, populated_cells, populated_state
from chibo.core.dbrouter import reporting, reporting_alias
from chibo.core.roles import Cap
from chibo.core.scoping import scope_for
from chibo.directives import selectors as directives_selectors
from chibo.lib.dates import years_before
from chibo.lib.numbers import round_pct
from chibo.orgs.models import CELL_KINDS, Org
from chibo.orgs.selectors import get_org_for, orgs_for
from chibo.reports import cache as dashboard_cache
from chibo.reports import figures, tallies
from chibo.reports.models import Indicator, Target

REPORT_CAP = Cap.MEMBER_VIEW  # aggregates of members: the roles that may see members


def report_root(actor: Any, code: str | None = None) -> Org:
    """The org a report is about: ``code`` if in scope (404 otherwise), else the top of the actor's scope.

    ``actor=None`` (the system) may name any org; by default the root of the tree.
    """
    if actor is None:
        qs = Org.objects.filter(code=code) if code else Org.objects.filter(parent__isnull=True)
        org = qs.order_by("path").first()
        if org is None:
            raise Http404(_("No such party organization."))
        return org
    if code:
        return get_org_for(actor, code, cap=REPORT_CAP)
    ranges = scope_for(actor, REPORT_CAP).ranges
    if not ranges:
        raise Http404(_("Your role gives no access to statistics."))
    return Org.objects.get(path=ranges[0][0])


def allowed_ids(actor: Any) -> set[int] | None:
    """Org ids an aggregate may count for ``actor`` (None: all — the system, or a scope over the whole tree)."""
    if actor is None:
        return None
    scope = scope_for(actor, REPORT_CAP)
    tops = Org.objects.filter(parent__isnull=True).values_list("path", flat=True)
    if all(scope.covers_path(path) for path in tops):
        return None
    return set(orgs_for(actor, REPORT_CAP).values_list("id", flat=True))


def admissions(actor: Any, root: Org, start: dt.date, end: dt.date) -> figures.AdmissionsReport:
    return figures.admissions(root, start, end, allowed=allowed_ids(actor))


def removals(actor: Any, root: Org, start: dt.date, end: dt.date) -> figures.RemovalsReport:
    return figures.removals(root, start, end, allowed=allowed_ids(actor))


def composition(actor: Any, root: Org, as_of: dt.date) -> figures.CompositionReport:
    return figures.composition(root, as_of, allowed=allowed_ids(actor))


# --- activity: figures of the activity and directives apps ------------------------


def activity(
    actor: Any,
    root: Org,
    as_of: dt.date,
    *,
    with_health: bool = True,
    populated: set[int] | None = None,
) -> dict[str, Any]:
    """Activity health of ``root``'s subtree (the activity and directives apps' figures).

    ``with_health=False`` leaves out the four health figures (``activity_health``,
    a scan of a year of meetings and attendance): the dashboard shows only the
    counts. ``populated``: the subtree's cells with members on the rolls, when the
    caller knows them (the dashboard's cache): the cells without activity data are
    those of them without a tracking start, not a probe of every cell's members.
    """
    cells = Org.objects.filter(root.subtree_filter(), kind__in=CELL_KINDS, closed_on__isnull=True)
    if actor is not None:
        cells = cells.filter(scope_for(actor, REPORT_CAP).q())
    cell_count = cells.count()
    health = activity_selectors.activity_health(actor, root, as_of) if with_health else {}
    if populated is None:
        missing = _missing_meetings(actor, root, as_of)
        # Cells with members and no meeting or dues recorded: followed up, never judged.
        without_data = tracking.cells_without_data(actor, under=root, as_of=as_of).count()
    else:  # both counted in one scan of the cells (``activity.selectors.judged_counts``)
        missing, without_data = activity_selectors.judged_counts(actor, as_of, root, populated)
    return {
        "org": root.code,
        "as_of": as_of,
        "cells": cell_count,
        "cells_missing_meetings": missing,
        "cells_without_activity_data": without_data,
        **{key: _pct(health.get(key)) for key in HEALTH_PCT_KEYS},
        "dues_collected": _money(health.get("dues_collected")),
        "open_warnings": activity_selectors.open_warnings(actor, root).count(),
        "overdue_tasks": directives_selectors.overdue_tasks(actor, root, as_of),
        **{key: health.get(key) for key in HEALTH_PERIOD_KEYS},
    }


def _missing_meetings(actor: Any, root: Org, as_of: dt.date) -> int:
    """Cells under ``root`` that missed a meeting (activity app), counted in the actor's scope (None: the system)."""
    return len(activity_selectors.missing_meetings(actor, as_of, under=root))


HEALTH_PCT_KEYS = ("monthly_meetings_held_pct", "thematic_meetings_held_pct", "attendance_rate_pct")
# The periods the health figures measure (from ``activity_health``; None without data).
HEALTH_PERIOD_KEYS = ("period_start", "period_end", "quarter", "dues_from", "dues_to")


def _pct(value: Any) -> Decimal | None:
    """A percentage from the activity app, 2 decimals half-up (None: no data)."""
    if value is None:
        return None
    return round_pct(value)


def _money(value: Any) -> int | None:
    """Đồng as a whole number (None: no data)."""
    if value is None:
        return None
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


# --- targets ---------------------------------------------------------------------


def target_for(
    root: Org, year: int, indicator: str = Indicator.SCHOOL_STUDENT_PUPIL_ADMISSIONS
) -> Target | None:
    return Target.objects.filter(org=root, year=year, indicator=indicator).first()


def targets_visible(actor: Any, root: Org) -> list[Target]:
    qs = Target.objects.filter(root.subtree_filter("org__")).select_related("org", "set_by")
    if actor is not None:
        qs = qs.filter(scope_for(actor, REPORT_CAP).q("org__"))
    return list(qs.order_by("org__path", "-year", "indicator")[:500])


def can_set_target(actor: Any, org: Org) -> bool:
    """The superior sets an org's target: restructuring right over its parent (the root: over itself)."""
    over = org.parent if org.parent_id else org
    return scope_for(actor, Cap.ORG_RESTRUCTURE).covers(over)


# --- dashboard -------------------------------------------------------------------


# Units listed on the dashboard (the most admissions this year); the admissions report of
# the same period lists them all.
DASHBOARD_UNITS = 20


def _same_period_last_year(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    return years_before(start, 1), years_before(end, 1)


def dashboard(actor: Any, root: Org, today: dt.date) -> dict[str, Any]:
    """The directive's indicators for the year to date, with last year's same period and the target.

    The figures are read under ``reporting()`` (the replica, when configured)
    and kept in the shared cache for the actor's scope, in two entries
    (``reports.cache``): the grouped events, brought up to date by the events
    written since, and the activity counts, renewed by the writes they read;
    the target, which the user may just have set, is read from the primary on
    every call.
    """
    with reporting():
        context = _dashboard_figures(actor, root, today)
    target = target_for(root, today.year)
    current = context["admissions"]["school_students_and_pupils"]
    context.update(
        root=root,
        target=target,
        target_pct=figures.share_pct(current, target.value) if target and target.value else None,
    )
    return context


def _windows(today: dt.date) -> dict[str, tuple[dt.date, dt.date]]:
    """The periods the dashboard counts: this year to date, last year's same period, five years."""
    start = dt.date(today.year, 1, 1)
    return {
        "now": (start, today),
        "before": _same_period_last_year(start, today),
        "trend": (dt.date(today.year - 4, 1, 1), today),
    }


def _counted_category(level: str, category: str) -> str:
    """The category as ``figures.admissions`` counts it: only a school's students and pupils."""
    return category if level and category in figures.SCHOOL_CATEGORIES else ""


def _dashboard_figures(
    actor: Any, root: Org, today: dt.date, version: dashboard_cache.Versions | None = None
) -> dict[str, Any]:
    """The dashboard's figures as plain values, from the cache's entries; read under ``reporting()``."""
    version = version or dashboard_cache.versions()
    keys = dashboard_cache.dashboard_keys(actor, root, today, version)
    windows = _windows(today)
    lazy: dict[str, Any] = {}

    def scoped() -> dict[str, Any]:
        if not lazy:  # one tree and one scope for every figure
            lazy.update(allowed=allowed_ids(actor), tree=figures.OrgTree())
        return lazy

    def count(ids: tuple[int, int]) -> dashboard_cache.Rows:
        out: dashboard_cache.Rows = {}
        # The newer events (after a member event: a few) read once for every period.
        newer = (
            figures.newer_events(root, ids, **scoped(), moved=_moved_days(version.tree))
            if ids[0]
            else None
        )
        for name, (first, last) in windows.items():
            if newer is not None:
                admitted = figures.group_newer(newer, first, last, *figures.ADMISSION_GROUPS)
                removed = figures.group_newer(newer, first, last, *figures.REMOVAL_GROUPS)
            else:
                admitted = figures.admission_rows(root, first, last, ids=ids, **scoped())
                removed = figures.removal_rows(root, first, last, ids=ids, **scoped())
            # Only this year's admissions are shown by unit: the other rows are
            # kept for the whole (one unit), so that the entry stays small.
            out[f"admissions_{name}"] = [
                (unit if name == "now" else root.pk, level, year, _counted_category(level, cat), n)
                for unit, level, year, cat, n in admitted
            ]
            out[f"removals_{name}"] = _removal_keys(root, removed)
        return out

    def full(upto: int) -> tuple[dashboard_cache.Rows, int]:
        """Every period counted: from the tallies where they agree with the dated tree, the
        month in progress (and the other periods) from the events."""
        spans = _tally_spans(root, windows, scoped)
        if not spans:
            return count((0, upto)), upto
        tallied, upto = tallies.read(root.pk, spans, reporting_alias())
        out: dashboard_cache.Rows = {}
        # This year's and the trend's month in progress are the same days: read once.
        read: dict[tuple[dt.date, dt.date], tuple[list[Any], list[Any]]] = {}
        for name, (first, last) in windows.items():
            if name in spans:
                # This month's days from the events (the tallies hold whole months).
                first = last.replace(day=1)
                rows = tallied[name]
                admitted = [(u, lv, y, cat, n) for u, lv, y, k, cat, n in rows if k == "admitted"]
                removed = [
                    (root.pk, "", y, k, _ABANDONED if cat else "", cat, n)
                    for _u, _lv, y, k, cat, n in rows
                    if k != "admitted"
                ]
            else:
                admitted, removed = [], []
            if (first, last) not in read:
                ids = (0, upto)
                read[(first, last)] = (
                    figures.admission_rows(root, first, last, ids=ids, **scoped()),
                    figures.removal_rows(root, first, last, ids=ids, **scoped()),
                )
            admitted += read[(first, last)][0]
            removed += read[(first, last)][1]
            out[f"admissions_{name}"] = [
                (unit if name == "now" else root.pk, level, year, _counted_category(level, cat), n)
                for unit, level, year, cat, n in admitted
            ]
            out[f"removals_{name}"] = _removal_keys(root, removed)
        return out, upto

    def labels(ids: Any) -> dict[int, tuple[str, str]]:
        return figures.OrgTree().labels(ids)

    def counted(upto: int) -> dict[str, Any]:
        rows, upto = full(upto)
        whole, _by_year, by_unit, _by_level = figures.fold_admissions(rows.pop("admissions_now"))
        return {
            "upto": upto,
            "whole": whole,
            "ranked": dashboard_cache.Ranked.of(by_unit, DASHBOARD_UNITS, labels),
            "rows": {name: dashboard_cache.compact(r) for name, r in rows.items()},
        }

    def add(state: dict[str, Any], rows: dashboard_cache.Rows) -> None:
        """Newer events' rows folded into ``state``: this year's admissions into the sums
        per unit (only the units they count are ranked again), the other periods' rows
        (one unit: the whole) added and summed."""
        if rows["admissions_now"]:
            whole, _by_year, by_unit, _by_level = figures.fold_admissions(rows["admissions_now"])
            state["whole"] = [a + b for a, b in zip(state["whole"], whole, strict=True)]
            state["ranked"].add(by_unit, DASHBOARD_UNITS, labels)
        state["rows"] = {
            name: dashboard_cache.compact([*kept, *rows[name]]) if rows.get(name) else kept
            for name, kept in state["rows"].items()
        }

    def shown(state: dict[str, Any]) -> dict[str, Any]:
        # Only the root's name is read: the other periods count the whole as one unit.
        tree = figures.OrgTree()
        tree.remember_names({root.pk: (root.code, root.name)})
        rows = state["rows"]

        def admitted(name: str) -> figures.AdmissionsReport:
            first, last = windows[name]
            return figures.admissions(root, first, last, tree=tree, rows=rows[f"admissions_{name}"])

        def removed(name: str) -> figures.RemovalsReport:
            first, last = windows[name]
            return figures.removals(root, first, last, tree=tree, rows=rows[f"removals_{name}"])

        # This year's admissions: the whole and the first units, as ``figures.admissions``
        # reports them (the rows of the units shown are those of the report of them all).
        summary = state["summary"]
        first, last = windows["now"]
        now = figures.AdmissionsReport(root, first, last, figures.Counts(*state["whole"]))
        now.by_unit = {u: figures.Counts(*counts) for u, counts in summary["top"]}
        now.unit_names = summary["labels"]
        removed_now = removed("now")
        return {
            "admissions": now.counts.as_dict(),
            "admissions_last_year": admitted("before").counts.as_dict(),
            "admissions_trend": admitted("trend").by_year_rows(),
            # The units with the most admissions; the others in the admissions report.
            "admissions_by_unit": now.by_unit_rows(limit=DASHBOARD_UNITS),
            "admissions_units": summary["units"],
            "students_abandoned": removed_now.students_abandoned,
            "students_abandoned_last_year": removed("before").students_abandoned,
            "removals_trend": removed("trend").by_year_rows(),
        }

    def activity_figures() -> dict[str, Any]:
        state = populated()
        cells = populated_cells(root, state)
        return {"activity": activity(actor, root, today, with_health=False, populated=cells)}

    populated_version = (version.events, version.tree)
    lazy_state: list[PopulatedState] = []

    def populated() -> PopulatedState:
        if not lazy_state:
            stored = entries.get(keys.populated)
            lazy_state.append(populated_state(root, populated_version, stored))
        return lazy_state[0]

    entries = dashboard_cache.read(keys)
    return {
        "today": today,
        "start": windows["now"][0],
        **dashboard_cache.event_figures(keys, entries, version.events, count, counted, add, shown),
        **dashboard_cache.activity_counts(
            keys, entries, root, version, lambda: populated().changed, activity_figures
        ),
        "trend_start": windows["trend"][0],
    }


# Whether an org stood elsewhere than today on a day (``figures.newer_events``), per tree
# version: the days of newer events are today's, nearly always; the tree's newest ids change
# with any move, so this process keeps only the current version's.
_MOVED: dict[str, dict[dt.date, bool]] = {}


def _moved_days(tree: str) -> dict[dt.date, bool]:
    if tree not in _MOVED:
        _MOVED.clear()
        _MOVED[tree] = {}
    return _MOVED[tree]


_ABANDONED = "abandoned_activity"


def _removal_keys(root: Org, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Removal rows as the dashboard keeps them: for the whole (one unit), by year and kind,
    and whether they are students removed for abandoning activity (the one figure shown)."""
    out = []
    for _unit, _level, year, kind, reason, category, n in rows:
        abandoned = kind == "removed" and reason == _ABANDONED and category == "student"
        out.append(
            (
                root.pk,
                "",
                year,
                kind,
                _ABANDONED if abandoned else "",
                category if abandoned else "",
                n,
            )
        )
    return out


def _tally_spans(
    root: Org, windows: dict[str, tuple[dt.date, dt.date]], scoped: Any
) -> dict[str, tuple[int, int, bool]]:
    """The periods the tallies can count (``reports.tallies``): whole months of a period
    starting on the 1st, where today's tree (the tallies') is the tree of every event's day —
    no org stood elsewhere during the period, or ``root`` is the only root of the tree and the
    figure is not split by unit — and where the actor may count the whole subtree."""
    allowed = scoped()["allowed"]
    if allowed is not None:
        subtree = Org.objects.filter(root.subtree_filter()).values_list("id", flat=True)
        if not set(subtree) <= allowed:
            return {}
    only_root: bool | None = None
    spans = {}
    for name, (first, last) in windows.items():
        if first.day != 1 or last.replace(day=1) <= first:
            continue
        if figures.periods_elsewhere(first, last).exists():
            if only_root is None:
                only_root = (
                    root.parent_id is None
                    and allowed is None
                    and (Org.objects.filter(parent__isnull=True).count() == 1)
                )
            if (name == "now" or not only_root) and _moved_within(root, first, last):
                continue
        spans[name] = (tallies.ym(first), tallies.ym(last), name == "now")
    return spans


def _moved_within(root: Org, first: dt.date, last: dt.date) -> bool:
    """Whether an org stood elsewhere during [first, last] in a way that matters to ``root``'s
    subtree: the moved org, or its parent then, is in the subtree today. (Otherwise every org
    was under ``root`` on each day exactly when it is today, in the same unit: the highest org
    whose parent then differs from today's would be such a moved org.)"""
    for org_path, parent_path in figures.periods_elsewhere(first, last).values_list(
        "org__path", "parent__path"
    ):
        for path in (org_path, parent_path):
            if path is not None and root.path <= path < root.path_bound:
                return True
    return False
