"""Compiling a period: the outgoing document (a draft while the period runs, a new version when
compiled again) and its DOCX and XLSX files.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from chibo.core import audit
from chibo.core.roles import Cap
from chibo.core.scoping import require_cap_on
from chibo.core.services import user_or_none
from chibo.core.web import DOCX_TYPE
from chibo.directives import export, services
from chibo.directives import periods as P
from chibo.directives.compile.content import (
    _docx,
    compile_content,
    compiled_file_name,
    default_recipients,
    report_period,
)
from chibo.directives.models import (
    CompiledReport,
    Direction,
    Document,
    IssuingUnit,
    LinkKind,
)
from chibo.orgs import letterhead


def report_compile(
    *,
    actor: Any,
    directive: Document,
    period: str,
    issued_on: dt.date | None = None,
    signer: str = "",
    signer_title: str = "",
    signature_for: str | None = None,
    issuing_unit: str = IssuingUnit.COMMITTEE,
    recipients: list[str] | None = None,
    today: dt.date | None = None,
) -> CompiledReport:
    """Compile the period's report: a new numbered BC, a new version of the period's report
    under its number, or — while the period has not ended — a draft without a number."""
    require_cap_on(actor, directive.org, Cap.DIRECTIVE_MANAGE)
    today = today or timezone.localdate()
    issued_on = issued_on or today
    p = report_period(directive, period)
    if issuing_unit not in IssuingUnit.values:
        raise ValidationError({"issuing_unit": [_("Choose who issues the document.")]})
    draft = today <= p.end
    recipients = [
        " ".join(r.split()) for r in (recipients or default_recipients(directive, issuing_unit))
    ]
    recipients = [r for r in recipients if r]
    previous = (
        CompiledReport.objects.filter(directive=directive, period=p.key)
        .select_related("output")
        .order_by("-version")
        .first()
    )
    numbered = (
        CompiledReport.objects.filter(directive=directive, period=p.key, output__isnull=False)
        .select_related("output")
        .order_by("-version")
        .first()
    )
    version = previous.version + 1 if previous else 1
    with translation.override("vi"):
        title = _("Results of implementing %(symbol)s, %(period)s") % {
            "symbol": directive.symbol,
            "period": p.label,
        }
    with transaction.atomic():
        if draft:
            output = _draft_document(
                directive, issued_on, title, issuing_unit, signature_for, signer, signer_title
            )
        elif numbered is not None:
            assert numbered.output is not None  # a numbered version has its document
            output = _reissue(
                actor, numbered.output, issued_on, signature_for, signer, signer_title
            )
        else:
            output = services.document_issue(
                actor=actor,
                org=directive.org,
                doc_type="BC",
                title=title,
                issued_on=issued_on,
                issuing_unit=issuing_unit,
                signature_for=signature_for,
                signer=signer,
                signer_title=signer_title,
                recipients=[services.RecipientIn(name=r, kind="copy") for r in recipients],
            )
            services.record_link(output, directive.symbol, LinkKind.REPORTS_ON, target=directive)
        content = compile_content(
            directive=directive,
            period=p,
            issuing_body=output.issuing_body,
            symbol="" if draft else output.symbol,
            today=today,
        )
        data = _docx(output, content, draft=draft, recipients=recipients)
        name = compiled_file_name("" if draft else output.symbol, p.key, version, "docx")
        stored = services.attachment_store(services.FileIn(name, DOCX_TYPE, data))
        if not draft:
            output.attachment = stored
            output.body = content.subtitle
            output.save(update_fields=["attachment", "body"])
        compiled = CompiledReport.objects.create(
            directive=directive,
            period=p.key,
            output=None if draft else output,
            version=version,
            draft=draft,
            attachment=stored,
            figures=content.figures,
            created_by=user_or_none(actor),
        )
        audit.record(
            actor=actor,
            action="directives.compile",
            object_type="compiled_report",
            object_id=compiled.pk,
            data={
                "directive": directive.symbol,
                "period": p.key,
                "output": "" if draft else output.symbol,
                "version": version,
                "draft": draft,
            },
        )
    return compiled


def _draft_document(
    directive: Document,
    issued_on: dt.date,
    title: str,
    unit: str,
    signature_for: str | None,
    signer: str,
    signer_title: str,
) -> Document:
    """An unsaved outgoing document: what the draft DOCX is laid out from (no number taken)."""
    org = directive.org
    capacity = (
        signature_for if signature_for is not None else letterhead.capacities(org, unit)[0].text
    )
    capacity, title_upper = letterhead.check_signature(org, unit, capacity, signer_title)
    code = services.issuer_code_for(org, unit)
    return Document(
        direction=Direction.OUTGOING,
        org=org,
        number=0,
        doc_type="BC",
        issuer_code=code,
        symbol=f"-BC/{code}",
        title=title,
        issuing_org=org,
        issuing_unit=unit,
        issuing_body=services.default_issuing_body(org, unit, issued_on),
        signature_for=capacity,
        signer=signer.strip(),
        signer_title=title_upper,
        issued_on=issued_on,
    )


def _reissue(
    actor: Any,
    output: Document,
    issued_on: dt.date,
    signature_for: str | None,
    signer: str,
    signer_title: str,
) -> Document:
    """The period's numbered report, re-dated and re-signed for a new version (same number)."""
    if issued_on != output.issued_on:
        services.check_redate(output, issued_on)
    capacity = signature_for if signature_for is not None else output.signature_for
    capacity, title_upper = letterhead.check_signature(
        output.org, output.issuing_unit, capacity, signer_title or output.signer_title
    )
    output.issued_on = issued_on
    output.signature_for = capacity
    output.signer = signer.strip() or output.signer
    output.signer_title = title_upper
    output.save(update_fields=["issued_on", "signature_for", "signer", "signer_title"])
    return output


def compiled_docx(compiled: CompiledReport) -> bytes:
    """The version's DOCX as compiled."""
    return bytes(compiled.attachment.data) if compiled.attachment is not None else b""


def compiled_xlsx(compiled: CompiledReport) -> bytes:
    period = P.parse_period(compiled.period)
    output = compiled.output
    content = compile_content(
        directive=compiled.directive,
        period=period,
        issuing_body=output.issuing_body if output else compiled.directive.org.name,
        symbol=output.symbol if output else "",
    )
    content.figures = compiled.figures  # the figures as compiled, not as of today
    if compiled.draft:
        with translation.override("vi"):
            content.symbol = _("draft (not numbered)")
    return export.build_xlsx(content)
