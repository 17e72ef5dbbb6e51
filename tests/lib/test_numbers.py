"""One way to write numbers in documents: counts as integers, shares half-up to 2 decimals."""

from __future__ import annotations

from decimal import Decimal

import pytest

from chibo.lib.numbers import count_value, percent, round_pct, vn_int, vn_pct, whole_number

pytestmark = pytest.mark.database_free


def test_the_directive_footnote_share_rounds_half_up() -> None:
    # 1000 students of 20,637 admissions: 4.8456…% is 4,85% (truncation gave 4,84%).
    assert percent(1000, 20637) == Decimal("4.85")
    assert vn_pct(percent(1000, 20637)) == "4,85%"
    assert vn_pct(percent(65, 20637)) == "0,31%"
    assert vn_pct(percent(1065, 20637)) == "5,16%"


def test_one_in_seven_is_14_29() -> None:
    assert vn_pct(percent(1, 7)) == "14,29%"


def test_half_way_rounds_up_not_to_even() -> None:
    assert round_pct(Decimal("4.845")) == Decimal("4.85")
    assert round_pct(0.125) == Decimal("0.13")
    assert round_pct("2.675") == Decimal("2.68")  # the float 2.675 is 2.67499…; text is exact


def test_no_total_gives_zero_share() -> None:
    assert percent(0, 0) == Decimal("0.00")


def test_thousands_in_shares_and_counts() -> None:
    assert vn_pct(Decimal("1234.5")) == "1.234,50%"
    assert vn_int(20637) == "20.637"


@pytest.mark.parametrize(("value", "expected"), [(12.0, 12), (12, 12), ("7", 7), (2.5, 2.5)])
def test_counts_are_integers_when_whole(value: object, expected: object) -> None:
    got = count_value(value)
    assert got == expected and type(got) is type(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025", 2025),
        (" 2025 ", 2025),
        (2025, 2025),
        ("-5", None),
        ("²", None),
        ("٣", None),
        ("9" * 5000, None),
        (str(10**30), None),
        ("1e3", None),
        ("", None),
        (None, None),
        (True, None),
        ("2101", None),
        ("2000", 2000),
    ],
)
def test_whole_number_takes_only_ascii_digits_within_bounds(text, expected) -> None:
    assert whole_number(text, low=2000, high=2100) == expected
