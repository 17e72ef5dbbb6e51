"""The file contract: the sheets, their columns and headers, and the vocabularies of the coded
columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from chibo.lib.text import fold
from chibo.members.models import Category, Gender, RemovalReason, Status
from chibo.orgs.models import OrgKind, Ownership, SchoolLevel

ORGS = "orgs"


MEMBERS = "members"


ATTENDANCE = "attendance"


DUES = "dues"


KINDS = (ORGS, MEMBERS, ATTENDANCE, DUES)


# Sheet names: an import prefers the sheet whose name folds to the key (else the
# first sheet); files chibo writes name it in Vietnamese words.
SHEET_NAMES = {ORGS: "to_chuc", MEMBERS: "dang_vien", ATTENDANCE: "diem_danh", DUES: "dang_phi"}


SHEET_TITLES = {ORGS: "Tổ chức", MEMBERS: "Đảng viên", ATTENDANCE: "Điểm danh", DUES: "Đảng phí"}


# Column key → its header in the files chibo writes, then the other spellings an
# import accepts. The key itself is always accepted, and matching folds case,
# diacritics, spaces and hyphens. The one table of header aliases: a column
# mapping (issue 23) adds to it, it does not replace it.
HEADERS: dict[str, tuple[str, ...]] = {
    "ma_to_chuc": ("Mã tổ chức",),
    "ten_to_chuc": ("Tên tổ chức",),
    "ma_to_chuc_cap_tren": ("Mã tổ chức cấp trên",),
    "loai_to_chuc": ("Loại tổ chức",),
    "cap_hoc": ("Cấp học",),
    "loai_hinh": ("Loại hình",),
    "ngay_thanh_lap": ("Ngày thành lập",),
    "ma_dang_vien": ("Mã đảng viên",),
    "ho_ten": ("Họ và tên", "Họ tên"),
    "ngay_sinh": ("Ngày sinh",),
    "gioi_tinh": ("Giới tính",),
    "dan_toc": ("Dân tộc",),
    "doi_tuong": ("Đối tượng",),
    "ngay_vao_dang": ("Ngày vào Đảng",),
    "ma_to_chuc_ket_nap": ("Mã tổ chức kết nạp",),
    "doi_tuong_khi_ket_nap": ("Đối tượng khi kết nạp",),
    "ngay_chinh_thuc": ("Ngày chính thức",),
    "so_the_dang": ("Số thẻ đảng",),
    "so_cccd": ("Số CCCD", "Số căn cước", "Số căn cước công dân"),
    "so_dien_thoai": ("Số điện thoại",),
    "trang_thai": ("Trạng thái",),
    "ngay_thay_doi_trang_thai": ("Ngày thay đổi trạng thái",),
    "ly_do": ("Lý do",),
    "ngay_tot_nghiep_du_kien": ("Ngày tốt nghiệp dự kiến",),
    "so_quyet_dinh": ("Số quyết định",),
    "tuoi_dang": ("Tuổi đảng (năm)",),
    "ngay_hop": ("Ngày họp",),
    "loai_hop": ("Loại họp",),
    "tinh_trang": ("Tình trạng",),
    "thang": ("Tháng",),
    "so_tien": ("Số tiền",),
    "ngay_nop": ("Ngày nộp",),
}


@dataclass(frozen=True)
class Column:
    name: str
    required: bool = False
    # Sample value for the downloadable template.
    sample: str = ""
    # Vocabulary name for data validation lists in the template.
    vocab: str = ""

    @property
    def header(self) -> str:
        """The Vietnamese header written in the template and exports (``Mã đảng viên``)."""
        return HEADERS[self.name][0]


ORG_COLUMNS = (
    Column("ma_to_chuc", True, "BK-SV1"),
    Column("ten_to_chuc", True, "Chi bộ Sinh viên 1"),
    Column("ma_to_chuc_cap_tren", False, "BK"),
    Column("loai_to_chuc", True, "Chi bộ trực thuộc", "loai_to_chuc"),
    Column("cap_hoc", False, "Đại học", "cap_hoc"),
    Column("loai_hinh", False, "Công lập", "loai_hinh"),
    # Extension: when the org was established (unknown → 03/02/1930, so that
    # history reports over imported members see it); see docs/import.md.
    Column("ngay_thanh_lap", False, "01/09/2015"),
)


MEMBER_COLUMNS = (
    Column("ma_dang_vien", True, "DV00000001"),
    Column("ho_ten", True, "Nguyễn Văn An"),
    Column("ngay_sinh", True, "17/05/2003"),
    Column("gioi_tinh", True, "Nam", "gioi_tinh"),
    Column("dan_toc", False, "Kinh"),
    Column("ma_to_chuc", True, "BK-SV1"),
    Column("doi_tuong", True, "Sinh viên", "doi_tuong"),
    Column("ngay_vao_dang", True, "01/03/2024"),
    Column("ma_to_chuc_ket_nap", False, "BK-SV1"),
    Column("doi_tuong_khi_ket_nap", False, "Sinh viên", "doi_tuong"),
    Column("ngay_chinh_thuc", False, ""),
    Column("so_the_dang", False, ""),
    Column("so_cccd", False, "079203001234"),
    Column("so_dien_thoai", False, "0912345689"),
    Column("trang_thai", False, "Đang sinh hoạt", "trang_thai"),
    Column("ngay_thay_doi_trang_thai", False, ""),
    Column("ly_do", False, ""),
    Column("ngay_tot_nghiep_du_kien", False, "30/06/2027"),
    # Extension: number of the decision behind the status (removal, expulsion).
    Column("so_quyet_dinh", False, ""),
    # Export only (issue 20): whole years of party seniority on the export's day, full
    # members; derived from the admission, so an import ignores it.
    Column("tuoi_dang", False, ""),
)


ATTENDANCE_COLUMNS = (
    Column("ma_to_chuc", True, "BK-SV1"),
    Column("ngay_hop", True, "05/03/2025"),
    Column("loai_hop", True, "Thường kỳ", "loai_hop"),
    Column("ma_dang_vien", True, "DV00000001"),
    Column("tinh_trang", True, "Có mặt", "tinh_trang"),
    Column("ly_do", False, ""),
)


DUES_COLUMNS = (
    Column("ma_dang_vien", True, "DV00000001"),
    Column("thang", True, "03/2025"),
    Column("so_tien", True, "5000"),
    Column("ngay_nop", True, "05/03/2025"),
)


COLUMNS = {
    ORGS: ORG_COLUMNS,
    MEMBERS: MEMBER_COLUMNS,
    ATTENDANCE: ATTENDANCE_COLUMNS,
    DUES: DUES_COLUMNS,
}


# --- vocabularies: Vietnamese label (as exported) → stored value -------------

VOCABS: dict[str, dict[str, str]] = {
    "loai_to_chuc": {
        "Thành ủy": OrgKind.CITY_COMMITTEE,
        "Đảng ủy trực thuộc": OrgKind.DIRECT_COMMITTEE,
        "Đảng bộ cơ sở": OrgKind.GRASSROOTS_COMMITTEE,
        "Chi bộ cơ sở": OrgKind.GRASSROOTS_CELL,
        "Chi bộ trực thuộc": OrgKind.SUBORDINATE_CELL,
    },
    "cap_hoc": {
        "Mầm non": SchoolLevel.PRESCHOOL,
        "Tiểu học": SchoolLevel.PRIMARY,
        "THCS": SchoolLevel.LOWER_SECONDARY,
        "THPT": SchoolLevel.UPPER_SECONDARY,
        "Trung cấp": SchoolLevel.VOCATIONAL,
        "Cao đẳng": SchoolLevel.COLLEGE,
        "Đại học": SchoolLevel.UNIVERSITY,
    },
    "loai_hinh": {"Công lập": Ownership.PUBLIC, "Ngoài công lập": Ownership.PRIVATE},
    "doi_tuong": {
        "Giảng viên": Category.LECTURER,
        "Giáo viên": Category.TEACHER,
        "Cán bộ": Category.CADRE,
        "Viên chức": Category.PUBLIC_EMPLOYEE,
        "Sinh viên": Category.STUDENT,
        "Học sinh": Category.PUPIL,
        "Khác": Category.OTHER,
    },
    "gioi_tinh": {"Nam": Gender.MALE, "Nữ": Gender.FEMALE},
    "trang_thai": {
        "Đang sinh hoạt": Status.ACTIVE,
        "Miễn sinh hoạt": Status.EXEMPTED,
        # Extension: the list cannot say "temporarily transferred out".
        "Tạm chuyển đi": Status.TEMP_AWAY,
        "Đã chuyển đi": Status.TRANSFERRED_OUT,
        "Đã xóa tên": Status.REMOVED,
        "Đã khai trừ": Status.EXPELLED,
        "Từ trần": Status.DECEASED,
    },
    "ly_do": {
        "Bỏ sinh hoạt đảng": RemovalReason.ABANDONED_ACTIVITY,
        "Không đóng đảng phí": RemovalReason.UNPAID_DUES,
        "Không được công nhận chính thức": RemovalReason.NOT_RECOGNIZED,
    },
    "loai_hop": {"Thường kỳ": "regular", "Chuyên đề": "thematic"},
    "tinh_trang": {
        "Có mặt": "present",
        "Vắng có lý do": "excused",
        "Vắng không lý do": "unexcused",
    },
}


# Other spellings people type (folded) → the canonical label.
ALIASES: dict[str, dict[str, str]] = {
    "trang_thai": {
        "dang sinh hoat": "Đang sinh hoạt",
        "sinh hoat": "Đang sinh hoạt",
        "chuyen di": "Đã chuyển đi",
        "xoa ten": "Đã xóa tên",
        "khai tru": "Đã khai trừ",
        "da tu tran": "Từ trần",
        "tam chuyen": "Tạm chuyển đi",
        "dsh": "Đang sinh hoạt",
        "dang sh": "Đang sinh hoạt",
        "mien sh": "Miễn sinh hoạt",
        "mien": "Miễn sinh hoạt",
        "da mat": "Từ trần",
        "tu tran": "Từ trần",
    },
    "loai_to_chuc": {"tu": "Thành ủy", "cbcs": "Chi bộ cơ sở", "cbtt": "Chi bộ trực thuộc"},
    "cap_hoc": {
        "mn": "Mầm non",
        "th": "Tiểu học",
        "c1": "Tiểu học",
        "c2": "THCS",
        "trung hoc co so": "THCS",
        "c3": "THPT",
        "trung hoc pho thong": "THPT",
        "dh": "Đại học",
        "cd": "Cao đẳng",
        "tc": "Trung cấp",
    },
    "loai_hinh": {"cl": "Công lập", "ncl": "Ngoài công lập", "tu thuc": "Ngoài công lập"},
    "gioi_tinh": {"nu": "Nữ", "nam": "Nam", "male": "Nam", "female": "Nữ"},
    # Short forms school lists use (issue 23): "SV", "GV", "x" …
    "doi_tuong": {
        "sv": "Sinh viên",
        "gv": "Giáo viên",
        "gvien": "Giáo viên",
        "ggv": "Giảng viên",
        "gv dh": "Giảng viên",
        "hs": "Học sinh",
        "cb": "Cán bộ",
        "cbql": "Cán bộ",
        "can bo quan ly": "Cán bộ",
        "vc": "Viên chức",
        "nhan vien": "Viên chức",
        "nv": "Viên chức",
        "khac": "Khác",
    },
    "tinh_trang": {
        "x": "Có mặt",
        "co": "Có mặt",
        "cm": "Có mặt",
        "+": "Có mặt",
        "p": "Vắng có lý do",
        "cp": "Vắng có lý do",
        "co phep": "Vắng có lý do",
        "vang co phep": "Vắng có lý do",
        "vcp": "Vắng có lý do",
        "vang (co ly do)": "Vắng có lý do",
        "k": "Vắng không lý do",
        "kp": "Vắng không lý do",
        "vang": "Vắng không lý do",
        "vang khong phep": "Vắng không lý do",
        "khong phep": "Vắng không lý do",
        "vkp": "Vắng không lý do",
    },
    "loai_hop": {"tk": "Thường kỳ", "cd": "Chuyên đề", "thuong xuyen": "Thường kỳ"},
    "ly_do": {
        "bo sinh hoat": "Bỏ sinh hoạt đảng",
        "khong dong dang phi": "Không đóng đảng phí",
        "khong duoc cong nhan dang vien chinh thuc": "Không được công nhận chính thức",
    },
}


_FOLDED: dict[str, dict[str, str]] = {
    name: {fold(label): value for label, value in vocab.items()} for name, vocab in VOCABS.items()
}

for _name, _aliases in ALIASES.items():
    for _alias, _label in _aliases.items():
        _FOLDED[_name].setdefault(_alias, VOCABS[_name][_label])


LABELS: dict[str, dict[str, str]] = {
    name: {value: label for label, value in vocab.items()} for name, vocab in VOCABS.items()
}


@lru_cache(maxsize=4096)
def vocab_value(vocab: str, text: str) -> str | None:
    """The stored value for a label typed with or without diacritics; None if unknown."""
    return _FOLDED[vocab].get(fold(text))


def vocab_label(vocab: str, value: str) -> str:
    return LABELS[vocab].get(value, "")


def _folded_key(text: Any) -> str:
    return fold(str(text or "")).replace(" ", "_").replace("-", "_")


# Folded spelling → column key (built from HEADERS; a spelling names one column only).
_HEADER_KEYS: dict[str, str] = {}

for _key, _spellings in HEADERS.items():
    for _spelling in (_key, *_spellings):
        _folded = _folded_key(_spelling)
        if _HEADER_KEYS.setdefault(_folded, _key) != _key:
            raise ValueError(f"header {_spelling!r} names two columns")


def header_of(key: str) -> str:
    """The Vietnamese header of a column key (``ma_dang_vien`` → ``Mã đảng viên``); other text as is."""
    spellings = HEADERS.get(key)
    return spellings[0] if spellings else key


def header_key(text: Any) -> str:
    """``Mã đảng viên`` / ``MA_DANG_VIEN`` / ``ma dang vien`` / ``Họ tên`` → the column key.

    A header that names no known column comes back folded (``ghi_chu``), and is
    reported as unknown by the importer.
    """
    folded = _folded_key(text)
    return _HEADER_KEYS.get(folded, folded)
