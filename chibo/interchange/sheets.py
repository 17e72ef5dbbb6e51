"""Spreadsheets the UI hands out: the blank template and the error report."""

from __future__ import annotations

from typing import Any

from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from chibo.core.spreadsheet import Book
from chibo.interchange import columns as C
from chibo.interchange.mapping import Mapping, MappingError, at_header
from chibo.interchange.reader import FileRefused, open_table

TEMPLATE_ROWS = 5000  # rows covered by the drop-down lists
# The error report: the rows with errors as uploaded (with the messages and row
# numbers in front), and every problem on a second sheet (docs/import.md).
ERROR_ROWS_SHEET, DETAIL_SHEET = "Dòng lỗi", "Chi tiết"
ERRORS_HEADER, ROW_HEADER = "Lỗi", "Dòng"


def template_xlsx(kind: str) -> bytes:
    """Headers, one sample row and drop-down lists for the vocabulary columns."""
    book = Book()
    sheet = book.sheet(C.SHEET_TITLES[kind])
    ws = sheet.ws
    cols = C.COLUMNS[kind]
    sheet.append([col.header for col in cols])
    sheet.append([col.sample for col in cols])
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
    return book.save()


def error_report_xlsx(
    path: str, kind: str, problems: list[dict[str, Any]], header: tuple[int, int] | None = None
) -> bytes:
    """The rows that have errors, as uploaded, with an error column; and every problem on a second sheet.

    The column names are the file's header row: ``header`` (row, rows) as the import
    read it, else detected (title rows above it are not the names); rows keep their
    numbers in the file.
    """
    by_row: dict[int, list[str]] = {}
    for p in problems:
        column = C.header_of(p["column"]) if p.get("column") else ""
        label = f"{column}: {p['message']}" if column else p["message"]
        by_row.setdefault(p["row"], []).append(label)
    book = Book(write_only=True)
    rows_ws = book.sheet(ERROR_ROWS_SHEET)
    try:
        mapping = None
        if header is not None:
            mapping = Mapping(kind=kind, header_row=header[0], header_rows=header[1])
        try:
            table, _plan = at_header(open_table(path, kind), kind, mapping)
        except MappingError:
            table, _plan = at_header(open_table(path, kind), kind)
        rows_ws.append([ERRORS_HEADER, ROW_HEADER, *table.headers])
        for number, cells in table.rows:
            if number in by_row:
                rows_ws.append(["; ".join(by_row[number]), number, *cells])
    except (FileRefused, OSError):
        rows_ws.append([ERRORS_HEADER])
        rows_ws.append(["; ".join(by_row.get(0, []))])
    detail = book.sheet(DETAIL_SHEET)
    detail.append(["Trang tính", ROW_HEADER, "Cột", "Giá trị", "Lỗi"])
    for p in problems:
        column = C.header_of(p["column"]) if p.get("column") else ""
        detail.append([p["sheet"], p["row"], column, p["value"], p["message"]])
    return book.save()
