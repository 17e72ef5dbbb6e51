"""The limits the guard applies, its refusals (``Refused``) and what an inspection finds
(``Inspection``).
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field

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
