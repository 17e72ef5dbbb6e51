"""What every importer shares: matching headers to columns, reading cells, reporting."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.core.datefields import no_such_date_message
from chibo.interchange import columns as C
from chibo.interchange.reader import Table
from chibo.interchange.report import ImportResult, Problem
from chibo.lib.dates import NoSuchDate, dmy

# Two-digit years: the years a column's dates are plausibly in (issue 23). Births
# 1950–2010; other past dates from the Party's founding to today.
BIRTH_YEARS = (1950, 2010)
BIRTH_COLUMNS = ("ngay_sinh",)


def year_window(column: str, past: bool, today: dt.date) -> tuple[int, int]:
    if column in BIRTH_COLUMNS:
        return BIRTH_YEARS
    if past:
        return (1930, today.year)
    return (today.year - 30, today.year + 30)


class Rollback(Exception):
    """Raised inside the import transaction to undo it (dry run, or a service refused a row)."""


class Columns:
    """Positions of the known columns in a table; reports unknown, duplicate and missing ones."""

    def __init__(self, table: Table, kind: str, result: ImportResult) -> None:
        self.table = table
        self.result = result
        known = {col.name: col for col in C.COLUMNS[kind]}
        self.index: dict[str, int] = {}
        for pos, (key, raw) in enumerate(zip(table.keys, table.headers, strict=True)):
            if not key:
                continue
            if key not in known:
                result.add(
                    Problem(
                        table.sheet,
                        table.header_row,
                        raw,
                        "",
                        _("Unknown column: it is ignored."),
                        fatal=False,
                    )
                )
            elif key in self.index:
                result.add(
                    Problem(table.sheet, table.header_row, raw, "", _("This column appears twice."))
                )
            else:
                self.index[key] = pos
        for col in C.COLUMNS[kind]:
            if col.required and col.name not in self.index:
                result.add(
                    Problem(
                        table.sheet,
                        table.header_row,
                        col.name,
                        "",
                        _(
                            "No column of the file is matched to the required field %(column)s. "
                            "Match one of the file's columns to it (the column mapping step, or "
                            "--map), or add the column to the file."
                        )
                        % {"column": f"«{col.header}» ({col.name})"},
                    )
                )

    def has(self, name: str) -> bool:
        return name in self.index

    def names(self) -> list[str]:
        """The column name at each position (a position no column reads: a name no one asks)."""
        width = max(self.index.values(), default=-1) + 1
        out = [f"\x00{pos}" for pos in range(width)]
        for name, pos in self.index.items():
            out[pos] = name
        return out

    def getter(self, row: list[Any]) -> Callable[[str], Any]:
        size = len(row)

        def get(name: str) -> Any:
            pos = self.index.get(name)
            if pos is None or pos >= size:
                return ""
            return row[pos]

        return get


class RowReader:
    """Reads typed cells of one row, recording a Vietnamese message for each bad one."""

    def __init__(
        self,
        result: ImportResult,
        sheet: str,
        number: int,
        get: Callable[[str], Any],
        today: dt.date | None = None,
    ) -> None:
        self.today = today or timezone.localdate()
        self.result = result
        self.sheet = sheet
        self.number = number
        self.get = get
        self.bad = False

    def error(self, column: str, message: str, value: Any = "") -> None:
        self.bad = True
        self.result.add(Problem(self.sheet, self.number, column, C.text(value)[:200], message))

    def warn(self, column: str, message: str, value: Any = "") -> None:
        """Unusual, not wrong: shown by the check (a warning), the row is still imported."""
        self.result.add(
            Problem(self.sheet, self.number, column, C.text(value)[:200], message, fatal=False)
        )

    def text(self, column: str, *, required: bool = False, max_length: int = 255) -> str:
        value = C.text(self.get(column))
        if required and not value:
            self.error(column, _("This value is required."))
        elif len(value) > max_length:
            self.error(column, _("Too long (at most %(n)s characters).") % {"n": max_length}, value)
            return value[:max_length]
        return value

    def date(self, column: str, *, required: bool = False, past: bool = True) -> dt.date | None:
        raw = self.get(column)
        try:
            value = C.date(raw)
        except C.TwoDigitYear as exc:
            value = self._century(column, exc, past)
            if value is None:
                return None
        except C.NoSuchDay as exc:
            self.error(column, no_such_date_message(exc.cause), raw)
            return None
        except C.BadValue:
            self.error(column, _("Not a valid date: write it as dd/mm/yyyy."), raw)
            return None
        if value is None:
            if required:
                self.error(column, _("This value is required."))
            return None
        if value.year < 1900:
            self.error(column, _("The date is too far in the past."), raw)
            return None
        if past and value > self.today:
            self.error(column, _("The date cannot be in the future."), raw)
            return None
        return value

    def _century(self, column: str, two: C.TwoDigitYear, past: bool) -> dt.date | None:
        """``5/9/03``: 1903 or 2003, whichever is plausible for the column; both → an error naming them."""
        low, high = year_window(column, past, self.today)
        readings = []
        for century in (1900, 2000):
            try:
                readings.append(dt.date(century + two.yy, two.month, two.day))
            except ValueError:
                continue
        if not readings:
            self.error(
                column,
                no_such_date_message(NoSuchDate(two.day, two.month, 2000 + two.yy)),
                two.raw,
            )
            return None
        plausible = [d for d in readings if low <= d.year <= high]
        if not plausible:
            plausible = [d for d in readings if not past or d <= self.today]
        if len(plausible) == 1:
            return plausible[0]
        self.error(
            column,
            _(
                "The year has two digits: %(raw)s can be read as %(first)s or %(second)s. "
                "Write the year with four digits."
            )
            % {
                "raw": two.raw,
                "first": dmy(readings[0]),
                "second": dmy(readings[-1]),
            },
            two.raw,
        )
        return None

    def digits(self, column: str, *, max_length: int, kind: str) -> str:
        """A number kept as text: leading zeros Excel dropped from a numeric cell come back.

        ``kind`` "citizen_id": 10–11 digits → 12 (CCCD), 8 → 9 (old ID card);
        "phone": 9 digits → a leading 0.
        """
        raw = self.get(column)
        if isinstance(raw, float) and raw.is_integer() and raw >= 0:
            raw = int(raw)
        if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
            text = str(raw)
            if kind == "citizen_id" and len(text) in (10, 11):
                text = text.zfill(12)
            elif kind == "citizen_id" and len(text) == 8:
                text = text.zfill(9)
            elif kind == "phone" and len(text) == 9:
                text = "0" + text
            if len(text) > max_length:
                self.error(
                    column, _("Too long (at most %(n)s characters).") % {"n": max_length}, text
                )
                return text[:max_length]
            return text
        return self.text(column, max_length=max_length)

    def vocab(self, column: str, vocab: str, *, required: bool = False) -> str:
        raw = C.text(self.get(column))
        if not raw:
            if required:
                self.error(column, _("This value is required."))
            return ""
        value = C.vocab_value(vocab, raw)
        if value is None:
            choices = ", ".join(C.VOCABS[vocab])
            self.error(
                column, _("Unknown value; choose one of: %(choices)s.") % {"choices": choices}, raw
            )
            return ""
        return value
