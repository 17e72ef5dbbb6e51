"""Template filters: numbers in the user's language (``1.065``, ``5,16%``), months and periods as read."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils.formats import number_format

from chibo.core.names import person_name
from chibo.lib.numbers import count_value, round_pct
from chibo.lib.text import mask as mask_value

register = template.Library()


def _number(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


@register.filter
def num(value: Any, decimal_pos: int | None = None) -> str:
    """``1065`` → ``1.065`` (vi) / ``1,065`` (en); ``{{ x|num:2 }}`` for two decimals.

    A whole number is written without decimals (``12.0`` → ``12``): counts are integers.
    """
    number = _number(value)
    if number is None:
        return "" if value is None else str(value)
    if decimal_pos is None and isinstance(count_value(number), int):
        number = Decimal(int(number))
    return number_format(number, decimal_pos, use_l10n=True, force_grouping=True)


@register.filter
def pct(value: Any, decimal_pos: int = 2) -> str:
    """A percentage value (``5.16``) → ``5,16%`` (vi) / ``5.16%`` (en), rounded half-up.

    (Django's ``number_format`` cuts the digits: 14.2857 would read 14,28%.)
    """
    number = _number(value)
    if number is None:
        return ""
    if decimal_pos == 2:
        number = round_pct(number)
    else:
        number = number.quantize(Decimal(1).scaleb(-decimal_pos), rounding=ROUND_HALF_UP)
    return number_format(number, decimal_pos, use_l10n=True, force_grouping=True) + "%"


@register.filter
def mask(value: Any) -> str:
    """Hide most of a sensitive value (``0912345689`` → ``0*******89``)."""
    return mask_value(str(value or ""))


@register.filter
def period(value: Any) -> str:
    """A month or period key as people read it: ``2026-04`` → ``04/2026``, ``2026-Q3`` → ``quý III/2026``."""
    from chibo.core import periods

    return periods.label(value)


@register.filter(name="periods")
def periods_filter(values: Any) -> str:
    """A list of months or periods, comma-separated (``04/2026, 06/2026``)."""
    from chibo.core import periods

    return periods.labels(values or [])


@register.filter
def person(user: Any) -> str:
    """A user by full name (``core.names.person_name``): "Lê Văn Hùng", not "cosoviec"."""
    return person_name(user)
