from __future__ import annotations

import datetime as dt

from chibo.lib.workdays import add_working_days, is_working_day, working_days_between

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
