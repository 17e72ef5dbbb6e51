"""Where the table is in a sheet: its header row (on one row or two), each column's field guessed
from its name or its values, and the footer lines under it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from chibo.interchange import columns as C
from chibo.interchange.mapping.spec import MappingError
from chibo.interchange.mapping.vocabulary import (
    _IGNORED,
    _SYNONYM_KEYS,
    DASH,
    VOCAB_FIELDS,
    Vocab,
    _folded_header,
)
from chibo.lib.text import fold

SCAN_ROWS = 30  # rows searched for the header


# --- header detection ------------------------------------------------------------------------


@dataclass
class Layout:
    header_row: int  # spreadsheet row of the header (its first row when on two rows)
    header_rows: int  # 1 or 2
    headers: list[str]  # "parent – child" for two-row headers


def header_field(kind: str, header: str) -> tuple[str, str]:
    """(field, how) proposed by a header alone: how "exact", "synonym", "ignore" or ""."""
    key = _folded_header(header)
    if not key:
        return "", "ignore"
    if key in {col.name for col in C.COLUMNS[kind]}:
        return key, "exact"
    if key in _SYNONYM_KEYS[kind]:
        return _SYNONYM_KEYS[kind][key], "synonym"
    if key in _IGNORED:
        return "", "ignore"
    return "", ""


def _score(kind: str, cells: list[Any]) -> int:
    return sum(1 for c in cells if header_field(kind, C.text(c))[1] in ("exact", "synonym"))


def _is_text_label(cell: Any) -> bool:
    if not isinstance(cell, str):
        return cell in ("", None)
    value = cell.strip()
    if not value:
        return True
    try:
        return C.date(value) is None
    except C.BadValue:
        return not re.fullmatch(r"[\d\s.,+-]+", value)


def _two_row(parent: list[str], child: list[Any]) -> list[str] | None:
    """The "parent – child" headers if ``child`` is the second row of a merged header, else None."""
    if not child or not all(_is_text_label(c) for c in child):
        return None
    child_text = [C.text(c) for c in child] + [""] * max(0, len(parent) - len(child))
    names: list[str] = []
    current = ""
    spread = False
    for i in range(max(len(parent), len(child_text))):
        top = parent[i] if i < len(parent) else ""
        below = child_text[i]
        if top:
            current = top
        elif below and current:
            spread = True  # a merged parent cell spans this column
        if below and current:
            names.append(f"{current}{DASH}{below}")
        else:
            names.append(top or below)
    return names if spread else None


def detect(kind: str, rows: list[tuple[int, list[Any]]]) -> Layout:
    """The header among the first rows: most known names, first on ties; else row 1."""
    best: tuple[int, int] | None = None  # (score, index)
    for index, (_number, cells) in enumerate(rows[:SCAN_ROWS]):
        score = _score(kind, cells)
        if best is None or score > best[0]:
            best = (score, index)
    index = best[1] if best and best[0] >= 2 else 0
    number, cells = rows[index]
    headers = [C.text(c) for c in cells]
    while headers and not headers[-1]:
        headers.pop()
    if index + 1 < len(rows) and rows[index + 1][0] == number + 1:
        combined = _two_row(headers, rows[index + 1][1])
        if combined is not None and _score(kind, combined) >= _score(kind, headers):
            return Layout(number, 2, combined)
    return Layout(number, 1, headers)


def _layout_at(rows: list[tuple[int, list[Any]]], header_row: int, header_rows: int) -> Layout:
    for index, (number, cells) in enumerate(rows):
        if number == header_row:
            headers = [C.text(c) for c in cells]
            while headers and not headers[-1]:
                headers.pop()
            if header_rows == 2 and index + 1 < len(rows):
                combined = _two_row(headers, rows[index + 1][1])
                if combined is not None:
                    return Layout(number, 2, combined)
                child = [C.text(c) for c in rows[index + 1][1]]
                return Layout(number, 2, _pair(headers, child))
            return Layout(number, 1, headers)
    raise MappingError(
        _("Row %(row)s of the file is empty or missing: it cannot be the header.")
        % {"row": header_row}
    )


def _pair(parent: list[str], child: list[str]) -> list[str]:
    names = []
    current = ""
    for i in range(max(len(parent), len(child))):
        top = parent[i] if i < len(parent) else ""
        below = child[i] if i < len(child) else ""
        current = top or current
        names.append(f"{current}{DASH}{below}" if below and current else (top or below))
    return names


# --- proposing fields from values ----------------------------------------------------------

_DIGITS = re.compile(r"^\d+$")


def _digits(cell: Any) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, int) and not isinstance(cell, bool):
        return str(cell)
    text = C.text(cell).replace(" ", "").replace(".", "")
    return text if _DIGITS.match(text) else ""


def _looks_citizen_id(cell: Any) -> bool:
    digits = _digits(cell)
    numeric = isinstance(cell, int | float) and not isinstance(cell, bool)
    return len(digits) == 12 or (numeric and 10 <= len(digits) <= 12)


def _looks_phone(cell: Any) -> bool:
    digits = _digits(cell)
    numeric = isinstance(cell, int | float) and not isinstance(cell, bool)
    return (len(digits) == 10 and digits.startswith("0")) or (numeric and len(digits) == 9)


def _share(samples: list[Any], test: Any) -> bool:
    return bool(samples) and sum(1 for s in samples if test(s)) >= 0.8 * len(samples)


def value_field(kind: str, samples: list[Any], taken: set[str], vocabs: dict[str, Vocab]) -> str:
    """A field proposed by a column's values ("" if none): 12-digit numbers are citizen IDs …"""
    fields = {col.name for col in C.COLUMNS[kind]} - taken
    if not samples:
        return ""
    texts = [C.text(s) for s in samples]
    tests: list[tuple[str, Any]] = [
        ("so_cccd", _looks_citizen_id),
        ("so_dien_thoai", _looks_phone),
    ]
    for name, test in tests:
        if name in fields and _share(samples, test):
            return name
    for name, vocab_name in VOCAB_FIELDS[kind].items():
        vocab = vocabs.get(vocab_name)
        if (
            name in fields
            and vocab is not None
            and _share(texts, lambda t, v=vocab: v.propose(t)[0])
        ):
            return name
    return ""


