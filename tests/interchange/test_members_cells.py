"""The member import's quiet path (interchange.members_cells) reads a row as parse_row does.

For every row, either the quiet path hands it to ``parse_row`` (None), or ``parse_row`` reads
the very same MemberRow from it without a problem, error or warning. Rows: the benchmark's
(all of them must take the quiet path), then each of them with one cell changed to what
people and spreadsheets put in cells (blanks, spaces, other spellings, numbers, dates as
dates, two-digit years, far and future dates, codes of orgs that are no cell, closed, or
outside the importer's scope, texts too long, other statuses), short rows, files lacking
optional columns or holding unknown ones.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest

from bench.import_data import HEADER
from bench.import_data import rows as bench_rows
from chibo.core.roles import Role
from chibo.interchange.common import Columns, RowReader
from chibo.interchange.members_cells import row_parser
from chibo.interchange.members_import import Context, parse_row
from chibo.interchange.reader import Table
from chibo.interchange.report import ImportResult
from chibo.orgs.models import Org, OrgKind
from tests import factories as f

pytestmark = pytest.mark.django_db

VARIANTS: list[Any] = [
    "",
    "   ",
    None,
    0,
    1.0,
    True,
    "x" * 130,
    "x" * 600,
    "  Kinh  ",
    "Tày",
    "nam",
    "NỮ",
    "Nu",
    "female",
    "Sinh viên",
    "sinh vien",
    "Giáo viên",
    "Hưu trí",
    "BK-SV1",
    "BK",
    "Q1-P1",
    "CLOSED",
    "NOPE",
    "Đang sinh hoạt",
    "Miễn sinh hoạt",
    "Đã chuyển đi",
    "Xóa tên",
    "01/01/1899",
    "31/02/2020",
    "5/9/03",
    "05/09/2003",
    " 05 / 09 / 2003 ",
    "05/09/2003 00:00:00",
    "2003-09-05",
    "37869",
    37869,
    37869.0,
    dt.date(2003, 9, 5),
    dt.datetime(2003, 9, 5, 0, 0),
    "01/01/2090",
    "01/06/2026",
    "11/04/2020",
    "11/04/2021",
    "079201001234",
    79201001234,
    912345678,
    "'=1+1",
    "Tra\u0300n Thi\u0323 Bi\u0300nh",  # NFD: combining marks
    "  Trần   Thị  Bình ",
    "DV00000000",
    "khong ro",
]


def _compare(ctx: Context, cols: Columns, rows: list[tuple[int, list[Any]]]) -> int:
    """Asserts the rule of the module docstring; returns how many rows took the quiet path."""
    quiet = row_parser(ctx, cols)
    names = cols.names()
    taken = 0
    for number, cells in rows:
        fast = quiet(number, list(cells))
        result = ImportResult(kind="members", dry_run=True)
        rr = RowReader(result, "csv", number, dict(zip(names, cells, strict=False)).get, ctx.today)
        slow = parse_row(rr, ctx, cols)
        if fast is not None:
            taken += 1
            assert result.problems == [], (cells, result.problems)
            assert slow == fast, cells
    return taken


def _columns(header: list[str]) -> Columns:
    table = Table(sheet="csv", headers=header, keys=list(header), rows=iter([]))
    cols = Columns(table, "members", ImportResult(kind="members", dry_run=True))
    return cols


@pytest.fixture
def closed(tree) -> Org:
    return f.org("CLOSED", "Chi bộ đã giải thể", OrgKind.GRASSROOTS_CELL, tree["district"])


def test_the_quiet_path_reads_every_row_as_parse_row_does(tree, closed) -> None:
    Org.objects.filter(pk=closed.pk).update(closed_on=dt.date(2024, 1, 1))
    ctx = Context(None)
    cols = _columns(HEADER)
    clean = [(n + 2, row) for n, row in enumerate(bench_rows(300, seed=3))]
    assert _compare(ctx, cols, clean) == len(clean)  # the benchmark's rows: all quiet

    rng = random.Random(22)
    changed = []
    for number, row in clean[:60]:
        for pos in range(len(HEADER)):
            for value in rng.sample(VARIANTS, 12):
                cells = list(row)
                cells[pos] = value
                changed.append((number, cells))
    changed += [(n, row[:k]) for (n, row), k in zip(clean[60:120], range(1, 61), strict=False)]
    changed += [(n, [*row, "thêm", ""]) for n, row in clean[120:140]]
    taken = _compare(ctx, cols, changed)
    assert 0 < taken < len(changed)


def test_the_quiet_path_with_columns_missing_or_unknown(tree) -> None:
    ctx = Context(None)
    rows = bench_rows(120, seed=5)
    keep = [h for h in HEADER if h not in ("dan_toc", "so_the_dang", "ly_do", "ma_to_chuc_ket_nap")]
    header = ["ghi_chu", *keep, "so_quyet_dinh"]
    cols = _columns(header)
    table_rows = []
    for n, row in enumerate(rows):
        by_name = dict(zip(HEADER, row, strict=True))
        cells = ["một ghi chú", *(by_name[h] for h in keep), f"QĐ-{n}" if n % 2 else ""]
        table_rows.append((n + 2, cells))
    # Rows admitted in another cell name it in the column this file lacks: parse_row's
    # reading of them (their category at admission is then refused or not) decides.
    assert _compare(ctx, cols, table_rows) > 60


def test_the_quiet_path_keeps_the_importers_scope(tree) -> None:
    secretary = f.user("bithu", Role.CELL_SECRETARY, tree["cell_a"])
    ctx = Context(secretary)
    cols = _columns(HEADER)
    rows = [(n + 2, row) for n, row in enumerate(bench_rows(90, seed=4))]
    taken = _compare(ctx, cols, rows)
    # Only the student cell's rows are the secretary's: the others are refused by parse_row.
    assert taken == sum(1 for _n, row in rows if row[HEADER.index("ma_to_chuc")] == "BK-SV1")
