"""The 6-monthly compiled report (item 8 of 1000-CV/TU) and reminders before deadlines."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from chibo.accounts.models import RoleAssignment
from chibo.accounts.roles import ROLE_CAPS, Cap
from chibo.core import audit
from chibo.core.notify import notify
from chibo.core.scoping import require_cap_on
from chibo.directives import export, selectors, services
from chibo.directives import periods as P
from chibo.directives.figures import system_figures
from chibo.directives.models import (
    Assignment,
    CompiledReport,
    Document,
    LinkKind,
    Recurrence,
    ReportStatus,
    Task,
)

PLACE = "Thành phố Hồ Chí Minh"
SIGNATURE_FOR = "T/M BAN THƯỜNG VỤ"
# Not a regulation: how many days ahead units are reminded (configurable here).
REMIND_BEFORE_DAYS = (7, 1)


def _tasks_for_period(
    directive: Document, key: str
) -> tuple[list[tuple[Task, P.Period]], P.Period]:
    pairs: list[tuple[Task, P.Period]] = []
    period: P.Period | None = None
    for task in directive.tasks.order_by("id"):
        found = selectors.find_period(task, key)
        if found is not None:
            pairs.append((task, found))
            period = period or found
    if period is None:
        raise ValidationError(
            {"period": [_("No task of this directive reports for %(key)s.") % {"key": key}]}
        )
    return pairs, period


def compile_content(
    *,
    directive: Document,
    period_key: str,
    symbol: str,
    issued_on: dt.date,
    signer: str,
    signer_title: str,
    today: dt.date | None = None,
) -> export.CompiledContent:
    pairs, period = _tasks_for_period(directive, period_key)
    figures = system_figures(root=directive.org, start=period.start, end=period.end).as_dict()
    tasks = []
    for task, task_period in pairs:
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
        tasks.append(export.TaskSection(task.section, task.title, units))
    with translation.override("vi"):
        label = period.label
        subtitle = _("on the implementation of %(symbol)s dated %(date)s, %(period)s") % {
            "symbol": directive.symbol,
            "date": directive.issued_on.strftime("%d/%m/%Y"),
            "period": label,
        }
        recipients = [
            _("The Standing Board of the City Party Committee"),
            _("File: City Party Office"),
        ]
        title = _("Report")
    return export.CompiledContent(
        issuing_body=directive.org.name,
        superior_body="",
        symbol=symbol,
        place=PLACE,
        issued_on=issued_on,
        title=title,
        subtitle=subtitle,
        directive_symbol=directive.symbol,
        period_label=label,
        figures=figures,
        tasks=tasks,
        signature_for=SIGNATURE_FOR,
        signer_title=signer_title,
        signer=signer,
        recipients=recipients,
    )


def report_compile(
    *,
    actor: Any,
    directive: Document,
    period: str,
    issued_on: dt.date | None = None,
    signer: str = "",
    signer_title: str = "",
    today: dt.date | None = None,
) -> CompiledReport:
    """Issue the compiled report (an outgoing BC, auto-numbered) with its DOCX; keep the figures."""
    require_cap_on(actor, directive.org, Cap.DIRECTIVE_MANAGE)
    issued_on = issued_on or timezone.localdate()
    _pairs, p = _tasks_for_period(directive, period)
    with transaction.atomic():
        with translation.override("vi"):
            title = _("Results of implementing %(symbol)s, %(period)s") % {
                "symbol": directive.symbol,
                "period": p.label,
            }
        output = services.document_issue(
            actor=actor,
            org=directive.org,
            doc_type="BC",
            title=title,
            issued_on=issued_on,
            signer=signer,
            signer_title=signer_title,
            recipients=[
                services.RecipientIn(name=_("The Standing Board of the City Party Committee"))
            ],
        )
        services._link(output, directive.symbol, LinkKind.REPORTS_ON)
        content = compile_content(
            directive=directive,
            period_key=period,
            symbol=output.symbol,
            issued_on=issued_on,
            signer=signer,
            signer_title=signer_title,
            today=today,
        )
        output.attachment = services.attachment_store(
            services.FileIn(
                f"{output.symbol.replace('/', '-')}.docx",
                export.DOCX_TYPE,
                export.build_docx(content),
            )
        )
        output.body = content.subtitle
        output.save(update_fields=["attachment", "body"])
        compiled = CompiledReport.objects.create(
            directive=directive,
            period=p.key,
            output=output,
            figures=content.figures,
            created_by=services._user(actor),
        )
        audit.record(
            actor=actor,
            action="directives.compile",
            object_type="compiled_report",
            object_id=compiled.pk,
            data={"directive": directive.symbol, "period": p.key, "output": output.symbol},
        )
    return compiled


def compiled_xlsx(compiled: CompiledReport) -> bytes:
    output = compiled.output
    content = compile_content(
        directive=compiled.directive,
        period_key=compiled.period,
        symbol=output.symbol,
        issued_on=output.issued_on,
        signer=output.signer,
        signer_title=output.signer_title,
    )
    content.figures = compiled.figures  # the figures as compiled, not as of today
    return export.build_xlsx(content)


# --- reminders -------------------------------------------------------------------


def _reporters(org_ids: set[int]) -> dict[int, list[Any]]:
    roles = [role for role, caps in ROLE_CAPS.items() if Cap.DIRECTIVE_REPORT in caps]
    out: dict[int, list[Any]] = {}
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
                "due": due.strftime("%d/%m/%Y"),
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
