"""Exports carry who exported them and when; activity health figures in Vietnamese number formats.

Every file is opened back with the real readers (openpyxl, python-docx).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import docx
import pytest
from django.core.management import call_command
from django.template.loader import render_to_string
from django.utils import timezone, translation
from openpyxl import load_workbook

from chibo.core.models import AuditEntry
from chibo.core.roles import Role
from chibo.members.models import Category
from chibo.reports import exports, tables
from tests import factories
from tests.reports import data

pytestmark = pytest.mark.django_db
STAMP_TIME = re.compile(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}")
TODAY = timezone.localdate()


@pytest.fixture
def viewer(tree):
    data.admissions(tree["cell_a"], 3, Category.STUDENT, [dt.date(TODAY.year, 1, 1)])
    user = factories.user("xem", Role.VIEWER, tree["uni"])
    user.first_name, user.last_name = "Nguyễn Văn", "An"
    user.save()
    return user


def _custom(wb) -> dict[str, str]:
    return {prop.name: prop.value for prop in wb.custom_doc_props.props}


def _check_xlsx_stamp(body: bytes, by: str) -> None:
    wb = load_workbook(io.BytesIO(body))
    assert wb.properties.creator == by and wb.properties.lastModifiedBy == by
    custom = _custom(wb)
    assert custom["chibo_exported_by"] == by
    exported_at = dt.datetime.fromisoformat(custom["chibo_exported_at"])
    assert abs(timezone.now() - exported_at) < dt.timedelta(minutes=5)
    for ws in wb.worksheets:  # every sheet prints the stamp in its footer
        footer = ws.oddFooter.left.text
        assert by in footer and STAMP_TIME.search(footer), (ws.title, footer)


def _check_docx_stamp(body: bytes, by: str) -> None:
    document = docx.Document(io.BytesIO(body))
    props = document.core_properties
    assert props.author == by and props.last_modified_by == by
    footer = "\n".join(p.text for p in document.sections[0].footer.paragraphs)
    assert re.search(
        rf"Xuất bởi {re.escape(by)} lúc \d{{2}}/\d{{2}}/\d{{4}} \d{{2}}:\d{{2}}", footer
    )


@pytest.mark.parametrize("kind", ["admissions", "removals", "composition", "activity"])
def test_report_exports_are_stamped_with_the_user_and_time(client, viewer, kind) -> None:
    client.force_login(viewer)
    xlsx = client.get(f"/reports/{kind}/export/xlsx/")
    assert xlsx.status_code == 200
    _check_xlsx_stamp(xlsx.content, "Nguyễn Văn An (xem)")
    docx_resp = client.get(f"/reports/{kind}/export/docx/")
    assert docx_resp.status_code == 200
    _check_docx_stamp(docx_resp.content, "Nguyễn Văn An (xem)")


def test_personal_list_export_is_stamped_and_audited(client, viewer, tree) -> None:
    inside = factories.user("cosoviec", Role.GRASSROOTS_STAFF, tree["uni"])
    client.force_login(inside)
    before = AuditEntry.objects.filter(action="reports.export").count()
    resp = client.get(
        "/reports/admissions/members.xlsx",
        {"from": f"{TODAY.year}-01-01", "to": f"{TODAY.year}-12-31"},
    )
    assert resp.status_code == 200
    _check_xlsx_stamp(resp.content, "cosoviec")
    entries = AuditEntry.objects.filter(action="reports.export")
    assert entries.count() == before + 1
    entry = entries.latest("seq")
    assert entry.actor_username == "cosoviec" and len(entry.data["members"]) == 3
    rows = load_workbook(io.BytesIO(resp.content)).worksheets[0].iter_rows(min_row=4)
    assert sorted(r[0].value for r in rows) == sorted(entry.data["members"])


@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
def test_command_exports_are_stamped_as_the_system(viewer, tmp_path, fmt) -> None:
    out = tmp_path / f"r.{fmt}"
    call_command("report", "composition", "--format", fmt, "--output", str(out))
    if fmt == "xlsx":
        by = load_workbook(out).properties.creator
        assert by.startswith("hệ thống")  # the command runs as the system
        _check_xlsx_stamp(out.read_bytes(), by)
    else:
        by = docx.Document(str(out)).core_properties.author
        assert by.startswith("hệ thống")
        _check_docx_stamp(out.read_bytes(), by)


# --- activity health: what the activity app's figures look like in every format -----

HEALTH = {
    "org": "TU",
    "as_of": dt.date(2026, 11, 29),
    "cells": 1234,
    "cells_missing_meetings": 56,
    "monthly_meetings_held_pct": 83.333,  # a float from another app: 2 decimals, half-up
    "thematic_meetings_held_pct": Decimal("62.5"),
    "attendance_rate_pct": 91.005,
    "dues_collected": Decimal("123456789.00"),
    "open_warnings": None,  # not provided: "no data yet"
    "overdue_tasks": 0,
}


def _doc() -> tables.ReportDoc:
    with translation.override("vi"):
        return tables.activity_doc("TU", "Đảng bộ Thành phố", HEALTH)


KEYS = [key for key, _label, _kind in tables.ACTIVITY_ROWS]


def _by_key(rows: list) -> dict[str, object]:
    """The activity table's rows (in ``ACTIVITY_ROWS`` order) by figure key."""
    return dict(zip(KEYS, rows, strict=True))


