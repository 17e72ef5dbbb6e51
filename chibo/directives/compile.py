"""The 6-monthly compiled report (item 8 of 1000-CV/TU) and reminders before deadlines.

The report is an outgoing BC of the body that holds the directive in its
register, or of that committee's office (the seed's item 8: "Văn phòng Thành
ủy … báo cáo Thường trực Thành ủy"), laid out as that body's document
(``directives.documents``). A period that has not ended is compiled only as a
draft (dự thảo): no number is taken. Compiling a period again makes a new
version under the same number. One-off tasks due within the period are part
of its report.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from chibo.accounts.models import RoleAssignment
from chibo.core import audit
from chibo.core.notify import notify
from chibo.core.roles import ROLE_CAPS, Cap
from chibo.core.scoping import require_cap_on
from chibo.core.services import user_or_none
from chibo.core.web import DOCX_TYPE
from chibo.directives import documents, export, selectors, services
from chibo.directives import periods as P
from chibo.directives.figures import system_figures
from chibo.directives.models import (
    Assignment,
    CompiledReport,
    Direction,
    Document,
    IssuingUnit,
    LinkKind,
    Recurrence,
    ReportStatus,
    Task,
)
from chibo.lib import partydoc
from chibo.lib.dates import dmy
from chibo.lib.text import file_name
from chibo.orgs import letterhead


def compiled_file_name(symbol: str, period: str, version: int, ext: str) -> str:
    """``bao-cao-tong-hop-01-BC-TU-v1.docx``; a draft (no number yet) ``du-thao-…-2026-H1-v1``."""
    if symbol:
        return file_name("bao cao tong hop", symbol, f"v{version}", ext=ext)
    return file_name("du thao bao cao tong hop", period, f"v{version}", ext=ext)


# Not a regulation: how many days ahead units are reminded (configurable here).
REMIND_BEFORE_DAYS = (7, 1)


def report_period(directive: Document, key: str) -> P.Period:
    """The period ``key`` ("2026-H2") if some task of the directive reports for it."""
    try:
        period = P.parse_period(key)
    except ValueError:
        period = None
    if period is not None and tasks_for_period(directive, period):
        return period
    raise ValidationError(
        {"period": [_("No task of this directive reports for %(key)s.") % {"key": key}]}
    )


def tasks_for_period(directive: Document, period: P.Period) -> list[tuple[Task, P.Period]]:
    """Recurring tasks reporting for ``period``, and one-off tasks due within it."""
    pairs: list[tuple[Task, P.Period]] = []
    for task in directive.tasks.order_by("id"):
        if task.recurrence == Recurrence.ONCE:
            due = task.deadline
            if due is not None and period.start <= due <= period.end:
                pairs.append((task, selectors.task_periods(task)[0]))
            continue
        found = selectors.find_period(task, period.key)
        if found is not None and found == period:
            pairs.append((task, found))
    return pairs


def default_recipients(directive: Document, unit: str) -> list[str]:
    """Whom the report goes to: an office reports to its committee's standing members
    ("Thường trực Thành ủy", item 8 of 1000-CV/TU); a committee to the committee above it
    (a school's committee to "Ban Thường vụ Đảng ủy Khối …"), the root to its own standing
    members."""
    org = directive.org
    today = timezone.localdate()
    above = org.parent if org.is_open else None
    if org.is_open:
        above = letterhead.standing_on(org, today).parent
    if unit == IssuingUnit.OFFICE or above is None:
        return [letterhead.standing_committee(org)]
    return [letterhead.standing_board(above, today)]


def compile_content(
    *,
    directive: Document,
    period: P.Period,
    issuing_body: str,
    symbol: str,
    today: dt.date | None = None,
) -> export.CompiledContent:
    figures = system_figures(root=directive.org, start=period.start, end=period.end).as_dict()
    tasks = []
    for task, task_period in tasks_for_period(directive, period):
        board = selectors.status_board(task, task_period, today)
        units = [
            export.UnitSection(
                unit=row.assignment.unit_name,
                state=row.state,
                text=row.report.text
                if row.report and row.state in ("submitted", "accepted")
                else "",
                figures=row.report.figures
                if row.report and row.state in ("submitted", "accepted")
                else {},
                late=row.late,
            )
            for row in board.rows
        ]
        deadline = task.deadline if task.recurrence == Recurrence.ONCE else None
        tasks.append(export.TaskSection(task.section, task.title, units, deadline))
    with translation.override("vi"):
        label = period.label
        date = dmy(directive.issued_on)
        subtitle = _("on the implementation of %(symbol)s dated %(date)s, %(period)s") % {
            "symbol": directive.symbol,
            "date": date,
            "period": label,
        }
        opening = _(
            "Implementing %(symbol)s dated %(date)s of %(issuer)s on %(title)s, %(body)s "
            "reports the results of %(period)s as follows:"
        ) % {
            "symbol": directive.symbol,
            "date": date,
            "issuer": directive.issuing_body,
            "title": documents.lower_first(directive.title),
            "body": issuing_body,
            "period": label,
        }
        title = _("Report")
    return export.CompiledContent(
        title=title,
        subtitle=subtitle[:1].upper() + subtitle[1:],
        opening=opening,
        symbol=symbol,
        directive_symbol=directive.symbol,
        period_label=label,
        figures=figures,
        tasks=tasks,
    )


def _docx(
    output: Document, content: export.CompiledContent, *, draft: bool, recipients: list[str]
) -> bytes:
    doc = documents.party_doc(
        output,
        body=export.body_blocks(content),
        subtitle=content.subtitle,
        draft=draft,
        recipients=partydoc.recipient_lines(
            recipients,
            letterhead.archive_line(output.org, output.issuing_unit),
            as_above=False,
        ),
    )
    return partydoc.render(doc)


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
            services._link(output, directive.symbol, LinkKind.REPORTS_ON, target=directive)
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


# --- reminders -------------------------------------------------------------------


def _reporters(org_ids: set[int | None]) -> dict[int | None, list[Any]]:
    roles = [role for role, caps in ROLE_CAPS.items() if Cap.DIRECTIVE_REPORT in caps]
    out: dict[int | None, list[Any]] = {}
    for ra in RoleAssignment.objects.filter(
        org_id__in=org_ids, role__in=roles, user__is_active=True
    ).select_related("user"):
        out.setdefault(ra.org_id, []).append(ra.user)
    return out


def remind_due(*, today: dt.date | None = None) -> int:
    """Notify units whose report is due within the reminder days, or overdue; returns notices sent.

    Each notice has a dedupe key (assignment, period, which reminder), so a
    daily run never repeats one.
    """
    today = today or timezone.localdate()
    assignments = list(
        Assignment.objects.filter(org__isnull=False).select_related("task__document", "org")
    )
    users = _reporters({a.org_id for a in assignments})
    done = {
        (r["assignment_id"], r["period"])
        for r in selectors.ProgressReport.objects.filter(
            status__in=[ReportStatus.SUBMITTED, ReportStatus.ACCEPTED]
        ).values("assignment_id", "period")
    }
    sent = 0
    for assignment in assignments:
        task = assignment.task
        horizon = today + dt.timedelta(days=max(REMIND_BEFORE_DAYS))
        periods = selectors.task_periods(task, horizon)
        if task.recurrence != Recurrence.ONCE:
            periods = periods[-3:]  # the previous, current and (near its end) next period
        for period in periods:
            if (assignment.pk, period.key) in done:
                continue
            due = selectors.due_on(task, period)
            left = (due - today).days
            if left < 0:
                which = "overdue"
                message = _(
                    "Overdue: the report of %(unit)s on %(doc)s §%(section)s (%(period)s) was due on %(due)s."
                )
            elif left <= max(REMIND_BEFORE_DAYS):
                which = f"due{min(d for d in REMIND_BEFORE_DAYS if left <= d)}"
                message = _(
                    "Reminder: the report of %(unit)s on %(doc)s §%(section)s (%(period)s) is due on %(due)s."
                )
            else:
                continue
            text = message % {
                "unit": assignment.unit_name,
                "doc": task.document.symbol,
                "section": task.section,
                "period": period.label,
                "due": dmy(due),
            }
            for user in users.get(assignment.org_id, []):
                notice = notify(
                    user=user,
                    kind="directives.reminder",
                    message=text,
                    url=f"/directives/assignments/{assignment.pk}/",
                    dedupe_key=f"directives:{assignment.pk}:{period.key}:{which}",
                )
                sent += notice is not None
    return sent
