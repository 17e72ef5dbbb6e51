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

from chibo.accounts.roles import Cap
from chibo.core import audit
from chibo.core.rules import RuleMissing, rule_in_force
from chibo.core.scoping import require_cap_on
from chibo.directives import selectors
from chibo.directives.models import (
    Assignment,
    Attachment,
    CommitteeTerm,
    Confidentiality,
    Direction,
    Document,
    DocumentLink,
    LinkKind,
    NumberCounter,
    ProgressReport,
    Recipient,
    Recurrence,
    ReportStatus,
    Task,
    Urgency,
)
from chibo.directives.symbols import (
    DOC_TYPES,
    SymbolError,
    canonical_issuer,
    canonical_type,
    find_symbols,
    format_symbol,
    parse_symbol,
)
from chibo.lib.numbers import count_value
from chibo.lib.text import fold
from chibo.orgs.models import Org

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


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
    *, actor: Any, org: Org, name: str, starts_on: dt.date, ends_on: dt.date | None = None
) -> CommitteeTerm:
    require_cap_on(actor, org, Cap.DIRECTIVE_MANAGE)
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": [_("The term cannot end before it starts.")]})
    overlapping = CommitteeTerm.objects.filter(
        org=org, starts_on__lte=ends_on or dt.date.max
    ).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on))
    if overlapping.exists():
        raise ValidationError(
            {"starts_on": [_("This term overlaps another term of the committee.")]}
        )
    with transaction.atomic():
        term = CommitteeTerm.objects.create(
            org=org, name=name.strip(), starts_on=starts_on, ends_on=ends_on
        )
        audit.record(
            actor=actor,
            action="directives.term_create",
            object_type="committee_term",
            object_id=term.pk,
            data={"org": org.code, "name": term.name, "starts_on": starts_on, "ends_on": ends_on},
        )
    return term


def term_on(org: Org, day: dt.date) -> CommitteeTerm:
    """The committee's term containing ``day``; numbering restarts at 01 in each (HD 36-HD/VPTW)."""
    term = (
        CommitteeTerm.objects.filter(org=org, starts_on__lte=day)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
        .first()
    )
    if term is None:
        raise ValidationError(
            {
                "issued_on": [
                    _("No committee term of %(org)s covers this date: record the term first.")
                    % {"org": org.name}
                ]
            }
        )
    return term


def _take_number(org: Org, term: CommitteeTerm, doc_type: str, issued_on: dt.date) -> int:
    """The next number of ``doc_type`` in ``term``: call inside the issuing transaction.

    The counter row is locked (SELECT … FOR UPDATE on PostgreSQL; SQLite's
    IMMEDIATE transactions already serialise writers), so two concurrent
    issuings get consecutive numbers; the document insert in the same
    transaction means a rollback returns the number too — no gaps.
    """
    try:
        rule = rule_in_force("directives.numbering", on=issued_on)
    except RuleMissing as exc:
        raise ValidationError(
            {"issued_on": [_("No numbering rule is in force on this date.")]}
        ) from exc
    first = int(rule.value["first"])
    counters = NumberCounter.objects.select_for_update()
    try:
        with transaction.atomic():
            counter, _created = counters.get_or_create(
                org=org, term=term, doc_type=doc_type, defaults={"last_number": first - 1}
            )
    except IntegrityError:  # another transaction created it first; wait for its lock
        counter = counters.get(org=org, term=term, doc_type=doc_type)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


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
        rows.append(
            Recipient(
                document=document, org=r.org, name=name[:255], copies=r.copies, position=position
            )
        )
    Recipient.objects.bulk_create(rows)


