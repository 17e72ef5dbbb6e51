"""Scoped entry points to the figures: what the UI and the API call.

A report's org must be in the actor's member-view scope (404 otherwise) and
only orgs that are *today* inside that scope are counted, so an aggregate
never reaches past the actor's subtree (DESIGN.md, Decree 13/2023). The
``report`` command runs as the system (``actor=None``) over the whole tree.
"""

from __future__ import annotations

import datetime as dt
from importlib import import_module
from typing import Any

from django.db import DatabaseError
from django.http import Http404
from django.utils.translation import gettext as _

from chibo.accounts.roles import Cap
from chibo.core.scoping import get_org_for, orgs_for, scope_for
from chibo.orgs.models import CELL_KINDS, Org
from chibo.reports import figures
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
    """Org ids an aggregate may count for ``actor`` (None: all, for the system)."""
    if actor is None:
        return None
    return set(orgs_for(actor, REPORT_CAP).values_list("id", flat=True))


def admissions(actor: Any, root: Org, start: dt.date, end: dt.date) -> figures.AdmissionsReport:
    return figures.admissions(root, start, end, allowed=allowed_ids(actor))


def removals(actor: Any, root: Org, start: dt.date, end: dt.date) -> figures.RemovalsReport:
    return figures.removals(root, start, end, allowed=allowed_ids(actor))


def composition(actor: Any, root: Org, as_of: dt.date) -> figures.CompositionReport:
    return figures.composition(root, as_of, allowed=allowed_ids(actor))


# --- activity: the activity and directives apps are connected when they land ----


def _optional(module: str, name: str, *args: Any) -> Any:
    """Call ``chibo.<module>.<name>(*args)`` if that app provides it; None means "no data yet"."""
    try:
        func = getattr(import_module(f"chibo.{module}"), name)
    except (ImportError, AttributeError):
        return None
    try:
        return func(*args)
    except DatabaseError:  # its tables are not migrated yet
        return None


def _count(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, int):
        return value
    try:
        return value.count()
    except (AttributeError, TypeError):
        return len(value)


def activity(actor: Any, root: Org, as_of: dt.date) -> dict[str, Any]:
    """Activity health of ``root``'s subtree; each figure None until its app provides it."""
    cells = Org.objects.filter(root.subtree_filter(), kind__in=CELL_KINDS, closed_on__isnull=True)
    allowed = allowed_ids(actor)
    cell_count = cells.count() if allowed is None else cells.filter(id__in=allowed).count()
    missing = _optional("activity.selectors", "cells_missing_meetings", actor, as_of)
    if missing is not None and not isinstance(missing, int):
        missing = [c for c in missing if root.path <= getattr(c, "path", "") < root.path_bound]
    health = _optional("activity.selectors", "activity_health", actor, root, as_of) or {}
    return {
        "org": root.code,
        "as_of": as_of,
        "cells": cell_count,
        "cells_missing_meetings": _count(missing),
        "monthly_meetings_held_pct": health.get("monthly_meetings_held_pct"),
        "thematic_meetings_held_pct": health.get("thematic_meetings_held_pct"),
        "attendance_rate_pct": health.get("attendance_rate_pct"),
        "dues_collected": health.get("dues_collected"),
        "open_warnings": _count(_optional("activity.selectors", "open_warnings", actor, root)),
        "overdue_tasks": _count(
            _optional("directives.selectors", "overdue_tasks", actor, root, as_of)
        ),
    }


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


def _same_period_last_year(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    return figures._years_before(start, 1), figures._years_before(end, 1)


def dashboard(actor: Any, root: Org, today: dt.date) -> dict[str, Any]:
    """The directive's indicators for the year to date, with last year's same period and the target."""
    start = dt.date(today.year, 1, 1)
    last_start, last_end = _same_period_last_year(start, today)
    trend_start = dt.date(today.year - 4, 1, 1)
    allowed = allowed_ids(actor)
    trend = figures.admissions(root, trend_start, today, allowed=allowed)
    now = figures.admissions(root, start, today, allowed=allowed)
    before = figures.admissions(root, last_start, last_end, allowed=allowed)
    removed_now = figures.removals(root, start, today, allowed=allowed)
    removed_before = figures.removals(root, last_start, last_end, allowed=allowed)
    removal_trend = figures.removals(root, trend_start, today, allowed=allowed)
    target = target_for(root, today.year)
    current = now.counts.school_students + now.counts.school_pupils
    return {
        "root": root,
        "today": today,
        "start": start,
        "admissions": now.counts.as_dict(),
        "admissions_last_year": before.counts.as_dict(),
        "target": target,
        "target_pct": figures.share_pct(current, target.value) if target and target.value else None,
        "admissions_trend": trend.breakdown()["by_year"],
        "admissions_by_unit": now.breakdown()["by_unit"],
        "students_abandoned": removed_now.students_abandoned,
        "students_abandoned_last_year": removed_before.students_abandoned,
        "removals_trend": removal_trend.as_dict()["by_year"],
        "activity": activity(actor, root, today),
        "trend_start": trend_start,
    }


# --- the records behind a figure ---------------------------------------------------


def admitted_members(actor: Any, root: Org, start: dt.date, end: dt.date) -> list[Any]:
    """Members admitted in [start, end] by orgs under ``root`` who are, today, in the actor's scope."""
    from chibo.core.scoping import members_for

    qs = members_for(actor).filter(
        root.subtree_filter("admitting_org__"), admitted_on__gte=start, admitted_on__lte=end
    )
    return list(
        qs.select_related("org", "admitting_org").order_by("admitted_on", "member_code")[:20000]
    )
