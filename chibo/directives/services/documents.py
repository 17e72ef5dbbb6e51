"""Registering incoming documents and issuing outgoing ones."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.core import audit
from chibo.core.roles import Cap
from chibo.core.scoping import require_cap_on
from chibo.core.services import user_or_none
from chibo.directives.models import (
    Confidentiality,
    Direction,
    Document,
    IssuingUnit,
    LinkKind,
    Recipient,
    RecipientKind,
    Urgency,
)
from chibo.directives.services.attachments import FileIn, attachment_store
from chibo.directives.services.links import _backfill_links, record_link
from chibo.directives.services.numbering import _take_number, default_issuing_body, issuer_code_for
from chibo.directives.services.terms import term_on
from chibo.directives.symbols import (
    DOC_TYPES,
    SymbolError,
    canonical_type,
    format_symbol,
    parse_symbol,
)
from chibo.lib.dates import dmy
from chibo.lib.text import fold
from chibo.orgs import letterhead
from chibo.orgs.models import Org


@dataclass
class RecipientIn:
    name: str
    copies: int = 1
    org: Org | None = None
    kind: str = RecipientKind.TO  # "to": Kính gửi; "copy": Nơi nhận only


# --- documents -----------------------------------------------------------------


def _check_choices(urgency: str, confidentiality: str) -> None:
    if urgency not in Urgency.values:
        raise ValidationError({"urgency": [_("Choose the urgency.")]})
    if confidentiality not in Confidentiality.values:
        raise ValidationError({"confidentiality": [_("Choose the confidentiality.")]})


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError({"title": [_("Enter the title (what the document is about).")]})
    return title[:500]


def _search_text(document: Document) -> str:
    return fold(f"{document.symbol} {document.title} {document.issuing_body}")[:800]


def _add_recipients(document: Document, recipients: Iterable[RecipientIn]) -> None:
    rows = []
    for position, r in enumerate(recipients):
        name = " ".join(r.name.split()) or (r.org.name if r.org else "")
        if not name:
            continue
        if r.copies < 1:
            raise ValidationError({"recipients": [_("The number of copies must be at least 1.")]})
        if r.kind not in RecipientKind.values:
            raise ValidationError({"recipients": [_("A recipient is addressed or copied.")]})
        rows.append(
            Recipient(
                document=document,
                org=r.org,
                name=name[:255],
                kind=r.kind,
                copies=r.copies,
                position=position,
            )
        )
    Recipient.objects.bulk_create(rows)


def _finish_document(
    *,
    actor: Any,
    document: Document,
    recipients: Iterable[RecipientIn],
    forwards: Iterable[str],
    cites: Iterable[str],
    action: str,
) -> Document:
    document.search_folded = _search_text(document)
    document.full_clean(exclude=["symbol_folded", "search_folded"])
    document.save()
    _add_recipients(document, recipients)
    for text in forwards:
        record_link(document, text, LinkKind.FORWARDS)
    for text in cites:
        record_link(document, text, LinkKind.CITES)
    _backfill_links(document)
    audit.record(
        actor=actor,
        action=action,
        object_type="document",
        object_id=document.pk,
        data={
            "symbol": document.symbol,
            "org": document.org.code,
            "title": document.title,
            "issued_on": document.issued_on,
        },
    )
    return document


def issuing_org_for(issuer: str) -> Org | None:
    """The org a symbol's issuer part names: by code, else by a unique abbreviation."""
    org = Org.objects.filter(code=issuer).first()
    if org is not None:
        return org
    matches = list(Org.objects.filter(abbreviation=issuer, closed_on__isnull=True)[:2])
    return matches[0] if len(matches) == 1 else None


DUPLICATE = "duplicate"


def _check_duplicate(org: Org, folded: str, issued_on: dt.date) -> None:
    """The same document (symbol and date) already in ``org``'s incoming register: refuse
    unless the caller says it is a second copy (code ``duplicate``)."""
    existing = (
        Document.objects.filter(
            org=org, direction=Direction.INCOMING, symbol_folded=folded, issued_on=issued_on
        )
        .order_by("id")
        .first()
    )
    if existing is None:
        return
    received = (
        timezone.localtime(existing.received_at).strftime("%d/%m/%Y %H:%M")
        if existing.received_at
        else ""
    )
    raise ValidationError(
        {
            "symbol": [
                ValidationError(
                    _(
                        "%(symbol)s dated %(date)s is already in the incoming register of %(org)s "
                        "(incoming no. %(number)s %(received)s). Register it again only if it is "
                        "a second copy that needs its own entry."
                    )
                    % {
                        "symbol": existing.symbol,
                        "date": dmy(existing.issued_on),
                        "org": org.name,
                        "number": existing.incoming_number or "—",
                        "received": received,
                    },
                    code=DUPLICATE,
                    params={"id": existing.pk},
                )
            ]
        }
    )


