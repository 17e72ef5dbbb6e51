"""Register, links, search, tasks fan-out, the report workflow, reminders and the compiled DOCX/XLSX."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from docx import Document as Docx
from openpyxl import load_workbook

from chibo.core.models import AuditEntry, Notification
from chibo.core.roles import Role
from chibo.directives import compile as compiling
from chibo.directives import selectors, services
from chibo.directives.figures import system_figures
from chibo.directives.models import Document, DocumentLink, LinkKind, ReportStatus, Task
from chibo.members import services as member_services
from chibo.members.models import Category, RemovalReason
from chibo.orgs.models import Org
from tests import factories as f
from tests.directives.conftest import quick_user

pytestmark = pytest.mark.django_db


def test_register_parses_symbol_and_links_both_ways(t: dict[str, Org], directive: Document) -> None:
    assert (directive.number, directive.doc_type, directive.issuer_code) == (1000, "CV", "TU")
    assert {link.target_symbol for link in directive.links_out.all()} == {"29-NQ/TW", "14-CT/TU"}
    forward = services.document_register_incoming(
        actor=None,
        org=t["city"],
        symbol="Số 719 -CV/BCSD",
        title="Về tham mưu thực hiện Công văn 1000",
        issuing_body="Ban cán sự đảng UBND Thành phố",
        issued_on=dt.date(2023, 6, 23),
        urgency="urgent",
        forwards=["1000-CV/TU"],
    )
    link = DocumentLink.objects.get(source=forward)
    assert (
        forward.symbol == "719-CV/BCSĐ"
        and link.kind == LinkKind.FORWARDS
        and link.target == directive
    )
    # A document registered later resolves the earlier dangling citation.
    cited = services.document_register_incoming(
        actor=None,
        org=t["city"],
        symbol="29-NQ/TW",
        title="Về đổi mới căn bản, toàn diện giáo dục",
        issuing_body="Ban Chấp hành Trung ương",
        issued_on=dt.date(2013, 11, 4),
    )
    assert directive.links_out.get(target_symbol="29-NQ/TW").target == cited
    assert AuditEntry.objects.filter(action="directives.register").count() == 3


def test_register_refuses_bad_symbol_and_future_date(t: dict[str, Org]) -> None:
    with pytest.raises(ValidationError) as err:
        services.document_register_incoming(
            actor=None,
            org=t["city"],
            symbol="CV/TU",
            title="x",
            issuing_body="x",
            issued_on=dt.date(2023, 1, 1),
        )
    assert "symbol" in err.value.message_dict
    with pytest.raises(ValidationError):
        services.document_register_incoming(
            actor=None,
            org=t["city"],
            symbol="1-CV/TU",
            title="x",
            issuing_body="x",
            issued_on=dt.date.today() + dt.timedelta(days=1),
        )


def test_search_by_number_symbol_title_words_without_diacritics_and_dates(
    office_user: Any, directive: Document
) -> None:
    def find(**kw: Any) -> list[str]:
        return [
            d.symbol for d in selectors.document_search(office_user, selectors.DocumentFilter(**kw))
        ]

    assert find(q="1000") == ["1000-CV/TU"]
    assert find(q="1000-cv/tu") == ["1000-CV/TU"]
    assert find(q="xay dung dang truong hoc") == ["1000-CV/TU"]
    assert find(q="Đảng TRƯỜNG") == ["1000-CV/TU"]
    assert find(q="xay dung benh vien") == []
    assert find(date_from=dt.date(2023, 6, 16), date_to=dt.date(2023, 6, 16)) == ["1000-CV/TU"]
    assert find(date_from=dt.date(2023, 6, 17)) == []


def test_visibility_follows_register_recipients_and_assignments(
    t: dict[str, Org], directive: Document, unit_user: Any, outside_user: Any, task: Task
) -> None:
    assert (
        selectors.documents_for(unit_user).filter(pk=directive.pk).exists()
    )  # recipient + assignee
    other = services.document_register_incoming(
        actor=None,
        org=t["city"],
        symbol="5-TB/TU",
        title="Thông báo khác",
        issuing_body="Thành ủy",
        issued_on=dt.date(2024, 1, 1),
    )
    assert not selectors.documents_for(unit_user).filter(pk=other.pk).exists()
    assert (
        selectors.documents_for(outside_user).filter(pk=directive.pk).exists()
    )  # Q1 was assigned section 1
    lone = quick_user("lone", Role.SUPERIOR_STAFF, t["district"])
    task.assignments.filter(org=t["district"]).delete()
    assert not selectors.documents_for(lone).filter(pk=directive.pk).exists()


def test_task_fans_out_to_a_group_one_assignment_per_unit(
    t: dict[str, Org], directive: Document, office_user: Any
) -> None:
    units = selectors.group_orgs(office_user, "direct_schools")
    assert {o.code for o in units} == {"KDHCD", "Q1"}
    task = services.task_create(
        actor=office_user,
        document=directive,
        section="1",
        title="Lãnh đạo",
        recurrence="semiannual",
        orgs=[*units, t["khoi"]],
        named_units=["Thành Đoàn", "thanh doan"],
    )
    assert sorted(a.unit_name for a in task.assignments.all()) == sorted(
        [t["khoi"].name, t["district"].name, "Thành Đoàn"]
    )
    with pytest.raises(ValidationError):
        services.task_create(
            actor=office_user, document=directive, section="2", title="x", recurrence="once"
        )


def test_unit_may_not_assign_and_outsider_may_not_report(
    task: Task, unit_user: Any, outside_user: Any, t: dict[str, Org]
) -> None:
    with pytest.raises(PermissionDenied):
        services.task_assign(actor=unit_user, task=task, orgs=[t["khoi"]])
    khoi = task.assignments.get(org=t["khoi"])
    with pytest.raises(PermissionDenied):
        services.report_save(actor=outside_user, assignment=khoi, period="2024-H1", text="x")


def test_report_draft_submit_return_resubmit_accept(
    task: Task, unit_user: Any, office_user: Any, t: dict[str, Org]
) -> None:
    a = task.assignments.get(org=t["khoi"])
    report = services.report_save(
        actor=unit_user,
        assignment=a,
        period="2024-H1",
        text="Đã quán triệt.",
        figures={"Sinh viên được kết nạp": 12},
    )
    assert report.status == ReportStatus.DRAFT and report.due_on == dt.date(2024, 7, 10)
    report = services.report_submit(
        actor=unit_user, report=report, now=dt.datetime(2024, 7, 10, 23, 0, tzinfo=dt.UTC)
    )
    assert report.status == ReportStatus.SUBMITTED and not report.is_late
    with pytest.raises(ValidationError):
        services.report_save(actor=unit_user, assignment=a, period="2024-H1", text="sửa")
    with pytest.raises(ValidationError):
        services.report_review(
            actor=office_user, report=report, accept=False
        )  # returning needs comments
    report = services.report_review(
        actor=office_user, report=report, accept=False, comment="Bổ sung số liệu"
    )
    assert report.status == ReportStatus.RETURNED
    report = services.report_save(
        actor=unit_user, assignment=a, period="2024-H1", text="Đã bổ sung."
    )
    report = services.report_submit(
        actor=unit_user, report=report, now=dt.datetime(2024, 7, 11, 9, 0, tzinfo=dt.UTC)
    )
    assert report.is_late  # the day after the due date
    with pytest.raises(PermissionDenied):
        services.report_review(actor=unit_user, report=report, accept=True)
    report = services.report_review(actor=office_user, report=report, accept=True)
    assert report.status == ReportStatus.ACCEPTED


def test_report_refuses_unknown_period_and_non_numbers(
    task: Task, unit_user: Any, t: dict[str, Org]
) -> None:
    a = task.assignments.get(org=t["khoi"])
    for period in ("2023-Q1", "2022-H2", "junk"):
        with pytest.raises(ValidationError):
            services.report_save(actor=unit_user, assignment=a, period=period, text="x")
    with pytest.raises(ValidationError):
        services.report_save(
            actor=unit_user, assignment=a, period="2023-H1", text="x", figures={"a": "nhiều"}
        )
    assert (
        services.report_save(actor=unit_user, assignment=a, period="2023-H1", text="x").period
        == "2023-H1"
    )


def test_status_board_shows_who_has_and_has_not_reported(
    task: Task, unit_user: Any, t: dict[str, Org]
) -> None:
    a = task.assignments.get(org=t["khoi"])
    report = services.report_save(actor=unit_user, assignment=a, period="2024-H1", text="x")
    services.report_submit(actor=unit_user, report=report)
    period = selectors.find_period(task, "2024-H1")
    on_due = selectors.status_board(task, period, today=dt.date(2024, 7, 10))
    after = selectors.status_board(task, period, today=dt.date(2024, 7, 11))
    states = {r.assignment.unit_name: (r.state, r.overdue) for r in after.rows}
    assert states[t["khoi"].name] == ("submitted", False)
    assert states[t["district"].name] == ("missing", True)
    assert states["Ban Thường vụ Thành Đoàn"] == ("outside", False)
    assert on_due.overdue == 0 and after.overdue == 1 and after.reported == 1


def test_reminders_before_the_deadline_and_when_overdue_are_not_repeated(
    task: Task, t: dict[str, Org]
) -> None:
    staff = quick_user("q1-staff", Role.SUPERIOR_STAFF, t["district"])
    quick_user("q1-viewer", Role.VIEWER, t["district"])
    a = task.assignments.get(org=t["district"])

    def keys() -> set[str]:
        return set(Notification.objects.filter(user=staff).values_list("dedupe_key", flat=True))

    compiling.remind_due(
        today=dt.date(2024, 7, 2)
    )  # 8 days before 10/7: only the older, overdue halves
    assert keys() == {f"directives:{a.pk}:2023-H2:overdue"}
    assert compiling.remind_due(today=dt.date(2024, 7, 3)) == 1  # 7 days before
    assert compiling.remind_due(today=dt.date(2024, 7, 4)) == 0  # deduped
    assert compiling.remind_due(today=dt.date(2024, 7, 9)) == 1  # the day before
    assert compiling.remind_due(today=dt.date(2024, 7, 10)) == 0  # due today: already reminded
    assert compiling.remind_due(today=dt.date(2024, 7, 11)) == 1  # overdue
    assert {
        f"directives:{a.pk}:2024-H1:due7",
        f"directives:{a.pk}:2024-H1:due1",
        f"directives:{a.pk}:2024-H1:overdue",
    } <= keys()
    assert not Notification.objects.filter(user__username="q1-viewer").exists()


def _admissions(t: dict[str, Org]) -> None:
    day = dt.date(2024, 3, 1)
    for i in range(3):
        f.member(t["cell_a"], admitted_on=day, category=Category.STUDENT, code=f"SV{i}")
    f.member(t["school"], admitted_on=day, category=Category.PUPIL, code="HS1")
    f.member(t["ward"], admitted_on=day, category=Category.OTHER, code="KP1")
    f.member(
        t["cell_a"], admitted_on=dt.date(2023, 12, 31), category=Category.STUDENT, code="SV-OLD"
    )
    gone = f.member(
        t["cell_a"], admitted_on=dt.date(2023, 1, 5), category=Category.STUDENT, code="SV-GONE"
    )
    member_services.member_remove(
        actor=None,
        member=gone,
        effective_date=dt.date(2024, 6, 30),
        decision=member_services.Decision(number="5-QĐ/ĐU"),
        reason=RemovalReason.ABANDONED_ACTIVITY,
    )


def test_system_figures_count_school_admissions_and_student_removals(t: dict[str, Org]) -> None:
    _admissions(t)
    figures = system_figures(root=t["city"], start=dt.date(2024, 1, 1), end=dt.date(2024, 6, 30))
    assert figures.admissions_total == 5
    assert (figures.admissions_students, figures.admissions_pupils) == (3, 1)
    assert figures.removals_students_abandoned == 1
    assert figures.as_dict()["share_school"] == 0.8


def test_compiled_report_docx_and_xlsx_open_back(
    t: dict[str, Org], task: Task, unit_user: Any, office_user: Any
) -> None:
    _admissions(t)
    a = task.assignments.get(org=t["khoi"])
    report = services.report_save(
        actor=unit_user,
        assignment=a,
        period="2024-H1",
        text="Đã tổ chức quán triệt đến các chi bộ.",
        figures={"Sinh viên được kết nạp": 1065},
    )
    services.report_submit(actor=unit_user, report=report)
    compiled = compiling.report_compile(
        actor=office_user,
        directive=task.document,
        period="2024-H1",
        issued_on=dt.date(2024, 7, 20),
        signer="Nguyễn Văn A",
        signer_title="Phó Bí thư",
    )
    assert compiled.output.symbol == "01-BC/TU" and compiled.output.direction == "out"
    assert compiled.output.links_out.get().target == task.document
    doc = Docx(io.BytesIO(bytes(compiled.output.attachment.data)))
    head = doc.tables[0].rows[0].cells
    party = head[1].paragraphs[0]
    assert party.text == "ĐẢNG CỘNG SẢN VIỆT NAM" and party.runs[0].underline and party.runs[0].bold
    left = [p.text for p in head[0].paragraphs]
    assert left == ["THÀNH ỦY THÀNH PHỐ HỒ CHÍ MINH", "*", "Số 01-BC/TU"]
    assert head[1].paragraphs[-1].text == "TP. Hồ Chí Minh, ngày 20 tháng 07 năm 2024"
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "BÁO CÁO" in text and "1000-CV/TU" in text
    assert (
        "Đã tổ chức quán triệt đến các chi bộ." in text and "Sinh viên được kết nạp: 1.065" in text
    )
    assert t["district"].name in text.split("III.")[1]  # Q1 has not reported
    figures = {row.cells[0].text: row.cells[1].text for row in doc.tables[1].rows}
    assert "3" in figures.values() and "80,00%" in figures.values()
    sign = doc.tables[2].rows[0].cells
    assert (
        sign[1].paragraphs[0].text == "T/M BAN THƯỜNG VỤ"
        and sign[0].paragraphs[0].text == "Nơi nhận:"
    )
    assert sign[1].paragraphs[-1].text == "Nguyễn Văn A"

    wb = load_workbook(io.BytesIO(compiling.compiled_xlsx(compiled)))
    values = {row[0]: row[1] for row in wb.worksheets[0].iter_rows(min_row=7, values_only=True)}
    assert 5 in values.values() and 3 in values.values() and 1 in values.values()
    units = list(wb.worksheets[1].iter_rows(min_row=2, values_only=True))
    assert any(r[1] == t["khoi"].name and r[5] == 1065 for r in units)
    with pytest.raises(ValidationError):
        compiling.report_compile(actor=office_user, directive=task.document, period="2019-H1")
    with pytest.raises(PermissionDenied):
        compiling.report_compile(actor=unit_user, directive=task.document, period="2024-H1")


def test_remind_command(task: Task, t: dict[str, Org]) -> None:
    from django.core.management import CommandError, call_command

    quick_user("q1-cmd", Role.SUPERIOR_STAFF, t["district"])
    out = io.StringIO()
    call_command("directives-remind", "--date", "03/07/2024", stdout=out)
    assert out.getvalue().startswith("Đã gửi ") and Notification.objects.exists()
    with pytest.raises(CommandError):
        call_command("directives-remind", "--date", "2024-07-03")


def test_a_stale_report_save_names_who_changed_it_by_full_name(
    t: dict[str, Org], task: Task, unit_user: Any
) -> None:
    from django.core.exceptions import ValidationError

    unit_user.first_name, unit_user.last_name = "Phạm Minh", "Tuấn"  # as chibo stores names
    unit_user.save()
    a = task.assignments.get(org=t["khoi"])
    first = services.report_save(actor=unit_user, assignment=a, period="2024-H1", text="Bản 1")
    services.report_save(
        actor=unit_user,
        assignment=a,
        period="2024-H1",
        text="Bản 2",
        expected_version=first.version,
    )
    with pytest.raises(ValidationError) as refused:
        services.report_save(
            actor=unit_user,
            assignment=a,
            period="2024-H1",
            text="Bản 3",
            expected_version=first.version,
        )
    message = " ".join(refused.value.messages)
    assert "Phạm Minh Tuấn" in message and "khoi" not in message
