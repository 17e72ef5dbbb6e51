"""Working-day arithmetic with Vietnam's public holidays (Tết included) and the year's swaps.

Deadlines in the regulations are in working days ("60 ngày làm việc"). The holidays of
the Labour Code come from the maintained ``holidays`` library (lunar Tết, Hùng Kings,
30/4, 1/5, 2/9 and the days off it knows were substituted); we never hand-write them.
Saturdays and Sundays are not working days.

The government also fixes each year's calendar for public servants, and the library
does not know all of it: it has no make-up working Saturdays (26/4/2025 was worked for
Friday 2/5/2025), and it may list a day that is not (yet) official. So a small table of
**adjustments** sits on top: a date and whether it is a working day, each with its
source. chibo keeps it in the database (``core.CalendarAdjustment``, edited by the city
office); this module, which knows no database, asks the function installed with
``set_adjustments`` (``core.calendar`` installs it when Django starts). Without one,
only the library and the weekends count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from functools import lru_cache

# year -> {date: True (a working day) | False (a day off)}
AdjustmentSource = Callable[[int], Mapping[dt.date, bool]]
_source: AdjustmentSource | None = None


def set_adjustments(source: AdjustmentSource | None) -> AdjustmentSource | None:
    """Install the year's adjustments (None: none); returns the previous source."""
    global _source
    previous, _source = _source, source
    return previous


@lru_cache(maxsize=64)
def _holidays_of(year: int, language: str = "vi") -> dict[dt.date, str]:
    # Imported on first use: most processes (an import, an export) never count working
    # days, and the library's country tables take ~0.05 s to load (issue 22).
    import holidays

    return dict(holidays.country_holidays("VN", years=year, language=language))


def library_holiday(day: dt.date, language: str = "vi") -> str | None:
    """The ``holidays`` library's name for ``day`` (in ``language``: "vi" or "en_US") when it
    lists it as a day off, else None."""
    return _holidays_of(day.year, language).get(day)


def library_working_day(day: dt.date) -> bool:
    """What the library and the weekends alone say (before the adjustments)."""
    return day.weekday() < 5 and day not in _holidays_of(day.year)


def adjustment(day: dt.date) -> bool | None:
    """The adjustment for ``day``: True (worked), False (off) or None (none)."""
    if _source is None:
        return None
    return _source(day.year).get(day)


def is_working_day(day: dt.date) -> bool:
    adjusted = adjustment(day)
    if adjusted is not None:
        return adjusted
    return library_working_day(day)


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date ``days`` working days after ``start`` (``start`` itself not counted)."""
    if days < 0:
        raise ValueError("days must be >= 0")
    current = start
    remaining = days
    while remaining:
        current += dt.timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 if end <= start)."""
    count = 0
    current = start
    while current < end:
        current += dt.timedelta(days=1)
        if is_working_day(current):
            count += 1
    return count


def days_off(year: int, language: str = "vi") -> list[tuple[dt.date, str]]:
    """Every weekday of ``year`` that is not a working day, with the library's name ("" if none)."""
    out = []
    day = dt.date(year, 1, 1)
    while day.year == year:
        if day.weekday() < 5 and not is_working_day(day):
            out.append((day, library_holiday(day, language) or ""))
        day += dt.timedelta(days=1)
    return out
