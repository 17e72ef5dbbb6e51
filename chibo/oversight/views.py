"""Inspection plans and conclusions, coverage, discipline cases, and the evaluation grid.

Reads through oversight.selectors (scoped, audited); writes through the
services. After a successful POST: redirect (PRG).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chibo.core.roles import Cap
from chibo.core.scoping import has_cap, scope_for
from chibo.core.web import add_service_errors, form_page, is_htmx, require_page_cap, run_service
from chibo.lib.numbers import whole_number
from chibo.members.selectors import member_detail
from chibo.orgs.selectors import get_org_for, orgs_for, scope_roots
from chibo.oversight import evaluation as ev
from chibo.oversight import forms as f
from chibo.oversight import selectors, services
from chibo.oversight.models import CaseStatus, FollowUp, Grade, InspectionStatus


def _org_choices(user: Any, cap: str = Cap.MEMBER_VIEW) -> list[Any]:
    return list(
        orgs_for(user, cap).filter(closed_on__isnull=True).only("code", "name", "path")[:500]
    )


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    require_page_cap(request, Cap.MEMBER_VIEW)
    today = timezone.localdate()
    year = whole_number(request.GET.get("year"), low=2000, high=2100) or today.year
    inspections = selectors.inspections_for(request.user).filter(year=year)
    context = {
        "year": year,
        "inspections": inspections[:200],
        "overdue": selectors.overdue_followups(request.user, today)[:50],
        "open_cases": selectors.cases_for(request.user)
        .filter(status__in=[CaseStatus.OPEN, CaseStatus.ON_HOLD])
        .count(),
        "may_plan": has_cap(request.user, Cap.OVERSIGHT_MANAGE),
        "today": today,
    }
    if is_htmx(request):
        return render(request, "oversight/_inspections.html", context)
    return render(request, "oversight/index.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def inspection_new(request: HttpRequest) -> HttpResponse:
    require_page_cap(request, Cap.OVERSIGHT_MANAGE)
    today = timezone.localdate()
    form = f.InspectionForm(
        request.POST or None,
        user=request.user,
        initial={
            "year": today.year,
            "org": request.GET.get("org", ""),
            "target_org": request.GET.get("target", ""),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        inspection = run_service(
            request,
            form,
            lambda: services.inspection_plan(
                actor=request.user,
                org=data["org"],
                year=data["year"],
                kind=data["kind"],
                topic=data["topic"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                target_org=data["target_org"],
                target_member=data["target_member"],
                team=data["team"],
            ),
            _("The inspection was added to the plan."),
        )
        if inspection is not None:
            return redirect("oversight:inspection", pk=inspection.pk)
    return form_page(
        request,
        "oversight/form.html",
        form,
        _("Plan an inspection or supervision"),
        reverse("oversight:index"),
        org_choices=_org_choices(request.user),
    )


@login_required
@require_GET
def inspection(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.get_inspection_for(request.user, pk)
    may_change = scope_for(request.user, Cap.OVERSIGHT_MANAGE).covers(item.org)
    open_ = item.status in (InspectionStatus.PLANNED, InspectionStatus.IN_PROGRESS)
    context = {
        "i": item,
        "may_change": may_change,
        "conclude_form": f.ConcludeForm(initial={"concluded_on": timezone.localdate()})
        if may_change and open_
        else None,
        "followup_form": f.FollowUpForm() if may_change else None,
        "attach_form": f.AttachmentForm() if may_change else None,
        "today": timezone.localdate(),
    }
    return render(request, "oversight/inspection.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def inspection_conclude(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.get_inspection_for(request.user, pk, write=True)
    form = f.ConcludeForm(
        request.POST or None,
        initial={"concluded_on": timezone.localdate(), "findings": item.findings},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.inspection_conclude(
                actor=request.user,
                inspection=item,
                findings=data["findings"],
                conclusion=data["conclusion"],
                concluded_on=data["concluded_on"],
                conclusion_number=data["conclusion_number"],
                issue_number=data["issue_number"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc, {"issued_on": "concluded_on"})
        else:
            messages.success(request, _("The conclusion was recorded."))
            return redirect("oversight:inspection", pk=item.pk)
    return form_page(
        request,
        "oversight/form.html",
        form,
        _("Record the conclusion"),
        reverse("oversight:inspection", args=[item.pk]),
        subject=item,
    )


@login_required
@require_POST
def inspection_status(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.get_inspection_for(request.user, pk, write=True)
    try:
        services.inspection_set_status(
            actor=request.user, inspection=item, status=request.POST.get("status", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("oversight:inspection", pk=item.pk)


@login_required
@require_http_methods(["GET", "POST"])
def followup_add(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.get_inspection_for(request.user, pk, write=True)
    form = f.FollowUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = run_service(
            request,
            form,
            lambda: services.followup_add(actor=request.user, inspection=item, **form.cleaned_data),
            _("The follow-up action was added."),
        )
        if done is not None:
            return redirect("oversight:inspection", pk=item.pk)
    return form_page(
        request,
        "oversight/form.html",
        form,
        _("Add a follow-up action"),
        reverse("oversight:inspection", args=[item.pk]),
        subject=item,
    )


@login_required
@require_POST
def followup_done(request: HttpRequest, pk: int, fid: int) -> HttpResponse:
    item = selectors.get_inspection_for(request.user, pk, write=True)
    followup = FollowUp.objects.filter(inspection=item, pk=fid).first()
    if followup is None:
        raise Http404(_("Not found."))
    services.followup_done(actor=request.user, followup=followup, done_on=timezone.localdate())
    return redirect("oversight:inspection", pk=item.pk)


@login_required
@require_POST
def attach(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.get_inspection_for(request.user, pk, write=True)
    form = f.AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attachment_add(
                actor=request.user, inspection=item, upload=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The document was attached."))
    else:
        messages.error(request, _("Choose a file to attach."))
    return redirect("oversight:inspection", pk=item.pk)


@login_required
@require_GET
def attachment(request: HttpRequest, pk: int, fid: int) -> FileResponse:
    item = selectors.get_inspection_for(request.user, pk)
    row = item.attachments.filter(pk=fid).first()
    if row is None:
        raise Http404(_("Not found."))
    return FileResponse(row.file.open("rb"), as_attachment=True, filename=row.name)


@login_required
@require_GET
def coverage(request: HttpRequest) -> HttpResponse:
    require_page_cap(request, Cap.MEMBER_VIEW)
    today = timezone.localdate()
    form = f.CoverageForm(request.GET or None)
    roots = scope_roots(request.user, Cap.MEMBER_VIEW)
    root, date_from, date_to = (roots[0] if roots else None), dt.date(today.year, 1, 1), today
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["org"]:
            root = get_org_for(request.user, data["org"].strip(), cap=Cap.MEMBER_VIEW)
        date_from = data["date_from"] or date_from
        date_to = data["date_to"] or date_to
    rows = selectors.coverage(request.user, root, date_from, date_to) if root is not None else []
    context = {
        "form": form,
        "root": root,
        "rows": rows,
        "date_from": date_from,
        "date_to": date_to,
        "covered": sum(1 for r in rows if r.in_period),
        "never": sum(1 for r in rows if r.never),
        "org_choices": _org_choices(request.user),
        "may_plan": has_cap(request.user, Cap.OVERSIGHT_MANAGE),
    }
    return render(request, "oversight/coverage.html", context)


# --- discipline ----------------------------------------------------------------


@login_required
@require_GET
def cases(request: HttpRequest) -> HttpResponse:
    require_page_cap(request, Cap.MEMBER_VIEW)
    status = request.GET.get("status", "")
    qs = selectors.cases_for(request.user)
    if status in CaseStatus.values:
        qs = qs.filter(status=status)
    rows = list(qs[:200])
    selectors_audit(request.user, rows)
    return render(
        request,
        "oversight/cases.html",
        {
            "rows": rows,
            "status": status,
            "statuses": CaseStatus.choices,
            "may_open": has_cap(request.user, Cap.OVERSIGHT_PROPOSE),
        },
    )


def selectors_audit(user: Any, rows: list[Any]) -> None:
    from chibo.core import audit

    codes = [c.member.member_code for c in rows if c.member_id]
    if codes:
        audit.record(
            actor=user, action="oversight.case_list", object_type="member", data={"members": codes}
        )


@login_required
@require_http_methods(["GET", "POST"])
def case_new(request: HttpRequest) -> HttpResponse:
    require_page_cap(request, Cap.OVERSIGHT_PROPOSE)
    form = f.CaseForm(
        request.POST or None,
        user=request.user,
        initial={"opened_on": timezone.localdate(), "member": request.GET.get("member", "")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        case = run_service(
            request,
            form,
            lambda: services.case_open(
                actor=request.user,
                member=data["member"],
                subject_org=data["subject_org"],
                violation=data["violation"],
                opened_on=data["opened_on"],
            ),
            _("The discipline case was opened."),
        )
        if case is not None:
            return redirect("oversight:case", pk=case.pk)
    return form_page(
        request,
        "oversight/form.html",
        form,
        _("Open a discipline case"),
        reverse("oversight:cases"),
        org_choices=_org_choices(request.user),
    )


@login_required
@require_GET
def case(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.get_case_for(request.user, pk)
    try:
        selectors.get_case_for(request.user, pk, write=True)
        may_change = True
    except PermissionDenied:
        may_change = False
    open_ = item.status in (CaseStatus.OPEN, CaseStatus.ON_HOLD)
    actions = []
    if may_change and open_:
        actions = ["decide", "drop"] + (
            ["release"]
            if item.status == CaseStatus.ON_HOLD
            else (["hold"] if item.member_id else [])
        )
    if may_change and item.status == CaseStatus.DECIDED and item.appeal_on is None:
        actions.append("appeal")
    return render(
        request,
        "oversight/case.html",
        {"c": item, "actions": actions, "hold_ends_on": services.hold_ends_on(item)},
    )


CASE_ACTIONS: dict[str, tuple[type, Any, Callable[..., Any]]] = {}


def _do_hold(user: Any, item: Any, data: dict) -> Any:
    return services.case_hold(
        actor=user,
        case=item,
        reason=data["reason"],
        since=data["since"],
        child_born_on=data["child_born_on"],
        note=data["note"],
    )


def _do_release(user: Any, item: Any, data: dict) -> Any:
    return services.case_release(actor=user, case=item, on=data["on"])


def _do_decide(user: Any, item: Any, data: dict) -> Any:
    return services.case_decide(
        actor=user,
        case=item,
        penalty=data["penalty"],
        deciding_org=data["deciding_org"],
        decided_on=data["decided_on"],
        decision_number=data["decision_number"],
        effective_on=data["effective_on"],
        received_on=data["received_on"],
        by_cell_vote=data["by_cell_vote"],
        votes_for=data["votes_for"],
        votes_total=data["votes_total"],
        post=data["post"],
    )


def _do_appeal(user: Any, item: Any, data: dict) -> Any:
    return services.case_appeal(
        actor=user,
        case=item,
        filed_on=data["filed_on"],
        note=data["note"],
        received_on=data["received_on"],
    )


def _do_drop(user: Any, item: Any, data: dict) -> Any:
    return services.case_drop(actor=user, case=item, on=data["on"], note=data["note"])


CASE_ACTIONS.update(
    {
        "hold": (f.HoldForm, _("Put the case on hold"), _do_hold),
        "release": (f.ReleaseForm, _("Resume the review"), _do_release),
        "decide": (f.DecideForm, _("Record the discipline decision"), _do_decide),
        "appeal": (f.AppealForm, _("Record an appeal"), _do_appeal),
        "drop": (f.DropForm, _("Close without discipline"), _do_drop),
    }
)


@login_required
@require_http_methods(["GET", "POST"])
def case_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in CASE_ACTIONS:
        raise Http404(_("Not found."))
    item = selectors.get_case_for(request.user, pk, write=True)
    form_class, title, run = CASE_ACTIONS[action]
    kwargs: dict[str, Any] = {"user": request.user} if form_class is f.DecideForm else {}
    today = timezone.localdate()
    initial = {
        "since": today,
        "on": today,
        "decided_on": today,
        "filed_on": today,
        "deciding_org": item.org.code,
        "received_on": item.received_on,
    }
    form = form_class(request.POST or None, initial=initial, **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            run(request.user, item, form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc, {"filed_on": "filed_on"})
        else:
            messages.success(request, _("Saved."))
            return redirect("oversight:case", pk=item.pk)
    return form_page(
        request,
        "oversight/form.html",
        form,
        str(title),
        reverse("oversight:case", args=[item.pk]),
        subject=item,
        org_choices=_org_choices(request.user) if action == "decide" else [],
    )


@login_required
@require_GET
def member(request: HttpRequest, code: str) -> HttpResponse:
    person = member_detail(request.user, code)
    return render(
        request,
        "oversight/member.html",
        {
            "member": person,
            "timeline": selectors.discipline_timeline(person),
            "evaluations": person.evaluations.order_by("-year")[:10],
        },
    )


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
