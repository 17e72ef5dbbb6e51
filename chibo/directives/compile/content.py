"""What a compiled report holds: the period and its tasks, the units' reports gathered into its
content, its recipients and file names.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from chibo.directives import documents, export, selectors
from chibo.directives import periods as P
from chibo.directives.figures import system_figures
from chibo.directives.models import (
    Document,
    IssuingUnit,
    Recurrence,
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
