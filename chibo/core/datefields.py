"""Dates and months as people type them, with a message that says what is wrong.

``31/02/2024`` is written correctly but does not exist: the message says so
(and how many days that month has) instead of asking for another format. One
reader (``chibo.lib.dates.parse_day`` / ``parse_month``) behind the forms'
``DayField`` and ``MonthField``, the API's date errors (``apitools``) and the
imports (``interchange.columns``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from chibo.lib.dates import BadDate, NoSuchDate, parse_day, parse_month

DATE_FORMAT_MESSAGE = _l("Enter the date as dd/mm/yyyy, e.g. 01/07/2025.")
MONTH_FORMAT_MESSAGE = _l("Enter the month as mm/yyyy, e.g. 09/2026.")


def no_such_date_message(exc: NoSuchDate) -> str:
    """``Ngày 31/02/2024 không tồn tại: tháng 02/2024 chỉ có 29 ngày.``"""
    if not exc.day:
        return _("Month %(month)s does not exist: a year has 12 months.") % {"month": str(exc)}
    if not exc.days_in_month:
        return _("%(date)s does not exist: a year has 12 months.") % {"date": str(exc)}
    return _("%(date)s does not exist: %(month)s has only %(days)s days.") % {
        "date": str(exc),
        "month": f"{exc.month:02d}/{exc.year:04d}",
        "days": exc.days_in_month,
    }


def day_or_message(text: str) -> tuple[dt.date | None, str]:
    """The day ``text`` names, or None and the message to show."""
    try:
        return parse_day(text), ""
    except NoSuchDate as exc:
        return None, no_such_date_message(exc)
    except BadDate:
        return None, str(DATE_FORMAT_MESSAGE)


class DayField(forms.DateField):
    """A date typed as dd/mm/yyyy (or yyyy-mm-dd); a day that does not exist says so."""

    def to_python(self, value: Any) -> dt.date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        day, message = day_or_message(str(value))
        if day is None:
            raise ValidationError(message, code="invalid")
        return day


class MonthField(forms.CharField):
    """A month typed as mm/yyyy (or yyyy-mm); cleaned to its first day."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 7)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={
                    "placeholder": "mm/yyyy",
                    "inputmode": "numeric",
                    "autocomplete": "off",
                    "size": 8,
                }
            ),
        )
        super().__init__(**kwargs)

    def clean(self, value: Any) -> dt.date | None:
        text = (super().clean(value) or "").strip()
        if not text:
            return None
        try:
            return parse_month(text)
        except NoSuchDate as exc:
            raise ValidationError(no_such_date_message(exc), code="invalid") from None
        except BadDate:
            raise ValidationError(MONTH_FORMAT_MESSAGE, code="invalid") from None