def test_activity_figures_are_typed() -> None:
    values = {k: row[1] for k, row in _by_key(_doc().tables[0].rows).items()}
    assert values["cells"] == 1234
    assert values["monthly_meetings_held_pct"] == Decimal("83.33")
    assert values["thematic_meetings_held_pct"] == Decimal("62.50")
    assert values["attendance_rate_pct"] == Decimal("91.01")  # 91.005: half-up
    assert values["dues_collected"] == 123456789
    assert values["overdue_tasks"] == 0
    assert values["open_warnings"] == "chưa có dữ liệu"


def test_activity_figures_in_the_page_xlsx_and_docx(tree) -> None:
    doc = _doc()
    with translation.override("vi"):
        html = render_to_string("reports/_tables.html", {"doc": doc})
    for text in ("1.234", "83,33%", "62,50%", "91,01%", "123.456.789 đ", "chưa có dữ liệu"):
        assert text in html, text

    stamp = exports.Stamp("Nguyễn Văn An (xem)", timezone.now())
    ws = load_workbook(io.BytesIO(exports.to_xlsx(doc, stamp=stamp))).worksheets[0]
    cells = _by_key([ws.cell(row=r, column=2) for r in range(4, 4 + len(KEYS))])
    assert cells["monthly_meetings_held_pct"].value == pytest.approx(0.8333)
    assert cells["monthly_meetings_held_pct"].number_format == "0.00%"
    assert cells["dues_collected"].value == 123456789
    assert isinstance(cells["dues_collected"].value, int)
    assert cells["dues_collected"].number_format == '#,##0 "đ"'
    assert cells["cells"].value == 1234 and cells["cells"].number_format == "#,##0"
    assert cells["open_warnings"].value == "chưa có dữ liệu"

    document = docx.Document(io.BytesIO(exports.to_docx(doc, stamp=stamp, org=tree["city"])))
    texts = _by_key([row.cells[1].text for row in document.tables[1].rows[1:]])
    assert texts["monthly_meetings_held_pct"] == "83,33%"
    assert texts["attendance_rate_pct"] == "91,01%"
    assert texts["dues_collected"] == "123.456.789 đ"
    assert texts["cells"] == "1.234"
    assert texts["overdue_tasks"] == "0"
    assert texts["open_warnings"] == "chưa có dữ liệu"


def test_vietnamese_number_formats() -> None:
    assert exports.vn_int(1065) == "1.065"
    assert exports.vn_pct(Decimal("5.16")) == "5,16%"
    assert exports.vn_pct(Decimal("1234.5")) == "1.234,50%"
    assert exports.vn_money(1234567) == "1.234.567 đ"
