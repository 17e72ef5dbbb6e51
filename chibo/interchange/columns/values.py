"""How typed values are read: text, dates (dd/mm/yyyy, d/m/yyyy, ISO, spreadsheet serials), months
and amounts.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from chibo.core import spreadsheet
from chibo.lib.dates import BadDate, NoSuchDate, dmy, parse_day

# --- typed values -----------------------------------------------------------

DANGEROUS_PREFIXES = spreadsheet.DANGEROUS_PREFIXES  # what core.spreadsheet guards with "'"


def text(value: Any) -> str:
    """A cell as trimmed NFC text; integral floats lose their ``.0``; export's ``'`` guard is removed.

    Called for nearly every cell of an import: strings (most cells) take the
    first branch; NFC (CP1258 and some Mac exports spell Vietnamese with
    combining marks) only touches non-ASCII text.
    """
    if value.__class__ is str:
        out = value.strip()
    elif value is None:
        return ""
    else:
        if isinstance(value, float):
            value = int(value) if value.is_integer() else value
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return dmy(value)
        out = str(value).strip()
    if not out.isascii():
        out = unicodedata.normalize("NFC", out)
    if len(out) > 1 and out[0] == "'" and out[1] in DANGEROUS_PREFIXES:
        out = out[1:]
    return out


_MY = re.compile(r"^(\d{1,2})[/.\-](\d{4})$")


_SPACED = re.compile(r"\s*([/.\-])\s*")


_TIME = re.compile(r"\s+\d{1,2}:\d{2}(?::\d{2})?$")


_SERIAL = re.compile(r"^\d{5}(?:\.0+)?$")


_TWO_DIGIT = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2})$")


EXCEL_EPOCH = dt.date(1899, 12, 30)


class BadValue(ValueError):
    """A cell that cannot be read as its column's type."""


class TwoDigitYear(BadValue):
    """``d/m/yy``: the century is chosen by the column (``common.RowReader.date``)."""

    def __init__(self, raw: str, day: int, month: int, yy: int) -> None:
        super().__init__(raw)
        self.raw, self.day, self.month, self.yy = raw, day, month, yy


class NoSuchDay(BadValue):
    """A date or month written right that the calendar does not have (``31/02/2024``)."""

    def __init__(self, raw: str, cause: NoSuchDate) -> None:
        super().__init__(raw)
        self.cause = cause


def date(value: Any) -> dt.date | None:
    """A date from ``dd/mm/yyyy``, ``d/m/yyyy``, ISO, a spreadsheet date or its serial number.

    Cached: a file repeats the same few thousand dates (bad values raise each time).
    """
    try:
        return _date_cached(value.__class__, value)
    except TypeError:  # unhashable: not a cell value
        return _date(value)


@lru_cache(maxsize=65536)
def _date_cached(_type: type, value: Any) -> dt.date | None:
    # The type is part of the key: True == 1 and 1 == 1.0 hash alike.
    return _date(value)


def _date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2958466:  # Excel serial days (1900 … 9999)
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise BadValue(value)
    raw = str(value).strip()
    if not raw:
        return None
    # What people type (issue 23): "05 / 09 / 2003", "05/09/2003 00:00:00", the
    # serial number as text ("37869"), two-digit years ("5/9/03").
    if " " in raw or "\u00a0" in raw:
        raw = _TIME.sub("", raw.replace("\u00a0", " "))
        raw = _SPACED.sub(r"\1", raw).strip()
    if _SERIAL.match(raw):
        return _date(float(raw))
    if m := _TWO_DIGIT.match(raw):
        raise TwoDigitYear(raw, int(m[1]), int(m[2]), int(m[3]))
    try:
        return parse_day(raw)
    except NoSuchDate as exc:
        raise NoSuchDay(raw, exc) from exc
    except BadDate as exc:
        raise BadValue(raw) from exc


def month(value: Any) -> dt.date | None:
    """``mm/yyyy`` (or a date) → the first day of that month."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return (value.date() if isinstance(value, dt.datetime) else value).replace(day=1)
    raw = str(value).strip()
    if m := _MY.match(raw):
        if 1 <= int(m[1]) <= 12:
            return dt.date(int(m[2]), int(m[1]), 1)
        raise NoSuchDay(raw, NoSuchDate(0, int(m[1]), int(m[2])))
    parsed = date(raw)
    return parsed.replace(day=1) if parsed else None


MAX_AMOUNT = Decimal(10) ** 15  # đồng: far above any dues, far below Decimal's precision


def amount(value: Any) -> Decimal | None:
    """``5000``, ``5.000``, ``5,000`` or ``5.000 đ`` → Decimal (whole đồng)."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        raw = str(value)
    else:
        raw = re.sub(r"[\sđdĐD₫]", "", str(value)).replace(".", "").replace(",", "")
    try:
        out = Decimal(raw)
    except InvalidOperation as exc:
        raise BadValue(value) from exc
    # Found by fuzzing (tests/security/test_fuzz.py): NaN/∞ and huge numbers crashed,
    # negative numeric cells passed.
    if not out.is_finite() or out < 0 or out >= MAX_AMOUNT:
        raise BadValue(value)
    return out.quantize(Decimal(1))
