"""Yearly evaluation pages: the grades of the cells in scope, a cell's grid, the committee's confirmation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chibo.core.roles import Cap
from chibo.core.scoping import scope_for
from chibo.core.web import require_page_cap
from chibo.lib.numbers import whole_number
from chibo.orgs.selectors import get_org_for, orgs_for, scope_roots
from chibo.oversight import evaluation as ev
from chibo.oversight.models import Grade
from chibo.oversight.views.common import _org_choices

# --- evaluation ------------------------------------------------------------------


def _year(request: HttpRequest) -> int:
    year = whole_number(request.GET.get("year"), low=2000, high=2100)
    return year or timezone.localdate().year - 1


@login_required
@require_GET
def evaluation(request: HttpRequest) -> HttpResponse:
    require_page_cap(request, Cap.MEMBER_VIEW)
    year = _year(request)
    roots = scope_roots(request.user, Cap.MEMBER_VIEW)
    code = request.GET.get("org", "").strip()
    org = (
        get_org_for(request.user, code, cap=Cap.MEMBER_VIEW)
        if code
        else (roots[0] if roots else None)
    )
    summary, error = None, ""
    if org is not None:
        try:
            summary = ev.evaluation_summary(request.user, org, year)
        except ValidationError as exc:
            error = " ".join(exc.messages)
    cells = (
        list(
            orgs_for(request.user, Cap.MEMBER_VIEW).filter(
                org.subtree_filter(),
                closed_on__isnull=True,
                kind__in=["grassroots_cell", "subordinate_cell"],
            )[:300]
        )
        if org is not None
        else []
    )
    context = {
        "org": org,
        "year": year,
        "summary": summary,
        "error": error,
        "cells": cells,
        "grades": Grade.choices,
        "org_choices": _org_choices(request.user),
        "unit": ev.grassroots_unit(org) if org is not None else None,
        "removal": ev.removal_grounds(request.user, org, year)
        if org is not None and not error
        else [],
    }
    return render(request, "oversight/evaluation.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def grade_cell(request: HttpRequest, code: str, year: int) -> HttpResponse:
    if whole_number(year, low=2000, high=2100) is None:
        raise Http404(_("No evaluation for that year."))
    cell = get_org_for(request.user, code, cap=Cap.MEMBER_VIEW)
    if not cell.is_cell:
        raise Http404(_("Members are graded in their cell."))
    if request.method == "POST" and not scope_for(request.user, Cap.OVERSIGHT_PROPOSE).covers(cell):
        raise PermissionDenied(_("Your role may view these grades but not propose them."))
    warnings: list[str] = []
    errors: list[str] = []
    if request.method == "POST":
        entries = []
        members = {m.member_code: m for m in ev.evaluable_members(cell, year)}
        for member_code, person in members.items():
            grade = request.POST.get(f"grade_{member_code}", "")
            raw = request.POST.get(f"score_{member_code}", "").strip()
            score = whole_number(raw, low=0, high=100) if raw else None
            if raw and score is None:
                errors.append(
                    _("%(name)s: the score is a whole number from 0 to 100.")
                    % {"name": person.full_name}
                )
            entries.append(ev.Entry(person, grade, score))
        try:
            if errors:
                raise ValidationError(errors)
            result = ev.evaluations_propose(
                actor=request.user, cell=cell, year=year, entries=entries
            )
        except ValidationError as exc:
            errors = (
                [f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()]
                if hasattr(exc, "error_dict")
                else exc.messages
            )
        else:
            warnings = result.warnings
            if not warnings:
                messages.success(request, _("The proposed grades were saved."))
                return redirect("oversight:grade_cell", code=cell.code, year=year)
            messages.warning(request, _("The proposed grades were saved, with warnings."))
    try:
        scheme, _cap = ev.year_rules(year)
    except ValidationError as exc:
        raise Http404(" ".join(exc.messages)) from exc
    rows = ev.cell_grid(cell, year)
    from chibo.members.selectors import audit_list_read

    audit_list_read(
        request.user, [r.member for r in rows], {"oversight": "evaluation", "year": year}
    )
    unit = ev.grassroots_unit(cell)
    cap = ev.cap_status(unit, year)
    if not warnings and not cap.ok:
        warnings = [ev.cap_warning(cap)]
    context = {
        "cell": cell,
        "year": year,
        "rows": rows,
        "scheme": scheme,
        "by_score": scheme.value.get("method") == "score",
        "grades": Grade.choices,
        "warnings": warnings,
        "errors": errors,
        "cap": cap,
        "unit": unit,
        "may_propose": scope_for(request.user, Cap.OVERSIGHT_PROPOSE).covers(cell),
        "may_confirm": unit is not None
        and scope_for(request.user, Cap.OVERSIGHT_MANAGE).covers(unit),
    }
    return render(request, "oversight/grade.html", context, status=422 if errors else 200)


@login_required
@require_POST
def confirm(request: HttpRequest, code: str, year: int) -> HttpResponse:
    org = get_org_for(request.user, code, cap=Cap.MEMBER_VIEW, write_cap=Cap.OVERSIGHT_MANAGE)
    unit = ev.require_unit(org)
    if not scope_for(request.user, Cap.OVERSIGHT_MANAGE).covers(unit):
        raise PermissionDenied(_("Only the committee confirms the grades."))
    try:
        n = ev.evaluations_confirm(actor=request.user, unit=unit, year=year)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(n)s grades were confirmed.") % {"n": n})
    if org.is_cell:
        return redirect("oversight:grade_cell", code=org.code, year=year)
    return redirect(f"{reverse('oversight:evaluation')}?org={org.code}&year={year}")