def document_register_incoming(
    *,
    actor: Any,
    org: Org,
    symbol: str,
    title: str,
    issuing_body: str,
    issued_on: dt.date,
    issuing_org: Org | None = None,
    signer: str = "",
    signer_title: str = "",
    urgency: str = Urgency.NORMAL,
    confidentiality: str = Confidentiality.NORMAL,
    incoming_number: str = "",
    received_at: dt.datetime | None = None,
    recipients: Iterable[RecipientIn] = (),
    body: str = "",
    attachment: FileIn | None = None,
    forwards: Iterable[str] = (),
    cites: Iterable[str] = (),
    allow_duplicate: bool = False,
) -> Document:
    """Enter a received document in ``org``'s register (sổ văn bản đến).

    The same document (symbol and date) twice in one register is refused unless
    ``allow_duplicate`` (a second copy that needs its own entry).
    """
    require_cap_on(actor, org, Cap.DIRECTIVE_MANAGE)
    try:
        parsed = parse_symbol(symbol)
    except SymbolError as exc:
        raise ValidationError(
            {"symbol": [_("Write the number and symbol as on the document, e.g. 1000-CV/TU.")]}
        ) from exc
    _check_choices(urgency, confidentiality)
    if received_at is not None and received_at.date() < issued_on:
        raise ValidationError(
            {"received_at": [_("A document cannot be received before its date.")]}
        )
    if issued_on > timezone.localdate():
        raise ValidationError({"issued_on": [_("The date cannot be in the future.")]})
    if not allow_duplicate:
        _check_duplicate(org, parsed.folded, issued_on)
    with transaction.atomic():
        document = Document(
            direction=Direction.INCOMING,
            org=org,
            number=parsed.number,
            doc_type=parsed.doc_type,
            issuer_code=parsed.issuer,
            symbol=parsed.text,
            symbol_folded=parsed.folded,
            title=_clean_title(title),
            issuing_org=issuing_org,
            issuing_body=issuing_body.strip(),
            signer=signer.strip(),
            signer_title=signer_title.strip(),
            issued_on=issued_on,
            urgency=urgency,
            confidentiality=confidentiality,
            incoming_number=incoming_number.strip(),
            received_at=received_at,
            body=body,
            attachment=attachment_store(attachment),
            created_by=user_or_none(actor),
        )
        return _finish_document(
            actor=actor,
            document=document,
            recipients=recipients,
            forwards=forwards,
            cites=cites,
            action="directives.register",
        )


def document_issue(
    *,
    actor: Any,
    org: Org,
    doc_type: str,
    title: str,
    issued_on: dt.date,
    issuing_unit: str = IssuingUnit.COMMITTEE,
    issuing_body: str = "",
    signature_for: str | None = None,
    signer: str = "",
    signer_title: str = "",
    urgency: str = Urgency.NORMAL,
    confidentiality: str = Confidentiality.NORMAL,
    recipients: Iterable[RecipientIn] = (),
    body: str = "",
    attachment: FileIn | None = None,
    forwards: Iterable[str] = (),
    cites: Iterable[str] = (),
    number: int | None = None,
    source: str = "",
) -> Document:
    """Issue an outgoing document of ``org`` (or of its office), numbered from 01 per type
    within the committee's term of the document's date.

    The symbol's issuer is the org's abbreviation (``01-BC/ĐUK``; the office's
    ``01-BC/VPTU``). ``signature_for`` is the block it is signed under, one the
    issuing body uses (``orgs.letterhead.capacities``; None: its usual one).
    ``number`` records a document already numbered on paper, if it keeps the
    sequence. Secret documents share their type's sequence (HD 36-HD/VPTW).
    """
    require_cap_on(actor, org, Cap.DIRECTIVE_MANAGE)
    doc_type = canonical_type(doc_type)
    if doc_type not in DOC_TYPES:
        raise ValidationError({"doc_type": [_("Choose a document type.")]})
    if issuing_unit not in IssuingUnit.values:
        raise ValidationError({"issuing_unit": [_("Choose who issues the document.")]})
    if issuing_unit == IssuingUnit.OFFICE and org.is_cell:
        raise ValidationError({"issuing_unit": [_("A party cell has no office.")]})
    _check_choices(urgency, confidentiality)
    if signature_for is None:
        signature_for = letterhead.capacities(org, issuing_unit)[0].text
    signature_for, signer_title = letterhead.check_signature(
        org, issuing_unit, signature_for, signer_title
    )
    issuer = issuer_code_for(org, issuing_unit)
    title = _clean_title(title)
    letterhead.standing_on(org, issued_on)  # the org existed on that day
    term = term_on(org, issued_on)
    with transaction.atomic():
        number = _take_number(org, term, doc_type, issued_on, issuing_unit, number)
        symbol = format_symbol(number, doc_type, issuer)
        document = Document(
            direction=Direction.OUTGOING,
            org=org,
            term=term,
            number=number,
            doc_type=doc_type,
            issuer_code=issuer,
            symbol=symbol,
            symbol_folded=fold(symbol),
            title=title,
            issuing_org=org,
            issuing_unit=issuing_unit,
            issuing_body=issuing_body.strip() or default_issuing_body(org, issuing_unit, issued_on),
            signature_for=signature_for,
            signer=signer.strip(),
            signer_title=signer_title,
            issued_on=issued_on,
            urgency=urgency,
            confidentiality=confidentiality,
            body=body,
            attachment=attachment_store(attachment),
            source=source[:80],
            created_by=user_or_none(actor),
        )
        return _finish_document(
            actor=actor,
            document=document,
            recipients=recipients,
            forwards=forwards,
            cites=cites,
            action="directives.issue",
        )
