"""The one writer of every spreadsheet chibo hands out (XLSX and CSV): text never runs.

Spreadsheet programs treat a cell whose text starts with ``=``, ``+``, ``-``
or ``@`` as a formula, and some skip a leading tab or carriage return first.
A name typed as ``=HYPERLINK("http://…","Bấm vào đây")`` becomes a live link,
``+cmd|' /C calc'!A0`` a command in old Excel (formula or CSV injection); and
openpyxl itself stores any string starting with ``=`` as a formula.

Every text cell written through this module that starts with one of those
characters gets a leading ``'``: shown as text everywhere, and removed again
by chibo's importer (``interchange.columns.text``), so an export imports
back unchanged. Numbers, dates and booleans are written as they are. Only
``Formula`` (chibo's own, written in code, never built from data) is written
as a formula.

``tests/test_spreadsheet_exports.py`` runs every export with hostile text
and checks every cell; it also fails when a module other than this one
creates an openpyxl workbook or a csv writer.

Large tables (a city's report: tens of thousands of cells) are written by
``Sheet.extend``: each row straight to the sheet's XML text, as openpyxl's
write-only sheet writes it, without an openpyxl cell per value; openpyxl
writes the rest of the file (styles, properties, layout).
"""

from __future__ import annotations

import csv
import io
import math
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Formula:
    """A formula of chibo's own, e.g. ``Formula("=SUM(B2:B9)")``: the only text written as one."""

    source: str

    def __post_init__(self) -> None:
        if not self.source.startswith("="):
            raise ValueError("a formula starts with '='")


def neutral(value: Any) -> Any:
    """``value`` as a cell that never runs: dangerous text gets a leading ``'``."""
    if value.__class__ is str:
        return "'" + value if value.startswith(DANGEROUS_PREFIXES) else value
    if isinstance(value, Formula):
        return value.source
    if isinstance(value, str):  # a str subclass (lazy translations are not str)
        return neutral(str(value))
    return value


class Sheet:
    """A worksheet whose every written value goes through ``neutral``.

    ``ws`` is the openpyxl worksheet, for layout only (widths, fonts, freeze
    panes, footers): write values through ``append``, ``cell`` and ``extend``.
    """

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self._appended = 0  # rows written by ``append`` (a write-only sheet numbers them)
        self._xml: list[str] = []  # rows written by ``extend``, as XML, put in at ``Book.save``

    def append(self, values: Iterable[Any]) -> None:
        if self._xml:
            raise RuntimeError("append() after extend(): the rows would be out of order")
        self.ws.append([self._value(value) for value in values])
        self._appended += 1

    def style(self, **style: Any) -> int:
        """The workbook's index of a cell style (``number_format``, ``font`` …), for ``extend``."""
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(self.ws)
        for name, setting in style.items():
            setattr(cell, name, setting)
        return int(cell.style_id)

    def extend(self, rows: Iterable[Sequence[tuple[Any, int | None]]]) -> None:
        """Rows after the appended ones, each a list of ``(value, style)`` (``style``: an index
        from ``style``, or None), written as openpyxl's write-only sheet writes them: text
        (through ``neutral``) as inline strings, numbers as ``%.16g``, None as no cell.
        Write-only books only; nothing can be appended after."""
        from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
        from openpyxl.utils import get_column_letter
        from openpyxl.utils.exceptions import IllegalCharacterError

        if not hasattr(self.ws, "_write_rows"):  # openpyxl's WriteOnlyWorksheet
            raise RuntimeError("extend() writes the rows of a write-only book")
        letters: list[str] = [""]
        out = self._xml
        r = self._appended + len(out)
        for row in rows:
            r += 1
            cells = []
            for col, (raw, style) in enumerate(row, start=1):
                if raw is None:
                    continue
                while len(letters) <= col:
                    letters.append(get_column_letter(len(letters)))
                s = "" if style is None else f' s="{style}"'
                value = neutral(raw)
                if isinstance(value, str):
                    value = value[:32767]
                    if ILLEGAL_CHARACTERS_RE.search(value):
                        raise IllegalCharacterError(f"{value} cannot be used in worksheets.")
                    if value in ERROR_CODES:
                        cells.append(f'<c r="{letters[col]}{r}"{s} t="e"><v>{value}</v></c>')
                        continue
                    if value == "":
                        cells.append(f'<c r="{letters[col]}{r}"{s} t="inlineStr"/>')
                        continue
                    space = ' xml:space="preserve"' if value != value.strip() else ""
                    cells.append(
                        f'<c r="{letters[col]}{r}"{s} t="inlineStr"><is><t{space}>'
                        f"{_escape(value)}</t></is></c>"
                    )
                elif isinstance(value, bool):
                    cells.append(f'<c r="{letters[col]}{r}"{s} t="b"><v>{int(value)}</v></c>')
                elif isinstance(value, int | float | Decimal):
                    number = "" if math.isnan(value) or math.isinf(value) else f"{value:.16g}"
                    cells.append(f'<c r="{letters[col]}{r}"{s} t="n"><v>{number}</v></c>')
                else:
                    raise TypeError(f"extend() writes text and numbers, not {type(value)}")
            out.append(f'<row r="{r}">{"".join(cells)}</row>')

    def cell(self, row: int, column: int, value: Any = None) -> Any:
        cell = self.ws.cell(row=row, column=column)
        cell.value = neutral(value)
        return cell

    def styled(self, value: Any, **style: Any) -> Any:
        """A cell for ``append`` with a style (``number_format``, ``font`` …): write-only sheets."""
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(self.ws, value=neutral(value))
        for name, setting in style.items():
            setattr(cell, name, setting)
        return cell

    @staticmethod
    def _value(value: Any) -> Any:
        if hasattr(value, "coordinate") and hasattr(value, "data_type"):  # an openpyxl cell
            value.value = neutral(value.value)
            return value
        return neutral(value)


