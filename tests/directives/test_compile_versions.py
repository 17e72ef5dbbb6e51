"""Compiling: an unfinished period only as a draft (dự thảo, no number); compiling a period
again makes a new version under the same number; one-off tasks due in the period are in it;
the office compiles for the committee ("Thường trực Thành ủy", item 8 of 1000-CV/TU)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from chibo.directives import compile as compiling
from chibo.directives import services
from chibo.directives.models import CompiledReport, Document, Recurrence, Task
from chibo.lib.partydoc import read_back
from chibo.orgs.models import Org

pytestmark = pytest.mark.django_db


def test_an_unfinished_period_is_only_a_draft(task: Task, office_user: Any) -> None:
    draft = compiling.report_compile(
        actor=office_user,
        directive=task.document,
        period="2026-H2",
        issued_on=dt.date(2026, 12, 6),
        signer="Nguyễn Văn A",
        signer_title="Phó Bí thư",
        today=dt.date(2026, 12, 6),
    )
    assert draft.draft and draft.output is None and draft.version == 1
    assert not Document.objects.filter(doc_type="BC").exists()  # no number taken
    back = read_back(compiling.compiled_docx(draft))
    assert back.symbol_line == "Số      -BC/TU"
    assert "DỰ THẢO" in back.paragraphs
    final = compiling.report_compile(
        actor=office_user,
        directive=task.document,
        period="2026-H2",
        issued_on=dt.date(2027, 1, 5),
        signer="Nguyễn Văn A",
        signer_title="Phó Bí thư",
        today=dt.date(2027, 1, 5),
    )
    assert not final.draft and final.output.symbol == "01-BC/TU" and final.version == 2


def test_recompiling_makes_a_new_version_under_the_same_number(
    task: Task, office_user: Any
) -> None:
    kwargs = {"actor": office_user, "directive": task.document, "period": "2024-H1"}
    first = compiling.report_compile(**kwargs, issued_on=dt.date(2024, 7, 20), signer="A")
    second = compiling.report_compile(**kwargs, issued_on=dt.date(2024, 7, 25), signer="B")
    assert first.output_id == second.output_id and second.output.symbol == "01-BC/TU"
    assert (first.version, second.version) == (1, 2)
    assert Document.objects.filter(doc_type="BC").count() == 1
    second.output.refresh_from_db()
    assert second.output.issued_on == dt.date(2024, 7, 25) and second.output.signer == "B"
    # Each version keeps its own file.
    assert read_back(compiling.compiled_docx(first)).signature[-1] == "A"
    assert read_back(compiling.compiled_docx(second)).signature[-1] == "B"
    assert CompiledReport.objects.count() == 2


def test_a_one_off_task_due_in_the_period_is_in_its_report(
    t: dict[str, Org], directive: Document, task: Task, office_user: Any
) -> None:
    services.task_create(
        actor=None,
        document=directive,
        section="6",
        title="Rà soát đảng viên là sinh viên sắp tốt nghiệp",
        recurrence=Recurrence.ONCE,
        deadline=dt.date(2024, 9, 30),
        orgs=[t["khoi"], t["district"]],
    )
    period = compiling.report_period(directive, "2024-H2")
    sections = [(task.section, p.key) for task, p in compiling.tasks_for_period(directive, period)]
    assert sections == [("1", "2024-H2"), ("6", "once")]
    assert not compiling.tasks_for_period(directive, compiling.report_period(directive, "2024-H1"))[
        1:
    ]
    compiled = compiling.report_compile(
        actor=office_user, directive=directive, period="2024-H2", issued_on=dt.date(2025, 1, 10)
    )
    back = read_back(compiling.compiled_docx(compiled))
    text = back.text
    assert (
        "Mục 6. Rà soát đảng viên là sinh viên sắp tốt nghiệp (nhiệm vụ một lần, hạn 30/09/2024)"
        in text
    )
    missing = text.split("III.")[1]
    assert t["khoi"].name in missing and t["district"].name in missing  # unit missing
    from chibo.directives import selectors

    assert "2024-H2" in [p.key for p in selectors.directive_periods(directive, dt.date(2025, 1, 1))]


def test_the_office_reports_to_the_standing_committee(task: Task, office_user: Any) -> None:
    compiled = compiling.report_compile(
        actor=office_user,
        directive=task.document,
        period="2024-H1",
        issued_on=dt.date(2024, 7, 20),
        issuing_unit="office",
        signature_for="",
        signer="Trần Văn Dũng",
        signer_title="Chánh Văn phòng",
    )
    assert compiled.output.symbol == "01-BC/VPTU"
    back = read_back(compiling.compiled_docx(compiled))
    assert back.issuer == ["THÀNH ỦY THÀNH PHỐ HỒ CHÍ MINH", "VĂN PHÒNG"]
    assert back.signature == ["CHÁNH VĂN PHÒNG", "Trần Văn Dũng"]
    assert back.recipients == ["- Thường trực Thành ủy,", "- Lưu Văn phòng Thành ủy."]
    assert "Văn phòng Thành ủy báo cáo kết quả thực hiện" in back.text
    assert "Đơn vị ngoài hệ thống báo cáo bằng văn bản giấy: Ban Thường vụ Thành Đoàn." in back.text
    with pytest.raises(ValidationError):
        compiling.report_compile(
            actor=office_user,
            directive=task.document,
            period="2024-H1",
            issuing_unit="office",
            signature_for="T/M BAN THƯỜNG VỤ",
        )
