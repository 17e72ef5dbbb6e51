"""Between the API's schemas and the services: rows to answers, bodies to service arguments."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _

from chibo.apitools import (
    org_ref,
)
from chibo.core.roles import Cap
from chibo.directives import selectors, services
from chibo.directives.api.schemas import DocumentIn, FileBody
from chibo.directives.models import Document, ProgressReport, Task
from chibo.orgs.selectors import get_org_for

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
