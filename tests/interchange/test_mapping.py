"""Issue 23: column and value mapping, ``--map`` and ``--save-map``, the messages that block."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command

from chibo.interchange.mapping import Mapping, MappingError
from chibo.interchange.services import analyse_file, import_file
from chibo.members.models import Member
from tests import factories as f
from tests.interchange.helpers import write_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _vietnamese():
    """Messages are compared in Vietnamese, whatever an earlier test activated in this thread."""
    from django.utils import translation

    with translation.override("vi"):
        yield


def _attendance_file(tmp_path, rows):
    header = ["Chi bộ", "Ngày sinh hoạt", "Loại sinh hoạt", "Mã ĐV", "Điểm danh", "Lý do vắng"]
    return write_xlsx(tmp_path / "diem-danh.xlsx", header, rows, sheet="Sheet1")


def test_attendance_in_the_handbook_s_own_words(tree, tmp_path) -> None:
    """The issue's example: "Ốm" as the reason means "Ốm đau"; "x" means present."""
    from chibo.activity.models import Attendance

    f.member(tree["cell_a"], code="A1", admitted_on=dt.date(2023, 1, 5))
    f.member(tree["cell_a"], code="A2", admitted_on=dt.date(2023, 1, 5))
    f.member(tree["cell_a"], code="A3", admitted_on=dt.date(2023, 1, 5))
    rows = [
        ["Chi bộ Sinh viên 1", "05.03.2024", "TK", "A1", "x", ""],
        ["Chi bộ Sinh viên 1", "05.03.2024", "TK", "A2", "P", "Ốm"],
        ["Chi bộ Sinh viên 1", "05.03.2024", "TK", "A3", "K", ""],
    ]
    result = import_file(actor=None, kind="attendance", path=_attendance_file(tmp_path, rows))
    assert result.ok, [p.line() for p in result.problems]
    got = {
        a.member.member_code: (a.status, a.reason.name if a.reason else "")
        for a in Attendance.objects.select_related("member", "reason")
    }
    assert got == {"A1": ("present", ""), "A2": ("excused", "Ốm đau"), "A3": ("unexcused", "")}


def test_an_unmapped_value_is_an_error_listing_the_allowed_values(tree, tmp_path) -> None:
    f.member(tree["cell_a"], code="A1", admitted_on=dt.date(2023, 1, 5))
    rows = [["BK-SV1", "05/03/2024", "Thường kỳ", "A1", "Vắng có lý do", "Đi đám cưới"]]
    result = import_file(actor=None, kind="attendance", path=_attendance_file(tmp_path, rows))
    assert [p.message for p in result.problems if p.fatal] == [
        "Lý do vắng không có trong danh sách; hãy chọn một trong: "
        "Ốm đau, Công tác đột xuất, Đi học xa, Việc gia đình."
    ]


def test_map_file_gives_columns_and_values(tree, tmp_path) -> None:
    """--map: a column the proposals cannot guess, a value only this office uses."""
    f.member(tree["cell_a"], code="A1", admitted_on=dt.date(2023, 1, 5))
    f.member(tree["cell_a"], code="A2", admitted_on=dt.date(2023, 1, 5))
    header = ["Chi bộ", "Ngày sinh hoạt", "Loại sinh hoạt", "Người", "Có đi họp?", "Vì sao"]
    rows = [
        ["BK-SV1", "05/03/2024", "Thường kỳ", "A1", "đi", ""],
        ["BK-SV1", "05/03/2024", "Thường kỳ", "A2", "nghỉ", "Đám cưới"],
    ]
    path = write_xlsx(tmp_path / "dd.xlsx", header, rows)
    mapping = {
        "kind": "attendance",
        "columns": {"Người": "ma_dang_vien", "Có đi họp?": "Tình trạng", "Vì sao": "ly_do"},
        "values": {
            "tinh_trang": {"đi": "Có mặt", "nghỉ": "vang co ly do"},
            "ly_do": {"Đám cưới": "Việc gia đình"},
        },
    }
    map_path = tmp_path / "map.json"
    map_path.write_text(json.dumps(mapping, ensure_ascii=False), encoding="utf-8")
    call_command("import", "attendance", str(path), "--map", str(map_path))
    from chibo.activity.models import Attendance

    assert sorted(Attendance.objects.values_list("status", flat=True)) == ["excused", "present"]


def test_a_map_naming_an_unknown_field_or_value_is_refused(tree, tmp_path) -> None:
    with pytest.raises(MappingError, match="Trường «tuoi» của cột «Tuổi» không tồn tại"):
        Mapping.from_json({"kind": "members", "columns": {"Tuổi": "tuoi"}})
    with pytest.raises(MappingError, match="«Sinh vien nam 3» không phải giá trị của Đối tượng"):
        Mapping.from_json({"kind": "members", "values": {"doi_tuong": {"SV3": "Sinh vien nam 3"}}})
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="không phải JSON hợp lệ"):
        call_command("import", "members", str(bad), "--map", str(bad))


