"""Inspection pages: the plan, one inspection, its conclusion, follow-ups, files, and coverage."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
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
from chibo.orgs.selectors import get_org_for, scope_roots
from chibo.oversight import forms as f
from chibo.oversight import selectors, services
from chibo.oversight.models import CaseStatus, FollowUp, InspectionStatus
from chibo.oversight.views.common import _org_choices


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
