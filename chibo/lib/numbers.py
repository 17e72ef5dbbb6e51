"""Numbers as Party documents and reports write them: ``1.065`` and ``5,16%``.

One rule for every share chibo prints: a percentage is rounded half-up to
two decimals (``1000 / 20 637`` → ``4,85%``, as the footnote of directive
1000-CV/TU writes it; ``1 / 7`` → ``14,29%``), never truncated, never
rounded to even. Counts are whole numbers (``12``, never ``12,0``).

Pure helpers, no Django: the template filters (``core/templatetags``), the
DOCX writers and the XLSX writers all call these.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def _decimal(value: Any) -> Decimal:
    """A Decimal from an int, Decimal, text or float (a float through its shortest text form)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(str(value))


def round_pct(value: Any) -> Decimal:
    """A percentage (``4.8456…``) rounded half-up to 2 decimals (``4.85``)."""
    return _decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def percent(part: Any, whole: Any) -> Decimal:
    """``part`` as a percentage of ``whole``, half-up to 2 decimals; 0 when ``whole`` is 0."""
    if not whole:
        return Decimal("0.00")
    return round_pct(_decimal(part) * HUNDRED / _decimal(whole))


def fraction(part: Any, whole: Any) -> float:
    """``part / whole`` at full precision (for a spreadsheet cell formatted ``0.00%``)."""
    return float(_decimal(part) / _decimal(whole)) if whole else 0.0


def _group(digits: str) -> str:
    """``1234567`` → ``1.234.567`` (Vietnamese groups thousands with dots)."""
    sign = "-" if digits.startswith("-") else ""
    digits = digits.lstrip("-")
    groups: list[str] = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    return sign + ".".join(groups)


def vn_int(value: Any) -> str:
    """``20637`` → ``20.637``."""
    return _group(str(int(_decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))))


def vn_decimal(value: Any, places: int = 2) -> str:
    """``1234.5`` → ``1.234,50`` (half-up to ``places`` decimals)."""
    step = Decimal(1).scaleb(-places)
    text = f"{_decimal(value).quantize(step, rounding=ROUND_HALF_UP):f}"
    whole, _dot, decimals = text.partition(".")
    return _group(whole) + ("," + decimals if places else "")


def vn_pct(value: Any) -> str:
    """A percentage value (``4.8456``) → ``4,85%``."""
    return vn_decimal(round_pct(value)) + "%"


def count_value(value: Any) -> Any:
    """A figure as a count: whole numbers become ``int`` (``12.0`` → ``12``), others stay."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    try:
        number = _decimal(value)
    except (InvalidOperation, ValueError):
        return value
    if number == number.to_integral_value():
        return int(number)
    return float(number) if isinstance(value, float | str) else value


def vn_count(value: Any) -> str:
    """A figure in a document: ``12`` → ``12``, ``1065`` → ``1.065``, ``2.5`` → ``2,5``."""
    value = count_value(value)
    if isinstance(value, int):
        return vn_int(value)
    text = f"{_decimal(value).normalize():f}"
    whole, _dot, decimals = text.partition(".")
    return _group(whole) + ("," + decimals if decimals else "")


# --- reading a whole number a person typed ---------------------------------------

_ASCII_INT = re.compile(r"-?[0-9]{1,18}")


def whole_number(text: object, *, low: int, high: int) -> int | None:
    """The integer ``text`` spells in ASCII digits if it lies in ``[low, high]``; else None.

    ``str.isdigit`` accepts ``²`` and ``٣`` (``int`` then fails on the first and
    reads the second), ``int`` refuses more than 4,300 digits, and a number
    past a 64-bit column fails in the database: a year, a score or a target
    typed in a form or a query goes through here, with the bounds its caller names.
    """
    if isinstance(text, bool):
        return None
    if isinstance(text, int):
        value = text
    else:
        raw = str(text if text is not None else "").strip()
        if not _ASCII_INT.fullmatch(raw):
            return None
        value = int(raw)
    return value if low <= value <= high else None
