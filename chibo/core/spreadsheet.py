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
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
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
    panes, footers): write values through ``append`` and ``cell``.
    """

    def __init__(self, ws: Any) -> None:
        self.ws = ws

    def append(self, values: Iterable[Any]) -> None:
        self.ws.append([self._value(value) for value in values])

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


class Book:
    """An XLSX workbook; ``write_only`` streams rows (large exports)."""

    def __init__(self, *, write_only: bool = False) -> None:
        from openpyxl import Workbook

        self.wb = Workbook(write_only=write_only)
        if not write_only:
            self.wb.remove(self.wb.active)

    def sheet(self, title: str) -> Sheet:
        return Sheet(self.wb.create_sheet(title[:31]))

    @property
    def sheets(self) -> list[Sheet]:
        return [Sheet(ws) for ws in self.wb.worksheets]

    def save(self, out: IO[bytes] | str | Path | None = None) -> bytes:
        """Write to ``out`` (a path or binary stream); without it, return the bytes."""
        if out is not None:
            self.wb.save(out)
            return b""
        buffer = io.BytesIO()
        self.wb.save(buffer)
        return buffer.getvalue()


class CsvWriter:
    """``csv.writer`` whose every value goes through ``neutral``."""

    def __init__(self, out: IO[str], **options: Any) -> None:
        self._writer = csv.writer(out, **options)

    def writerow(self, values: Iterable[Any]) -> None:
        self._writer.writerow([neutral(value) for value in values])
