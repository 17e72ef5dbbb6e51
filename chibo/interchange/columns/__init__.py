"""The file contract: sheets, columns, vocabularies and how typed values are read.

Each column has a key (``ma_dang_vien``: code, docs, error reports) and a
Vietnamese header (``Mã đảng viên``), which the files chibo writes carry
(template, export). An import accepts the header, the key and the other
spellings in ``HEADERS``; headers and vocabulary labels are matched after
``lib.text.fold`` (case and diacritics ignored, đ included), so ``Mã đảng
viên``, ``MA_DANG_VIEN`` and ``ma dang vien`` are the same column. Values accept
what people type: dates ``dd/mm/yyyy``, ``d/m/yyyy``, ISO and real spreadsheet
dates.
"""

from __future__ import annotations

from chibo.interchange.columns.contract import (
    ALIASES,
    ATTENDANCE,
    ATTENDANCE_COLUMNS,
    COLUMNS,
    DUES,
    DUES_COLUMNS,
    HEADERS,
    KINDS,
    LABELS,
    MEMBER_COLUMNS,
    MEMBERS,
    ORG_COLUMNS,
    ORGS,
    SHEET_NAMES,
    SHEET_TITLES,
    VOCABS,
    Column,
    header_key,
    header_of,
    vocab_label,
    vocab_value,
)
from chibo.interchange.columns.values import (
    DANGEROUS_PREFIXES,
    EXCEL_EPOCH,
    MAX_AMOUNT,
    BadValue,
    NoSuchDay,
    TwoDigitYear,
    amount,
    date,
    month,
    text,
)

__all__ = [
    "ALIASES",
    "ATTENDANCE",
    "ATTENDANCE_COLUMNS",
    "COLUMNS",
    "DANGEROUS_PREFIXES",
    "DUES",
    "DUES_COLUMNS",
    "EXCEL_EPOCH",
    "HEADERS",
    "KINDS",
    "LABELS",
    "MAX_AMOUNT",
    "MEMBERS",
    "MEMBER_COLUMNS",
    "ORGS",
    "ORG_COLUMNS",
    "SHEET_NAMES",
    "SHEET_TITLES",
    "VOCABS",
    "BadValue",
    "Column",
    "NoSuchDay",
    "TwoDigitYear",
    "amount",
    "date",
    "header_key",
    "header_of",
    "month",
    "text",
    "vocab_label",
    "vocab_value",
]
