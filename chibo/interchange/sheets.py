"""Spreadsheets the UI hands out: the blank template and the error report."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from chibo.interchange import columns as C
from chibo.interchange.export import neutralize
from chibo.interchange.reader import FileRefused, open_table

TEMPLATE_ROWS = 5000  # rows covered by the drop-down lists
# The error report: the rows with errors as uploaded (with the messages and row
# numbers in front), and every problem on a second sheet (docs/import.md).
ERROR_ROWS_SHEET, DETAIL_SHEET = "Dòng lỗi", "Chi tiết"
ERRORS_HEADER, ROW_HEADER = "Lỗi", "Dòng"


def template_xlsx(kind: str) -> bytes:
    """Headers, one sample row and drop-down lists for the vocabulary columns."""
    wb = Workbook()
    ws = wb.active
    ws.title = C.SHEET_TITLES[kind]
    cols = C.COLUMNS[kind]
    ws.append([col.header for col in cols])
    ws.append([col.sample for col in cols])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for index, col in enumerate(cols):
        letter = ws.cell(row=1, column=index + 1).column_letter
        ws.column_dimensions[letter].width = max(14, len(col.header) + 4)
        if col.vocab:
            labels = ",".join(C.VOCABS[col.vocab])
            dv = DataValidation(type="list", formula1=f'"{labels}"', allow_blank=not col.required)
            dv.add(f"{letter}2:{letter}{TEMPLATE_ROWS}")
            ws.add_data_validation(dv)
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def error_report_xlsx(path: str, kind: str, problems: list[dict[str, Any]]) -> bytes:
    """The rows that have errors, as uploaded, with an error column; and every problem on a second sheet."""
    by_row: dict[int, list[str]] = {}
    for p in problems:
        column = C.header_of(p["column"]) if p.get("column") else ""
        label = f"{column}: {p['message']}" if column else p["message"]
        by_row.setdefault(p["row"], []).append(label)
    wb = Workbook(write_only=True)
    rows_ws = wb.create_sheet(ERROR_ROWS_SHEET)
    try:
        table = open_table(path, kind)
        rows_ws.append([ERRORS_HEADER, ROW_HEADER, *table.headers])
        for number, cells in table.rows:
            if number in by_row:
                rows_ws.append(["; ".join(by_row[number]), number, *[neutralize(c) for c in cells]])
    except (FileRefused, OSError):
        rows_ws.append([ERRORS_HEADER])
        rows_ws.append(["; ".join(by_row.get(0, []))])
    detail = wb.create_sheet(DETAIL_SHEET)
    detail.append(["Trang tính", ROW_HEADER, "Cột", "Giá trị", "Lỗi"])
    for p in problems:
        column = C.header_of(p["column"]) if p.get("column") else ""
        detail.append([p["sheet"], p["row"], column, neutralize(p["value"]), p["message"]])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
