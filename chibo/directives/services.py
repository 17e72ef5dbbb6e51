"""Writes of the directives app: register, issue (auto-numbered), link, tasks, reports.

Every service checks the actor's right, validates, writes in one
transaction and records its audit entry there (docs/architecture.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.core import audit
from chibo.core.names import person_name
from chibo.core.roles import Cap
from chibo.core.rules import RuleMissing, rule_in_force
from chibo.core.scoping import require_cap_on
from chibo.core.services import user_or_none
from chibo.directives import selectors
from chibo.directives.models import (
    Assignment,
    Attachment,
    CommitteeTerm,
    Confidentiality,
    Direction,
    Document,
    DocumentLink,
    IssuingUnit,
    LinkKind,
    NumberCounter,
    ProgressReport,
    Recipient,
    RecipientKind,
    Recurrence,
    ReportStatus,
    Task,
    Urgency,
)
from chibo.directives.symbols import (
    DOC_TYPES,
    Reference,
    SymbolError,
    canonical_type,
    find_references,
    format_symbol,
    parse_reference,
    parse_symbol,
)
from chibo.lib.numbers import count_value
from chibo.lib.text import fold
from chibo.orgs import letterhead
from chibo.orgs.models import Org

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


@dataclass
class FileIn:
    name: str
    content_type: str
    data: bytes


@dataclass
class RecipientIn:
    name: str
    copies: int = 1
    org: Org | None = None
    kind: str = RecipientKind.TO  # "to": Kính gửi; "copy": Nơi nhận only


def attachment_store(file: FileIn | None) -> Attachment | None:
    if file is None:
        return None
    if len(file.data) > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"attachment": [_("The file is larger than 20 MB.")]})
    return Attachment.objects.create(
        name=file.name[:200] or "file",
        content_type=file.content_type[:120] or "application/octet-stream",
        size=len(file.data),
        sha256=hashlib.sha256(file.data).hexdigest(),
        data=file.data,
    )


# --- committee terms and numbering ---------------------------------------------


def term_create(
    *,
    actor: Any,
    org: Org,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    congress: str = "",
) -> CommitteeTerm:
    """Declare a committee term (nhiệm kỳ): from the day after the congress that opened it
    closed to the close of the next; outgoing numbers restart at 01 in each (HD 36-HD/VPTW)."""
    require_cap_on(actor, org, Cap.DIRECTIVE_MANAGE)
    name = " ".join((name or "").split())
    if not name:  # named by its years; a congress term runs five years
        name = f"{starts_on.year}–{(ends_on.year if ends_on else starts_on.year + 5)}"
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": [_("The term cannot end before it starts.")]})
    overlapping = (
        CommitteeTerm.objects.filter(org=org, starts_on__lte=ends_on or dt.date.max)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on))
        .first()
    )
    if overlapping is not None:
        raise ValidationError(
            {
                "starts_on": [
                    _("This term overlaps the term %(term)s (%(start)s – %(end)s).")
                    % {
                        "term": overlapping.name,
                        "start": overlapping.starts_on.strftime("%d/%m/%Y"),
                        "end": overlapping.ends_on.strftime("%d/%m/%Y")
                        if overlapping.ends_on
                        else "…",
                    }
                ]
            }
        )
    with transaction.atomic():
        term = CommitteeTerm.objects.create(
            org=org,
            name=name[:40],
            congress=" ".join((congress or "").split())[:200],
            starts_on=starts_on,
            ends_on=ends_on,
        )
        audit.record(
            actor=actor,
            action="directives.term_create",
            object_type="committee_term",
            object_id=term.pk,
            data={
                "org": org.code,
                "name": term.name,
                "congress": term.congress,
                "starts_on": starts_on,
                "ends_on": ends_on,
            },
        )
    return term


NO_TERM = "no_term"


def term_on(org: Org, day: dt.date) -> CommitteeTerm:
    """The committee's term containing ``day``; numbering restarts at 01 in each (HD 36-HD/VPTW).

    Without one the refusal says how to declare it (code ``no_term``; the views
    add a link to the terms page).
    """
    term = (
        CommitteeTerm.objects.filter(org=org, starts_on__lte=day)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
        .first()
    )
    if term is None:
        raise ValidationError(
            {
                "issued_on": [
                    ValidationError(
                        _(
                            "No committee term of %(org)s covers %(date)s: numbers run per term. "
                            "Declare the term first (page “Committee terms” of %(code)s, "
                            "POST /api/v1/directives/terms, or chibo term add %(code)s …)."
                        )
                        % {"org": org.name, "date": day.strftime("%d/%m/%Y"), "code": org.code},
                        code=NO_TERM,
                        params={"org": org.code},
                    )
                ]
            }
        )
    return term


def _sequence_error(message: str) -> ValidationError:
    return ValidationError({"issued_on": [message]})


def _check_sequence(taken: Any, issued_on: dt.date, number: int | None) -> None:
    """Numbers follow dates within a type and term: refuse a number that would break that.

    ``taken`` are the numbered documents of the same org, term, type and unit.
    Without ``number`` (the next one), the new document may not be dated before
    the latest of them; with an explicit ``number``, every lower number must be
    dated on or before it and every higher one on or after it.
    """
    if number is None:
        latest = taken.order_by("-issued_on", "-number").first()
        if latest is not None and issued_on < latest.issued_on:
            raise _sequence_error(
                _(
                    "%(symbol)s is already dated %(date)s: a document dated %(day)s cannot take "
                    "the next number after it. Date it %(date)s or later, or record it with the "
                    "number it was given on paper."
                )
                % {
                    "symbol": latest.symbol,
                    "date": latest.issued_on.strftime("%d/%m/%Y"),
                    "day": issued_on.strftime("%d/%m/%Y"),
                }
            )
        return
    clash = taken.filter(number=number).first()
    if clash is not None:
        raise ValidationError(
            {"number": [_("The number %(symbol)s is already used.") % {"symbol": clash.symbol}]}
        )
    later_lower = (
        taken.filter(number__lt=number, issued_on__gt=issued_on).order_by("-number").first()
    )
    earlier_higher = (
        taken.filter(number__gt=number, issued_on__lt=issued_on).order_by("number").first()
    )
    wrong = later_lower or earlier_higher
    if wrong is not None:
        raise ValidationError(
            {
                "number": [
                    _(
                        "Number %(number)s dated %(day)s would break the sequence: %(symbol)s is "
                        "dated %(date)s."
                    )
                    % {
                        "number": f"{number:02d}",
                        "day": issued_on.strftime("%d/%m/%Y"),
                        "symbol": wrong.symbol,
                        "date": wrong.issued_on.strftime("%d/%m/%Y"),
                    }
                ]
            }
        )


def _take_number(
    org: Org,
    term: CommitteeTerm,
    doc_type: str,
    issued_on: dt.date,
    unit: str = IssuingUnit.COMMITTEE,
    number: int | None = None,
) -> int:
    """The next number of ``doc_type`` in ``term`` (or ``number``, checked): call inside the
    issuing transaction.

    The counter row is locked (SELECT … FOR UPDATE on PostgreSQL; SQLite's
    IMMEDIATE transactions already serialise writers), so two concurrent
    issuings get consecutive numbers; the document insert in the same
    transaction means a rollback returns the number too — no gaps. Numbers
    follow the documents' dates (``_check_sequence``).
    """
    try:
        rule = rule_in_force("directives.numbering", on=issued_on)
    except RuleMissing as exc:
        raise ValidationError(
            {"issued_on": [_("No numbering rule is in force on this date.")]}
        ) from exc
    first = int(rule.value["first"])
    counters = NumberCounter.objects.select_for_update()
    key = {"org": org, "term": term, "doc_type": doc_type, "issuing_unit": unit}
    try:
        with transaction.atomic():
            counter, _created = counters.get_or_create(**key, defaults={"last_number": first - 1})
    except IntegrityError:  # another transaction created it first; wait for its lock
        counter = counters.get(**key)
    taken = Document.objects.filter(
        direction=Direction.OUTGOING, org=org, term=term, doc_type=doc_type, issuing_unit=unit
    )
    _check_sequence(taken, issued_on, number)
    if number is None:
        counter.last_number += 1
    else:
        if number < first:
            raise ValidationError({"number": [_("Numbers start at %(n)s.") % {"n": first}]})
        counter.last_number = max(counter.last_number, number)
    counter.save(update_fields=["last_number"])
    return counter.last_number if number is None else number


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


def _reference(text: str) -> Reference:
    try:
        return parse_reference(text)
    except SymbolError as exc:
        raise ValidationError(
            {"links": [_("“%(text)s” is not a document number and symbol.") % {"text": text}]}
        ) from exc


def resolve_reference(document: Document, ref: Reference) -> tuple[Document | None, bool]:
    """The register entry ``document`` means by ``ref``, and whether that is ambiguous.

    Numbers restart each term, so a symbol alone can name several documents.
    Looked for first in the referencing org's own register (a unit's forward of
    1000-CV/TU means the unit's incoming copy, not the city's), then anywhere;
    by the date when the reference gives one, else among documents dated on or
    before ``document``. Copies of one document (same symbol and date in
    several registers) are one document: the issuer's own is preferred. Two or
    more dates left means ambiguous: the latest is taken and the link marked.
    """
    same = Document.objects.filter(symbol_folded=ref.symbol.folded)
    if document.pk:
        same = same.exclude(pk=document.pk)
    if ref.day is not None:
        same = same.filter(issued_on=ref.day)
    elif same.filter(issued_on__lte=document.issued_on).exists():
        same = same.filter(issued_on__lte=document.issued_on)
    own = same.filter(org=document.org)
    pool = own if own.exists() else same
    candidates = list(pool.order_by("-issued_on", "direction", "id")[:50])
    if not candidates:
        return None, False
    dates = {c.issued_on for c in candidates}
    best_date = max(dates)
    same_day = [c for c in candidates if c.issued_on == best_date]
    outgoing = [c for c in same_day if c.direction == Direction.OUTGOING]
    return (outgoing or same_day)[0], len(dates) > 1


def _link(
    document: Document, text: str, kind: str, *, target: Document | None = None
) -> DocumentLink | None:
    """Link ``document`` to the document ``text`` names ("1000-CV/TU", "01-CV/KDHCD ngày
    05/03/2025"); ``target`` when the caller knows it."""
    ref = _reference(text)
    if ref.symbol.folded == document.symbol_folded and (
        ref.day is None or ref.day == document.issued_on
    ):
        return None
    ambiguous = False
    if target is None:
        target, ambiguous = resolve_reference(document, ref)
    link, _created = DocumentLink.objects.get_or_create(
        source=document,
        target_folded=ref.symbol.folded,
        target_date=ref.day,
        kind=kind,
        defaults={"target": target, "target_symbol": ref.symbol.text, "ambiguous": ambiguous},
    )
    return link


def check_redate(document: Document, day: dt.date) -> None:
    """A numbered document may take a new date only if its number still follows the dates."""
    taken = Document.objects.filter(
        direction=Direction.OUTGOING,
        org=document.org,
        term=document.term,
        doc_type=document.doc_type,
        issuing_unit=document.issuing_unit,
    ).exclude(pk=document.pk)
    if term_on(document.org, day).pk != document.term_id:
        raise ValidationError(
            {"issued_on": [_("The new date falls in another committee term than the number.")]}
        )
    _check_sequence(taken, day, document.number)


def _backfill_links(document: Document) -> None:
    """Earlier documents that named this one, and found nothing then, now point at it
    (when the date they gave, if any, is this one's)."""
    waiting = DocumentLink.objects.filter(
        target__isnull=True, target_folded=document.symbol_folded
    ).filter(Q(target_date__isnull=True) | Q(target_date=document.issued_on))
    waiting.update(target=document)


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
        _link(document, text, LinkKind.FORWARDS)
    for text in cites:
        _link(document, text, LinkKind.CITES)
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
                        "date": existing.issued_on.strftime("%d/%m/%Y"),
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


def issuer_code_for(org: Org, unit: str = IssuingUnit.COMMITTEE) -> str:
    """The issuer part of the org's symbols: its abbreviation, or its office's ("VPTU")."""
    abbreviation = org.abbreviation or letterhead.default_abbreviation(org.name, org.kind)
    return f"VP{abbreviation}" if unit == IssuingUnit.OFFICE else abbreviation


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


def default_issuing_body(org: Org, unit: str, day: dt.date) -> str:
    """ "Đảng ủy Trường Đại học Bách khoa", "Văn phòng Thành ủy" (as named on ``day``)."""
    standing = letterhead.standing_on(org, day)
    committee = letterhead.committee_form(standing.name, org.kind)
    if unit == IssuingUnit.OFFICE:
        return f"Văn phòng {letterhead.committee_word(standing.name, org.kind)}"
    return committee


def document_link(
    *, actor: Any, document: Document, target_symbol: str, kind: str
) -> DocumentLink | None:
    require_cap_on(actor, document.org, Cap.DIRECTIVE_MANAGE)
    if kind not in LinkKind.values:
        raise ValidationError({"kind": [_("Choose how the documents are linked.")]})
    with transaction.atomic():
        link = _link(document, target_symbol, kind)
        audit.record(
            actor=actor,
            action="directives.link",
            object_type="document",
            object_id=document.pk,
            data={"target": target_symbol, "kind": kind},
        )
    return link


def cited_symbols(text: str, exclude: Iterable[str] = ()) -> list[str]:
    """The documents named in a text, with their dates when given (to propose as "cites")."""
    skip = {_reference(s).symbol.folded for s in exclude}
    return [r.text for r in find_references(text) if r.symbol.folded not in skip]


# --- tasks ---------------------------------------------------------------------


def task_create(
    *,
    actor: Any,
    document: Document,
    section: str,
    title: str,
    text: str = "",
    lead_person: str = "",
    deadline: dt.date | None = None,
    recurrence: str = Recurrence.ONCE,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    report_due_days: int = 5,
    orgs: Iterable[Org] = (),
    named_units: Iterable[str] = (),
) -> Task:
    """A section of ``document`` becomes a task, fanned out to one assignment per unit."""
    require_cap_on(actor, document.org, Cap.DIRECTIVE_MANAGE)
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError({"title": [_("Say what the units must do.")]})
    if recurrence not in Recurrence.values:
        raise ValidationError({"recurrence": [_("Choose how often the units report.")]})
    if recurrence == Recurrence.ONCE and deadline is None:
        raise ValidationError({"deadline": [_("A one-off task needs a deadline.")]})
    starts = starts_on or document.issued_on
    if deadline is not None and deadline < starts:
        raise ValidationError({"deadline": [_("The deadline cannot be before the task starts.")]})
    if ends_on is not None and ends_on < starts:
        raise ValidationError({"ends_on": [_("Reporting cannot end before it starts.")]})
    with transaction.atomic():
        task = Task.objects.create(
            document=document,
            section=section.strip()[:20],
            title=title[:300],
            text=text.strip(),
            lead_person=lead_person.strip(),
            deadline=deadline,
            recurrence=recurrence,
            starts_on=starts,
            ends_on=ends_on,
            report_due_days=report_due_days,
        )
        audit.record(
            actor=actor,
            action="directives.task_create",
            object_type="task",
            object_id=task.pk,
            data={"document": document.symbol, "section": task.section, "recurrence": recurrence},
        )
        task_assign(actor=actor, task=task, orgs=orgs, named_units=named_units)
    return task


def task_assign(
    *, actor: Any, task: Task, orgs: Iterable[Org] = (), named_units: Iterable[str] = ()
) -> list[Assignment]:
    """Give ``task`` to more units (orgs in the actor's scope, or names of units outside the tree)."""
    require_cap_on(actor, task.document.org, Cap.DIRECTIVE_MANAGE)
    orgs = list(orgs)
    for org in orgs:
        require_cap_on(actor, org, Cap.DIRECTIVE_MANAGE)
    with transaction.atomic():
        have_orgs = set(task.assignments.exclude(org=None).values_list("org_id", flat=True))
        have_names = {
            fold(n) for n in task.assignments.filter(org=None).values_list("unit_name", flat=True)
        }
        rows = []
        for org in orgs:
            if org.pk not in have_orgs:
                have_orgs.add(org.pk)
                rows.append(Assignment(task=task, org=org, unit_name=org.name))
        for name in named_units:
            clean = " ".join(name.split())
            if clean and fold(clean) not in have_names:
                have_names.add(fold(clean))
                rows.append(Assignment(task=task, org=None, unit_name=clean[:255]))
        created = Assignment.objects.bulk_create(rows)
        if rows:
            audit.record(
                actor=actor,
                action="directives.assign",
                object_type="task",
                object_id=task.pk,
                data={"units": [a.org.code if a.org else a.unit_name for a in rows]},
            )
    return created


# --- progress reports -------------------------------------------------------------


def _period_or_error(task: Task, key: str) -> Any:
    period = selectors.find_period(task, key)
    if period is None:
        raise ValidationError(
            {"period": [_("This task has no reporting period %(key)s.") % {"key": key}]}
        )
    return period


def _clean_figures(figures: dict[str, Any] | None) -> dict[str, float | int]:
    out: dict[str, float | int] = {}
    for label, value in (figures or {}).items():
        name = " ".join(str(label).split())[:120]
        if not name:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValidationError(
                {"figures": [_("“%(label)s” must be a number.") % {"label": name}]}
            )
        out[name] = count_value(value)  # 12.0 from a JSON client is the count 12
    return out


def _stale_report(report: ProgressReport) -> ValidationError:
    """The refusal of a stale save, quoting who changed the report and what it says now."""
    from chibo.core.models import AuditEntry

    last = (
        AuditEntry.objects.filter(object_type="progress_report", object_id=str(report.pk))
        .order_by("-seq")
        .select_related("actor")
        .only("actor_username", "created_at", "actor__first_name", "actor__last_name")
        .first()
    )
    excerpt = report.text if len(report.text) <= 300 else report.text[:300] + "…"
    return ValidationError(
        _(
            "%(who)s changed this report while you were editing it (%(when)s); your text was "
            "not saved. The report now reads: “%(text)s”. Copy what you need, reload the page "
            "and try again."
        )
        % {
            "who": (person_name(last.actor) or last.actor_username) if last else _("Someone else"),
            "when": timezone.localtime(last.created_at).strftime("%d/%m/%Y %H:%M") if last else "",
            "text": excerpt,
        }
    )


def report_save(
    *,
    actor: Any,
    assignment: Assignment,
    period: str,
    text: str,
    figures: dict[str, Any] | None = None,
    attachment: FileIn | None = None,
    expected_version: int | None = None,
) -> ProgressReport:
    """Create or update a unit's draft report for a period (also a returned one).

    ``expected_version`` is the version the editor started from (0: no report
    yet); a save based on a stale version is refused, showing the other change.
    """
    if assignment.org is None:
        raise ValidationError(
            _("This unit is outside the organization tree; the issuer records its report.")
        )
    require_cap_on(actor, assignment.org, Cap.DIRECTIVE_REPORT)
    task = assignment.task
    p = _period_or_error(task, period)
    clean = _clean_figures(figures)
    with transaction.atomic():
        report, created = ProgressReport.objects.select_for_update().get_or_create(
            assignment=assignment,
            period=p.key,
            defaults={
                "period_start": p.start,
                "period_end": p.end,
                "due_on": selectors.due_on(task, p),
            },
        )
        if expected_version is not None and not created and report.version != expected_version:
            raise _stale_report(report)
        if report.status in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED):
            raise ValidationError(
                _("This report has been submitted; it can be changed only if it is returned.")
            )
        if not created:
            report.version += 1
        report.text = text.strip()
        report.figures = clean
        report.status = (
            ReportStatus.DRAFT if report.status != ReportStatus.RETURNED else ReportStatus.RETURNED
        )
        stored = attachment_store(attachment)
        if stored is not None:
            report.attachment = stored
        report.save()
        audit.record(
            actor=actor,
            action="directives.report_save",
            object_type="progress_report",
            object_id=report.pk,
            data={"assignment": assignment.pk, "period": p.key, "created": created},
        )
    return report


