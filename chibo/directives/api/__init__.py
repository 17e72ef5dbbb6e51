"""/api/v1/directives: documents, tasks, reports and compiled reports (same scoping and services as the UI).

The routes are here, in the order they are matched (their operation ids name this
module); what they take and answer is in ``schemas``, and the conversions between
the schemas and the services' objects in ``convert``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from chibo.apitools import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    created,
    file_response,
    keyset_page,
    org_ref,
    require_cap,
)
from chibo.core.roles import Cap
from chibo.core.web import DOCX_TYPE, XLSX_TYPE
from chibo.directives import compile as compiling
from chibo.directives import selectors, services
from chibo.directives.api.convert import (
    _common,
    _compiled_out,
    _detail_out,
    _doc_out,
    _issuer_of,
    _report_out,
    _task_out,
    _term_out,
)
from chibo.directives.api.schemas import (
    AssignmentPage,
    CompiledOut,
    CompileIn,
    DocumentDetailOut,
    DocumentPage,
    IncomingIn,
    OutgoingIn,
    ReportIn,
    ReportOut,
    ReviewIn,
    StatusOut,
    SubmitIn,
    TaskIn,
    TaskOut,
    TermIn,
    TermOut,
    TermPage,
)
from chibo.directives.models import Assignment, Task
from chibo.orgs.selectors import get_org_for

router = Router(tags=["directives"])


@router.get("/documents", response=DocumentPage)
def list_documents(
    request: HttpRequest,
    q: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    direction: str = "",
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    cursor: str = Query("", max_length=500, description="`next` of the page before"),
) -> dict[str, Any]:
    """Documents in scope, newest first, in keyset pages (docs/api.md, "Pagination")."""
    require_cap(request.user, Cap.DIRECTIVE_VIEW)
    flt = selectors.DocumentFilter(q=q, date_from=date_from, date_to=date_to, direction=direction)
    qs = selectors.document_search(request.user, flt)
    rows, after = keyset_page(qs, ("-issued_on", "-id"), limit, cursor)
    return {"items": [_doc_out(d) for d in rows], "next": after}


@router.post("/documents/incoming", response={201: DocumentDetailOut})
def register_incoming(request: HttpRequest, body: IncomingIn) -> Status:
    doc = services.document_register_incoming(
        **_common(request, body),
        symbol=body.symbol,
        issuing_body=body.issuing_body,
        incoming_number=body.incoming_number,
        received_at=body.received_at,
        allow_duplicate=body.allow_duplicate,
        issuing_org=services.issuing_org_for(_issuer_of(body.symbol)),
    )
    return created(_detail_out(doc))


@router.post("/documents/outgoing", response={201: DocumentDetailOut})
def issue_outgoing(request: HttpRequest, body: OutgoingIn) -> Status:
    doc = services.document_issue(
        **_common(request, body),
        doc_type=body.doc_type,
        issuing_body=body.issuing_body,
        issuing_unit=body.issuing_unit,
        signature_for=body.signature_for,
        number=body.number,
    )
    return created(_detail_out(doc))


@router.get("/documents/{doc_id}/docx", openapi_extra=file_response(DOCX_TYPE))
def document_docx(request: HttpRequest, doc_id: int) -> HttpResponse:
    """An outgoing document in the Party's format (HD 36-HD/VPTW), as DOCX."""
    from chibo.directives.views import document_docx as view

    return view(request, doc_id)


@router.get("/terms", response=TermPage)
def list_terms(
    request: HttpRequest,
    org: str = "",
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    cursor: str = Query("", max_length=500),
) -> dict[str, Any]:
    """Committee terms of the orgs you manage (one org's with ``org``), by org, paged."""
    require_cap(request.user, Cap.DIRECTIVE_MANAGE)
    rows, after = keyset_page(
        selectors.terms_for(request.user, org), selectors.TERM_ORDER, limit, cursor
    )
    return {"items": [_term_out(t) for t in rows], "next": after}


@router.post("/terms", response={201: TermOut})
def create_term(request: HttpRequest, body: TermIn) -> Status:
    """Declare a committee term (nhiệm kỳ): numbering restarts at 01 in each."""
    org = get_org_for(request.user, body.org, write_cap=Cap.DIRECTIVE_MANAGE)
    term = services.term_create(
        actor=request.user,
        org=org,
        name=body.name,
        congress=body.congress,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
    )
    return created(_term_out(term))


@router.get("/documents/{doc_id}", response=DocumentDetailOut)
def get_document(request: HttpRequest, doc_id: int) -> dict[str, Any]:
    return _detail_out(selectors.get_document_for(request.user, doc_id))


@router.get("/documents/{doc_id}/tasks", response=list[TaskOut])
def list_tasks(request: HttpRequest, doc_id: int) -> list[dict[str, Any]]:
    doc = selectors.get_document_for(request.user, doc_id)
    return [_task_out(t) for t in doc.tasks.all()]


@router.post("/documents/{doc_id}/tasks", response={201: TaskOut})
def create_task(request: HttpRequest, doc_id: int, body: TaskIn) -> Status:
    doc = selectors.get_document_for(request.user, doc_id, manage=True)
    orgs = [org_ref(request.user, code, "orgs") for code in body.orgs]
    task = services.task_create(
        actor=request.user,
        document=doc,
        section=body.section,
        title=body.title,
        text=body.text,
        lead_person=body.lead_person,
        deadline=body.deadline,
        recurrence=body.recurrence,
        starts_on=body.starts_on,
        report_due_days=body.report_due_days,
        orgs=orgs,
        named_units=body.named_units,
    )
    return created(_task_out(task))


