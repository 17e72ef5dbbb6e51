"""XLSX and DOCX renderings of a report's tables.

XLSX: one sheet per table, typed cells (counts as integers, shares as
fractions formatted ``0.00%``), Vietnamese headers. DOCX: the Party's
document format (HD 36-HD/VPTW, 3/4/2018): "ĐẢNG CỘNG SẢN VIỆT NAM" top
right, underlined; the issuing body with "*" beneath on the left; number
and symbol; place and date; title; tables with Vietnamese number formats
(``1.065``, ``5,16%``, ``1.234.567 đ``).

Every file carries who exported it and when (``Stamp``): XLSX in the
document properties and each sheet's printed footer
(``interchange.export.stamp_xlsx``), DOCX in the core properties and a
footer line "Xuất bởi … lúc …".
"""

from __future__ import annotations

import datetime as dt
import getpass
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from chibo.lib import numbers
from chibo.reports.tables import INT, MONEY, PCT, TEXT, ReportDoc


@dataclass(frozen=True)
class Stamp:
    """Who exported a file and when."""

    by: str
    at: dt.datetime

    @property
    def local(self) -> dt.datetime:
        return timezone.localtime(self.at)

    def line(self) -> str:
        """ "Xuất bởi <user> lúc dd/mm/yyyy HH:MM" (in the active language)."""
        return _("Exported by %(user)s at %(time)s") % {
            "user": self.by,
            "time": f"{self.local:%d/%m/%Y %H:%M}",
        }


def stamp_for(actor: Any, at: dt.datetime | None = None) -> Stamp:
    """The stamp of an export by ``actor`` (None: the ``report`` command, as the system)."""
    at = at or timezone.now()
    if actor is None:
        try:
            who = getpass.getuser()
        except (OSError, KeyError):  # no login name in this environment
            who = ""
        label = _("system")
        return Stamp(f"{label} ({who})" if who else label, at)
    username = getattr(actor, "username", "") or str(actor)
    full = actor.get_full_name().strip() if hasattr(actor, "get_full_name") else ""
    return Stamp(f"{full} ({username})" if full else username, at)


def vn_int(value: int) -> str:
    """``1065`` → ``1.065`` (Vietnamese groups thousands with dots)."""
    return numbers.vn_int(value)


def vn_pct(value: Decimal | float) -> str:
    """``5.16`` → ``5,16%`` (half-up to 2 decimals: ``chibo.lib.numbers``)."""
    return numbers.vn_pct(value)


def vn_money(value: int) -> str:
    """``1234567`` → ``1.234.567 đ``."""
    return f"{vn_int(int(value))} đ"


def cell_text(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == MONEY:
        return vn_money(value)
    if kind == PCT or isinstance(value, Decimal):
        return vn_pct(value)
    if kind == INT or isinstance(value, int):
        return vn_int(int(value))
    return str(value)


def _xlsx_cell(ws: Any, row: int, col: int, value: Any, kind: str) -> None:
    """A typed cell: counts as integers, shares as fractions (``0.00%``), đồng as integers."""
    if kind == MONEY:
        ws.cell(row=row, column=col, value=int(value)).number_format = '#,##0 "đ"'
    elif kind == PCT or isinstance(value, Decimal):
        c = ws.cell(row=row, column=col, value=float(Decimal(str(value)) / 100))
        c.number_format = "0.00%"
    elif isinstance(value, int):
        ws.cell(row=row, column=col, value=int(value)).number_format = "#,##0"
    else:
        ws.cell(row=row, column=col, value=str(value))


def to_xlsx(doc: ReportDoc, *, stamp: Stamp) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="ECEAE6")
    used: set[str] = set()
    for index, table in enumerate(doc.tables, start=1):
        name = table.title[:28] or f"Bảng {index}"
        for bad in "[]:*?/\\":
            name = name.replace(bad, " ")
        if name in used:
            name = f"{name[:25]} {index}"
        used.add(name)
        ws = wb.create_sheet(name)
        ws.cell(
            row=1, column=1, value=f"{doc.title} — {doc.org_name} ({doc.org_code})"
        ).font = Font(bold=True, size=13)
        ws.cell(row=2, column=1, value=f"{table.title} · {doc.subtitle}")
        for col, (header, _kind) in enumerate(table.columns, start=1):
            c = ws.cell(row=3, column=col, value=header)
            c.font, c.fill = bold, fill
            c.alignment = Alignment(wrap_text=True, vertical="top")
            ws.column_dimensions[c.column_letter].width = 44 if _kind == TEXT else 16
        for r, row in enumerate(table.typed_rows, start=4):
            for col, (value, kind) in enumerate(row, start=1):
                if value is not None:
                    _xlsx_cell(ws, r, col, value, kind)
        ws.freeze_panes = "A4"
    _stamp_sheets(wb, stamp)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _stamp_sheets(wb: Any, stamp: Stamp) -> None:
    """Properties and the first sheet's footer by ``stamp_xlsx``; the same footer on every sheet."""
    from chibo.interchange.export import stamp_xlsx

    first = wb.worksheets[0]
    stamp_xlsx(wb, first, exported_by=stamp.by, exported_at=stamp.at)
    for ws in wb.worksheets[1:]:
        ws.oddFooter.left.text = first.oddFooter.left.text
        ws.oddFooter.right.text = first.oddFooter.right.text


