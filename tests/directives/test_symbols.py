"""Number and symbol parsing (HD 36-HD/VPTW) and reporting periods."""

from __future__ import annotations

import datetime as dt

import pytest

from chibo.directives import periods as P
from chibo.directives.symbols import SymbolError, find_symbols, format_symbol, parse_symbol

pytestmark = pytest.mark.database_free


@pytest.mark.parametrize(
    ("text", "number", "doc_type", "issuer"),
    [
        ("1000-CV/TU", 1000, "CV", "TU"),
        ("719-CV/BCSĐ", 719, "CV", "BCSĐ"),
        ("Số 719 -CV/BCSD", 719, "CV", "BCSĐ"),
        ("24-QĐ/TW", 24, "QĐ", "TW"),
        ("24-qd/tw", 24, "QĐ", "TW"),
        ("50-CTr/TU", 50, "CTr", "TU"),
        ("3296-CV/BTCTW", 3296, "CV", "BTCTW"),
        ("21-KL/TW", 21, "KL", "TW"),
        ("31-CTrHĐ/TU", 31, "CTrHĐ", "TU"),
        (" 07 - QC / TU ", 7, "QC", "TU"),
    ],
)
def test_parse_symbol(text: str, number: int, doc_type: str, issuer: str) -> None:
    symbol = parse_symbol(text)
    assert (symbol.number, symbol.doc_type, symbol.issuer) == (number, doc_type, issuer)


def test_parsed_symbols_fold_alike_with_or_without_d_stroke() -> None:
    assert parse_symbol("719 -CV/BCSD").folded == parse_symbol("719-CV/BCSĐ").folded
    assert parse_symbol("Số 719 -CV/BCSD").text == "719-CV/BCSĐ"


@pytest.mark.parametrize("text", ["", "CV/TU", "1000-CV", "abc-CV/TU", "1000/TU", "-CV/TU"])
def test_not_a_symbol(text: str) -> None:
    with pytest.raises(SymbolError):
        parse_symbol(text)


def test_numbers_below_ten_have_two_digits() -> None:
    assert format_symbol(1, "BC", "TU") == "01-BC/TU"
    assert format_symbol(10, "BC", "TU") == "10-BC/TU"


def test_find_symbols_in_running_text() -> None:
    text = (
        "thực hiện Nghị quyết số 29-NQ/TW ngày 04 tháng 11 năm 2013, Chỉ thị số 14-CT/TU và "
        "Nghị quyết số 29-NQ/TW; Chương trình hành động số 31-CTrHĐ/TU"
    )
    assert [s.text for s in find_symbols(text)] == ["29-NQ/TW", "14-CT/TU", "31-CTrHĐ/TU"]


def test_half_years_and_boundaries() -> None:
    h1 = P.period_containing(P.SEMIANNUAL, dt.date(2024, 6, 30))
    h2 = P.period_containing(P.SEMIANNUAL, dt.date(2024, 7, 1))
    assert (h1.key, h1.start, h1.end) == ("2024-H1", dt.date(2024, 1, 1), dt.date(2024, 6, 30))
    assert (h2.key, h2.start, h2.end) == ("2024-H2", dt.date(2024, 7, 1), dt.date(2024, 12, 31))
    assert P.parse_period("2024-Q3").end == dt.date(2024, 9, 30)
    assert P.parse_period("2024").end == dt.date(2024, 12, 31)
    keys = [
        p.key for p in P.periods_between(P.SEMIANNUAL, dt.date(2023, 6, 16), dt.date(2024, 7, 1))
    ]
    assert keys == ["2023-H1", "2023-H2", "2024-H1", "2024-H2"]
    for bad in ("2024-H3", "2024-Q5", "24-H1", "x"):
        with pytest.raises(ValueError):
            P.parse_period(bad)
