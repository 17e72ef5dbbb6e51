from __future__ import annotations

import datetime as dt

from chibo.lib.dates import add_months, full_months_between


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2023, 3, 15), 12) == dt.date(2024, 3, 15)
    assert add_months(dt.date(2024, 12, 5), -12) == dt.date(2023, 12, 5)


def test_full_months_between_counts_whole_months_only() -> None:
    born = dt.date(2006, 5, 17)
    assert full_months_between(born, dt.date(2024, 5, 16)) == 12 * 18 - 1
    assert full_months_between(born, dt.date(2024, 5, 17)) == 12 * 18