# --- the footer: totals, signatures and notes under the table ---------------------------------

# Words that open a footer line (folded): totals, who drew the list up and signs it,
# "(Ký, ghi rõ họ tên)", the place and date line, notes and recipients.
_FOOTER_WORDS = re.compile(
    r"^(tong cong|tong so|cong\s*:|nguoi lap|lap bieu|\(?ky[ ,.)]|\(?ky$|da ky|xac nhan"
    r"|(pho )?bi thu\b|t/m\b|tm\.|tm\s|thu truong|(pho )?hieu truong|noi nhan|ghi chu\s*:"
    r"|danh sach (nay|co|gom))"
    r"|\bngay\b.*\bthang\b.*\bnam\b"
)


FOOTER_TEXT = 120  # characters of a skipped row kept to say what it was


def _footer_like(cells: list[Any], width: int) -> tuple[bool, bool]:
    """(a row that may be under the table, a row that says so itself).

    A few cells only (at most a third of the header's columns, or 2), and either a
    footer's words or text without any digit (a signer's name). A data row has its
    code, dates or numbers.
    """
    most = max(2, width // 3)
    # A data row is settled by its first few filled cells, without reading the others
    # (per row of every import): a string cell is filled unless blank, anything else
    # as columns.text reads it. Most rows' first cells are all filled text: counted in C
    # (str.strip leaves a blank cell empty; a cell that is not text raises TypeError).
    try:
        if len(list(filter(None, map(str.strip, cells[: most + 1])))) > most:
            return False, False
    except TypeError:
        pass
    count = 0
    for cell in cells:
        if cell.__class__ is str:
            if not cell or cell.isspace():
                continue
        elif cell is None or not C.text(cell):
            continue
        count += 1
        if count > most:
            return False, False
    filled = [t for t in (C.text(c) for c in cells) if t]
    if any(_FOOTER_WORDS.search(fold(t)) for t in filled):
        return True, True
    return not any(ch.isdigit() for t in filled for ch in t), False


def without_footer(
    rows: Iterator[tuple[int, list[Any]]], layout: Layout, found: list[tuple[int, str]]
) -> Iterator[tuple[int, list[Any]]]:
    """The rows, without the footer under the table's last data row (listed in ``found``).

    A footer starts at a row with a footer's words, or at a text-only row after a blank
    row; the rows after it that also look like a footer are held. A data row after them
    gives them back as rows (checked as before): only the end of the table is skipped.
    """
    width = sum(1 for h in layout.headers if h)
    held: list[tuple[int, list[Any]]] = []
    last = layout.header_row + layout.header_rows - 1
    for number, cells in rows:
        like, said = _footer_like(cells, width)
        if like and (held or said or number > last + 1):
            held.append((number, cells))
        else:
            if held:
                yield from held
                held = []
            yield number, cells
        last = number
    for number, cells in held:
        text = " · ".join(t for t in (C.text(c) for c in cells) if t)
        found.append((number, text[:FOOTER_TEXT]))


def footer_said(footer: list[tuple[int, str]]) -> str:
    """One line for the command, the preview and the check: which rows were skipped."""
    first, last = footer[0][0], footer[-1][0]
    rows = str(first) if first == last else f"{first}–{last}"
    values = {"n": len(footer), "rows": rows, "text": footer[0][1]}
    if len(footer) == 1:
        return _("Skipped 1 row under the table (row %(rows)s): «%(text)s».") % values
    return _("Skipped %(n)s rows under the table (rows %(rows)s): «%(text)s» …") % values
