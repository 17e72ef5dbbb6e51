"""What columns and values are called: each field's synonyms, the headers to ignore, and the
vocabularies a column's values are mapped onto.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from chibo.interchange import columns as C
from chibo.lib.text import fold

DASH = " – "  # parent – child (two-row headers)


# --- words people use -------------------------------------------------------------------

# Other headers for a field, per kind of file (a spelling may mean different
# fields in different kinds: "Tình trạng" is a member's status, or attendance).
FIELD_SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    C.MEMBERS: {
        "ma_dang_vien": ("Mã ĐV", "Mã số đảng viên", "Mã số ĐV", "Mã hồ sơ"),
        "ho_ten": ("Họ và tên đảng viên", "Tên đảng viên", "Họ tên đảng viên", "Họ, tên"),
        "ngay_sinh": (
            "Sinh ngày",
            "Ngày tháng năm sinh",
            "Ngày, tháng, năm sinh",
            "Ngày/tháng/năm sinh",
        ),
        "gioi_tinh": ("Nam/Nữ", "Nam, Nữ", "Phái"),
        "ma_to_chuc": (
            "Chi bộ",
            "Mã chi bộ",
            "Tên chi bộ",
            "Chi bộ sinh hoạt",
            "Đơn vị",
            "Tổ chức đảng",
        ),
        "doi_tuong": ("Thành phần", "Đối tượng đảng viên", "Đối tượng hiện nay"),
        "ngay_vao_dang": (
            "Ngày kết nạp",
            "Ngày kết nạp Đảng",
            "Ngày vào Đảng dự bị",
            f"Ngày vào Đảng{DASH}Dự bị",
            f"Ngày kết nạp{DASH}Dự bị",
            f"Ngày vào Đảng{DASH}Kết nạp",
        ),
        "ngay_chinh_thuc": (
            "Ngày vào Đảng chính thức",
            "Ngày công nhận chính thức",
            "Ngày chuyển chính thức",
            f"Ngày vào Đảng{DASH}Chính thức",
            f"Ngày kết nạp{DASH}Chính thức",
        ),
        "so_the_dang": ("Số thẻ", "Số thẻ ĐV", "Số thẻ đảng viên"),
        "so_cccd": (
            "CCCD",
            "Căn cước công dân",
            "CMND/CCCD",
            "Số CMND/CCCD",
            "Số định danh",
            "Số định danh cá nhân",
        ),
        "so_dien_thoai": ("Điện thoại", "SĐT", "Số ĐT", "Điện thoại di động", "Di động"),
        "trang_thai": ("Tình trạng", "Tình trạng sinh hoạt", "Trạng thái sinh hoạt"),
        "ngay_thay_doi_trang_thai": ("Ngày thay đổi", "Ngày chuyển trạng thái"),
        "ngay_tot_nghiep_du_kien": ("Ngày tốt nghiệp", "Dự kiến tốt nghiệp"),
        "ma_to_chuc_ket_nap": ("Chi bộ kết nạp", "Nơi kết nạp"),
        "doi_tuong_khi_ket_nap": ("Thành phần khi kết nạp",),
    },
    C.ATTENDANCE: {
        "ma_to_chuc": ("Chi bộ", "Mã chi bộ", "Tên chi bộ"),
        "ngay_hop": ("Ngày sinh hoạt", "Ngày", "Buổi họp"),
        "loai_hop": ("Loại sinh hoạt", "Hình thức sinh hoạt"),
        "ma_dang_vien": ("Mã ĐV", "Mã số đảng viên"),
        "tinh_trang": ("Điểm danh", "Tham dự", "Có mặt"),
        "ly_do": ("Lý do vắng", "Lý do vắng mặt"),
    },
    C.ORGS: {
        "ma_to_chuc": ("Mã", "Mã đơn vị"),
        "ten_to_chuc": ("Tên", "Tên đơn vị", "Tên chi bộ", "Tên tổ chức đảng"),
        "ma_to_chuc_cap_tren": ("Cấp trên", "Mã cấp trên", "Trực thuộc"),
        "loai_to_chuc": ("Loại",),
        "cap_hoc": ("Bậc học", "Cấp"),
    },
    C.DUES: {
        "ma_dang_vien": ("Mã ĐV", "Mã số đảng viên"),
        "thang": ("Tháng đóng", "Kỳ"),
        "so_tien": ("Số tiền đóng", "Đảng phí", "Mức đóng"),
        "ngay_nop": ("Ngày đóng",),
    },
}


# Headers of columns chibo does not read, proposed as "ignore" without a warning.
IGNORED_HEADERS = ("STT", "TT", "Số TT", "Số thứ tự", "Ghi chú", "Chữ ký", "Ký tên")


# Which fields hold a vocabulary, per kind: a ``columns.VOCABS`` name, or ORG
# (org codes: also matched by name) or REASON (the configured absence reasons).
ORG, REASON = "@org", "@reason"


VOCAB_FIELDS: dict[str, dict[str, str]] = {
    C.MEMBERS: {
        "gioi_tinh": "gioi_tinh",
        "doi_tuong": "doi_tuong",
        "doi_tuong_khi_ket_nap": "doi_tuong",
        "trang_thai": "trang_thai",
        "ma_to_chuc": ORG,
        "ma_to_chuc_ket_nap": ORG,
    },
    C.ORGS: {"loai_to_chuc": "loai_to_chuc", "cap_hoc": "cap_hoc", "loai_hinh": "loai_hinh"},
    C.ATTENDANCE: {
        "ma_to_chuc": ORG,
        "loai_hop": "loai_hop",
        "tinh_trang": "tinh_trang",
        "ly_do": REASON,
    },
    C.DUES: {},
}


# Absence reasons by what people write (folded) → the reason's code (activity migration 0002).
REASON_SYNONYMS = {
    "om": "illness",
    "benh": "illness",
    "om dau": "illness",
    "nam vien": "illness",
    "dieu tri": "illness",
    "cong tac": "work_duty",
    "di cong tac": "work_duty",
    "ban cong tac": "work_duty",
    "di hoc": "study_away",
    "hoc xa": "study_away",
    "tap huan": "study_away",
    "gia dinh": "family",
    "viec nha": "family",
    "viec rieng": "family",
    "viec gia dinh": "family",
}


def _folded_header(text: Any) -> str:
    return C.header_key(text)


_SYNONYM_KEYS: dict[str, dict[str, str]] = {
    kind: {_folded_header(s): name for name, spellings in fields.items() for s in spellings}
    for kind, fields in FIELD_SYNONYMS.items()
}


_IGNORED = {_folded_header(h) for h in IGNORED_HEADERS}


# --- vocabularies -------------------------------------------------------------------------


@dataclass
class Choice:
    value: str  # written into the cell the importer reads
    label: str  # shown in the chooser


class Vocab:
    """The allowed values of one vocabulary field and how a typed value is read."""

    def __init__(self, name: str, choices: list[Choice], synonyms: dict[str, str]) -> None:
        self.name = name
        self.choices = choices
        self._exact = {c.value: c.value for c in choices}
        self._folded = {fold(c.value): c.value for c in choices}
        for c in choices:
            self._folded.setdefault(fold(c.label), c.value)
        self._synonyms = synonyms

    def propose(self, raw: str) -> tuple[str, str]:
        """(value, how): how is "exact", "folded" (without diacritics), "synonym" or "" (none)."""
        if raw in self._exact:
            return raw, "exact"
        folded = fold(raw)
        if folded in self._folded:
            return self._folded[folded], "folded"
        if folded in self._synonyms:
            return self._synonyms[folded], "synonym"
        return "", ""

    @property
    def allowed(self) -> str:
        return ", ".join(c.label for c in self.choices)


def vocab_for(kind: str, name: str, actor: Any) -> Vocab:
    """The vocabulary of a field (``VOCAB_FIELDS`` name), with the actor's orgs for ORG."""
    if name == ORG:
        return _org_vocab(kind, actor)
    if name == REASON:
        from chibo.activity.models import AbsenceReason

        reasons = list(AbsenceReason.objects.filter(active=True).order_by("position", "name"))
        names = {r.code: r.name for r in reasons}
        choices = [Choice(r.name, r.name) for r in reasons]
        synonyms = {k: names[v] for k, v in REASON_SYNONYMS.items() if v in names}
        synonyms.update({fold(r.code): r.name for r in reasons})
        return Vocab(name, choices, synonyms)
    labels = C.VOCABS[name]
    choices = [Choice(label, label) for label in labels]
    synonyms = {}
    for alias, label in C.ALIASES.get(name, {}).items():
        synonyms[alias] = label
    return Vocab(name, choices, synonyms)


def _org_vocab(kind: str, actor: Any) -> Vocab:
    from chibo.core.roles import Cap
    from chibo.core.scoping import scope_for
    from chibo.orgs.models import CELL_KINDS, Org

    orgs = Org.objects.filter(kind__in=CELL_KINDS, closed_on__isnull=True)
    if actor is not None:
        orgs = orgs.filter(scope_for(actor, Cap.MEMBER_CHANGE).q())
    found = list(orgs.order_by("path").only("code", "name")[:5000])
    choices = [Choice(o.code, f"{o.code} — {o.name}") for o in found]
    synonyms: dict[str, str] = {}
    seen: Counter[str] = Counter()
    for o in found:
        name = fold(o.name)
        short = re.sub(r"^(chi bo|dang bo|dang uy)\s+", "", name)
        for spelling in {name, short}:
            seen[spelling] += 1
            synonyms[spelling] = o.code
    # A name two cells share proposes nothing: the user chooses.
    return Vocab(ORG, choices, {k: v for k, v in synonyms.items() if seen[k] == 1})
