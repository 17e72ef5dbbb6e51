from __future__ import annotations

import datetime as dt

from chibo.lib.dates import add_months, dmy, full_months_between
from chibo.lib.partydoc import BLANK_DAY, day_or_blank


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2023, 3, 15), 12) == dt.date(2024, 3, 15)
    assert add_months(dt.date(2024, 12, 5), -12) == dt.date(2023, 12, 5)


def test_full_months_between_counts_whole_months_only() -> None:
    born = dt.date(2006, 5, 17)
    assert full_months_between(born, dt.date(2024, 5, 16)) == 12 * 18 - 1
    assert full_months_between(born, dt.date(2024, 5, 17)) == 12 * 18


def test_dmy_is_the_one_day_month_year_formatter() -> None:
    assert dmy(dt.date(2024, 2, 9)) == "09/02/2024"
    assert dmy(None) == "" and dmy(None, "…") == "…"
    # A Party document leaves the blank a person fills in by hand.
    assert day_or_blank(dt.date(2025, 12, 31)) == "31/12/2025"
    assert day_or_blank(None) == BLANK_DAY == "[ngày/tháng/năm]"
