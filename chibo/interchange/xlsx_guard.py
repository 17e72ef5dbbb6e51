"""What an XLSX would become in memory, bounded before any parser reads it.

An XLSX is a ZIP of XML, and a few kilobytes of it can ask a reader for
gigabytes in two ways that the ZIP checks (sizes, ratio) cannot see:

* **shared strings**: a string is stored once in ``sharedStrings.xml`` and
  cells refer to it by number; calamine copies it into every cell. One
  10 MB string (10 KB zipped) referenced by 152 cells is 1.5 GB.
* **the sheet's extent**: calamine holds the rectangle from the first to the
  last cell, 32 bytes a cell, whatever lies between. Two cells, at A1 and
  ZZ200000, are 4.5 GB.

``inspect`` streams the chosen sheet and the shared strings once (memory
stays bounded: 1 MB chunks) and refuses the file when

* one shared string is longer than a spreadsheet cell can be (Excel's own
  limit is 32,767 characters),
* the rectangle × 32 bytes + the shared strings + the copies the cells take
  + the sheet's own text exceeds ``max_expanded()`` (default 768 MB;
  400,000 members in the import template take about 350 MB),
* a part declares a DTD (no spreadsheet program writes one: it could define
  entities), or names of the package are duplicated (two readers could then
  read different parts).

It also lists the sheet's formula cells; the reader refuses the file when
one of them lies in a column the import reads (SECURITY.md).

Two paths give the same answer. Every spreadsheet program writes each cell
as ``<c r="B2" …>`` and each row as ``<row r="2" …>``: for such sheets, byte
counts and one regular expression over the positions find the rectangle
exactly (about 0.3 s per 100,000 rows, next to calamine's 1 s). Anything
else (namespace prefixes, cells without a position, other quoting) goes
through an XML parser that places the cells as calamine does: slower, but
exact.
"""

from __future__ import annotations

import functools
import re
import zipfile
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import IO, Any
from xml.etree import ElementTree as ET
from xml.parsers import expat

from django.conf import settings
from django.utils.translation import gettext as _

MB = 1024 * 1024
CHUNK = 1 << 20

CELL_MAX_CHARS = 32_767  # Excel's limit for one cell
# The XML of one shared string holds at least as many bytes as its text has
# characters: a longer piece may be over the limit and is measured exactly
# (rare: Vietnamese takes 2-3 bytes a letter, so only cells of 11,000+ letters).
# Past STRING_HARD_BYTES (markup included) it is refused unread.
STRING_CHECK_BYTES = CELL_MAX_CHARS
STRING_HARD_BYTES = 1 * MB
CELL_BYTES = 32  # calamine's size of one cell of the rectangle
MAX_ROWS = 1_048_576  # Excel's sheet limits
MAX_COLS = 16_384
METADATA_MAX_BYTES = 4 * MB  # workbook.xml and its relationships

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
SST_PART = "xl/sharedStrings.xml"


def max_expanded() -> int:
    """Setting CHIBO_IMPORT_MAX_EXPANDED_BYTES (env CHIBO_IMPORT_MAX_EXPANDED_MB, default 768 MB)."""
    return int(settings.CHIBO_IMPORT_MAX_EXPANDED_BYTES)


class Refused(Exception):
    """The workbook is refused; the message says why (the reader turns it into FileRefused)."""


def _unsafe() -> Refused:
    return Refused(_("The file has an unusual structure and was refused for safety."))


def _damaged() -> Refused:
    return Refused(_("The file is damaged or incomplete: it cannot be read as an Excel file."))


def _too_long() -> Refused:
    return Refused(
        _(
            "The file is refused for safety: a cell holds more text than a spreadsheet cell "
            "can (at most %(n)s characters)."
        )
        % {"n": f"{CELL_MAX_CHARS:,}".replace(",", ".")}
    )


def _beyond() -> Refused:
    return Refused(_("The file is refused for safety: it has cells beyond a spreadsheet's limits."))


