"""Report files written row by row as XML (issue 24: exports at city scope): the same cells as before.

``_xlsx_before`` is ``exports.to_xlsx`` as it wrote before (an openpyxl cell per value, in a
normal workbook), kept here to compare with: every report kind, for the city and for a unit
of a seeded demo city with hostile and awkward names, opened back with openpyxl, cell by
cell (value, number format, font, fill, alignment), with the sheets' names, widths, frozen
rows, footers and the file's properties.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone, translation
from openpyxl import load_workbook
from openpyxl.utils.exceptions import IllegalCharacterError

from chibo.core.spreadsheet import Book, Sheet
from chibo.orgs.models import Org, OrgPeriod
from chibo.reports import build, exports
from chibo.reports.tables import MONEY, PCT, TEXT, ReportDoc

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 11, 20)


def _xlsx_cell_before(ws: Sheet, row: int, col: int, value: Any, kind: str) -> None:
    if kind == MONEY:
        ws.cell(row, col, int(value)).number_format = '#,##0 "đ"'
    elif kind == PCT or isinstance(value, Decimal):
        ws.cell(row, col, float(Decimal(str(value)) / 100)).number_format = "0.00%"
    elif isinstance(value, int):
        ws.cell(row, col, int(value)).number_format = "#,##0"
    else:
        ws.cell(row, col, str(value))


def _xlsx_before(doc: ReportDoc, *, stamp: exports.Stamp) -> bytes:
    from openpyxl.styles import Alignment, Font, PatternFill

    book = Book()
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="ECEAE6")
    used: set[str] = set()
    for index, table in enumerate(doc.tables, start=1):
        name = table.title[:28] or f"Bảng {index}"
        for bad in "[]:*?/\\":
            name = name.replace(bad, " ")
        if name in used:
            name = f"{name[:25]} {index}"
        used.add(name)
        ws = book.sheet(name)
        ws.cell(1, 1, f"{doc.title} — {doc.org_name} ({doc.org_code})").font = Font(
            bold=True, size=13
        )
        ws.cell(2, 1, f"{table.title} · {doc.subtitle}")
        for col, (header, _kind) in enumerate(table.columns, start=1):
            c = ws.cell(3, col, header)
            c.font, c.fill = bold, fill
            c.alignment = Alignment(wrap_text=True, vertical="top")
            ws.ws.column_dimensions[c.column_letter].width = 44 if _kind == TEXT else 16
        for r, row in enumerate(table.typed_rows, start=4):
            for col, (value, kind) in enumerate(row, start=1):
                if value is not None:
                    _xlsx_cell_before(ws, r, col, value, kind)
        ws.ws.freeze_panes = "A4"
    exports._stamp_sheets(book.wb, stamp)
    return book.save()


def _cells(ws: Any) -> list[list[tuple[Any, ...]]]:
    return [
        [
            (
                c.value,
                c.data_type,
                c.number_format,
                c.font.b,
                c.font.sz,
                c.fill.fill_type,
                c.fill.fgColor.rgb,
                c.alignment.wrap_text,
                c.alignment.vertical,
            )
            for c in row
        ]
        for row in ws.iter_rows()
    ]


def _assert_same_file(before: bytes, after: bytes) -> int:
    """The two files read back the same; the number of cells compared."""
    old, new = load_workbook(io.BytesIO(before)), load_workbook(io.BytesIO(after))
    assert old.sheetnames == new.sheetnames
    compared = 0
    for a, b in zip(old.worksheets, new.worksheets, strict=True):
        assert a.dimensions == b.dimensions, a.title
        cells_a, cells_b = _cells(a), _cells(b)
        assert cells_a == cells_b, (
            a.title,
            [(x, y) for x, y in zip(cells_a, cells_b, strict=True) if x != y][:3],
        )
        compared += sum(len(row) for row in cells_a)
        assert a.freeze_panes == b.freeze_panes == "A4"
        widths = {k: v.width for k, v in a.column_dimensions.items()}
        assert widths == {k: v.width for k, v in b.column_dimensions.items()}
        assert (a.oddFooter.left.text, a.oddFooter.right.text) == (
            b.oddFooter.left.text,
            b.oddFooter.right.text,
        )
    assert old.properties.creator == new.properties.creator
    assert [(p.name, p.value) for p in old.custom_doc_props.props] == [
        (p.name, p.value) for p in new.custom_doc_props.props
    ]
    return compared


@pytest.fixture
def city() -> Org:
    """A seeded demo city (members and their events), with units named to be awkward in a
    file: a formula, markup and ampersands, spaces around, a carriage return."""
    from chibo.members.demo.generate import build_plan
    from chibo.members.demo.writer import write_plan

    write_plan(build_plan(members=300, seed=11, as_of=AS_OF))
    root = Org.objects.get(parent__isnull=True)
    units = list(Org.objects.filter(parent=root).order_by("path"))
    names = [
        '=HYPERLINK("http://x","Bấm")',
        "Đảng ủy <b>A & B</b>",
        "  Chi bộ cách  ",
        "Dòng\r\nhai",
    ]
    for unit, name in zip(units, names, strict=False):
        Org.objects.filter(pk=unit.pk).update(name=name)
        OrgPeriod.objects.filter(org=unit).update(name=name)
    return root


def test_report_files_have_the_same_cells_as_before(city: Org) -> None:
    stamp = exports.Stamp("Nguyễn Văn An (xem)", timezone.now())
    unit = Org.objects.filter(parent=city).order_by("path").first()
    periods: dict[str, dict[str, dt.date]] = {
        "admissions": {"start": dt.date(2022, 1, 1), "end": AS_OF},
        "removals": {"start": dt.date(2022, 1, 1), "end": AS_OF},
        "composition": {"as_of": AS_OF},
        "activity": {"as_of": AS_OF},
    }
    compared = {}
    for kind in build.KINDS:
        for root in (city, unit):
            with translation.override("vi"):
                _data, doc = build.build(kind, None, root, **periods[kind])
            n = _assert_same_file(_xlsx_before(doc, stamp=stamp), exports.to_xlsx(doc, stamp=stamp))
            compared[kind, root.code] = n
    # Every kind wrote rows below its headers; the city's tables list units by name.
    assert all(n > 12 for n in compared.values()), compared
    body = exports.to_xlsx(build.build("composition", None, city, as_of=AS_OF)[1], stamp=stamp)
    texts = {c.value for ws in load_workbook(io.BytesIO(body)).worksheets for r in ws for c in r}
    assert '\'=HYPERLINK("http://x","Bấm")' in texts  # neutral, not a formula
    assert "  Chi bộ cách  " in texts and "Dòng\r\nhai" in texts


def test_extend_writes_the_cells_append_writes() -> None:
    values: list[Any] = [
        "text",
        "",
        "  spaced ",
        "#N/A",
        "=1+2",
        "+cmd|' /C calc'!A0",
        "a & <b> \"q\" 'x'\r\nnext",
        "Đảng ủy",
        "x" * 40000,
        0,
        -7,
        10**17,
        1.5,
        1 / 3,
        Decimal("5.16"),
        float("nan"),
        True,
        False,
        None,
    ]
    rows = [values, list(reversed(values)), [None, None, 3]]
    old, new = Book(write_only=True), Book(write_only=True)
    a, b = old.sheet("S"), new.sheet("S")
    a.append(["head"])
    b.append(["head"])
    for row in rows:
        a.append([a.styled(v, number_format="0.00%") if isinstance(v, float) else v for v in row])
    pct = b.style(number_format="0.00%")
    b.extend([[(v, pct if isinstance(v, float) else None) for v in row] for row in rows])
    with pytest.raises(RuntimeError):
        b.append(["after"])
    read_a = load_workbook(io.BytesIO(old.save())).worksheets[0]
    read_b = load_workbook(io.BytesIO(new.save())).worksheets[0]
    assert read_a.dimensions == read_b.dimensions == "A1:S4"

    def same(x: Any, y: Any) -> bool:
        return x == y or (isinstance(x, float) and math.isnan(x) and math.isnan(y))

    for row_a, row_b in zip(read_a.iter_rows(), read_b.iter_rows(), strict=True):
        for x, y in zip(row_a, row_b, strict=True):
            assert (x.data_type, x.number_format) == (y.data_type, y.number_format), x.coordinate
            assert same(x.value, y.value), (x.coordinate, x.value, y.value)
    assert read_b["E2"].value == "'=1+2" and read_b["E2"].data_type == "s"
    with pytest.raises(IllegalCharacterError):
        Book(write_only=True).sheet("S").extend([[("bell\x07", None)]])
    with pytest.raises(RuntimeError):
        Book().sheet("S").extend([[("x", None)]])
