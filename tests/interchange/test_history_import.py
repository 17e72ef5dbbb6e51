"""History: meeting attendance and party dues through the activity app's bulk services."""

from __future__ import annotations

import datetime as dt

import pytest

from chibo.interchange.services import import_file
from tests import factories as f
from tests.interchange.helpers import write_xlsx

pytestmark = pytest.mark.django_db

ATT = ["ma_to_chuc", "ngay_hop", "loai_hop", "ma_dang_vien", "tinh_trang", "ly_do"]
DUES = ["ma_dang_vien", "thang", "so_tien", "ngay_nop"]


def test_attendance_rows_sharing_org_date_type_are_one_meeting(tree, tmp_path) -> None:
    from chibo.activity.models import Attendance, Meeting

    f.member(tree["cell_a"], code="A1", admitted_on=dt.date(2023, 1, 5))
    f.member(tree["cell_a"], code="A2", admitted_on=dt.date(2023, 1, 5))
    rows = [
        ["BK-SV1", "05/03/2024", "Thường kỳ", "A1", "Có mặt", ""],
        ["BK-SV1", "05/03/2024", "thuong ky", "A2", "Vắng không lý do", ""],
        ["BK-SV1", "20/03/2024", "Chuyên đề", "A1", "Có mặt", ""],
    ]
    path = write_xlsx(tmp_path / "a.xlsx", ATT, rows, sheet="diem_danh")
    result = import_file(actor=None, kind="attendance", path=path)
    assert result.ok, [p.line() for p in result.problems]
    assert Meeting.objects.count() == 2 and result.created == 2
    assert (
        Attendance.objects.get(member__member_code="A2", meeting__kind="regular").status
        == "unexcused"
    )
    again = import_file(actor=None, kind="attendance", path=path)
    assert again.ok and again.created == 0 and Meeting.objects.count() == 2


def test_attendance_bad_cells_write_nothing(tree, tmp_path) -> None:
    from chibo.activity.models import Meeting

    rows = [
        ["BK-SV1", "32/03/2024", "Thường kỳ", "A1", "Có mặt", ""],
        ["BK-SV1", "05/03/2024", "Họp", "A1", "?", ""],
    ]
    result = import_file(
        actor=None, kind="attendance", path=write_xlsx(tmp_path / "a.xlsx", ATT, rows)
    )
    assert not result.ok and {p.column for p in result.problems} == {
        "ngay_hop",
        "loai_hop",
        "tinh_trang",
    }
    assert Meeting.objects.count() == 0


def test_dues_import_is_idempotent_and_validated(tree, tmp_path) -> None:
    from chibo.activity.models import DuesPayment

    f.member(tree["cell_a"], code="A1", admitted_on=dt.date(2023, 1, 5))
    rows = [["A1", "03/2024", "5.000", "05/03/2024"], ["A1", "04/2024", 5000, "05/04/2024"]]
    path = write_xlsx(tmp_path / "d.xlsx", DUES, rows, sheet="dang_phi")
    result = import_file(actor=None, kind="dues", path=path)
    assert result.ok, [p.line() for p in result.problems]
    assert DuesPayment.objects.count() == 2
    again = import_file(actor=None, kind="dues", path=path)
    assert again.ok and again.unchanged == 2 and DuesPayment.objects.count() == 2
    bad = write_xlsx(
        tmp_path / "b.xlsx",
        DUES,
        [["A1", "13/2024", "x", "05/03/2024"], ["NOPE", "05/2024", 5000, "05/05/2024"]],
    )
    result = import_file(actor=None, kind="dues", path=bad)
    assert not result.ok and {(p.row, p.column) for p in result.problems} >= {
        (2, "thang"),
        (2, "so_tien"),
    }
    assert DuesPayment.objects.count() == 2