def _expands() -> Refused:
    return Refused(
        _(
            "The file is refused for safety: once opened it would take more than %(limit)s MB "
            "of memory. Split it into several files."
        )
        % {"limit": max_expanded() // MB}
    )


@dataclass
class Inspection:
    sheet: str  # the sheet the import reads, as calamine names it
    formulas: list[tuple[int, int]] = field(default_factory=list)  # (row, col), 0-based
    expanded: int = 0  # the estimate, in bytes


@dataclass
class _Strings:
    lengths: array  # upper bound of each shared string's length, in bytes
    total: int = 0
    longest: int = 0


@dataclass
class _Sheet:
    cells: int = 0
    min_row: int = -1
    max_row: int = -1
    min_col: int = -1
    max_col: int = -1
    formulas: list[tuple[int, int]] = field(default_factory=list)
    shared: int = -1  # exact bytes of the cells' shared-string copies (-1: not measured)

    def rows(self, low: int, high: int) -> None:
        """Rows ``low`` to ``high`` (0-based) hold cells."""
        if low < 0 or high >= MAX_ROWS:
            raise _beyond()
        self.min_row = low if self.min_row < 0 else min(self.min_row, low)
        self.max_row = max(self.max_row, high)

    def cols(self, low: int, high: int) -> None:
        if low < 0 or high >= MAX_COLS:
            raise _beyond()
        self.min_col = low if self.min_col < 0 else min(self.min_col, low)
        self.max_col = max(self.max_col, high)

    def place(self, row: int, col: int) -> None:
        self.rows(row, row)
        self.cols(col, col)

    @property
    def rectangle(self) -> int:
        if self.max_row < 0 or self.max_col < 0:
            return 0
        return (self.max_row - self.min_row + 1) * (self.max_col - self.min_col + 1)


# --- the package -------------------------------------------------------------------


def _read_small(zf: zipfile.ZipFile, name: str) -> bytes:
    info = zf.getinfo(name)
    if info.file_size > METADATA_MAX_BYTES:
        raise _unsafe()
    data = zf.read(info)
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise _unsafe()
    return data


def _resolve(base: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    parts: list[str] = []
    for part in (PurePosixPath(base).parent / target).parts:
        if part == "..":
            if parts:
                parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts)


def worksheets(zf: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(name, part) of each worksheet, in the workbook's order (as calamine lists them)."""
    try:
        # Small parts, refused above with any DTD: nothing for an entity attack to use.
        book = ET.fromstring(_read_small(zf, "xl/workbook.xml"))  # noqa: S314
        rels_xml = ET.fromstring(_read_small(zf, "xl/_rels/workbook.xml.rels"))  # noqa: S314
    except KeyError as exc:
        raise _damaged() from exc
    except ET.ParseError as exc:
        raise _damaged() from exc
    rels = {
        rel.get("Id"): (rel.get("Type", ""), rel.get("Target", ""))
        for rel in rels_xml.iter(f"{{{NS_PKG_REL}}}Relationship")
    }
    out = []
    for sheet in book.iter(f"{{{NS_MAIN}}}sheet"):
        kind, target = rels.get(sheet.get(f"{{{NS_REL}}}id"), ("", ""))
        if kind.endswith("/worksheet") and target:
            out.append((sheet.get("name", ""), _resolve("xl/workbook.xml", target)))
    return out


# --- shared strings ------------------------------------------------------------------


def _measure_piece(piece: bytes) -> int:
    """The exact length (UTF-8 bytes) of the text of one long ``<si>`` piece."""
    if len(piece) > STRING_HARD_BYTES:
        raise _too_long()
    start = piece.find(b"<si")
    try:
        # One string of at most 1 MB, from a file without "<!" (no DTD): see _strings_fast.
        wrapped = b'<si xmlns="%s"' % NS_MAIN.encode() + piece[start + 3 :] + b"</si>"
        element = ET.fromstring(wrapped)  # noqa: S314
    except ET.ParseError as exc:
        raise _damaged() from exc
    text = "".join(element.itertext())
    if len(text) > CELL_MAX_CHARS:
        raise _too_long()
    return len(text.encode())


def _strings_fast(fh: IO[bytes]) -> _Strings | None:
    """Split on ``</si>``: each piece's bytes bound its string's text. None if the XML is not plain."""
    lengths = array("L")
    carry = b""
    opened = closed = 0
    while chunk := fh.read(CHUNK):
        window = carry + chunk
        if b"<!" in window or b":si" in window:
            return None  # comments, CDATA, a DTD or prefixed tags: the exact parser decides
        pieces = window.split(b"</si>")
        carry = pieces.pop()
        if len(carry) > STRING_HARD_BYTES:
            raise _too_long()
        opened += window.count(b"<si") - carry.count(b"<si")
        closed += len(pieces)
        sizes = list(map(len, pieces))
        if sizes and max(sizes) > STRING_CHECK_BYTES:
            sizes = [
                _measure_piece(piece) if size > STRING_CHECK_BYTES else size
                for piece, size in zip(pieces, sizes, strict=True)
            ]
        lengths.extend(sizes)
    if carry.count(b"<si") or opened != closed:
        return None  # a self-closed <si/>: the pieces and the numbers would not line up
    return _Strings(lengths, total=sum(lengths), longest=max(lengths, default=0))


def _strings_exact(fh: IO[bytes]) -> _Strings:
    """Expat over the shared strings: each ``si``'s text length, never holding the text."""
    lengths = array("L")
    state = {"depth": 0, "size": 0, "chars": 0}

    def start(name: str, attrs: dict) -> None:
        if name.rpartition(":")[2] == "si":
            state["depth"] += 1
            if state["depth"] == 1:
                state["size"] = state["chars"] = 0

    def end(name: str) -> None:
        if name.rpartition(":")[2] == "si":
            state["depth"] -= 1
            if state["depth"] == 0:
                lengths.append(state["size"])

    def text(data: str) -> None:
        if state["depth"]:
            state["size"] += len(data.encode())
            state["chars"] += len(data)
            if state["chars"] > CELL_MAX_CHARS:
                raise _too_long()

    parser = _parser()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    _feed(parser, fh)
    return _Strings(lengths, total=sum(lengths), longest=max(lengths, default=0))


def _parser() -> expat.XMLParserType:
    parser = expat.ParserCreate()  # names as written: x:c → c, as calamine reads them
    parser.buffer_text = True

    def no_dtd(*_args: object) -> None:
        raise _unsafe()

    parser.StartDoctypeDeclHandler = no_dtd
    parser.EntityDeclHandler = no_dtd
    return parser


def _feed(parser: expat.XMLParserType, fh: IO[bytes]) -> None:
    try:
        while chunk := fh.read(CHUNK):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise _damaged() from exc


def shared_strings(zf: zipfile.ZipFile) -> _Strings:
    try:
        info = zf.getinfo(SST_PART)
    except KeyError:
        return _Strings(array("L"))
    if info.file_size > max_expanded():
        raise _expands()
    with zf.open(info) as fh:
        fast = _strings_fast(fh)
    if fast is not None:
        return fast
    with zf.open(info) as fh:
        return _strings_exact(fh)


# --- the sheet ----------------------------------------------------------------------

# In a plain sheet every cell starts `<c r="B2"` and every row `<row r="2"`.
_CELL_POSITION = re.compile(rb'<c r="([A-Za-z]{1,3})(\d{1,7})"')
_ROW_TAG = re.compile(rb'<row r="(\d{1,7})"')
_SHARED_VALUE = re.compile(rb'<c r="[A-Za-z]{1,3}\d{1,7}"[^>]*?\st="s"[^>]*>\s*<v>(\d{1,10})</v>')
_PREFIXED = re.compile(rb":[cf][\s>/]")  # <x:c …>, </x:f>: cells or formulas under a prefix
_OTHER_C = re.compile(rb"<c[A-Za-z]")  # <col>, <cfRule> …: elements that are not cells
_FORMULA_CELL = re.compile(rb'<c r="([A-Za-z]{1,3})(\d{1,7})"[^>]*>\s*<f[\s>/]')
_FORMULA_TAG = re.compile(rb"<f[\s>/]")


def column_number(letters: str) -> int:
    """``A`` → 0, ``Z`` → 25, ``AA`` → 26."""
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - 64
    return number - 1


def column_letters(number: int) -> str:
    out = ""
    number += 1
    while number:
        number, rest = divmod(number - 1, 26)
        out = chr(65 + rest) + out
    return out


_ELEMENT = re.compile(rb"<[A-Za-z_]")


def _windows(fh: IO[bytes]) -> Iterator[bytes]:
    """Chunks cut after their last ``>``, so that no tag is split between two.

    A DTD (which could define entities) is refused: it can only come before
    the first element, so only the prolog is searched.
    """
    carry = b""
    prolog = True
    while chunk := fh.read(CHUNK):
        window = carry + chunk
        if prolog:
            first = _ELEMENT.search(window)
            head = window[: first.start()] if first else window
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                raise _unsafe()
            prolog = first is None
        cut = window.rfind(b">") + 1
        if cut == 0:
            if len(window) > 4 * CHUNK:
                raise _damaged()
            carry = window
            continue
        carry = window[cut:]
        yield window[:cut]
    if carry.strip():
        yield carry


def _rows_above(number: int) -> tuple[str, int]:
    """A pattern for row numbers above a bound near ``number``, and that bound.

    Exact up to 99; beyond, only the first two digits are compared (a cheaper
    pattern): rows up to ``bound`` (at most 10% above ``number``) pass it.
    """
    text = str(number)
    options = [rf"[1-9]\d{{{len(text)},}}", "0"]  # more digits; a leading zero
    for i, digit in enumerate(text[:2]):
        if digit != "9":
            options.append(f"{text[:i]}[{int(digit) + 1}-9]\\d{{{len(text) - i - 1}}}")
    if len(text) <= 2:
        return "|".join(options), number
    return "|".join(options), (int(text[:2]) + 1) * 10 ** (len(text) - 2) - 1


def _letters_above(number: int) -> str:
    """A pattern for the column letters (any case) after column ``number`` (0-based)."""
    text = column_letters(number)
    options = [f"[A-Za-z]{{{len(text) + 1}}}"]  # more letters
    for i, letter in enumerate(text):
        if letter != "Z":
            nxt = chr(ord(letter) + 1)
            prefix = "".join(f"[{c}{c.lower()}]" for c in text[:i])
            options.append(f"{prefix}[{nxt}-Z{nxt.lower()}-z]")
    return "|".join(options)


@functools.lru_cache(maxsize=64)
def _outside(max_row: int, max_col: int) -> tuple[re.Pattern[bytes], int]:
    """A cell position beyond (about) ``max_row`` or ``max_col``; and the rows that pass it."""
    rows, bound = _rows_above(max_row)
    source = rf'<c r="(?:{_letters_above(max_col)}|[A-Za-z]{{1,3}}(?:{rows}))'
    return re.compile(source.encode()), bound


def _sheet_fast(fh: IO[bytes]) -> _Sheet | None:
    """The plain sheet's rectangle from its positions; None when the sheet is not plain.

    The rectangle is taken from A1 (calamine starts it at the first cell: this
    is an upper bound) to the last row named by a row tag (plus at most 10%)
    and the last column seen. Each window is searched once for a cell beyond
    that; only such a window is read cell by cell.
    """
    sheet = _Sheet()
    max_row = 0  # 1-based, as written
    max_col = -1
    bound = 0
    for window in _windows(fh):
        if _PREFIXED.search(window):
            return None  # <x:c>, <x:f>: the exact parser reads prefixed tags
        cells = window.count(b'<c r="')
        others = window.count(b"<c") - cells
        if others and others != len(_OTHER_C.findall(window)):
            return None  # a cell without a position first (<c>, <c s="1" r="A1">, <c\tr=…)
        rows = _ROW_TAG.findall(window)
        if rows:
            max_row = max(max_row, max(map(int, rows)))
        if cells:
            sheet.cells += cells
            pattern, bound = _outside(max(max_row, 1), max(max_col, 0))
            if max_col < 0 or pattern.search(window):
                found = _CELL_POSITION.findall(window)
                if len(found) != cells:
                    return None  # a position the pattern does not read ($A$1, 8 digits …)
                numbers = [int(digits) for _letters, digits in found]
                if min(numbers) < 1:
                    return None
                max_row = max(max_row, *numbers)
                letters = {letters.upper() for letters, _digits in found}
                max_col = max(max_col, *(column_number(x.decode()) for x in letters))
                bound = max(bound, _outside(max_row, max_col)[1])
        if b"<f" in window:
            formulas = _FORMULA_CELL.findall(window)
            if len(formulas) != len(_FORMULA_TAG.findall(window)):
                return None  # a formula the pattern cannot place: the exact parser can
            sheet.formulas += [(int(d) - 1, column_number(x.decode())) for x, d in formulas]
    if sheet.cells:
        sheet.rows(0, min(max(bound, max_row), MAX_ROWS) - 1)
        sheet.cols(0, max_col)
    return sheet


def _sheet_exact(fh: IO[bytes], strings: _Strings) -> _Sheet:
    """Expat over the sheet, placing cells as calamine does; sums the shared strings they copy."""
    sheet = _Sheet(shared=0)
    state: dict[str, Any] = {"row": -1, "col": -1, "cell": None, "shared": False, "value": None}
    lengths = strings.lengths

    def position(ref: str) -> tuple[int, int]:
        match = re.fullmatch(r"([A-Za-z]{1,3})(\d{1,7})", ref)
        if match is None:
            raise _unsafe()
        return int(match.group(2)) - 1, column_number(match.group(1))

    def start(name: str, attrs: dict) -> None:
        local = name.rpartition(":")[2]
        if local == "row":
            ref = attrs.get("r")
            state["row"] = int(ref) - 1 if ref and ref.isdigit() else state["row"] + 1
            state["col"] = -1
        elif local == "c":
            ref = attrs.get("r")
            if ref:
                row, col = position(ref)
            else:
                row, col = max(state["row"], 0), state["col"] + 1
            state["col"] = col
            state["cell"] = (row, col)
            sheet.cells += 1
            sheet.place(row, col)
            kind = attrs.get("t", "")
            state["shared"] = kind == "s"
        elif local == "v" and state["shared"]:
            state["value"] = []
        elif local == "f" and state["cell"] is not None:
            sheet.formulas.append(state["cell"])

    def end(name: str) -> None:
        local = name.rpartition(":")[2]
        if local == "v" and state["value"] is not None:
            raw = "".join(state["value"]).strip()
            state["value"] = None
            if raw.isdigit() and int(raw) < len(lengths):
                sheet.shared += lengths[int(raw)]
        elif local == "c":
            state["cell"] = None
            state["shared"] = False

    def text(data: str) -> None:
        if state["value"] is not None:
            state["value"].append(data)
            if sum(map(len, state["value"])) > 32:
                raise _damaged()

    parser = _parser()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    _feed(parser, fh)
    return sheet


def _shared_exact(zf: zipfile.ZipFile, part: str, strings: _Strings) -> int | None:
    """The exact bytes the cells of a plain sheet copy from the shared strings (None: not plain)."""
    total = 0
    lengths = strings.lengths
    size = len(lengths)
    with zf.open(part) as fh:
        for window in _windows(fh):
            found = _SHARED_VALUE.findall(window)
            if len(found) != window.count(b't="s"'):
                return None
            for raw in found:
                index = int(raw)
                if index < size:
                    total += lengths[index]
    return total


def inspect(zf: zipfile.ZipFile, pick: Callable[[list[str]], str]) -> Inspection:
    """Bound the chosen sheet's expansion; ``pick(names)`` chooses the sheet as the reader does."""
    sheets = worksheets(zf)
    if not sheets:
        raise Refused(_("The workbook has no sheet."))
    names = [name for name, _part in sheets]
    chosen = pick(names)
    part = dict(sheets)[chosen]
    try:
        info = zf.getinfo(part)
    except KeyError as exc:
        raise _damaged() from exc
    strings = shared_strings(zf)
    budget = max_expanded()
    with zf.open(info) as fh:
        sheet = _sheet_fast(fh)
    if sheet is None:
        with zf.open(info) as fh:
            sheet = _sheet_exact(fh, strings)

    def estimate(copies: int) -> int:
        # The sheet's own text (inline strings, formula results) is at most its XML.
        return sheet.rectangle * CELL_BYTES + strings.total + copies + info.file_size

    copies = sheet.shared if sheet.shared >= 0 else sheet.cells * strings.longest
    if estimate(copies) > budget and sheet.shared < 0:
        exact = _shared_exact(zf, part, strings)
        if exact is None:
            with zf.open(info) as fh:
                exact = _sheet_exact(fh, strings).shared
        copies = exact
    expanded = estimate(copies)
    if expanded > budget:
        raise _expands()
    return Inspection(sheet=chosen, formulas=sheet.formulas, expanded=expanded)
