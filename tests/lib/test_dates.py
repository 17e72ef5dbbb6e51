from __future__ import annotations

import datetime as dt

import pytest

from chibo.lib.dates import add_months, dmy, full_months_between, years_before
from chibo.lib.partydoc import BLANK_DAY, day_or_blank

pytestmark = pytest.mark.database_free


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2023, 3, 15), 12) == dt.date(2024, 3, 15)
    assert add_months(dt.date(2024, 12, 5), -12) == dt.date(2023, 12, 5)


def test_years_before_keeps_the_day_except_29_february() -> None:
    assert years_before(dt.date(2025, 6, 30), 18) == dt.date(2007, 6, 30)
    assert years_before(dt.date(2024, 2, 29), 1) == dt.date(2023, 2, 28)
    assert years_before(dt.date(2024, 2, 29), 4) == dt.date(2020, 2, 29)
    assert years_before(dt.date(2025, 1, 1), 0) == dt.date(2025, 1, 1)


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


# Apps whose dates in messages and documents all go through dmy / day_or_blank. Left:
# activity and interchange.members_import (being optimized by others in session 4).
_DMY_ONLY = [
    "accounts",
    "admissions",
    "api.py",
    "core",
    "directives",
    "home",
    "interchange",
    "orgs",
    "oversight",
    "training",
]
_DMY_PENDING = {"interchange/members_import.py"}


def test_no_inline_day_month_year_formatting_in_converted_apps() -> None:
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "chibo"
    inline = re.compile(r"""strftime\(\s*["']%d/%m/%Y["']\s*\)|:%d/%m/%Y\}""")
    found = []
    for name in _DMY_ONLY:
        base = root / name
        for path in [base] if base.is_file() else sorted(base.rglob("*.py")):
            rel = path.relative_to(root).as_posix()
            if "/migrations/" in rel or rel in _DMY_PENDING:
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if inline.search(line):
                    found.append(f"{rel}:{number}")
    assert found == [], "format dates with chibo.lib.dates.dmy: " + ", ".join(found)
