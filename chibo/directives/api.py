"""/api/v1/directives: documents, tasks, reports and compiled reports (same scoping and services as the UI)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import AliasChoices

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
from chibo.directives.models import Assignment, Document, ProgressReport, Task
from chibo.orgs.selectors import get_org_for

router = Router(tags=["directives"])


# --- schemas ---------------------------------------------------------------------


class RecipientOut(Schema):
    name: str
    org: str | None
    kind: str
    copies: int


class LinkOut(Schema):
    kind: str
    symbol: str
    id: int | None
    date: dt.date | None = None
    ambiguous: bool = False


class DocumentOut(Schema):
    id: int
    direction: str
    org: str
    symbol: str
    number: int
    doc_type: str
    issuer: str
    title: str
    issuing_body: str
    issued_on: dt.date
    urgency: str
    confidentiality: str
    incoming_number: str
    received_at: dt.datetime | None
    issuing_unit: str
    signature_for: str
    signer_title: str
    signer: str
    has_attachment: bool


class DocumentDetailOut(DocumentOut):
    recipients: list[RecipientOut]
    links_out: list[LinkOut]
    links_in: list[LinkOut]
    tasks: list[int]


class FileBody(Schema):
    name: str
    content_type: str = "application/octet-stream"
    data_base64: str


class RecipientIn(Schema):
    name: str = ""
    org: str | None = None
    copies: int = 1
    # "to": addressed (Kính gửi); "copy": also sent to (Nơi nhận)
    kind: str = "to"


class DocumentIn(Schema):
    org: str
    title: str
    issued_on: dt.date
    urgency: str = "normal"
    confidentiality: str = "normal"
    signer: str = ""
    signer_title: str = ""
    recipients: list[RecipientIn] = []
    body: str = ""
    forwards: list[str] = []
    cites: list[str] = []
    attachment: FileBody | None = None


class IncomingIn(DocumentIn):
    symbol: str
    issuing_body: str
    incoming_number: str = ""
    received_at: dt.datetime | None = None
    # The same symbol and date already in this register is refused unless true.
    allow_duplicate: bool = False


class OutgoingIn(DocumentIn):
    doc_type: str
    issuing_body: str = ""
    issuing_unit: str = "committee"
    # The signature block ("T/M BAN THƯỜNG VỤ", "" for an office head); null: the usual one.
    signature_for: str | None = None
    # A number already given on paper; null: the next number of the term.
    number: int | None = None


class AssignmentOut(Schema):
    id: int
    org: str | None
    unit: str


class TaskOut(Schema):
    id: int
    document: int
    section: str
    title: str
    lead_person: str
    deadline: dt.date | None
    recurrence: str
    starts_on: dt.date
    assignments: list[AssignmentOut]


class TaskIn(Schema):
    section: str
    title: str
    text: str = ""
    lead_person: str = ""
    deadline: dt.date | None = None
    recurrence: str = "once"
    starts_on: dt.date | None = None
    report_due_days: int = 5
    orgs: list[str] = []
    named_units: list[str] = []


class ReportOut(Schema):
    id: int
    assignment: int
    unit: str
    period: str
    due_on: dt.date
    status: str
    text: str
    figures: dict[str, Any]
    submitted_at: dt.datetime | None
    late: bool
    review_comment: str
    version: int


# Every write that changes an existing report names the version it was based on
# (``expected_version``, its former name, is still read).
VERSION_HELP = "The report's `version` as you read it (required; a stale one is refused: 422)"


class ReportIn(Schema):
    period: str
    text: str = ""
    figures: dict[str, float] = {}
    submit: bool = False
    version: int = Field(
        ...,
        ge=0,
        validation_alias=AliasChoices("version", "expected_version"),
        description="The report's `version` as you read it, 0 when there is no report yet "
        "(required; a stale one is refused: 422)",
    )


class SubmitIn(Schema):
    version: int = Field(..., ge=1, description=VERSION_HELP)


class ReviewIn(Schema):
    accept: bool
    comment: str = ""
    version: int = Field(..., ge=1, description=VERSION_HELP)


class StatusRowOut(Schema):
    assignment: int
    unit: str
    org: str | None
    due_on: dt.date
    state: str
    overdue: bool
    late: bool


class StatusOut(Schema):
    task: int
    section: str
    period: str
    reported: int = Field(description="Units among `rows` that have reported")
    total: int = Field(description="Units in `rows`: those whose reports you may see")
    others: int = Field(
        0, description="Other units given this task, outside your scope: no status is shown"
    )
    rows: list[StatusRowOut]


class CompileIn(Schema):
    period: str
    issued_on: dt.date | None = None
    issuing_unit: str = "committee"
    signature_for: str | None = None
    signer: str = ""
    signer_title: str = ""
    recipients: list[str] | None = None


class CompiledOut(Schema):
    id: int
    directive: int
    period: str
    version: int
    draft: bool
    output: DocumentOut | None
    figures: dict[str, Any]


class TermIn(Schema):
    org: str
    name: str = ""
    congress: str = ""
    starts_on: dt.date
    ends_on: dt.date | None = None


class TermOut(Schema):
    id: int
    org: str
    name: str
    congress: str
    starts_on: dt.date
    ends_on: dt.date | None


# --- helpers ---------------------------------------------------------------------


def _doc_out(d: Document) -> dict[str, Any]:
    return {
        "id": d.pk,
        "direction": d.direction,
        "org": d.org.code,
        "symbol": d.symbol,
        "number": d.number,
        "doc_type": d.doc_type,
        "issuer": d.issuer_code,
        "title": d.title,
        "issuing_body": d.issuing_body,
        "issued_on": d.issued_on,
        "urgency": d.urgency,
        "confidentiality": d.confidentiality,
        "incoming_number": d.incoming_number,
        "received_at": d.received_at,
        "issuing_unit": d.issuing_unit,
        "signature_for": d.signature_for,
        "signer_title": d.signer_title,
        "signer": d.signer,
        "has_attachment": d.attachment_id is not None,
    }


def _detail_out(d: Document) -> dict[str, Any]:
    links = selectors.links_of(d)
    return {
        **_doc_out(d),
        "recipients": [
            {
                "name": r.name,
                "org": r.org.code if r.org else None,
                "kind": r.kind,
                "copies": r.copies,
            }
            for r in d.recipients.select_related("org")
        ],
        "links_out": [
            {
                "kind": link.kind,
                "symbol": link.target_symbol,
                "id": link.target_id,
                "date": link.target.issued_on if link.target else link.target_date,
                "ambiguous": link.ambiguous,
            }
            for link in links["out"]
        ],
        "links_in": [
            {
                "kind": link.kind,
                "symbol": link.source.symbol,
                "id": link.source_id,
                "date": link.source.issued_on,
            }
            for link in links["in"]
        ],
        "tasks": list(d.tasks.values_list("id", flat=True)),
    }


def _task_out(t: Task) -> dict[str, Any]:
    return {
        "id": t.pk,
        "document": t.document_id,
        "section": t.section,
        "title": t.title,
        "lead_person": t.lead_person,
        "deadline": t.deadline,
        "recurrence": t.recurrence,
        "starts_on": t.starts_on,
        "assignments": [
            {"id": a.pk, "org": a.org.code if a.org else None, "unit": a.unit_name}
            for a in t.assignments.select_related("org")
        ],
    }


def _report_out(r: ProgressReport) -> dict[str, Any]:
    return {
        "id": r.pk,
        "assignment": r.assignment_id,
        "unit": r.assignment.unit_name,
        "period": r.period,
        "due_on": r.due_on,
        "status": r.status,
        "text": r.text,
        "figures": r.figures,
        "submitted_at": r.submitted_at,
        "late": r.is_late,
        "review_comment": r.review_comment,
        "version": r.version,
    }


def _file(body: FileBody | None) -> services.FileIn | None:
    if body is None:
        return None
    try:
        data = base64.b64decode(body.data_base64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValidationError(
            {"attachment": [_("The attachment's data_base64 is not valid base64.")]}
        ) from exc
    return services.FileIn(body.name, body.content_type, data)


def _common(request: HttpRequest, body: DocumentIn) -> dict[str, Any]:
    org = get_org_for(request.user, body.org, write_cap=Cap.DIRECTIVE_MANAGE)
    recipients = [
        services.RecipientIn(
            name=r.name,
            copies=r.copies,
            org=org_ref(request.user, r.org, "recipients") if r.org else None,
            kind=r.kind,
        )
        for r in body.recipients
    ]
    return {
        "actor": request.user,
        "org": org,
        "title": body.title,
        "issued_on": body.issued_on,
        "urgency": body.urgency,
        "confidentiality": body.confidentiality,
        "signer": body.signer,
        "signer_title": body.signer_title,
        "recipients": recipients,
        "body": body.body,
        "forwards": body.forwards,
        "cites": body.cites,
        "attachment": _file(body.attachment),
    }


def _issuer_of(symbol: str) -> str:
    from chibo.directives.symbols import SymbolError, parse_symbol

    try:
        return parse_symbol(symbol).issuer
    except SymbolError:
        return ""


# --- documents -----------------------------------------------------------------------


class DocumentPage(Schema):
    items: list[DocumentOut]
    next: str | None = Field(description="Pass it as `cursor` for the next page; null: the last")


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


# --- committee terms ---------------------------------------------------------------------


def _term_out(t: Any) -> dict[str, Any]:
    return {
        "id": t.pk,
        "org": t.org.code,
        "name": t.name,
        "congress": t.congress,
        "starts_on": t.starts_on,
        "ends_on": t.ends_on,
    }


@router.get("/terms", response=list[TermOut])
def list_terms(request: HttpRequest, org: str = "") -> list[dict[str, Any]]:
    """Committee terms of the orgs you manage (one org's with ``org``)."""
    require_cap(request.user, Cap.DIRECTIVE_MANAGE)
    return [_term_out(t) for t in selectors.terms_for(request.user, org)]


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


def _compiled_out(compiled: Any) -> dict[str, Any]:
    return {
        "id": compiled.pk,
        "directive": compiled.directive_id,
        "period": compiled.period,
        "version": compiled.version,
        "draft": compiled.draft,
        "output": _doc_out(compiled.output) if compiled.output else None,
        "figures": compiled.figures,
    }


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


@router.get("/assignments", response=list[AssignmentOut])
def my_assignments(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {"id": a.pk, "org": a.org.code if a.org else None, "unit": a.unit_name}
        for a in selectors.my_assignments(request.user)[:500]
    ]


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
