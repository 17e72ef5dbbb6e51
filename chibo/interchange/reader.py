"""Reading an uploaded spreadsheet safely: XLSX (calamine) or CSV (UTF-8 or CP1258).

Hostile input is refused before it is parsed, with a message a teacher
understands: files over the size cap, ZIP bombs (an XLSX is a ZIP: we check
the members' declared sizes, count and compression ratio first), damaged or
truncated files and anything that is not a spreadsheet. Formula cells are
never evaluated: calamine gives the value the file stored.
"""

from __future__ import annotations

import codecs
import csv
import unicodedata
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from chibo.interchange import xlsx_guard
from chibo.interchange.columns import COLUMNS, SHEET_NAMES, header_key

MB = 1024 * 1024
_CSV_DELIMITERS = (",", ";", "\t")
_CHUNK = 1 << 20


def max_bytes() -> int:
    """The upload cap: setting CHIBO_IMPORT_MAX_BYTES (env CHIBO_IMPORT_MAX_MB, default 50 MB)."""
    return int(settings.CHIBO_IMPORT_MAX_BYTES)


# An XLSX this large once unzipped would not fit the memory budget (400,000
# members unzip to about 350 MB); real sheets compress 5–15×, bombs 1000×.
MAX_UNZIPPED = 1536 * MB
MAX_RATIO = 200
MAX_ZIP_ENTRIES = 5000


class FileRefused(Exception):
    """The file is not read at all; the message says why."""


@dataclass
class Table:
    sheet: str
    headers: list[str]  # as written in the file
    keys: list[str]  # folded: ma_dang_vien …
    rows: Iterator[tuple[int, list[Any]]]  # (spreadsheet row number, cells)
    total: int = 0  # data rows (for progress), empty ones included
    # The spreadsheet row of ``headers``: the first row that is not blank (blank rows
    # above it are skipped); mapping.prepare moves it to the detected header's last row.
    header_row: int = 1


def _nfc(value: Any) -> Any:
    # CP1258 and some Mac exports spell Vietnamese with combining marks. Only
    # headers go through here; cells are normalized when read (columns.text).
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


