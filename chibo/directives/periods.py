"""Reporting periods of a recurring task: half-years, quarters, years (calendar-aligned).

A period has a key (``2024-H1``, ``2024-Q3``, ``2024``) that is stable in
URLs, the API and the database. Directive 1000-CV/TU item 8 asks for a
report "định kỳ 06 tháng": the half-years January–June and July–December.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from chibo.core import periods

SEMIANNUAL = "semiannual"
QUARTERLY = "quarterly"
YEARLY = "yearly"
ONCE = "once"
ONCE_KEY = "once"

_MONTHS = {SEMIANNUAL: 6, QUARTERLY: 3, YEARLY: 12}
_KEY = re.compile(r"^(?P<year>\d{4})(?:-(?P<kind>[HQ])(?P<n>\d))?$")


@dataclass(frozen=True)
class Period:
    key: str
    start: dt.date
    end: dt.date  # inclusive

    @property
    def label(self) -> str:
        """As people read it: ``6 tháng đầu năm 2026``, ``quý III/2026``, ``năm 2026`` (core.periods)."""
        return periods.label(self.key if _KEY.match(self.key) else ONCE_KEY)


def _month_end(year: int, month: int) -> dt.date:
    if month == 12:
        return dt.date(year, 12, 31)
    return dt.date(year, month + 1, 1) - dt.timedelta(days=1)


def period_containing(recurrence: str, day: dt.date) -> Period:
    months = _MONTHS[recurrence]
    index = (day.month - 1) // months
    first_month = index * months + 1
    start = dt.date(day.year, first_month, 1)
    end = _month_end(day.year, first_month + months - 1)
    if recurrence == SEMIANNUAL:
        key = f"{day.year}-H{index + 1}"
    elif recurrence == QUARTERLY:
        key = f"{day.year}-Q{index + 1}"
    else:
        key = f"{day.year}"
    return Period(key, start, end)


def parse_period(key: str) -> Period:
    """``2024-H1`` → 1/1/2024–30/6/2024. ValueError for a malformed key."""
    match = _KEY.match(key or "")
    if match is None:
        raise ValueError(key)
    year = int(match["year"])
    n = int(match["n"] or 1)
    if match["kind"] == "H" and n in (1, 2):
        return period_containing(SEMIANNUAL, dt.date(year, (n - 1) * 6 + 1, 1))
    if match["kind"] == "Q" and 1 <= n <= 4:
        return period_containing(QUARTERLY, dt.date(year, (n - 1) * 3 + 1, 1))
    if match["kind"] is None:
        return period_containing(YEARLY, dt.date(year, 1, 1))
    raise ValueError(key)


def periods_between(recurrence: str, start: dt.date, until: dt.date) -> list[Period]:
    """The periods of ``recurrence`` overlapping [start, until], oldest first."""
    out: list[Period] = []
    day = start
    while day <= until:
        period = period_containing(recurrence, day)
        out.append(period)
        day = period.end + dt.timedelta(days=1)
    return out