def test_an_unmapped_required_field_blocks_with_a_clear_message(tree, tmp_path) -> None:
    header = ["Họ và tên", "Ngày sinh", "Giới tính", "Chi bộ", "Đối tượng", "Ngày kết nạp"]
    rows = [["Lê Văn Cường", "02/01/1985", "Nam", "BK-GV1", "Giảng viên", "10/10/2010"]]
    result = import_file(
        actor=None, kind="members", path=write_xlsx(tmp_path / "m.xlsx", header, rows)
    )
    assert [p.message for p in result.problems if p.fatal] == [
        "Chưa có cột nào của tệp được ghép với trường bắt buộc «Mã đảng viên» (ma_dang_vien). "
        "Hãy ghép một cột của tệp với trường này (bước ghép cột, hoặc --map), hoặc thêm cột đó vào tệp."
    ]
    assert Member.objects.count() == 0


def test_twelve_digit_numbers_are_the_citizen_id_whatever_the_header(tree, tmp_path) -> None:
    header = [
        "Mã đảng viên",
        "Họ và tên",
        "Ngày sinh",
        "Giới tính",
        "Mã tổ chức",
        "Đối tượng",
        "Ngày vào Đảng",
        "Số định danh công dân",
    ]
    rows = [
        [
            "DV1",
            "Lê Văn Cường",
            "02/01/1985",
            "Nam",
            "BK-GV1",
            "Giảng viên",
            "10/10/2010",
            36085000111,
        ],
        [
            "DV2",
            "Lê Văn Dũng",
            "02/01/1986",
            "Nam",
            "BK-GV1",
            "Giảng viên",
            "10/10/2010",
            "079086000222",
        ],
    ]
    path = write_xlsx(tmp_path / "m.xlsx", header, rows)
    analysis = analyse_file(path, "members", None, None)
    column = analysis.plan.columns[-1]
    assert (column.field, column.how) == ("so_cccd", "sample")
    assert column.samples == ["36085000111", "079086000222"]
    assert import_file(actor=None, kind="members", path=path).ok
    assert Member.objects.get(member_code="DV1").citizen_id == "036085000111"


def test_every_distinct_value_with_its_count_and_proposal(tree, tmp_path) -> None:
    header = [
        "Mã đảng viên",
        "Họ và tên",
        "Ngày sinh",
        "Giới tính",
        "Mã tổ chức",
        "Đối tượng",
        "Ngày vào Đảng",
    ]
    rows = [
        ["DV1", "A", "02/01/2003", "Nam", "BK-SV1", "SV", "10/10/2022"],
        ["DV2", "B", "02/01/2003", "nu", "BK-SV1", "SV", "10/10/2022"],
        ["DV3", "C", "02/01/2003", "Nữ", "BK-SV1", "Sinh viên", "10/10/2022"],
        ["DV4", "D", "02/01/2003", "Nữ", "BK-SV1", "SV năm 3", "10/10/2022"],
    ]
    analysis = analyse_file(write_xlsx(tmp_path / "m.xlsx", header, rows), "members", None, None)
    got = {
        name: [(v.raw, v.count, v.value, v.how) for v in vals]
        for name, vals in analysis.values.items()
    }
    assert got["doi_tuong"] == [
        ("SV", 2, "Sinh viên", "synonym"),
        ("Sinh viên", 1, "Sinh viên", "exact"),
        ("SV năm 3", 1, "", ""),
    ]
    assert got["gioi_tinh"] == [
        ("Nữ", 2, "Nữ", "exact"),
        ("Nam", 1, "Nam", "exact"),
        ("nu", 1, "Nữ", "folded"),
    ]
    assert [c.value for c in analysis.choices["doi_tuong"]][:2] == ["Giảng viên", "Giáo viên"]


def test_save_map_writes_what_was_used_for_the_next_run(tree, tmp_path, capsys) -> None:
    from tests.interchange.test_mapping_files import FILES

    target = tmp_path / "map.json"
    call_command(
        "import",
        "members",
        str(FILES / "09-danh-sach-truong.xlsx"),
        "--dry-run",
        "--save-map",
        str(target),
    )
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["format"] == "chibo-import-mapping/1" and data["kind"] == "members"
    assert (data["header_row"], data["header_rows"]) == (4, 2)
    assert data["columns"]["Chi bộ"] == "ma_to_chuc" and data["columns"]["STT"] == ""
    assert data["values"]["doi_tuong"] == {"SV": "Sinh viên", "Giảng viên": "Giảng viên"}
    assert data["values"]["ma_to_chuc"]["Chi bộ Sinh viên 1"] == "BK-SV1"
    call_command("import", "members", str(FILES / "09-danh-sach-truong.xlsx"), "--map", str(target))
    assert Member.objects.count() == 4
