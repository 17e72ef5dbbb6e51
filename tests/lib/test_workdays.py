from __future__ import annotations

import datetime as dt

import pytest

from chibo.lib.workdays import add_working_days, is_working_day, working_days_between

pytestmark = pytest.mark.database_free

D = dt.date


def test_tet_2026_is_not_working_days() -> None:
    # Lunar New Year 2026: 16–20 February (Mon–Fri).
    assert not any(is_working_day(D(2026, 2, day)) for day in range(16, 21))
    assert is_working_day(D(2026, 2, 13)) and is_working_day(D(2026, 2, 23))


def test_deadline_across_tet_skips_the_holiday_week() -> None:
    # From Friday 13/2/2026, 1 working day later is Monday 23/2 (the week of Tết is off).
    assert add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 23)
    assert working_days_between(D(2026, 2, 13), D(2026, 2, 23)) == 1


def test_weekends_are_skipped() -> None:
    assert add_working_days(D(2025, 6, 6), 1) == D(2025, 6, 9)  # Friday → Monday
    assert add_working_days(D(2025, 6, 9), 0) == D(2025, 6, 9)


def test_national_day_and_reunification_day() -> None:
    assert not is_working_day(D(2025, 9, 2)) and not is_working_day(D(2025, 4, 30))


def test_adjustments_sit_on_top_of_the_library() -> None:
    """A make-up Saturday counts, a swapped weekday does not; without a source, the library."""
    from chibo.lib import workdays

    assert add_working_days(D(2025, 4, 10), 30) == D(2025, 5, 27)  # the library alone
    swaps = {D(2025, 4, 26): True, D(2025, 5, 2): False, D(2026, 11, 24): True}
    previous = workdays.set_adjustments(
        lambda year: {d: w for d, w in swaps.items() if d.year == year}
    )
    try:
        assert is_working_day(D(2025, 4, 26)) and not is_working_day(D(2025, 5, 2))
        assert add_working_days(D(2025, 4, 10), 30) == D(2025, 5, 26)
        assert workdays.library_holiday(D(2026, 11, 24)) and is_working_day(D(2026, 11, 24))
        assert D(2026, 11, 24) not in [d for d, _n in workdays.days_off(2026)]
        assert working_days_between(D(2025, 4, 25), D(2025, 4, 28)) == 2  # Saturday and Monday
    finally:
        workdays.set_adjustments(previous)
    assert not is_working_day(D(2025, 4, 26))
