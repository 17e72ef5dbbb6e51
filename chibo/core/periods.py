"""Months and reporting periods as people read them: the one formatter every page uses.

Keys stay as they are in URLs, JSON and the database (``2026-04``, ``2026-Q3``,
``2026-H1``, ``2026``); what a person reads is ``04/2026``, ``quý III/2026``,
``6 tháng đầu năm 2026``, ``năm 2026``. Template filters: ``period`` and
``periods`` (a list, comma-separated) in ``core/templatetags/chibo_tags.py``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
_KEY = re.compile(r"^(?P<year>\d{4})(?:-(?:(?P<kind>[HQ])(?P<n>\d)|(?P<month>\d{2})))?$")


def month_label(month: dt.date) -> str:
    """``04/2026``."""
    return f"{month.month:02d}/{month.year:04d}"


def quarter_label(year: int, quarter: int) -> str:
    """``quý III/2026``."""
    return _("quarter %(roman)s/%(year)s") % {"roman": ROMAN[quarter], "year": year}


def half_label(year: int, half: int) -> str:
    """``6 tháng đầu năm 2026`` / ``6 tháng cuối năm 2026``."""
    if half == 1:
        return _("first half of %(year)s") % {"year": year}
    return _("second half of %(year)s") % {"year": year}


def year_label(year: int) -> str:
    return _("year %(year)s") % {"year": year}


def label(value: Any) -> str:
    """Any month or period key (or a date: its month) as a person reads it.

    ``2026-04`` → ``04/2026``; ``2026-Q3`` → ``quý III/2026``; ``2026-H1`` → ``6 tháng đầu
    năm 2026``; ``2026`` → ``năm 2026``; ``once`` → ``một lần``. Anything else is shown as it is.
    """
    if value is None or value == "":
        return ""
    if isinstance(value, dt.date):
        return month_label(value)
    text = str(value)
    if text == "once":
        return _("one-off")
    match = _KEY.match(text)
    if match is None:
        return text
    year = int(match["year"])
    if match["month"]:
        month = int(match["month"])
        return f"{month:02d}/{year:04d}" if 1 <= month <= 12 else text
    n = int(match["n"]) if match["n"] else 0
    if match["kind"] == "Q" and n in ROMAN:
        return quarter_label(year, n)
    if match["kind"] == "H" and n in (1, 2):
        return half_label(year, n)
    if match["kind"] is None:
        return year_label(year)
    return text


def labels(values: Iterable[Any]) -> str:
    """Several months or periods, comma-separated (``04/2026, 06/2026``)."""
    return ", ".join(label(v) for v in values)
