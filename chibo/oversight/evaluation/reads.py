"""Reading evaluations: the members to grade, a cell's grid, the summary of an organization's year,
the grounds for removal.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from chibo.core.roles import Cap
from chibo.members.models import Member, Status
from chibo.orgs.models import Org
from chibo.orgs.selectors import get_org_for
from chibo.oversight.evaluation.rules import (
    UNIT_KINDS,
    cap_status,
    failed_before,
    grassroots_unit,
    year_rules,
)
from chibo.oversight.models import EvalStatus, Grade, MemberEvaluation, OrgEvaluation

# --- reads -----------------------------------------------------------------------


def evaluable_members(cell: Org, year: int) -> list[Member]:
    """Members of the cell who are evaluated for ``year``: active, admitted by the year's end."""
    return list(
        Member.objects.filter(
            org=cell, status=Status.ACTIVE, admitted_on__lte=dt.date(year, 12, 31)
        ).order_by("name_folded", "member_code")
    )


@dataclass
class GridRow:
    member: Member
    evaluation: MemberEvaluation | None
    previous: str
    failed_twice: bool


def cell_grid(cell: Org, year: int) -> list[GridRow]:
    members = evaluable_members(cell, year)
    ids = [m.pk for m in members]
    current = {
        e.member_id: e for e in MemberEvaluation.objects.filter(member_id__in=ids, year=year)
    }
    previous = {
        e.member_id: e.final_grade
        for e in MemberEvaluation.objects.filter(member_id__in=ids, year=year - 1)
    }
    failing = [mid for mid, e in current.items() if e.final_grade == Grade.FAILED]
    twice = failed_before(failing, year)
    return [GridRow(m, current.get(m.pk), previous.get(m.pk, ""), m.pk in twice) for m in members]


def evaluation_summary(actor: Any, org: Org | str, year: int) -> dict[str, Any]:
    """Grades of members and orgs in ``org``'s subtree for ``year`` (aggregates only; for the reports app).

    ``{"org", "year", "source", "members": {"HTXSNV", "HTTNV", "HTNV", "KHTNV", "proposed", "confirmed",
    "evaluated"}, "orgs": {...same grade keys..., "evaluated"}, "cap": {"excellent", "good", "limit", "ok"} |
    None, "failed_twice": n}``. 404 when ``org`` is outside the actor's scope.
    """
    if isinstance(org, str) or actor is not None:
        org = get_org_for(actor, org if isinstance(org, str) else org.code, cap=Cap.MEMBER_VIEW)
    scheme, _cap = year_rules(year)
    rows = MemberEvaluation.objects.filter(org.subtree_filter("org__"), year=year)
    members: dict[str, int] = {g: 0 for g in Grade.values}
    proposed = confirmed = 0
    failing: list[int] = []
    for member_id, grade, proposed_grade, status in rows.values_list(
        "member_id", "grade", "proposed_grade", "status"
    ):
        final = grade or proposed_grade
        members[final] += 1
        if status == EvalStatus.CONFIRMED:
            confirmed += 1
        else:
            proposed += 1
        if final == Grade.FAILED:
            failing.append(member_id)
    orgs: dict[str, int] = {g: 0 for g in Grade.values}
    for grade, proposed_grade in OrgEvaluation.objects.filter(
        org.subtree_filter("org__"), year=year
    ).values_list("grade", "proposed_grade"):
        orgs[grade or proposed_grade] += 1
    unit = org if org.kind in UNIT_KINDS else None
    cap = cap_status(unit, year) if unit is not None else None
    return {
        "org": org.code,
        "year": year,
        "source": scheme.citation,
        "members": {
            **members,
            "proposed": proposed,
            "confirmed": confirmed,
            "evaluated": proposed + confirmed,
        },
        "orgs": {**orgs, "evaluated": sum(orgs.values())},
        "cap": None
        if cap is None
        else {"excellent": cap.excellent, "good": cap.good, "limit": cap.limit, "ok": cap.ok},
        "failed_twice": len(failed_before(failing, year)),
    }


def removal_grounds(actor: Any, org: Org, year: int) -> list[Member]:
    """Members under ``org`` graded KHTNV in ``year`` and the year(s) before (RULES.md, Removal)."""
    rows = MemberEvaluation.objects.filter(org.subtree_filter("org__"), year=year).filter(
        Q(grade=Grade.FAILED) | Q(grade="", proposed_grade=Grade.FAILED)
    )
    ids = list(rows.values_list("member_id", flat=True))
    twice = failed_before(ids, year)
    return list(Member.objects.filter(pk__in=twice).select_related("org").order_by("name_folded"))


def require_unit(org: Org) -> Org:
    unit = grassroots_unit(org)
    if unit is None:
        raise Http404(_("This organization is not in a grassroots unit."))
    return unit
