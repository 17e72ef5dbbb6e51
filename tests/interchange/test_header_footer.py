"""Files whose table does not start on row 1 or end on its last row (issue 23's gaps).

Built here as offices send them: title rows above the header (one of them a line
of text with a comma, or no delimiter at all, in a CSV), and under the table a
blank row, the total ("Tổng cộng: 4 đảng viên"), the signature lines ("Người lập
biểu", "T/M CHI ỦY", "(Ký, ghi rõ họ tên)") and the signers' names.

- The CSV delimiter is read from the detected header and the lines under it,
  never decided by a title line.
- The footer is skipped (no errors for it) and said: in the plan, the check's
  analysis, the command's output and the job's preview.
- The error report's "Dòng lỗi" sheet and the job preview take their column names
  from the detected header row, and keep the file's row numbers.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client, TestCase
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from chibo.core.roles import Role
from chibo.interchange.models import ImportJob
from chibo.interchange.services import import_file
from tests import factories as f
from tests.interchange.files.build import MEMBERS, SUBTITLE, TEMPLATE, TITLE, _template_row

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# The file's rows, numbered as a spreadsheet shows them (1-based).
TITLES = [[TITLE], [SUBTITLE], []]  # rows 1–3; header on row 4; members on rows 5–8
HEADER_ROW = 4
FIRST_DATA = 5
BAD_ROW = 7  # the third member gets an impossible birth date
FOOTER = [
    [],  # 9
    ["Tổng cộng: 4 đảng viên"],  # 10
    [],  # 11
    ["", "Người lập biểu", "", "", "", "", "", "T/M CHI ỦY"],  # 12
    ["", "(Ký, ghi rõ họ tên)", "", "", "", "", "", "BÍ THƯ"],  # 13
    [],  # 14
    ["", "Nguyễn Thị Lập", "", "", "", "", "", "Trần Văn Thư"],  # 15
]
FOOTER_ROWS = [10, 12, 13, 15]


def _members() -> list[list[str]]:
    rows = [_template_row(m) for m in MEMBERS]
    rows[BAD_ROW - FIRST_DATA][2] = "31/02/1985"
    return rows


def _sheet_rows() -> list[list[str]]:
    return [*TITLES, TEMPLATE, *_members(), *FOOTER]


def _xlsx(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "DS"
    for row in _sheet_rows():
        ws.append(row)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(TEMPLATE))
    wb.save(path)
    return path


def _csv(path: Path, delimiter: str, titles: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        # Title lines typed by hand: one cell, no padding (not Excel's "a;;;;")
        for title in titles:
            fh.write((title[0] if title else "") + "\r\n")
        writer = csv.writer(fh, delimiter=delimiter)
        writer.writerow(TEMPLATE)
        writer.writerows(_members())
        for row in FOOTER:
            fh.write(delimiter.join(row) + "\r\n" if row else "\r\n")
    return path


def _files(tmp_path: Path) -> list[Path]:
    return [
        _xlsx(tmp_path / "ds-tieu-de.xlsx"),
        # a title line without any delimiter, then a ';' table (Vietnamese Excel's CSV)
        _csv(tmp_path / "ds-cham-phay.csv", ";", TITLES),
        # a title line with a comma in it, then a ';' table: the title must not decide
        _csv(tmp_path / "ds-cham-phay-2.csv", ";", [["ĐẢNG BỘ TRƯỜNG, KHỐI ĐẠI HỌC"], [], []]),
        # a ',' table under a title with no delimiter
        _csv(tmp_path / "ds-phay.csv", ",", TITLES),
    ]


def test_title_rows_footer_and_delimiter_in_hostile_files(tree, tmp_path) -> None:
    for path in _files(tmp_path):
        result = import_file(actor=None, kind="members", path=path, dry_run=True)
        layout = result.plan.layout
        assert (layout.header_row, layout.header_rows) == (HEADER_ROW, 1), path.name
        assert layout.headers == TEMPLATE, path.name  # read with the right delimiter
        # the one real error, on the file's own row number; none for the footer
        rows_with_errors = {p.row for p in result.problems if p.fatal}
        assert rows_with_errors == {BAD_ROW}, (path.name, [p.line() for p in result.problems])
        assert result.rows == len(MEMBERS), path.name
        assert [row for row, _text in result.plan.footer] == FOOTER_ROWS, path.name
        assert result.plan.footer[0][1].startswith("Tổng cộng: 4 đảng viên"), path.name


def test_a_clean_file_with_a_footer_imports_and_says_what_it_skipped(tree, tmp_path, capsys):
    path = tmp_path / "ds.xlsx"
    wb = Workbook()
    ws = wb.active
    for row in [*TITLES, TEMPLATE, *[_template_row(m) for m in MEMBERS], *FOOTER]:
        ws.append(row)
    wb.save(path)
    call_command("import", "members", str(path))
    out = capsys.readouterr().out
    assert "Dòng tiêu đề: dòng 4 của tệp." in out
    assert "Bỏ qua 4 dòng dưới bảng (dòng 10–15): «Tổng cộng: 4 đảng viên»" in out
    from chibo.members.models import Member

    assert Member.objects.count() == len(MEMBERS)


def test_a_data_row_after_a_footer_like_row_is_still_read(tree, tmp_path) -> None:
    """Only the rows under the last data row are a footer: a note in the middle stays a row."""
    path = tmp_path / "ds.xlsx"
    members = [_template_row(m) for m in MEMBERS]
    wb = Workbook()
    ws = wb.active
    for row in [TEMPLATE, members[0], members[1], [], ["Tổng cộng: 2"], members[2], members[3]]:
        ws.append(row)
    wb.save(path)
    result = import_file(actor=None, kind="members", path=path, dry_run=True)
    assert result.plan.footer == []
    assert {p.row for p in result.problems if p.fatal} == {5}  # the note is read, as before
    assert result.rows == 5


@pytest.fixture
def staff(tree):
    return f.user("canbo", Role.GRASSROOTS_STAFF, tree["uni"])


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("name", ["ds-tieu-de.xlsx", "ds-cham-phay.csv"])
def test_job_preview_and_error_report_read_from_the_header_row(
    name, staff, tmp_path, settings, django_capture_on_commit_callbacks
) -> None:
    settings.TASKS = IMMEDIATE
    settings.VAR_DIR = tmp_path / "var"
    path = {p.name: p for p in _files(tmp_path)}[name]
    client = _client(staff)
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(
            reverse("interchange:upload"),
            {"kind": "members", "file": SimpleUploadedFile(name, path.read_bytes())},
        )
    job = ImportJob.objects.get()
    preview = job.preview
    assert preview["headers"] == TEMPLATE
    assert preview["header_row"] == HEADER_ROW
    assert preview["rows"][0][:2] == ["DV101", "Nguyễn Văn An"]
    assert preview["row_numbers"][:2] == [FIRST_DATA, FIRST_DATA + 1]
    assert len(preview["rows"]) == len(MEMBERS)  # the footer is not shown as data
    assert [row for row, _text in preview["footer"]] == FOOTER_ROWS
    page = client.get(reverse("interchange:job", args=[job.pk])).content.decode()
    assert "Tên cột đọc từ dòng 4 của tệp" in page
    assert "Bỏ qua 4 dòng dưới bảng (dòng 10–15)" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("interchange:run", args=[job.pk]), {"action": "check"})
    job.refresh_from_db()
    assert job.state == "invalid"
    assert {p["row"] for p in job.problems} == {BAD_ROW}, job.problems
    report = client.get(reverse("interchange:errors", args=[job.pk]))
    saved = tmp_path / "report.xlsx"
    saved.write_bytes(report.content)
    rows = list(load_workbook(saved)["Dòng lỗi"].values)
    assert list(rows[0][:4]) == ["Lỗi", "Dòng", "Mã đảng viên", "Họ và tên"]
    assert rows[1][1] == BAD_ROW and rows[1][2:4] == ("DV103", "Lê Văn Cường")
    assert rows[1][0].startswith("Ngày sinh: ")
    assert len(rows) == 2
