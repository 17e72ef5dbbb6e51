"""A document's tasks: a new task, the status of a period, the compiled report and its files."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chibo.core import audit
from chibo.core.web import DOCX_TYPE, XLSX_TYPE, form_page, run_service
from chibo.directives import compile as compiling
from chibo.directives import forms, selectors
from chibo.directives.views.common import _download


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
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
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
