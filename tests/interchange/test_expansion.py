"""Files that are small on disk and huge once read: refused before any parser builds them.

The review's file (one ~10 MB shared string referenced by 152 cells, 12 KB
zipped) drove `chibo import` to 2 GB; two far-apart cells make calamine hold
a 4.5 GB rectangle. Each variant below is written the way a hostile file
would be (namespace prefixes, cells without positions, self-closing strings,
CDATA …) so that both the fast path and the exact XML parser are exercised.
"""

# The subprocess runs our own console script with fixed arguments.
# ruff: noqa: S603
from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import translation

from chibo.interchange import xlsx_guard
from chibo.interchange.reader import CSV_LINE_MAX, FileRefused, open_table
from chibo.interchange.services import import_file
from chibo.members.models import Member
from tests.interchange.helpers import (
    MEMBER_HEADER,
    header_row,
    member_row,
    raw_xlsx,
    shared_string_bomb,
    write_csv,
    write_xlsx,
)

ROOT = Path(__file__).resolve().parents[2]
SAFETY = r"an toàn"


@pytest.fixture(autouse=True)
def _vietnamese() -> Iterator[None]:
    with translation.override("vi"):
        yield


@pytest.fixture
def no_calamine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refused means refused before calamine reads anything."""
    import python_calamine

    class Forbidden:
        @classmethod
        def from_path(cls, *args: object, **kwargs: object) -> None:
            raise AssertionError("calamine opened a file the guard should have refused")

    monkeypatch.setattr(python_calamine, "CalamineWorkbook", Forbidden)


def _peak_of_command(tmp_path: Path, *args: str) -> dict:
    """Run ``chibo ARGS`` in a child; its peak RSS comes from RUSAGE_CHILDREN of a fresh parent."""
    probe = (
        "import json, resource, subprocess, sys, time\n"
        "start = time.monotonic()\n"
        "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "usage = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "print(json.dumps({'code': done.returncode, 'out': done.stdout + done.stderr,\n"
        "  'peak_mb': usage.ru_maxrss / 1024, 'cpu_s': usage.ru_utime + usage.ru_stime,\n"
        "  'wall_s': time.monotonic() - start}))\n"
    )
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        "CHIBO_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "chibo.settings",
    }
    chibo = [sys.executable, "-m", "chibo", *args]
    out = subprocess.run(
        [sys.executable, "-c", probe, *chibo],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    ).stdout
    return json.loads(out.splitlines()[-1])


def test_review_bomb_is_refused_by_the_cli_with_bounded_memory(tmp_path) -> None:
    bomb = shared_string_bomb(tmp_path / "bomb.xlsx")
    assert bomb.stat().st_size < 16 * 1024
    run = _peak_of_command(tmp_path, "import", "members", str(bomb), "--dry-run")
    print(
        f"\nbomb {bomb.stat().st_size} B: exit {run['code']}, peak {run['peak_mb']:.0f} MB, "
        f"cpu {run['cpu_s']:.1f} s, wall {run['wall_s']:.1f} s"
    )
    assert run["code"] == 1
    assert SAFETY in run["out"] and "32.767" in run["out"]
    assert "Traceback" not in run["out"]
    assert run["peak_mb"] < 300  # it took 2.0 GB before the guard


def test_review_bomb_refused_before_calamine(tmp_path, no_calamine) -> None:
    with pytest.raises(FileRefused, match=SAFETY):
        open_table(shared_string_bomb(tmp_path / "bomb.xlsx"), "members")


def _far_cells(first: str, far: str) -> str:
    return (
        header_row(MEMBER_HEADER[:2])
        + f'<row r="2"><c r="{first}"><v>1</v></c></row>'
        + f'<row r="3"><c r="{far}"><v>1</v></c></row>'
    )


# Every file here would take gigabytes in calamine; each must be refused unread.
HOSTILE = {
    # the extent: a rectangle of 200,000 × 702 cells from two cells
    "far_cell": lambda: (_far_cells("A2", "ZZ200000"), ["x"]),
    "far_cell_lowercase": lambda: (_far_cells("A2", "zz200000"), ["x"]),
    "far_cell_in_a_near_row": lambda: (
        header_row(["a"]) + '<row r="2"><c r="A2"><v>1</v></c><c r="ZZ200000"><v>1</v></c></row>',
        ["x"],
    ),
    "far_cell_position_not_first": lambda: (
        header_row(["a"]) + '<row r="2"><c s="0" r="ZZ200000"><v>1</v></c></row>',
        ["x"],
    ),
    "far_cell_single_quotes": lambda: (
        header_row(["a"]) + "<row r='2'><c r='ZZ200000'><v>1</v></c></row>",
        ["x"],
    ),
    "far_cell_tab_before_position": lambda: (
        header_row(["a"]) + '<row r="2"><c\tr="ZZ200000"><v>1</v></c></row>',
        ["x"],
    ),
    "far_cell_prefixed": lambda: (
        header_row(["a"]) + '<x:row r="2"><x:c r="ZZ200000"><x:v>1</x:v></x:c></x:row>',
        ["x"],
    ),
    # cells without positions: one long row and one tall column (16,000 × 16,000)
    "long_row_and_tall_column": lambda: (
        "<row>" + "<c><v>1</v></c>" * 16_000 + "</row>" + "<row><c><v>1</v></c></row>" * 16_000,
        ["x"],
    ),
    # shared strings: each cell copies the string
    "long_strings_many_references": lambda: (
        header_row(["a"])
        + "".join(f'<row r="{n}"><c r="A{n}" t="s"><v>0</v></c></row>' for n in range(2, 30_002)),
        ["B" * 32_000],
    ),
    "bomb_in_prefixed_tags": lambda: (
        "".join(
            f'<x:row r="{n}"><x:c r="A{n}" t="s"><x:v>0</x:v></x:c></x:row>' for n in range(1, 153)
        ),
        ["A" * 10_000_000],
    ),
    "bomb_behind_self_closed_strings": lambda: (
        "".join(f'<row r="{n}"><c r="A{n}" t="s"><v>3</v></c></row>' for n in range(1, 153)),
        f'<sst xmlns="{xlsx_guard.NS_MAIN}"><si/><si/><si/><si><t>{"A" * 10_000_000}</t></si></sst>',
    ),
    "bomb_in_cdata": lambda: (
        "".join(f'<row r="{n}"><c r="A{n}" t="s"><v>0</v></c></row>' for n in range(1, 153)),
        f'<sst xmlns="{xlsx_guard.NS_MAIN}"><si><t><![CDATA[{"A" * 10_000_000}]]></t></si></sst>',
    ),
    "bomb_in_rich_text_runs": lambda: (
        "".join(f'<row r="{n}"><c r="A{n}" t="s"><v>0</v></c></row>' for n in range(1, 153)),
        f'<sst xmlns="{xlsx_guard.NS_MAIN}"><si>'
        + "<r><t>"
        + "A" * 20_000
        + "</t></r>" * 1
        + "<r><t>"
        + "A" * 20_000
        + "</t></r>"
        + "</si></sst>",
    ),
    "entity_in_a_dtd": lambda: (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&big;</t></is></c></row>',
        ["x"],
    ),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_workbooks_are_refused_unread(tmp_path, no_calamine, name) -> None:
    sheet, shared = HOSTILE[name]()
    attrs = f' xmlns:x="{xlsx_guard.NS_MAIN}"'
    path = raw_xlsx(tmp_path / f"{name}.xlsx", sheet, shared, root_attrs=attrs)
    if name == "entity_in_a_dtd":
        with zipfile.ZipFile(path) as zf:
            parts = {info.filename: zf.read(info) for info in zf.infolist()}
        dtd = b'<!DOCTYPE worksheet [<!ENTITY big "' + b"A" * 1000 + b'">]>'
        parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(
            b"?><worksheet", b"?>" + dtd + b"<worksheet"
        )
        with zipfile.ZipFile(path, "w") as zf:
            for part, data in parts.items():
                zf.writestr(part, data)
    assert path.stat().st_size < 200_000
    with pytest.raises(FileRefused) as refused:
        open_table(path, "members")
    assert "an toàn" in str(refused.value) or "an toàn" in str(refused.value).lower()


def test_duplicate_part_names_are_refused(tmp_path, no_calamine) -> None:
    path = raw_xlsx(tmp_path / "dup.xlsx", header_row(["a"]), ["x"])
    with (
        pytest.warns(UserWarning, match="Duplicate name"),
        zipfile.ZipFile(path, "a") as zf,
    ):
        zf.writestr("xl/sharedStrings.xml", "<sst/>")
    with pytest.raises(FileRefused, match=SAFETY):
        open_table(path, "members")


def test_cell_at_excels_limit_is_read_and_one_more_character_is_refused(tmp_path) -> None:
    at_limit = raw_xlsx(
        tmp_path / "ok.xlsx",
        header_row(["ma_dang_vien", "ho_ten"]) + '<row r="2"><c r="B2" t="s"><v>0</v></c></row>',
        ["ă" * 32_767],
    )
    table = open_table(at_limit, "members")
    assert [len(cells[1]) for _n, cells in table.rows] == [32_767]
    over = raw_xlsx(
        tmp_path / "over.xlsx",
        header_row(["ma_dang_vien", "ho_ten"]) + '<row r="2"><c r="B2" t="s"><v>0</v></c></row>',
        ["ă" * 32_768],
    )
    with pytest.raises(FileRefused, match=r"32\.767"):
        open_table(over, "members")


@pytest.mark.django_db
def test_ordinary_workbooks_pass_and_both_paths_agree(tree, tmp_path) -> None:
    rows = [member_row(f"DV{i}", ho_ten=f"Nguyễn Văn {i} & <Bình>") for i in range(40)]
    path = write_xlsx(tmp_path / "ok.xlsx", MEMBER_HEADER, rows)
    result = import_file(actor=None, kind="members", path=path, dry_run=True)
    assert result.ok and result.created == 40
    with zipfile.ZipFile(path) as zf:
        part = dict(xlsx_guard.worksheets(zf))["dang_vien"]
        strings = xlsx_guard.shared_strings(zf)
        with zf.open(part) as fh:
            fast = xlsx_guard._sheet_fast(fh)
        with zf.open(part) as fh:
            exact = xlsx_guard._sheet_exact(fh, strings)
    assert fast is not None, "openpyxl's sheet takes the fast path"
    assert fast.cells == exact.cells and fast.rectangle >= exact.rectangle > 0
    # The same workbook written with shared strings, as Excel writes it.
    shared = [member_row(f"DV{i}")["ho_ten"] for i in range(3)]
    excel_like = raw_xlsx(
        tmp_path / "sst.xlsx",
        header_row(["ma_dang_vien", "ho_ten"])
        + "".join(
            f'<row r="{n}" spans="1:2"><c r="A{n}" s="1" t="s"><v>{n % 3}</v></c>'
            f'<c r="B{n}" t="s"><v>{n % 3}</v></c></row>'
            for n in range(2, 200)
        ),
        shared,
    )
    with zipfile.ZipFile(excel_like) as zf:
        inspection = xlsx_guard.inspect(zf, lambda names: names[0])
    assert inspection.formulas == [] and 0 < inspection.expanded < 1024 * 1024


def test_formula_cell_in_a_read_column_is_refused_naming_the_cell(tmp_path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "dang_vien"
    ws.append([*MEMBER_HEADER, "ghi_chu_rieng"])
    ws.append([member_row("DV1")[h] for h in MEMBER_HEADER] + ["=1+1"])  # an unread column
    ws.append([member_row("DV2")[h] for h in MEMBER_HEADER] + [""])
    ws["B3"] = '=HYPERLINK("http://example.com","Nguyễn Văn A")'
    wb.save(tmp_path / "f.xlsx")
    with pytest.raises(FileRefused) as refused:
        open_table(tmp_path / "f.xlsx", "members")
    message = str(refused.value)
    assert "B3 (ho_ten)" in message and "công thức" in message
    assert "S2" not in message  # the formula in a column the import ignores is not read


@pytest.mark.django_db
def test_formula_only_in_an_unread_column_imports(tree, tmp_path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "dang_vien"
    ws.append([*MEMBER_HEADER, "tuoi"])
    ws.append([member_row("DV1")[h] for h in MEMBER_HEADER] + ["=2026-2001"])
    wb.save(tmp_path / "f.xlsx")
    result = import_file(actor=None, kind="members", path=tmp_path / "f.xlsx")
    assert result.ok, [p.line() for p in result.problems]
    assert Member.objects.filter(member_code="DV1").exists()


def test_csv_cell_over_excels_limit_is_refused_naming_the_row(tmp_path) -> None:
    path = write_csv(
        tmp_path / "m.csv",
        MEMBER_HEADER,
        [member_row("DV1"), member_row("DV2", ho_ten="x" * 40_000)],
    )
    with pytest.raises(FileRefused, match="3") as refused:
        list(open_table(path, "members").rows)
    assert "32.767" in str(refused.value)


def test_csv_line_without_end_is_refused_unread(tmp_path) -> None:
    path = tmp_path / "line.csv"
    path.write_bytes(b"ma_dang_vien,ho_ten\n" + b"A" * (CSV_LINE_MAX + 10) + b"\n")
    with pytest.raises(FileRefused, match=r"32\.767"):
        list(open_table(path, "members").rows)
    header = tmp_path / "header.csv"
    header.write_bytes(b"ma_dang_vien;" * (CSV_LINE_MAX // 10))
    with pytest.raises(FileRefused):
        open_table(header, "members")
