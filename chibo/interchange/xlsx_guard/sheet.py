"""The chosen sheet's extent, measured the fast way (positions by regular expression) or the exact
way (an XML parser placing cells as calamine does), and ``inspect``, which joins them.
"""

from __future__ import annotations

import functools
import re
import zipfile
from collections.abc import Callable, Iterator
from typing import IO, Any

from django.utils.translation import gettext as _

from chibo.interchange.xlsx_guard.limits import (
    CELL_BYTES,
    CHUNK,
    MAX_ROWS,
    Inspection,
    Refused,
    _damaged,
    _expands,
    _Sheet,
    _Strings,
    _unsafe,
    max_expanded,
)
from chibo.interchange.xlsx_guard.parts import _feed, _parser, shared_strings, worksheets

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
        # (A prefixed tag has a colon: most windows have none, and a byte search settles them.)
        if b":" in window and _PREFIXED.search(window):
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
        # "<f" needs an "f": one memchr settles most windows (sheet XML without a formula
        # rarely has one), where the two-byte search walks every "<" (issue 22).
        if b"f" in window and b"<f" in window:
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
