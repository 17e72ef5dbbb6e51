"""The register, a document's page, tasks, unit reporting, the status board and compilation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chibo.core import audit
from chibo.core.roles import Cap
from chibo.core.scoping import has_cap
from chibo.core.web import DOCX_TYPE, XLSX_TYPE, form_page, is_htmx, require_page_cap, run_service
from chibo.directives import compile as compiling
from chibo.directives import documents, forms, selectors, services
from chibo.directives.models import Assignment, Attachment, ProgressReport, ReportStatus
from chibo.lib.text import file_name

PAGE_SIZE = 50


def _download(data: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(bytes(data), content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(name)}"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


@login_required
@require_GET
def register(request: HttpRequest) -> HttpResponse:
    require_page_cap(request, Cap.DIRECTIVE_VIEW)
    form = forms.SearchForm(request.GET or None)
    flt = selectors.DocumentFilter()
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        flt = selectors.DocumentFilter(d["q"], d["date_from"], d["date_to"], d["direction"])
    page = None
    if not form.is_bound or form.is_valid():
        page = Paginator(selectors.document_search(request.user, flt), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
    context = {
        "form": form,
        "page": page,
        "may_manage": has_cap(request.user, Cap.DIRECTIVE_MANAGE),
        "may_report": has_cap(request.user, Cap.DIRECTIVE_REPORT),
    }
    if is_htmx(request, "results"):
        return render(request, "directives/_documents.html", context)
    return render(request, "directives/register.html", context)


def _new_document(request: HttpRequest, form_class: type, title: str) -> HttpResponse:
    require_page_cap(request, Cap.DIRECTIVE_MANAGE)
    form = form_class(request.POST or None, request.FILES or None, user=request.user)
    missing_term = None
    duplicate = False
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)  # a service error takes its field out of cleaned_data
        document = run_service(
            request,
            form,
            form.save,
            lambda row: _("%(symbol)s was entered in the register.") % {"symbol": row.symbol},
        )
        if document is not None:
            return redirect("directives:document", pk=document.pk)
        if (
            form_class is forms.OutgoingForm
            and data.get("org")
            and data.get("issued_on")
            and selectors.term_covering(data["org"], data["issued_on"]) is None
        ):
            missing_term = data["org"]
        duplicate = (
            form_class is forms.IncomingForm
            and not data.get("allow_duplicate")
            and selectors.already_registered(
                data.get("org"), data.get("symbol"), data.get("issued_on")
            )
        )
        if duplicate:
            form.offer_duplicate()
    return form_page(
        request,
        "directives/form.html",
        form,
        title,
        multipart=True,
        missing_term=missing_term,
        duplicate=duplicate,
    )


@login_required
@require_http_methods(["GET", "POST"])
def incoming(request: HttpRequest) -> HttpResponse:
    return _new_document(request, forms.IncomingForm, _("Register an incoming document"))


@login_required
@require_http_methods(["GET", "POST"])
def outgoing(request: HttpRequest) -> HttpResponse:
    return _new_document(request, forms.OutgoingForm, _("Issue an outgoing document"))


@login_required
@require_GET
def document(request: HttpRequest, pk: int) -> HttpResponse:
    doc = selectors.get_document_for(request.user, pk)
    may_manage = selectors.can_manage(request.user, doc)
    tasks = list(doc.tasks.prefetch_related("assignments__org"))
    links = selectors.links_of(doc)
    compilations = list(selectors.compilations_for(request.user, doc))
    # Link only what the user may open; the rest is named without a link.
    linked = [row.target_id for row in links["out"]] + [row.source_id for row in links["in"]]
    for task in tasks:
        task.document = doc  # the assignments' visibility reads their document's org
    context = {
        "doc": doc,
        "may_manage": may_manage,
        "recipients": doc.recipients.all(),
        "links": links,
        "visible_documents": selectors.visible_document_ids(
            request.user, linked + [c.output_id for c in compilations]
        ),
        "visible_assignments": selectors.visible_assignment_ids(
            request.user, [a for task in tasks for a in task.assignments.all()]
        ),
        "tasks": tasks,
        "periods": selectors.directive_periods(doc),
        "compilations": compilations,
        "compile_form": forms.CompileForm(),
        "has_docx": doc.direction == "out",
    }
    return render(request, "directives/document.html", context)


@login_required
@require_GET
def document_docx(request: HttpRequest, pk: int) -> HttpResponse:
    """An outgoing document in the Party's format (HD 36-HD/VPTW), from the register's data."""
    doc = selectors.get_document_for(request.user, pk)
    if doc.direction != "out":
        raise Http404(_("Only an outgoing document is laid out by the system."))
    audit.record(
        actor=request.user,
        action="directives.download",
        object_type="document",
        object_id=doc.pk,
        data={"file": "docx"},
    )
    return _download(documents.document_docx(doc), file_name(doc.symbol, ext="docx"), DOCX_TYPE)


@login_required
@require_http_methods(["GET", "POST"])
def terms(request: HttpRequest) -> HttpResponse:
    """Committee terms (nhiệm kỳ) of the orgs the user manages; declare one."""
    require_page_cap(request, Cap.DIRECTIVE_MANAGE)
    initial = {k: request.GET[k] for k in ("org", "starts_on") if request.GET.get(k)}
    form = forms.TermForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        term = run_service(
            request,
            form,
            form.save,
            lambda row: (
                _("The term %(term)s of %(org)s was recorded.")
                % {"term": row.name, "org": row.org.name}
            ),
        )
        if term is not None:
            return redirect(f"{reverse('directives:terms')}?org={term.org.code}")
    code = request.GET.get("org") or (request.POST.get("org") or "").strip()
    rows = selectors.terms_for(request.user, code)
    context = {
        "form": form,
        "rows": rows,
        "org_code": code,
        "org_choices": selectors.term_org_choices(request.user),
    }
    return render(request, "directives/terms.html", context)


@login_required
@require_GET
def attachment(request: HttpRequest, pk: int) -> HttpResponse:
    doc = selectors.get_document_for(request.user, pk)
    if doc.attachment_id is None:
        raise Http404(_("This document has no attached file."))
    file = Attachment.objects.get(pk=doc.attachment_id)
    audit.record(
        actor=request.user,
        action="directives.download",
        object_type="document",
        object_id=doc.pk,
        data={"file": file.name},
    )
    return _download(file.data, file.name, file.content_type)


@login_required
@require_http_methods(["GET", "POST"])
def task_new(request: HttpRequest, pk: int) -> HttpResponse:
    doc = selectors.get_document_for(request.user, pk, manage=True)
    form = forms.TaskForm(request.POST or None, user=request.user, document=doc)
    if request.method == "POST" and form.is_valid():
        task = run_service(
            request,
            form,
            form.save,
            lambda row: (
                _("Section %(section)s was assigned to %(n)s units.")
                % {"section": row.section, "n": row.assignments.count()}
            ),
        )
        if task is not None:
            return redirect("directives:document", pk=doc.pk)
    return form_page(request, "directives/form.html", form, _("Assign a section"), doc=doc)


@login_required
@require_GET
def status(request: HttpRequest, pk: int, period: str) -> HttpResponse:
    doc = selectors.get_document_for(request.user, pk)
    try:
        found = compiling.report_period(doc, period)
    except ValidationError as exc:
        raise Http404(_("No task of this document reports for this period.")) from exc
    boards = [
        selectors.status_board(task, task_period, actor=request.user)
        for task, task_period in compiling.tasks_for_period(doc, found)
    ]
    today = timezone.localdate()
    compilations = list(selectors.compilations_for(request.user, doc).filter(period=found.key))
    unit = "committee"
    initial = {
        "period": found.key,
        "recipients": "\n".join(compiling.default_recipients(doc, unit)),
    }
    context = {
        "doc": doc,
        "boards": boards,
        "period": found,
        "draft_only": today <= found.end,
        "compilations": compilations,
        "visible_documents": selectors.visible_document_ids(
            request.user, [c.output_id for c in compilations]
        ),
        "visible_assignments": selectors.visible_assignment_ids(
            request.user, [row.assignment for board in boards for row in board.rows]
        ),
        "may_manage": selectors.can_manage(request.user, doc),
        "compile_form": forms.CompileForm(initial=initial),
        "review_form": forms.ReviewForm(),
    }
    return render(request, "directives/status.html", context)


@login_required
@require_POST
def compile_report(request: HttpRequest, pk: int) -> HttpResponse:
    doc = selectors.get_document_for(request.user, pk, manage=True)
    form = forms.CompileForm(request.POST)
    period = request.POST.get("period", "")
    if form.is_valid():
        data = form.cleaned_data
        try:
            compiled = compiling.report_compile(
                actor=request.user,
                directive=doc,
                period=data["period"],
                issued_on=data["issued_on"],
                issuing_unit=data["issuing_unit"],
                signature_for=forms.signature_for_value(data["signature_for"]),
                signer=data["signer"],
                signer_title=data["signer_title"],
                recipients=data["recipients"] or None,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if compiled.draft:
                text = _(
                    "A draft of the report (version %(v)s) was prepared; it is numbered once the period has ended."
                )
            elif compiled.version > 1:
                text = _("Version %(v)s of %(symbol)s was compiled (same number).")
            else:
                text = _("The compiled report %(symbol)s was issued.")
            messages.success(
                request,
                text
                % {
                    "symbol": compiled.output.symbol if compiled.output else "",
                    "v": compiled.version,
                },
            )
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    if period:
        return redirect("directives:status", pk=doc.pk, period=period)
    return redirect("directives:document", pk=doc.pk)


@login_required
@require_GET
def compiled_file(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    return compiled_download(request, pk, fmt)


def compiled_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The compiled report as DOCX or its figures as XLSX (the UI and the API)."""
    compiled = selectors.get_compiled_for(request.user, pk)
    output = compiled.output
    audit.record(
        actor=request.user,
        action="directives.export",
        object_type="compiled_report",
        object_id=compiled.pk,
        data={
            "format": fmt,
            "symbol": output.symbol if output else "",
            "version": compiled.version,
            "draft": compiled.draft,
        },
    )
    symbol = output.symbol if output else ""
    if fmt == "docx":
        name = compiling.compiled_file_name(symbol, compiled.period, compiled.version, "docx")
        return _download(compiling.compiled_docx(compiled), name, DOCX_TYPE)
    if fmt == "xlsx":
        name = compiling.compiled_file_name(symbol, compiled.period, compiled.version, "xlsx")
        return _download(compiling.compiled_xlsx(compiled), name, XLSX_TYPE)
    raise Http404(_("Unknown format."))


@login_required
@require_GET
def my_tasks(request: HttpRequest) -> HttpResponse:
    require_page_cap(request, Cap.DIRECTIVE_REPORT)
    rows = []
    for assignment in selectors.my_assignments(request.user)[:500]:
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
    return render(request, "directives/my_tasks.html", {"rows": rows})


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