def report_submit(
    *,
    actor: Any,
    report: ProgressReport,
    now: dt.datetime | None = None,
    expected_version: int | None = None,
) -> ProgressReport:
    assignment = report.assignment
    require_cap_on(actor, assignment.org, Cap.DIRECTIVE_REPORT)
    with transaction.atomic():
        report = ProgressReport.objects.select_for_update().get(pk=report.pk)
        if expected_version is not None and report.version != expected_version:
            raise _stale_report(report)
        if report.status not in (ReportStatus.DRAFT, ReportStatus.RETURNED):
            raise ValidationError(_("This report has already been submitted."))
        if not report.text.strip():
            raise ValidationError({"text": [_("Write the report before submitting it.")]})
        report.status = ReportStatus.SUBMITTED
        report.submitted_at = now or timezone.now()
        report.submitted_by = user_or_none(actor)
        report.version += 1
        report.save(
            update_fields=["status", "submitted_at", "submitted_by", "version", "updated_at"]
        )
        audit.record(
            actor=actor,
            action="directives.report_submit",
            object_type="progress_report",
            object_id=report.pk,
            data={"period": report.period, "late": report.is_late},
        )
    return report


def report_review(
    *,
    actor: Any,
    report: ProgressReport,
    accept: bool,
    comment: str = "",
    expected_version: int | None = None,
) -> ProgressReport:
    """The issuer accepts a submitted report, or returns it with comments."""
    document = report.assignment.task.document
    require_cap_on(actor, document.org, Cap.DIRECTIVE_MANAGE)
    comment = comment.strip()
    if not accept and not comment:
        raise ValidationError({"comment": [_("Say what the unit should change.")]})
    with transaction.atomic():
        report = ProgressReport.objects.select_for_update().get(pk=report.pk)
        if expected_version is not None and report.version != expected_version:
            raise _stale_report(report)
        if report.status != ReportStatus.SUBMITTED:
            raise ValidationError(_("Only a submitted report can be accepted or returned."))
        report.status = ReportStatus.ACCEPTED if accept else ReportStatus.RETURNED
        report.review_comment = comment
        report.reviewed_at = timezone.now()
        report.reviewed_by = user_or_none(actor)
        report.version += 1
        report.save(
            update_fields=[
                "status",
                "review_comment",
                "reviewed_at",
                "reviewed_by",
                "version",
                "updated_at",
            ]
        )
        audit.record(
            actor=actor,
            action="directives.report_review",
            object_type="progress_report",
            object_id=report.pk,
            data={"accepted": accept, "comment": comment},
        )
    return report
