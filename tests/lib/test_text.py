from __future__ import annotations

import pytest

from chibo.lib.text import fold, prefix_upper_bound

pytestmark = pytest.mark.database_free


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("Nguyễn Văn A", "nguyen van a"),
        ("Đặng Thị Hoa", "dang thi hoa"),
        ("ĐẶNG", "dang"),
        ("  Trần   Thị  Ánh ", "tran thi anh"),
        ("Huỳnh Ngọc Đức", "huynh ngoc duc"),
        ("", ""),
    ],
)
def test_fold_strips_diacritics_and_d_stroke(raw: str, folded: str) -> None:
    assert fold(raw) == folded


def test_fold_is_the_same_for_composed_and_decomposed_input() -> None:
    import unicodedata

    name = "Nguyễn Thị Ngọc Ánh"
    assert fold(unicodedata.normalize("NFD", name)) == fold(unicodedata.normalize("NFC", name))


def test_prefix_bound_covers_exactly_the_prefix() -> None:
    bound = prefix_upper_bound("dang")
    assert bound > "dang" and bound > "dang thi" and bound > "dangz"
    assert bound <= "danh"


def test_file_name_is_vietnamese_without_diacritics() -> None:
    from chibo.lib.text import file_name

    assert file_name("báo cáo", "kết nạp", "TU", 2026, ext="xlsx") == "bao-cao-ket-nap-TU-2026.xlsx"
    assert file_name("Đảng viên", "BK-SV1", "", ext="csv") == "Dang-vien-BK-SV1.csv"
    assert file_name("12-BC/ĐU", ext="docx") == "12-BC-DU.docx"
    assert file_name("../../etc/passwd", ext="xlsx") == "etc-passwd.xlsx"
    assert file_name("", ext="xlsx") == "chibo.xlsx"