@router.get("/documents/{doc_id}/status/{period}", response=list[StatusOut])
def status(request: HttpRequest, doc_id: int, period: str) -> list[dict[str, Any]]:
    doc = selectors.get_document_for(request.user, doc_id)
    out = []
    try:
        pairs = compiling.tasks_for_period(doc, compiling.report_period(doc, period))
    except ValidationError:
        pairs = []
    for task, found in pairs:
        board = selectors.status_board(task, found, actor=request.user)
        out.append(
            {
                "task": task.pk,
                "section": task.section,
                "period": found.key,
                "reported": board.reported,
                "total": len(board.rows),
                "others": board.hidden,
                "rows": [
                    {
                        "assignment": r.assignment.pk,
                        "unit": r.assignment.unit_name,
                        "org": r.assignment.org.code if r.assignment.org else None,
                        "due_on": r.due_on,
                        "state": r.state,
                        "overdue": r.overdue,
                        "late": r.late,
                    }
                    for r in board.rows
                ],
            }
        )
    return out


@router.post("/documents/{doc_id}/compile", response={201: CompiledOut})
def compile_report(request: HttpRequest, doc_id: int, body: CompileIn) -> Status:
    doc = selectors.get_document_for(request.user, doc_id, manage=True)
    compiled = compiling.report_compile(
        actor=request.user,
        directive=doc,
        period=body.period,
        issued_on=body.issued_on,
        issuing_unit=body.issuing_unit,
        signature_for=body.signature_for,
        signer=body.signer,
        signer_title=body.signer_title,
        recipients=body.recipients,
    )
    return created(_compiled_out(compiled))


@router.get("/documents/{doc_id}/compiled", response=list[CompiledOut])
def list_compiled(request: HttpRequest, doc_id: int) -> list[dict[str, Any]]:
    """The directive's compiled reports you may read (``get_compiled_for``), newest first."""
    doc = selectors.get_document_for(request.user, doc_id)
    return [
        _compiled_out(c)
        for c in selectors.compilations_for(request.user, doc).select_related("output__org")
    ]


@router.get("/compiled/{compiled_id}/{fmt}", openapi_extra=file_response(DOCX_TYPE, XLSX_TYPE))
def compiled_file(request: HttpRequest, compiled_id: int, fmt: str) -> HttpResponse:
    """``fmt`` is ``docx`` (the Party-format report) or ``xlsx`` (its figures)."""
    from chibo.directives.views import compiled_download

    return compiled_download(request, compiled_id, fmt)


# --- tasks and reports ------------------------------------------------------------------


@router.get("/tasks/{task_id}", response=TaskOut)
def get_task(request: HttpRequest, task_id: int) -> dict[str, Any]:
    task = Task.objects.filter(pk=task_id).first()
    if task is None:
        raise Http404(_("No such task in your scope."))
    selectors.get_document_for(request.user, task.document_id)
    return _task_out(task)


@router.get(
    "/assignments",
    response=AssignmentPage,
    summary="The tasks the actor's units must report on, newest document first, paged",
)
def my_assignments(
    request: HttpRequest,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    cursor: str = Query("", max_length=500),
) -> dict[str, Any]:
    require_cap(request.user, Cap.DIRECTIVE_REPORT)  # as the page /directives/tasks/
    rows, after = keyset_page(
        selectors.my_assignments(request.user),
        selectors.ASSIGNMENT_ORDER,
        limit,
        cursor,
    )
    return {
        "items": [
            {
                "id": a.pk,
                "org": a.org.code if a.org else None,
                "unit": a.unit_name,
                "task": a.task_id,
                "document": a.task.document_id,
            }
            for a in rows
        ],
        "next": after,
    }


@router.get("/assignments/{assignment_id}/reports", response=list[ReportOut])
def list_reports(request: HttpRequest, assignment_id: int) -> list[dict[str, Any]]:
    a: Assignment = selectors.get_assignment_for(request.user, assignment_id)
    return [_report_out(r) for r in a.reports.select_related("assignment")]


@router.post("/assignments/{assignment_id}/reports", response={200: ReportOut})
def save_report(request: HttpRequest, assignment_id: int, body: ReportIn) -> dict[str, Any]:
    a = selectors.get_assignment_for(request.user, assignment_id, report=True)
    report = services.report_save(
        actor=request.user,
        assignment=a,
        period=body.period,
        text=body.text,
        figures=body.figures,
        expected_version=body.version,
    )
    if body.submit:
        report = services.report_submit(actor=request.user, report=report)
    return _report_out(report)


@router.post("/reports/{report_id}/submit", response=ReportOut)
def submit_report(request: HttpRequest, report_id: int, body: SubmitIn) -> dict[str, Any]:
    report = selectors.get_report_for(request.user, report_id)
    selectors.get_assignment_for(request.user, report.assignment_id, report=True)
    return _report_out(
        services.report_submit(actor=request.user, report=report, expected_version=body.version)
    )


@router.post("/reports/{report_id}/review", response=ReportOut)
def review_report(request: HttpRequest, report_id: int, body: ReviewIn) -> dict[str, Any]:
    report = selectors.get_report_for(request.user, report_id)
    selectors.get_document_for(request.user, report.assignment.task.document_id, manage=True)
    return _report_out(
        services.report_review(
            actor=request.user,
            report=report,
            accept=body.accept,
            comment=body.comment,
            expected_version=body.version,
        )
    )
