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

from chibo.interchange.xlsx_guard.limits import (
    CELL_BYTES,
    CELL_MAX_CHARS,
    CHUNK,
    MAX_COLS,
    MAX_ROWS,
    MB,
    METADATA_MAX_BYTES,
    NS_MAIN,
    NS_PKG_REL,
    NS_REL,
    SST_PART,
    STRING_CHECK_BYTES,
    STRING_HARD_BYTES,
    Inspection,
    Refused,
    max_expanded,
)
from chibo.interchange.xlsx_guard.parts import shared_strings, worksheets
from chibo.interchange.xlsx_guard.sheet import (
    _sheet_exact,
    _sheet_fast,
    column_letters,
    column_number,
    inspect,
)

__all__ = [
    "CELL_BYTES",
    "CELL_MAX_CHARS",
    "CHUNK",
    "MAX_COLS",
    "MAX_ROWS",
    "MB",
    "METADATA_MAX_BYTES",
    "NS_MAIN",
    "NS_PKG_REL",
    "NS_REL",
    "SST_PART",
    "STRING_CHECK_BYTES",
    "STRING_HARD_BYTES",
    "Inspection",
    "Refused",
    "_sheet_exact",
    "_sheet_fast",
    "column_letters",
    "column_number",
    "inspect",
    "max_expanded",
    "shared_strings",
    "worksheets",
]