def _link(document: Document, symbol_text: str, kind: str) -> DocumentLink | None:
    try:
        symbol = parse_symbol(symbol_text)
    except SymbolError as exc:
        raise ValidationError(
            {
                "links": [
                    _("“%(text)s” is not a document number and symbol.") % {"text": symbol_text}
                ]
            }
        ) from exc
    if symbol.folded == document.symbol_folded:
        return None
    target = (
        Document.objects.filter(symbol_folded=symbol.folded).order_by("direction", "id").first()
    )
    link, _created = DocumentLink.objects.get_or_create(
        source=document,
        target_folded=symbol.folded,
        kind=kind,
        defaults={"target": target, "target_symbol": symbol.text},
    )
    return link


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
    # Earlier documents that named this one now point at it.
    DocumentLink.objects.filter(target__isnull=True, target_folded=document.symbol_folded).update(
        target=document
    )
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
) -> Document:
    """Enter a received document in ``org``'s register (sổ văn bản đến)."""
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
            created_by=_user(actor),
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
    issuer_code: str = "",
    issuing_body: str = "",
    signer: str = "",
    signer_title: str = "",
    urgency: str = Urgency.NORMAL,
    confidentiality: str = Confidentiality.NORMAL,
    recipients: Iterable[RecipientIn] = (),
    body: str = "",
    attachment: FileIn | None = None,
    forwards: Iterable[str] = (),
    cites: Iterable[str] = (),
) -> Document:
    """Issue an outgoing document of ``org``, numbered from 01 per type within the committee's term.

    Secret documents share their type's sequence (HD 36-HD/VPTW).
    """
    require_cap_on(actor, org, Cap.DIRECTIVE_MANAGE)
    doc_type = canonical_type(doc_type)
    if doc_type not in DOC_TYPES:
        raise ValidationError({"doc_type": [_("Choose a document type.")]})
    _check_choices(urgency, confidentiality)
    issuer = canonical_issuer(issuer_code or org.code)
    title = _clean_title(title)
    term = term_on(org, issued_on)
    with transaction.atomic():
        number = _take_number(org, term, doc_type, issued_on)
        document = Document(
            direction=Direction.OUTGOING,
            org=org,
            term=term,
            number=number,
            doc_type=doc_type,
            issuer_code=issuer,
            symbol=format_symbol(number, doc_type, issuer),
            symbol_folded=fold(format_symbol(number, doc_type, issuer)),
            title=title,
            issuing_org=org,
            issuing_body=issuing_body.strip() or org.name,
            signer=signer.strip(),
            signer_title=signer_title.strip(),
            issued_on=issued_on,
            urgency=urgency,
            confidentiality=confidentiality,
            body=body,
            attachment=attachment_store(attachment),
            created_by=_user(actor),
        )
        return _finish_document(
            actor=actor,
            document=document,
            recipients=recipients,
            forwards=forwards,
            cites=cites,
            action="directives.issue",
        )


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
    """Symbols named in a text (to propose as "cites" links)."""
    skip = {fold(s) for s in exclude}
    return [s.text for s in find_symbols(text) if s.folded not in skip]


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
        .only("actor_username", "created_at")
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
            "who": last.actor_username if last else _("Someone else"),
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
    *, actor: Any, report: ProgressReport, now: dt.datetime | None = None
) -> ProgressReport:
    assignment = report.assignment
    require_cap_on(actor, assignment.org, Cap.DIRECTIVE_REPORT)
    with transaction.atomic():
        report = ProgressReport.objects.select_for_update().get(pk=report.pk)
        if report.status not in (ReportStatus.DRAFT, ReportStatus.RETURNED):
            raise ValidationError(_("This report has already been submitted."))
        if not report.text.strip():
            raise ValidationError({"text": [_("Write the report before submitting it.")]})
        report.status = ReportStatus.SUBMITTED
        report.submitted_at = now or timezone.now()
        report.submitted_by = _user(actor)
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
    *, actor: Any, report: ProgressReport, accept: bool, comment: str = ""
) -> ProgressReport:
    """The issuer accepts a submitted report, or returns it with comments."""
    document = report.assignment.task.document
    require_cap_on(actor, document.org, Cap.DIRECTIVE_MANAGE)
    comment = comment.strip()
    if not accept and not comment:
        raise ValidationError({"comment": [_("Say what the unit should change.")]})
    with transaction.atomic():
        report = ProgressReport.objects.select_for_update().get(pk=report.pk)
        if report.status != ReportStatus.SUBMITTED:
            raise ValidationError(_("Only a submitted report can be accepted or returned."))
        report.status = ReportStatus.ACCEPTED if accept else ReportStatus.RETURNED
        report.review_comment = comment
        report.reviewed_at = timezone.now()
        report.reviewed_by = _user(actor)
        report.save(
            update_fields=["status", "review_comment", "reviewed_at", "reviewed_by", "updated_at"]
        )
        audit.record(
            actor=actor,
            action="directives.report_review",
            object_type="progress_report",
            object_id=report.pk,
            data={"accepted": accept, "comment": comment},
        )
    return report
