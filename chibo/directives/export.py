"""The compiled report's body (its DOCX is laid out by ``directives.documents``) and its
figures as XLSX.

The body: an opening line, I. the system's figures (counts and shares, half-up
to 2 decimals), II. what each unit reported per section (late ones marked),
III. the units that have not reported. The document is written in Vietnamese
whatever the user's language: it is an official Party document.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chibo.core.spreadsheet import Book
from chibo.directives.figures import FIGURE_ROWS, OPTIONAL_ROWS
from chibo.directives.models import ReportStatus
from chibo.lib import partydoc
from chibo.lib.dates import dmy
from chibo.lib.numbers import count_value, fraction, percent, vn_count, vn_pct


@dataclass
class UnitSection:
    unit: str
    state: str  # submitted | accepted | missing | draft | returned | outside
    text: str = ""
    figures: dict[str, Any] = field(default_factory=dict)
    late: bool = False


@dataclass
class TaskSection:
    section: str
    title: str
    units: list[UnitSection]
    deadline: Any = None  # a one-off task's deadline


@dataclass
class CompiledContent:
    title: str
    subtitle: str
    opening: str
    symbol: str
    directive_symbol: str
    period_label: str
    figures: dict[str, Any]
    tasks: list[TaskSection]


def figure_lines(figures: dict[str, Any]) -> list[tuple[str, str, Any, str]]:
    """(label, shown value, raw value, XLSX number format) for each system figure, in order.

    A share is computed from its two counts: shown half-up to 2 decimals
    (``14,29%``), kept as the exact fraction for the spreadsheet (``0.00%``).
    """
    total = figures.get("admissions_total", 0)
    out = []
    for key, label, part in FIGURE_ROWS:
        if key in OPTIONAL_ROWS and key not in figures:
            continue  # not counted when this report was compiled: no figure from missing data
        if part:
            count = figures.get(part, 0)
            out.append((str(label), vn_pct(percent(count, total)), fraction(count, total), "0.00%"))
        else:
            value = count_value(figures.get(key, 0))
            out.append((str(label), vn_count(value), value, "#,##0"))
    return out


def _fmt(iso: Any) -> str:
    if not iso:
        return ""
    year, month, day = str(iso)[:10].split("-")
    return f"{day}/{month}/{year}"


def body_blocks(content: CompiledContent) -> list[partydoc.Block]:
    """Sections I–III of the compiled report."""
    with translation.override("vi"):
        blocks = [partydoc.p(content.opening)]
        blocks.append(partydoc.h(_("I. FIGURES FROM THE PARTY RECORDS SYSTEM")))
        blocks.append(
            partydoc.p(
                _("Period: %(period)s (from %(start)s to %(end)s).")
                % {
                    "period": content.period_label,
                    "start": _fmt(content.figures.get("period_start")),
                    "end": _fmt(content.figures.get("period_end")),
                }
            )
        )
        rows = [[_("Indicator"), _("Figure")]]
        rows += [[label, shown] for label, shown, _raw, _f in figure_lines(content.figures)]
        blocks.append(partydoc.table(rows))

        blocks.append(partydoc.h(_("II. RESULTS REPORTED BY THE UNITS")))
        missing: list[str] = []
        for task in content.tasks:
            head = _("Section %(section)s. %(title)s") % {
                "section": task.section,
                "title": task.title,
            }
            if task.deadline is not None:
                head += _(" (one-off task, due %(date)s)") % {"date": dmy(task.deadline)}
            blocks.append(partydoc.p(head, bold=True, italic=True))
            reported = [u for u in task.units if u.state in ("submitted", "accepted")]
            for unit in reported:
                suffix = _(" (reported late)") if unit.late else ""
                blocks.append(partydoc.p(f"- {unit.unit}{suffix}:", bold=True))
                lines = [line.strip() for line in unit.text.splitlines() if line.strip()]
                if lines:
                    blocks.append(partydoc.p("\n".join(lines)))
                for label, value in unit.figures.items():
                    blocks.append(partydoc.p(f"+ {label}: {vn_count(value)}"))
            outside = [u.unit for u in task.units if u.state == "outside"]
            if outside:
                blocks.append(
                    partydoc.p(
                        _("Units outside the system report on paper: %(units)s.")
                        % {"units": "; ".join(outside)},
                        italic=True,
                    )
                )
            elif not reported:
                blocks.append(
                    partydoc.p(_("No unit has reported on this section yet."), italic=True)
                )
            missing += [
                u.unit for u in task.units if u.state not in ("submitted", "accepted", "outside")
            ]

        blocks.append(partydoc.h(_("III. UNITS THAT HAVE NOT REPORTED")))
        unique_missing = list(dict.fromkeys(missing))
        if unique_missing:
            blocks += [partydoc.p(f"- {unit}") for unit in unique_missing]
        else:
            blocks.append(partydoc.p(_("Every unit has reported.")))
    return blocks


def build_xlsx(content: CompiledContent) -> bytes:
    from openpyxl.styles import Font

    with translation.override("vi"):
        book = Book()
        ws = book.sheet(_("Figures"))
        ws.append([content.title, content.subtitle])
        ws.append([_("Document"), content.symbol])
        ws.append([_("Directive"), content.directive_symbol])
        ws.append([_("Period"), content.period_label])
        ws.append([])
        ws.append([_("Indicator"), _("Figure")])
        for label, _shown, raw, number_format in figure_lines(content.figures):
            ws.append([label, raw])
            ws.ws.cell(row=ws.ws.max_row, column=2).number_format = number_format
        for row in (1, 6):
            for cell in ws.ws[row]:
                cell.font = Font(bold=True)
        ws.ws.column_dimensions["A"].width = 70
        ws.ws.column_dimensions["B"].width = 18

        units = book.sheet(_("Units"))
        units.append([_("Section"), _("Unit"), _("Status"), _("Late"), _("Indicator"), _("Figure")])
        for cell in units.ws[1]:
            cell.font = Font(bold=True)
        for task in content.tasks:
            for unit in task.units:
                state = str(STATE_LABELS.get(unit.state, unit.state))
                late = _("yes") if unit.late else ""
                if unit.figures:
                    for label, value in unit.figures.items():
                        value = count_value(value)
                        units.append([task.section, unit.unit, state, late, label, value])
                        if isinstance(value, int):
                            units.ws.cell(row=units.ws.max_row, column=6).number_format = "#,##0"
                else:
                    units.append([task.section, unit.unit, state, late, "", None])
        units.ws.column_dimensions["B"].width = 55
        units.ws.column_dimensions["E"].width = 40
        return book.save()


STATE_LABELS: dict[str, Any] = {
    **{s.value: s.label for s in ReportStatus},
    "missing": gettext_lazy("Not reported"),
    "outside": gettext_lazy("Outside the system (reports on paper)"),
}