def open_table(path: str | Path, kind: str) -> Table:
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise FileRefused(_("The file cannot be opened.")) from exc
    if size == 0:
        raise FileRefused(_("The file is empty."))
    if size > max_bytes():
        raise FileRefused(
            _(
                "The file is too large (%(size)s MB; the limit is %(limit)s MB). Split it into several files."
            )
            % {"size": round(size / MB, 1), "limit": max_bytes() // MB}
        )
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(b"PK"):
        return _open_xlsx(path, kind)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRefused(
            _(
                "This is an old Excel file (.xls). Open it in Excel and save it as .xlsx, then try again."
            )
        )
    return _open_csv(path)


def _check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise FileRefused(
            _("The file is damaged or incomplete: it cannot be read as an Excel file.")
        ) from exc
    names = {info.filename for info in infos}
    if "xl/workbook.bin" in names:
        raise FileRefused(
            _(
                "This is a binary Excel file (.xlsb). Open it in Excel and save it as .xlsx, "
                "then try again."
            )
        )
    if "xl/workbook.xml" not in names:
        raise FileRefused(_("This file is not an Excel spreadsheet (.xlsx)."))
    # Two parts of one name: Python's zipfile reads the last, calamine may read the first.
    if len(infos) > MAX_ZIP_ENTRIES or len(names) != len(infos):
        raise FileRefused(_("The file has an unusual structure and was refused for safety."))
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 10 * MB and ratio > MAX_RATIO:
            raise FileRefused(
                _("The file is refused for safety: its content expands abnormally when unzipped.")
            )
    if total > MAX_UNZIPPED:
        raise FileRefused(
            _("The file is refused for safety: its content expands abnormally when unzipped.")
        )


def _pick_sheet(names: list[str], kind: str) -> str:
    wanted = SHEET_NAMES[kind]
    for name in names:
        if header_key(name) == wanted:
            return name
    return names[0]


def _formula_refusal(
    formulas: list[tuple[int, int]], start: tuple[int, int], keys: list[str], kind: str
) -> str:
    """The message for formula cells in the header or in a column the import reads ('' if none).

    ``formulas`` are the sheet's (row, column), 0-based; ``start`` is where the
    table begins (its header row and first column, as calamine reads it).
    """
    read = {col.name for col in COLUMNS[kind]}
    cells = []
    for row, col in sorted(formulas):
        index = col - start[1]
        key = keys[index] if 0 <= index < len(keys) else ""
        if row <= start[0] or key in read:
            name = f"{xlsx_guard.column_letters(col)}{row + 1}"
            cells.append(f"{name} ({key})" if key and row > start[0] else name)
    if not cells:
        return ""
    shown = ", ".join(cells[:5]) + (" …" if len(cells) > 5 else "")
    return _(
        "The file holds formulas, which are refused for safety: cell %(cells)s. Replace each "
        "formula with its value (copy the cells, then Paste Special → Values) and upload again."
    ) % {"cells": shown}


def _open_xlsx(path: Path, kind: str) -> Table:
    from python_calamine import CalamineWorkbook

    _check_zip(path)
    try:
        with zipfile.ZipFile(path) as zf:
            inspection = xlsx_guard.inspect(zf, lambda names: _pick_sheet(names, kind))
    except xlsx_guard.Refused as exc:
        raise FileRefused(str(exc)) from exc
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error, ValueError) as exc:
        raise FileRefused(
            _("The file is damaged or incomplete: it cannot be read as an Excel file.")
        ) from exc
    sheet_name = inspection.sheet
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_name(sheet_name)
        rows = sheet.iter_rows()
        # Blank rows above the first text are skipped; the numbers stay the file's.
        first = 0
        header = None
        for header in rows:
            first += 1
            if any(str(cell).strip() for cell in header):
                break
    except Exception as exc:  # calamine raises several error types for bad files
        raise FileRefused(
            _("The file is damaged or incomplete: it cannot be read as an Excel file.")
        ) from exc
    if not header or not any(str(cell).strip() for cell in header):
        raise FileRefused(_("The sheet is empty: no row holds the column names."))
    headers = [str(_nfc(cell)).strip() for cell in header]
    keys = [header_key(h) for h in headers]
    if inspection.formulas:
        refusal = _formula_refusal(inspection.formulas, sheet.start or (0, 0), keys, kind)
        if refusal:
            raise FileRefused(refusal)

    def body() -> Iterator[tuple[int, list[Any]]]:
        for number, row in enumerate(rows, start=first + 1):
            # any(row) settles nearly every row at its first cell; a row of
            # zeros (falsy but not empty) is checked cell by cell.
            if any(row) or any(cell != "" and cell is not None for cell in row):
                yield number, row

    return Table(
        sheet=sheet_name,
        headers=headers,
        keys=keys,
        rows=body(),
        total=max(int(sheet.height) - 1, 0),
        header_row=first,
    )


def _csv_encoding(path: Path) -> tuple[str, int, int]:
    """The file's encoding (UTF-8, else Windows-1258), its line count and its longest line
    (bytes between two newlines), read in chunks.

    The file is streamed twice (this check, then the rows), never held whole:
    memory stays bounded whatever its size.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    lines = 0
    longest = carry = 0
    with path.open("rb") as fh:
        chunk = fh.read(_CHUNK)
        if b"\x00" in chunk[:65536]:
            raise FileRefused(_("This file is not a spreadsheet (.xlsx or .csv)."))
        while chunk:
            lines += chunk.count(b"\n")
            parts = chunk.split(b"\n")
            if len(parts) == 1:
                carry += len(chunk)
            else:
                longest = max(longest, carry + len(parts[0]), *map(len, parts[1:-1]))
                carry = len(parts[-1])
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
            chunk = fh.read(_CHUNK)
    longest = max(longest, carry)
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    if utf8:
        return "utf-8-sig", lines, longest
    # Old Vietnamese Excel saves CSV in Windows-1258 (a single-byte code: chunks decode alone).
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            try:
                chunk.decode("cp1258")
            except UnicodeDecodeError as exc:
                raise FileRefused(
                    _("The text encoding of the file is not recognized (use UTF-8).")
                ) from exc
    return "cp1258", lines, longest


# A physical line longer than this is refused (a row of the template with
# every cell at Excel's limit is about 620,000 characters).
CSV_LINE_MAX = 1 << 20


def _too_long(number: int) -> FileRefused:
    return FileRefused(
        _(
            "The file is refused for safety: row %(row)s holds more text than a spreadsheet "
            "cell can (at most %(n)s characters)."
        )
        % {"row": number, "n": f"{xlsx_guard.CELL_MAX_CHARS:,}".replace(",", ".")}
    )


def _csv_lines(fh: Any, count: list[int]) -> Iterator[str]:
    """The file's physical lines, none longer than CSV_LINE_MAX (memory stays bounded)."""
    while line := fh.readline(CSV_LINE_MAX + 1):
        count[0] += 1
        if len(line) > CSV_LINE_MAX:
            raise _too_long(count[0])
        yield line


