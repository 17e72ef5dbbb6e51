"""Date arithmetic used by the rules (months between dates, adding months) and reading typed dates."""

from __future__ import annotations

import calendar
import datetime as dt
import re


def dmy(day: dt.date | None, blank: str = "") -> str:
    """``day`` as dd/mm/yyyy, the way messages and documents quote dates; ``blank`` when None."""
    return day.strftime("%d/%m/%Y") if day else blank


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months, clamped to the month's end."""
    index = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(index, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return dt.date(year, month0 + 1, min(day.day, last))


def years_before(day: dt.date, years: int) -> dt.date:
    """``day`` ``years`` years earlier (29 February becomes 28 February): ages, age bands, cut-offs."""
    return add_months(day, -12 * years)


def full_months_between(start: dt.date, end: dt.date) -> int:
    """Whole months from ``start`` to ``end`` (age in months, validity)."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if add_months(start, months) > end:
        months -= 1
    return months


# --- reading a date as people type it ------------------------------------------------------------

_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$")
_MY = re.compile(r"^(\d{1,2})[/.\-](\d{4})$")
_YM = re.compile(r"^(\d{4})-(\d{1,2})$")


class BadDate(ValueError):
    """Text that is not written as a date (``abc``, ``2024/31``)."""


class NoSuchDate(BadDate):
    """Written as a date, but the calendar has no such day (``31/02/2024``) or month (``13/2026``).

    ``day`` is 0 for a month (``13/2026``); ``days_in_month`` is 0 when the month itself is wrong.
    """

    def __init__(self, day: int, month: int, year: int) -> None:
        self.day, self.month, self.year = day, month, year
        valid_month = 1 <= month <= 12 and 1 <= year <= 9999
        self.days_in_month = calendar.monthrange(year, month)[1] if valid_month else 0
        super().__init__(f"{day:02d}/{month:02d}/{year:04d}" if day else f"{month:02d}/{year:04d}")


def parse_day(text: str) -> dt.date:
    """``dd/mm/yyyy`` (``d/m/yyyy``, with ``/``, ``.`` or ``-``) or ``yyyy-mm-dd``.

    Raises ``NoSuchDate`` for a day the calendar does not have, ``BadDate`` for anything else.
    """
    raw = (text or "").strip()
    if m := _DMY.match(raw):
        day, month, year = int(m[1]), int(m[2]), int(m[3])
    elif m := _ISO.match(raw):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    else:
        raise BadDate(raw)
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise NoSuchDate(day, month, year) from None


def parse_month(text: str) -> dt.date:
    """``mm/yyyy`` or ``yyyy-mm`` → the month's first day; ``NoSuchDate`` for month 13, ``BadDate`` else."""
    raw = (text or "").strip()
    if m := _MY.match(raw):
        month, year = int(m[1]), int(m[2])
    elif m := _YM.match(raw):
        year, month = int(m[1]), int(m[2])
    else:
        raise BadDate(raw)
    if not 1 <= month <= 12 or year < 1:
        raise NoSuchDate(0, month, year)
    return dt.date(year, month, 1)
