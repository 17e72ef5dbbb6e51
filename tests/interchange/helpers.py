"""Writing real XLSX/CSV files for the interchange tests."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from openpyxl import Workbook

MEMBER_HEADER = [
    "ma_dang_vien",
    "ho_ten",
    "ngay_sinh",
    "gioi_tinh",
    "dan_toc",
    "ma_to_chuc",
    "doi_tuong",
    "ngay_vao_dang",
    "ma_to_chuc_ket_nap",
    "doi_tuong_khi_ket_nap",
    "ngay_chinh_thuc",
    "so_the_dang",
    "so_cccd",
    "so_dien_thoai",
    "trang_thai",
    "ngay_thay_doi_trang_thai",
    "ly_do",
    "ngay_tot_nghiep_du_kien",
]


def member_row(code: str = "DV1", **over: Any) -> dict[str, Any]:
    row = {
        "ma_dang_vien": code,
        "ho_ten": "Trần Thị Bình",
        "ngay_sinh": "17/05/2001",
        "gioi_tinh": "Nữ",
        "dan_toc": "Kinh",
        "ma_to_chuc": "BK-SV1",
        "doi_tuong": "Sinh viên",
        "ngay_vao_dang": "01/03/2022",
        "ma_to_chuc_ket_nap": "",
        "doi_tuong_khi_ket_nap": "",
        "ngay_chinh_thuc": "",
        "so_the_dang": "",
        "so_cccd": "079201001234",
        "so_dien_thoai": "0912345678",
        "trang_thai": "Đang sinh hoạt",
        "ngay_thay_doi_trang_thai": "",
        "ly_do": "",
        "ngay_tot_nghiep_du_kien": "",
    }
    row.update(over)
    return row


def write_xlsx(
    path: Path,
    header: list[str],
    rows: list[dict[str, Any]] | list[list[Any]],
    sheet: str = "dang_vien",
) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(header)
    for row in rows:
        ws.append([row.get(h, "") for h in header] if isinstance(row, dict) else row)
    wb.save(path)
    return path


def write_csv(
    path: Path,
    header: list[str],
    rows: list[dict[str, Any]],
    encoding: str = "utf-8-sig",
    delimiter: str = ",",
) -> Path:
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(h, "") for h in header])
    text = buffer.getvalue()
    path.write_bytes(cp1258_bytes(text) if encoding == "cp1258" else text.encode(encoding))
    return path


def cp1258_bytes(text: str) -> bytes:
    """Vietnamese as old Windows Excel saves it: precomposed where CP1258 can, else base + tone mark."""
    import unicodedata

    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            tone = next(c for c in parts if c in "\u0300\u0301\u0303\u0309\u0323")
            base = unicodedata.normalize("NFC", parts.replace(tone, ""))
            out += base.encode("cp1258") + tone.encode("cp1258")
    return bytes(out)


ORG_HEADER = ["ma_to_chuc", "ten_to_chuc", "ma_to_chuc_cap_tren", "loai_to_chuc", "cap_hoc"]


def import_roster(tmp_path: Path, members: int = 20) -> None:
    """A city's roster as a school loads it, through ``chibo import``: orgs and members only
    (no meetings, no dues). Root ``TP``; cells ``DH1-SV`` and ``DH1-GV`` under ``DH1``."""
    import io

    from django.core.management import call_command

    orgs = [
        ["TP", "Thành ủy Thành phố", "", "Thành ủy", ""],
        ["KDH", "Đảng ủy Khối Đại học", "TP", "Đảng ủy trực thuộc", ""],
        ["DH1", "Đảng ủy Trường Đại học 1", "KDH", "Đảng bộ cơ sở", "Đại học"],
        ["DH1-SV", "Chi bộ Sinh viên", "DH1", "Chi bộ trực thuộc", "Đại học"],
        ["DH1-GV", "Chi bộ Giảng viên", "DH1", "Chi bộ trực thuộc", "Đại học"],
    ]
    write_xlsx(tmp_path / "orgs.xlsx", ORG_HEADER, orgs, sheet="to_chuc")
    rows = [
        member_row(
            f"DV{i:03d}",
            ho_ten=f"Đảng viên {i}",
            ma_to_chuc="DH1-SV" if i % 2 else "DH1-GV",
            so_cccd="",
        )
        for i in range(1, members + 1)
    ]
    write_csv(tmp_path / "members.csv", MEMBER_HEADER, rows)
    call_command("import", "orgs", str(tmp_path / "orgs.xlsx"), stdout=io.StringIO())
    call_command("import", "members", str(tmp_path / "members.csv"), stdout=io.StringIO())