def _escape(text: str) -> str:
    """Text as XML character data, as lxml writes it (a carriage return kept as ``&#13;``)."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    return text


class Book:
    """An XLSX workbook; ``write_only`` streams rows (large exports)."""

    def __init__(self, *, write_only: bool = False) -> None:
        from openpyxl import Workbook

        self.wb = Workbook(write_only=write_only)
        self._made: list[Sheet] = []
        if not write_only:
            self.wb.remove(self.wb.active)

    def sheet(self, title: str) -> Sheet:
        made = Sheet(self.wb.create_sheet(title[:31]))
        self._made.append(made)
        return made

    @property
    def sheets(self) -> list[Sheet]:
        return [Sheet(ws) for ws in self.wb.worksheets]

    def save(self, out: IO[bytes] | str | Path | None = None) -> bytes:
        """Write to ``out`` (a path or binary stream); without it, return the bytes."""
        if out is not None and not any(sheet._xml for sheet in self._made):
            self.wb.save(out)
            return b""
        buffer = io.BytesIO()
        self.wb.save(buffer)
        # A sheet's file name is given when the workbook is written.
        extended = {sheet.ws.path.lstrip("/"): sheet._xml for sheet in self._made if sheet._xml}
        body = _with_rows(buffer.getvalue(), extended) if extended else buffer.getvalue()
        if out is None:
            return body
        if isinstance(out, str | Path):
            Path(out).write_bytes(body)
        else:
            out.write(body)
        return b""


def _with_rows(body: bytes, extended: dict[str, list[str]]) -> bytes:
    """The file ``body`` with each sheet's ``extend`` rows put at the end of its sheet data."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(body)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info)
            rows = extended.get(info.filename)
            if rows is not None:
                xml = data.decode()
                if "<sheetData/>" in xml:
                    xml = xml.replace("<sheetData/>", "<sheetData></sheetData>", 1)
                end = xml.rindex("</sheetData>")
                data = (xml[:end] + "".join(rows) + xml[end:]).encode()
            target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


class CsvWriter:
    """``csv.writer`` whose every value goes through ``neutral``."""

    def __init__(self, out: IO[str], **options: Any) -> None:
        self._writer = csv.writer(out, **options)

    def writerow(self, values: Iterable[Any]) -> None:
        self._writer.writerow([neutral(value) for value in values])
