"""XLSX and DOCX renderings of a report's tables.

XLSX: one sheet per table, typed cells (counts as integers, shares as
fractions formatted ``0.00%``), Vietnamese headers. DOCX: the Party's
document format (HD 36-HD/VPTW, 3/4/2018): "ĐẢNG CỘNG SẢN VIỆT NAM" top
right, underlined; the issuing body with "*" beneath on the left; number
and symbol; place and date; title; tables with Vietnamese number formats
(``1.065``, ``5,16%``).
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from django.utils import translation

from chibo.reports.tables import INT, PCT, TEXT, ReportDoc


def vn_int(value: int) -> str:
    """``1065`` → ``1.065`` (Vietnamese groups thousands with dots)."""
    return f"{value:,}".replace(",", ".")


def vn_pct(value: Decimal | float) -> str:
    """``5.16`` → ``5,16%``."""
    text = f"{Decimal(str(value)):,.2f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".") + "%"


def cell_text(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == PCT or isinstance(value, Decimal):
        return vn_pct(value)
    if kind == INT or isinstance(value, int):
        return vn_int(int(value))
    return str(value)


def to_xlsx(doc: ReportDoc) -> bytes:
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
        for r, row in enumerate(table.rows, start=4):
            for col, ((_header, kind), value) in enumerate(
                zip(table.columns, row, strict=True), start=1
            ):
                if value is None:
                    continue
                if kind == PCT or isinstance(value, Decimal):
                    c = ws.cell(row=r, column=col, value=float(Decimal(str(value)) / 100))
                    c.number_format = "0.00%"
                elif isinstance(value, int):
                    c = ws.cell(row=r, column=col, value=int(value))
                    c.number_format = "#,##0"
                else:
                    ws.cell(row=r, column=col, value=str(value))
        ws.freeze_panes = "A4"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


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


def vn_long_date(day: dt.date) -> str:
    return f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"


def to_docx(
    doc: ReportDoc,
    *,
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
            for row in table.rows:
                cells = grid.add_row().cells
                for cell, (_head, kind), value in zip(cells, table.columns, row, strict=True):
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
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()