def _no_borders(table: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tbl_pr.append(borders)


def _para(
    cell_or_doc: Any,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    size: int = 13,
    center: bool = True,
) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    p = cell_or_doc.add_paragraph()
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run(text)
    run.bold, run.italic, run.underline = bold, italic, underline
    run.font.size = Pt(size)
    run.font.name = "Times New Roman"
    return p


def _stamp_docx(document: Any, stamp: Stamp) -> None:
    """Author and last editor in the core properties; "Xuất bởi … lúc …" in every page's footer."""
    props = document.core_properties
    props.author = props.last_modified_by = stamp.by
    props.created = props.modified = stamp.local.replace(tzinfo=None)
    props.comments = stamp.line()
    from docx.shared import Pt

    footer = document.sections[0].footer
    footer.is_linked_to_previous = False
    paragraph = footer.paragraphs[0]
    paragraph.text = ""
    run = paragraph.add_run(stamp.line())
    run.italic = True
    run.font.size = Pt(9)
    run.font.name = "Times New Roman"


def vn_long_date(day: dt.date) -> str:
    return f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"


def to_docx(
    doc: ReportDoc,
    *,
    stamp: Stamp,
    superior_name: str = "",
    place: str = "TP. Hồ Chí Minh",
    today: dt.date | None = None,
    symbol: str = "",
) -> bytes:
    """The report as a Party document (HD 36-HD/VPTW); the number is left blank for the registry."""
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm, Pt

    today = today or dt.date.today()
    with translation.override("vi"):
        document = docx.Document()
        section = document.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        section.top_margin = section.bottom_margin = Cm(2)
        section.left_margin, section.right_margin = Cm(3), Cm(1.5)
        style = document.styles["Normal"]
        style.font.name = "Times New Roman"
        style.font.size = Pt(13)

        header = document.add_table(rows=1, cols=2)
        _no_borders(header)
        left, right = header.rows[0].cells
        left.paragraphs[0].text = ""
        if superior_name:
            _para(left, superior_name.upper(), size=13)
        _para(left, doc.org_name.upper(), bold=True, size=13)
        _para(left, "*", size=13)
        _para(left, f"Số      -BC/{symbol or doc.org_code}", size=13)
        right.paragraphs[0].text = ""
        _para(right, "ĐẢNG CỘNG SẢN VIỆT NAM", bold=True, underline=True, size=14)
        _para(right, "")
        _para(right, f"{place}, {vn_long_date(today)}", italic=True, size=13)

        _para(document, "")
        _para(document, "BÁO CÁO", bold=True, size=15)
        _para(document, doc.title, bold=True, size=14)
        _para(document, doc.subtitle, italic=True, size=13)

        for table in doc.tables:
            _para(document, table.title, bold=True, size=13, center=False)
            grid = document.add_table(rows=1, cols=len(table.columns))
            grid.style = "Table Grid"
            for cell, (head, _kind) in zip(grid.rows[0].cells, table.columns, strict=True):
                cell.text = ""
                run = cell.paragraphs[0].add_run(head)
                run.bold = True
                run.font.size = Pt(11)
            for row in table.typed_rows:
                cells = grid.add_row().cells
                for cell, (value, kind) in zip(cells, row, strict=True):
                    cell.text = ""
                    run = cell.paragraphs[0].add_run(cell_text(value, kind))
                    run.font.size = Pt(11)

        _para(document, "")
        sign = document.add_table(rows=1, cols=2)
        _no_borders(sign)
        recv, signer = sign.rows[0].cells
        recv.paragraphs[0].text = ""
        _para(recv, "Nơi nhận:", italic=True, underline=True, size=12, center=False)
        _para(recv, "- Như trên,", size=11, center=False)
        _para(recv, "- Lưu.", size=11, center=False)
        signer.paragraphs[0].text = ""
        _para(signer, "T/M BAN THƯỜNG VỤ", bold=True, size=13)
        _stamp_docx(document, stamp)
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()
