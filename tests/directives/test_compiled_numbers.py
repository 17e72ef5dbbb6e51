"""The compiled report writes shares half-up (14,29%, not 14,28%), counts as integers, and
the XLSX holds typed numbers with number formats."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from docx import Document as Docx
from openpyxl import load_workbook

from chibo.directives import compile as compiling
from chibo.directives import services
from chibo.directives.models import Task
from chibo.members.models import Category
from chibo.orgs.models import Org
from tests import factories as f

pytestmark = pytest.mark.django_db


def _one_student_of_seven(t: dict[str, Org]) -> None:
    day = dt.date(2024, 3, 1)
    f.member(t["cell_a"], admitted_on=day, category=Category.STUDENT, code="SV1")
    for i in range(6):
        f.member(t["ward"], admitted_on=day, category=Category.OTHER, code=f"KP{i}")


def _compile(t: dict[str, Org], task: Task, unit_user: Any, office_user: Any) -> Any:
    _one_student_of_seven(t)
    report = services.report_save(
        actor=unit_user,
        assignment=task.assignments.get(org=t["khoi"]),
        period="2024-H1",
        text="Đã quán triệt.",
        figures={"Chi bộ sinh hoạt chuyên đề": 12.0, "Tỷ lệ đảng viên dự họp": 95.5},
    )
    services.report_submit(actor=unit_user, report=report)
    return compiling.report_compile(
        actor=office_user,
        directive=task.document,
        period="2024-H1",
        issued_on=dt.date(2024, 7, 20),
        signer="Nguyễn Văn A",
        signer_title="Phó Bí thư",
    )


def test_docx_shares_round_half_up_and_counts_are_integers(
    t: dict[str, Org], task: Task, unit_user: Any, office_user: Any
) -> None:
    compiled = _compile(t, task, unit_user, office_user)
    doc = Docx(io.BytesIO(bytes(compiled.output.attachment.data)))
    cells = [c.text for table in doc.tables for row in table.rows for c in row.cells]
    assert "14,29%" in cells and "14,28%" not in cells
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Chi bộ sinh hoạt chuyên đề: 12" in text and "12,0" not in text
    assert "Tỷ lệ đảng viên dự họp: 95,5" in text


def test_xlsx_figures_are_typed_with_number_formats(
    t: dict[str, Org], task: Task, unit_user: Any, office_user: Any
) -> None:
    compiled = _compile(t, task, unit_user, office_user)
    wb = load_workbook(io.BytesIO(compiling.compiled_xlsx(compiled)))
    sheet = wb.worksheets[0]
    cells = {
        row[0].value: row[1] for row in sheet.iter_rows(min_row=2) if row[0].value and row[1].value
    }
    total = cells["Số đảng viên được kết nạp trong kỳ (toàn đảng bộ)"]
    assert total.value == 7 and isinstance(total.value, int) and total.number_format == "#,##0"
    share = cells["sinh viên: tỷ lệ so với tổng số kết nạp"]
    assert share.number_format == "0.00%" and abs(share.value - 1 / 7) < 1e-12
    units = wb.worksheets[1]
    figures = {
        row[4].value: row[5] for row in units.iter_rows(min_row=2) if row[4].value is not None
    }
    count = figures["Chi bộ sinh hoạt chuyên đề"]
    assert count.value == 12 and isinstance(count.value, int) and count.number_format == "#,##0"
    assert figures["Tỷ lệ đảng viên dự họp"].value == 95.5
