"""The compiled report as DOCX (the Party's document format) and its figures as XLSX.

Layout per HD 36-HD/VPTW (3/4/2018): A4, margins 20/20/30/15 mm; top left
the issuing body in capitals with "*" beneath and the number and symbol;
top right "ĐẢNG CỘNG SẢN VIỆT NAM" underlined and, beneath it, the place
and date in italics; the title in bold capitals; the body; the signature
block ("T/M BAN THƯỜNG VỤ", the signer's title and name) on the right and
"Nơi nhận:" on the left. The document is written in Vietnamese whatever the
user's language: it is an official Party document.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chibo.directives.figures import FIGURE_ROWS
from chibo.directives.models import ReportStatus
from chibo.lib.numbers import count_value, fraction, percent, vn_count, vn_pct

PARTY = "ĐẢNG CỘNG SẢN VIỆT NAM"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class UnitSection:
    unit: str
    state: str  # submitted | accepted | missing | draft | returned
    text: str = ""
    figures: dict[str, Any] = field(default_factory=dict)
    late: bool = False


@dataclass
class TaskSection:
    section: str
    title: str
    units: list[UnitSection]


@dataclass
class CompiledContent:
    issuing_body: str
    superior_body: str
    symbol: str
    place: str
    issued_on: Any
    title: str
    subtitle: str
    directive_symbol: str
    period_label: str
    figures: dict[str, Any]
    tasks: list[TaskSection]
    signature_for: str
    signer_title: str
    signer: str
    recipients: list[str]


def _date_line(place: str, day: Any) -> str:
    return _("%(place)s, day %(d)s month %(m)s year %(y)s") % {
        "place": place,
        "d": f"{day.day:02d}",
        "m": f"{day.month:02d}",
        "y": day.year,
    }


def figure_lines(figures: dict[str, Any]) -> list[tuple[str, str, Any, str]]:
    """(label, shown value, raw value, XLSX number format) for each system figure, in order.

    A share is computed from its two counts: shown half-up to 2 decimals
    (``14,29%``), kept as the exact fraction for the spreadsheet (``0.00%``).
    """
    total = figures.get("admissions_total", 0)
    out = []
    for key, label, part in FIGURE_ROWS:
        if part:
            count = figures.get(part, 0)
            out.append((str(label), vn_pct(percent(count, total)), fraction(count, total), "0.00%"))
        else:
            value = count_value(figures.get(key, 0))
            out.append((str(label), vn_count(value), value, "#,##0"))
    return out


def build_docx(content: CompiledContent) -> bytes:
    from docx import Document as Docx
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    with translation.override("vi"):
        doc = Docx()
        section = doc.sections[0]
        section.page_height, section.page_width = Mm(297), Mm(210)
        section.top_margin, section.bottom_margin = Mm(20), Mm(20)
        section.left_margin, section.right_margin = Mm(30), Mm(15)
        style = doc.styles["Normal"]
        style.font.name = "Times New Roman"
        style.font.size = Pt(14)

        def para(
            cell_or_doc: Any,
            text: str = "",
            *,
            bold: bool = False,
            italic: bool = False,
            underline: bool = False,
            align: Any = None,
            size: int | None = None,
            first: bool = False,
        ) -> Any:
            p = cell_or_doc.paragraphs[0] if first else cell_or_doc.add_paragraph()
            if align is not None:
                p.alignment = align
            run = p.add_run(text)
            run.bold, run.italic, run.underline = bold, italic, underline
            if size:
                run.font.size = Pt(size)
            return p

        center = WD_ALIGN_PARAGRAPH.CENTER
        head = doc.add_table(rows=1, cols=2)
        head.alignment = WD_TABLE_ALIGNMENT.CENTER
        left, right = head.rows[0].cells
        first = True
        if content.superior_body:
            para(left, content.superior_body.upper(), align=center, size=13, first=True)
            first = False
        para(left, content.issuing_body.upper(), bold=True, align=center, size=13, first=first)
        para(left, "*", align=center, size=13)
        para(left, _("No. %(symbol)s") % {"symbol": content.symbol}, align=center, size=13)
        para(right, PARTY, bold=True, underline=True, align=center, size=14, first=True)
        para(right, "")
        para(
            right, _date_line(content.place, content.issued_on), italic=True, align=center, size=13
        )

        para(doc, "")
        para(doc, content.title.upper(), bold=True, align=center, size=15)
        para(doc, content.subtitle, bold=True, align=center)
        para(doc, "-----", align=center)

        para(doc, _("I. FIGURES FROM THE PARTY RECORDS SYSTEM"), bold=True)
        para(
            doc,
            _("Period: %(period)s (from %(start)s to %(end)s).")
            % {
                "period": content.period_label,
                "start": _fmt(content.figures.get("period_start")),
                "end": _fmt(content.figures.get("period_end")),
            },
        )
        table = doc.add_table(rows=1, cols=2)
        table.style = "Table Grid"
        table.rows[0].cells[0].text = _("Indicator")
        table.rows[0].cells[1].text = _("Figure")
        for label, shown, _raw, _format in figure_lines(content.figures):
            cells = table.add_row().cells
            cells[0].text = label
            cells[1].text = shown

        para(doc, _("II. RESULTS REPORTED BY THE UNITS"), bold=True)
        missing: list[str] = []
        for task in content.tasks:
            para(
                doc,
                _("Section %(section)s. %(title)s")
                % {"section": task.section, "title": task.title},
                bold=True,
                italic=True,
            )
            reported = [u for u in task.units if u.state in ("submitted", "accepted")]
            for unit in reported:
                suffix = _(" (reported late)") if unit.late else ""
                para(doc, f"- {unit.unit}{suffix}:", bold=True)
                for line in unit.text.splitlines():
                    if line.strip():
                        para(doc, line.strip())
                for label, value in unit.figures.items():
                    para(doc, f"+ {label}: {vn_count(value)}")
            if not reported:
                para(doc, _("No unit has reported on this section yet."), italic=True)
            missing += [
                u.unit for u in task.units if u.state not in ("submitted", "accepted", "outside")
            ]

        para(doc, _("III. UNITS THAT HAVE NOT REPORTED"), bold=True)
        unique_missing = list(dict.fromkeys(missing))
        if unique_missing:
            for unit in unique_missing:
                para(doc, f"- {unit}")
        else:
            para(doc, _("Every unit has reported."))

        para(doc, "")
        sign = doc.add_table(rows=1, cols=2)
        left, right = sign.rows[0].cells
        para(left, "Nơi nhận:", bold=True, italic=True, underline=True, size=12, first=True)
        for line in content.recipients:
            para(left, f"- {line}", size=12)
        para(right, content.signature_for, bold=True, align=center, first=True)
        para(right, content.signer_title.upper(), bold=True, align=center)
        for _i in range(3):
            para(right, "")
        para(right, content.signer, bold=True, align=center)

        out = io.BytesIO()
        doc.save(out)
        return out.getvalue()


def _fmt(iso: Any) -> str:
    if not iso:
        return ""
    text = str(iso)
    year, month, day = text[:10].split("-")
    return f"{day}/{month}/{year}"


def build_xlsx(content: CompiledContent) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    with translation.override("vi"):
        wb = Workbook()
        ws = wb.active
        ws.title = _("Figures")[:31]
        ws.append([content.title, content.subtitle])
        ws.append([_("Document"), content.symbol])
        ws.append([_("Directive"), content.directive_symbol])
        ws.append([_("Period"), content.period_label])
        ws.append([])
        ws.append([_("Indicator"), _("Figure")])
        for label, _shown, raw, number_format in figure_lines(content.figures):
            ws.append([label, raw])
            ws.cell(row=ws.max_row, column=2).number_format = number_format
        for row in (1, 6):
            for cell in ws[row]:
                cell.font = Font(bold=True)
        ws.column_dimensions["A"].width = 70
        ws.column_dimensions["B"].width = 18

        units = wb.create_sheet(_("Units")[:31])
        units.append([_("Section"), _("Unit"), _("Status"), _("Late"), _("Indicator"), _("Figure")])
        for cell in units[1]:
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
                            units.cell(row=units.max_row, column=6).number_format = "#,##0"
                else:
                    units.append([task.section, unit.unit, state, late, "", None])
        units.column_dimensions["B"].width = 55
        units.column_dimensions["E"].width = 40
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()


STATE_LABELS: dict[str, Any] = {
    **{s.value: s.label for s in ReportStatus},
    "missing": gettext_lazy("Not reported"),
    "outside": gettext_lazy("Outside the system (reports on paper)"),
}
