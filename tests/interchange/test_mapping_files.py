"""Issue 23: the spreadsheets offices already keep, each imported into the same database state.

The files (tests/interchange/files/, built by build.py) hold the same four
members laid out differently: title rows, a two-row merged header, other
column names and order, the office's own words for values, dates typed
every way, citizen IDs stored as numbers, extra columns, a typical school
committee list; and the school list as LibreOffice saves it.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

from chibo.interchange.services import import_file
from chibo.members.models import Member, Status
from chibo.members.services import replay
from tests.interchange.files.build import MEMBERS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _vietnamese():
    """Messages are compared in Vietnamese, whatever an earlier test activated in this thread."""
    from django.utils import translation

    with translation.override("vi"):
        yield


FILES = Path(__file__).resolve().parent / "files"
NAMES = sorted(p.name for p in FILES.glob("*.xlsx"))

EXPECTED = {
    m["code"]: (
        m["name"],
        m["dob"],
        "male" if m["gender"] == "Nam" else "female",
        m["org"],
        "student" if m["category"] == "Sinh viên" else "lecturer",
        m["admitted"],
        m["recognized"],
        m["cccd"],
        m["phone"],
        Status.ACTIVE,
    )
    for m in MEMBERS
}


def state() -> dict[str, tuple]:
    out = {}
    for m in Member.objects.select_related("org"):
        out[m.member_code] = (
            m.full_name,
            m.date_of_birth,
            m.gender,
            m.org.code,
            m.category,
            m.admitted_on,
            m.recognized_on,
            m.citizen_id,
            m.phone,
            m.status,
        )
        for key, value in replay(m).items():
            assert getattr(m, key) == value, (m.member_code, key)
    return out


def test_the_files_are_all_there() -> None:
    assert NAMES == [
        "01-mau-chibo.xlsx",
        "02-dong-tieu-de.xlsx",
        "03-tieu-de-hai-dong.xlsx",
        "04-ten-cot-khac.xlsx",
        "05-gia-tri-rieng.xlsx",
        "06-ngay-nhieu-kieu.xlsx",
        "07-cccd-dang-so.xlsx",
        "08-cot-ghi-chu.xlsx",
        "09-danh-sach-truong.xlsx",
    ]


@pytest.mark.parametrize("name", NAMES)
def test_each_file_imports_into_the_same_state(tree, name) -> None:
    result = import_file(actor=None, kind="members", path=FILES / name)
    assert result.ok, [p.line() for p in result.problems]
    assert state() == EXPECTED
    # Idempotent: the same file again changes nothing.
    again = import_file(actor=None, kind="members", path=FILES / name)
    assert again.ok and again.created == 0 and again.updated == 0 and again.unchanged == 4


def test_the_header_row_is_found_and_said(tree) -> None:
    result = import_file(
        actor=None, kind="members", path=FILES / "02-dong-tieu-de.xlsx", dry_run=True
    )
    assert result.ok
    assert result.plan.layout.header_row == 4 and result.plan.layout.header_rows == 1


def test_a_two_row_merged_header_reads_parent_child(tree) -> None:
    result = import_file(
        actor=None, kind="members", path=FILES / "03-tieu-de-hai-dong.xlsx", dry_run=True
    )
    layout = result.plan.layout
    assert (layout.header_row, layout.header_rows) == (4, 2)
    fields = {c.header: c.field for c in result.plan.columns}
    assert fields["Ngày vào Đảng – Dự bị"] == "ngay_vao_dang"
    assert fields["Ngày vào Đảng – Chính thức"] == "ngay_chinh_thuc"
    assert fields["STT"] == ""


def test_the_command_says_which_row_and_what_each_column_became(tree, capsys) -> None:
    call_command("import", "members", str(FILES / "09-danh-sach-truong.xlsx"), "--dry-run")
    out = capsys.readouterr().out
    assert "Dòng tiêu đề: dòng 4–5 của tệp." in out
    assert "«Chi bộ» → Mã tổ chức (tên đồng nghĩa)" in out
    assert "«Ghi chú» → — (bỏ qua)" in out
    assert "Chạy thử (không ghi)" in out


def _soffice() -> str | None:
    """LibreOffice with Calc (``make test`` installs it: scripts/ensure-libreoffice-calc)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    calc = Path("/usr/lib/libreoffice/program/libsclo.so")
    return (
        soffice
        if soffice and (calc.exists() or not Path("/usr/lib/libreoffice").exists())
        else None
    )


def test_a_file_saved_by_libreoffice(tree, tmp_path) -> None:
    soffice = _soffice()
    if soffice is None:
        if os.environ.get("CI") == "true":
            pytest.fail("LibreOffice Calc (soffice) is required in CI")
        pytest.skip(
            "LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui"
        )
    source = tmp_path / "in" / "danh-sach.xlsx"
    source.parent.mkdir()
    shutil.copy(FILES / "09-danh-sach-truong.xlsx", source)
    out = tmp_path / "out"
    subprocess.run(  # noqa: S603 (LibreOffice found on PATH, our own file names)
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    saved = out / "danh-sach.xlsx"
    assert saved.is_file() and saved.read_bytes() != source.read_bytes()
    result = import_file(actor=None, kind="members", path=saved)
    assert result.ok, [p.line() for p in result.problems]
    assert state() == EXPECTED


def test_two_digit_years_by_plausibility_and_an_ambiguous_one_names_both(tree, tmp_path) -> None:
    from tests.interchange.helpers import MEMBER_HEADER, member_row, write_xlsx

    path = write_xlsx(
        tmp_path / "yy.xlsx",
        MEMBER_HEADER,
        [
            member_row("DV1", ngay_sinh="17/5/02", ngay_vao_dang="1/3/22"),
            member_row("DV2", ngay_sinh="1/1/15", ngay_vao_dang="1/3/22"),
        ],
    )
    result = import_file(actor=None, kind="members", path=path, dry_run=True)
    messages = [p.message for p in result.problems if p.fatal]
    assert messages == [
        "Năm chỉ có hai chữ số: 1/1/15 có thể đọc là 01/01/1915 hoặc 01/01/2015. "
        "Hãy ghi năm đủ bốn chữ số."
    ]
    assert result.rows == 2


def test_dates_typed_every_way_read_the_same(tree) -> None:
    from chibo.interchange import columns as C

    for raw in ("05.09.2003", "05-09-2003", "5/9/2003", " 05 / 09 / 2003 ", "05/09/2003 00:00:00"):
        assert C.date(raw) == dt.date(2003, 9, 5), raw
    assert C.date(37869.0) == dt.date(2003, 9, 5)
    assert C.date("37869") == dt.date(2003, 9, 5)
