"""Working-day arithmetic with Vietnam's public holidays (Tết included).

Deadlines in the regulations are in working days ("60 ngày làm việc").
Holidays come from the maintained ``holidays`` library (lunar Tết, Hùng
Kings, 30/4, 1/5, 2/9 and the government's substituted days off); we never
hand-write the calendar. Saturdays and Sundays are not working days.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _holidays_of(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("VN", years=year).keys())


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _holidays_of(day.year)


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