# Lines read to tell the delimiter (title lines above the header included).
SNIFF_LINES = 40


def _delimiter(lines: list[str]) -> str:
    """The delimiter most lines agree on: the most lines with the same count of it, then the
    larger count. A title line ("DANH SÁCH ĐẢNG VIÊN", or one with a comma in it) above a
    table of ';' never decides: the header and the rows under it outnumber it."""
    best, score = _CSV_DELIMITERS[0], (0, 0)
    for candidate in _CSV_DELIMITERS:
        counts = Counter(n for n in (line.count(candidate) for line in lines) if n)
        if counts:
            count, agreeing = max(counts.items(), key=lambda item: (item[1], item[0]))
            if (agreeing, count) > score:
                best, score = candidate, (agreeing, count)
    return best


def _open_csv(path: Path) -> Table:
    encoding, lines, longest = _csv_encoding(path)
    with path.open(encoding=encoding, newline="") as fh:
        sample: list[str] = []
        for number, line in enumerate(iter(lambda: fh.readline(CSV_LINE_MAX + 1), ""), start=1):
            if len(line) > CSV_LINE_MAX:
                raise _too_long(number)
            if line.strip():
                sample.append(line)
                if len(sample) >= SNIFF_LINES:
                    break
        delimiter = _delimiter(sample)
        if sample and len(sample[0]) > 200 and not any(line.count(delimiter) for line in sample):
            raise FileRefused(_("This file is not a spreadsheet (.xlsx or .csv)."))
        fh.seek(0)
        header: list[str] | None = None
        first = 0
        try:
            # Blank lines above the first text are skipped; the numbers stay the file's.
            for header in csv.reader(_csv_lines(fh, [0]), delimiter=delimiter):
                first += 1
                if any(cell.strip() for cell in header):
                    break
        except csv.Error as exc:
            raise FileRefused(_("The CSV file is malformed.")) from exc
    if not header or not any(cell.strip() for cell in header):
        raise FileRefused(_("The sheet is empty: no row holds the column names."))
    headers = [_nfc(cell).strip() for cell in header]
    limit = xlsx_guard.CELL_MAX_CHARS

    def body() -> Iterator[tuple[int, list[Any]]]:
        # Cells are normalized to NFC when read (columns.text): CP1258 spells
        # some Vietnamese letters as a base letter plus a combining tone mark.
        number = first
        with path.open(encoding=encoding, newline="") as fh:
            # csv refuses a field over its limit (131,072): "malformed" below. Lines are
            # read through the length check only when one is long enough to need it (a
            # character is at least a byte): the others go to csv as the file gives them.
            lines = fh if longest <= CSV_LINE_MAX else _csv_lines(fh, [0])
            reader = csv.reader(lines, delimiter=delimiter)
            try:
                for _skipped in islice(reader, first):  # blank lines and the header
                    pass
                for row in reader:
                    number += 1
                    if any(row) and (row[0].strip() or any(cell.strip() for cell in row)):
                        if max(map(len, row)) > limit:
                            raise _too_long(number)
                        yield number, row
            except csv.Error as exc:
                if "field larger than field limit" in str(exc):
                    raise _too_long(number + 1) from exc
                raise FileRefused(
                    _("The CSV file is malformed near row %(row)s.") % {"row": number}
                ) from exc

    return Table(
        sheet="csv",
        headers=headers,
        keys=[header_key(h) for h in headers],
        rows=body(),
        total=lines,
        header_row=first,
    )
