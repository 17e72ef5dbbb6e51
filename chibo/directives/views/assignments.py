"""The assignee's side: my tasks, one assignment, its report for a period, and the review."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chibo.core.roles import Cap
from chibo.core.web import require_page_cap, run_service
from chibo.directives import forms, selectors, services
from chibo.directives.models import Assignment, ProgressReport, ReportStatus
from chibo.directives.views.registry import TASKS_PAGE


@login_required
@require_GET
def my_tasks(request: HttpRequest) -> HttpResponse:
    require_page_cap(request, Cap.DIRECTIVE_REPORT)
    # A committee's units' tasks grow with its tree: counted, then TASKS_PAGE rows a page.
    page = Paginator(selectors.my_assignments(request.user), TASKS_PAGE).get_page(
        request.GET.get("page")
    )
    rows = []
    for assignment in page.object_list:
        periods = selectors.task_periods(assignment.task)
        reports = {r.period: r for r in assignment.reports.all()}
        latest = periods[-1] if periods else None
        report = reports.get(latest.key) if latest else None
        rows.append(
            {
                "a": assignment,
                "period": latest,
                "report": report,
                "due": selectors.due_on(assignment.task, latest) if latest else None,
            }
        )
    return render(request, "directives/my_tasks.html", {"rows": rows, "page": page})


@login_required
@require_GET
def assignment(request: HttpRequest, pk: int) -> HttpResponse:
    a = selectors.get_assignment_for(request.user, pk)
    reports = {r.period: r for r in a.reports.all()}
    periods = [
        {"p": p, "report": reports.get(p.key), "due": selectors.due_on(a.task, p)}
        for p in reversed(selectors.task_periods(a.task))
    ]
    context = {
        "a": a,
        "periods": periods,
        "may_report": selectors.can_report(request.user, a) and a.org_id,
    }
    return render(request, "directives/assignment.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, pk: int, period: str) -> HttpResponse:
    a = selectors.get_assignment_for(request.user, pk, report=True)
    p = selectors.find_period(a.task, period)
    if p is None:
        raise Http404(_("This task has no such reporting period."))
    existing = a.reports.filter(period=p.key).first()
    initial = (
        {
            "text": existing.text,
            "figures": forms.figures_text(existing.figures),
            "version": existing.version,
        }
        if existing
        else {"version": 0}
    )
    form = forms.ReportForm(request.POST or None, request.FILES or None, initial=initial)
    editable = existing is None or existing.status in (ReportStatus.DRAFT, ReportStatus.RETURNED)
    if request.method == "POST" and editable and form.is_valid():
        submit = "submit" in request.POST
        saved = run_service(
            request,
            form,
            lambda: _report_save(request, a, p.key, form, submit=submit),
            _("The report was submitted.") if submit else _("The draft was saved."),
        )
        if saved is not None:
            return redirect("directives:assignment", pk=a.pk)
    context = {
        "a": a,
        "p": p,
        "form": form,
        "report": existing,
        "editable": editable,
        "due": selectors.due_on(a.task, p),
    }
    return render(request, "directives/report.html", context)


def _report_save(
    request: HttpRequest, a: Assignment, period: str, form: forms.ReportForm, *, submit: bool
) -> ProgressReport:
    """Save the unit's report for ``period``; submit it too when the submit button was pressed."""
    saved = services.report_save(
        actor=request.user,
        assignment=a,
        period=period,
        text=form.cleaned_data["text"],
        figures=form.cleaned_data["figures"],
        attachment=form.attachment_in(),
        expected_version=form.cleaned_data.get("version"),
    )
    return services.report_submit(actor=request.user, report=saved) if submit else saved


@login_required
@require_POST
def review(request: HttpRequest, pk: int) -> HttpResponse:
    rep = selectors.get_report_for(request.user, pk)
    doc = selectors.get_document_for(request.user, rep.assignment.task.document_id, manage=True)
    form = forms.ReviewForm(request.POST)
    form.is_valid()
    try:
        services.report_review(
            actor=request.user,
            report=rep,
            accept=request.POST.get("decision") == "accept",
            comment=form.cleaned_data.get("comment", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("The report of %(unit)s was reviewed.") % {"unit": rep.assignment.unit_name}
        )
    return redirect("directives:status", pk=doc.pk, period=rep.period)
