"""Months and quarters as the activity rules count them (no Django)."""

from __future__ import annotations

import calendar
import datetime as dt


def month_of(day: dt.date) -> dt.date:
    """The first day of ``day``'s month: how a month is stored."""
    return day.replace(day=1)


def month_end(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def shift(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def window(as_of: dt.date, months: int = 12) -> list[dt.date]:
    """The ``months`` calendar months ending with ``as_of``'s month, oldest first."""
    last = month_of(as_of)
    return [shift(last, -i) for i in range(months - 1, -1, -1)]


def span(first: dt.date, last: dt.date) -> list[dt.date]:
    """Months from ``first`` to ``last`` inclusive."""
    out: list[dt.date] = []
    current = month_of(first)
    while current <= last:
        out.append(current)
        current = shift(current, 1)
    return out


def label(month: dt.date) -> str:
    """``YYYY-MM``: the form used in JSON and commands."""
    return f"{month.year:04d}-{month.month:02d}"


def parse_label(text: str) -> dt.date:
    year, month = text.split("-")
    return dt.date(int(year), int(month), 1)


def quarter_of(month: dt.date) -> tuple[int, int]:
    return month.year, (month.month - 1) // 3 + 1


def quarter_label(year: int, quarter: int) -> str:
    return f"{year:04d}-Q{quarter}"


def quarter_months(year: int, quarter: int) -> list[dt.date]:
    first = dt.date(year, 3 * (quarter - 1) + 1, 1)
    return [first, shift(first, 1), shift(first, 2)]
