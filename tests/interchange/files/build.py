"""Builds the realistic member lists of tests/interchange/files/ (run: python tests/interchange/files/build.py).

Every file holds the same four members (``EXPECTED`` in
tests/interchange/test_mapping_files.py), laid out the ways offices keep them:
title rows, a two-row merged header, their own column names and order, their
own words for values, dates typed every way, citizen IDs stored as numbers,
extra columns. The files are committed; this script documents how they were
made and rebuilds them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

HERE = Path(__file__).resolve().parent

MEMBERS = [
    {
        "code": "DV101",
        "name": "Nguyễn Văn An",
        "dob": dt.date(2003, 9, 5),
        "gender": "Nam",
        "org": "BK-SV1",
        "org_name": "Chi bộ Sinh viên 1",
        "category": "Sinh viên",
        "admitted": dt.date(2022, 3, 15),
        "recognized": dt.date(2023, 3, 15),
        "cccd": "001203004567",
        "phone": "0912345678",
    },
    {
        "code": "DV102",
        "name": "Trần Thị Bình",
        "dob": dt.date(2002, 5, 17),
        "gender": "Nữ",
        "org": "BK-SV1",
        "org_name": "Chi bộ Sinh viên 1",
        "category": "Sinh viên",
        "admitted": dt.date(2022, 3, 1),
        "recognized": None,
        "cccd": "079202001234",
        "phone": "",
    },
    {
        "code": "DV103",
        "name": "Lê Văn Cường",
        "dob": dt.date(1985, 1, 2),
        "gender": "Nam",
        "org": "BK-GV1",
        "org_name": "Chi bộ Giảng viên 1",
        "category": "Giảng viên",
        "admitted": dt.date(2010, 10, 10),
        "recognized": dt.date(2011, 10, 10),
        "cccd": "036085000111",
        "phone": "0987654321",
    },
    {
        "code": "DV104",
        "name": "Phạm Thị Dung",
        "dob": dt.date(1990, 11, 20),
        "gender": "Nữ",
        "org": "BK-GV1",
        "org_name": "Chi bộ Giảng viên 1",
        "category": "Giảng viên",
        "admitted": dt.date(2015, 2, 3),
        "recognized": dt.date(2016, 2, 3),
        "cccd": "",
        "phone": "",
    },
]

TITLE = "ĐẢNG BỘ TRƯỜNG ĐẠI HỌC BÁCH KHOA"
SUBTITLE = "DANH SÁCH ĐẢNG VIÊN (cập nhật tháng 11/2026)"


def d(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def _save(wb: Workbook, name: str) -> Path:
    path = HERE / name
    wb.save(path)
    return path


def _titles(ws, width: int) -> None:
    ws.append([TITLE])
    ws.append([SUBTITLE])
    ws.append([])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    for row in (1, 2):
        ws.cell(row=row, column=1).font = Font(bold=True)
        ws.cell(row=row, column=1).alignment = Alignment(horizontal="center")


TEMPLATE = [
    "Mã đảng viên",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Mã tổ chức",
    "Đối tượng",
    "Ngày vào Đảng",
    "Ngày chính thức",
    "Số CCCD",
    "Số điện thoại",
]


def _template_row(m: dict) -> list:
    return [
        m["code"],
        m["name"],
        d(m["dob"]),
        m["gender"],
        m["org"],
        m["category"],
        d(m["admitted"]),
        d(m["recognized"]),
        m["cccd"],
        m["phone"],
    ]


def template() -> Path:
    """01: chibo's own template layout (the baseline)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Đảng viên"
    ws.append(TEMPLATE)
    for m in MEMBERS:
        ws.append(_template_row(m))
    return _save(wb, "01-mau-chibo.xlsx")


def title_rows() -> Path:
    """02: the committee's name and the list's title above the header (row 4)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "DS"
    _titles(ws, len(TEMPLATE))
    ws.append(TEMPLATE)
    for m in MEMBERS:
        ws.append(_template_row(m))
    return _save(wb, "02-dong-tieu-de.xlsx")


def two_row_header() -> Path:
    """03: title rows, then a header on two rows: "Ngày vào Đảng" merged over "Dự bị" | "Chính thức"."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    top = [
        "STT",
        "Mã đảng viên",
        "Họ và tên",
        "Ngày sinh",
        "Giới tính",
        "Mã tổ chức",
        "Đối tượng",
        "Ngày vào Đảng",
        "",
        "Số CCCD",
        "Số điện thoại",
    ]
    _titles(ws, len(top))
    ws.append(top)
    ws.append(["", "", "", "", "", "", "", "Dự bị", "Chính thức", "", ""])
    for col in range(1, len(top) + 1):
        if col not in (8, 9):
            ws.merge_cells(start_row=4, start_column=col, end_row=5, end_column=col)
    ws.merge_cells(start_row=4, start_column=8, end_row=4, end_column=9)
    for n, m in enumerate(MEMBERS, start=1):
        ws.append(
            [
                n,
                m["code"],
                m["name"],
                d(m["dob"]),
                m["gender"],
                m["org"],
                m["category"],
                d(m["admitted"]),
                d(m["recognized"]),
                m["cccd"],
                m["phone"],
            ]
        )
    return _save(wb, "03-tieu-de-hai-dong.xlsx")


def other_names() -> Path:
    """04: the office's own column names, in its own order."""
    wb = Workbook()
    ws = wb.active
    ws.append(
        [
            "Họ tên đảng viên",
            "Mã ĐV",
            "Ngày tháng năm sinh",
            "Nam/Nữ",
            "Ngày kết nạp",
            "Ngày công nhận chính thức",
            "Thành phần",
            "Mã chi bộ",
            "Điện thoại",
            "CMND/CCCD",
        ]
    )
    for m in MEMBERS:
        ws.append(
            [
                m["name"],
                m["code"],
                d(m["dob"]),
                m["gender"],
                d(m["admitted"]),
                d(m["recognized"]),
                m["category"],
                m["org"],
                m["phone"],
                m["cccd"],
            ]
        )
    return _save(wb, "04-ten-cot-khac.xlsx")


SYNONYM_VALUES = {
    "DV101": {"gender": "nam", "category": "SV", "org": "Chi bộ Sinh viên 1", "status": "ĐSH"},
    "DV102": {"gender": "NỮ", "category": "sv", "org": "Sinh viên 1", "status": "Đang SH"},
    "DV103": {
        "gender": "Nam",
        "category": "giang vien",
        "org": "Chi bộ Giảng viên 1",
        "status": "",
    },
    "DV104": {
        "gender": "nu",
        "category": "GIẢNG VIÊN",
        "org": "Giảng viên 1",
        "status": "dang sinh hoat",
    },
}


def synonym_values() -> Path:
    """05: the office's own words: "SV", "nu", cells named instead of coded, "ĐSH"."""
    wb = Workbook()
    ws = wb.active
    ws.append([*TEMPLATE, "Trạng thái"])
    ws.cell(row=1, column=5).value = "Chi bộ"
    for m in MEMBERS:
        words = SYNONYM_VALUES[m["code"]]
        ws.append(
            [
                m["code"],
                m["name"],
                d(m["dob"]),
                words["gender"],
                words["org"],
                words["category"],
                d(m["admitted"]),
                d(m["recognized"]),
                m["cccd"],
                m["phone"],
                words["status"],
            ]
        )
    return _save(wb, "05-gia-tri-rieng.xlsx")


def dates() -> Path:
    """06: dates typed every way: dots, dashes, d/m/yy, spaces, real Excel dates and serials."""
    wb = Workbook()
    ws = wb.active
    ws.append(TEMPLATE)
    forms = {
        "DV101": ("05.09.2003", "15-03-2022", dt.datetime(2023, 3, 15)),
        "DV102": ("17/5/02", " 01 / 03 / 2022 ", ""),
        "DV103": ("02.01.1985", (dt.date(2010, 10, 10) - dt.date(1899, 12, 30)).days, "10/10/11"),
        "DV104": ("20-11-1990", "03.02.2015", "3/2/2016"),
    }
    for m in MEMBERS:
        row = _template_row(m)
        row[2], row[6], row[7] = forms[m["code"]]
        ws.append(row)
    ws.cell(row=2, column=8).number_format = "DD/MM/YYYY"
    return _save(wb, "06-ngay-nhieu-kieu.xlsx")


def numeric_ids() -> Path:
    """07: citizen IDs and phones Excel stored as numbers (their leading zeros lost)."""
    wb = Workbook()
    ws = wb.active
    ws.append(TEMPLATE)
    for m in MEMBERS:
        row = _template_row(m)
        row[8] = int(m["cccd"]) if m["cccd"] else ""
        row[9] = int(m["phone"]) if m["phone"] else ""
        ws.append(row)
    return _save(wb, "07-cccd-dang-so.xlsx")


def notes_column() -> Path:
    """08: a row-number column and a notes column chibo does not read."""
    wb = Workbook()
    ws = wb.active
    ws.append(["STT", *TEMPLATE, "Ghi chú"])
    notes = ["Bí thư chi bộ", "", "Chuyển đến năm 2019", "Đảng viên mới"]
    for n, (m, note) in enumerate(zip(MEMBERS, notes, strict=True), start=1):
        ws.append([n, *_template_row(m), note])
    return _save(wb, "08-cot-ghi-chu.xlsx")


SCHOOL_HEADER_TOP = [
    "STT",
    "Mã ĐV",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Chi bộ",
    "Đối tượng",
    "Ngày vào Đảng",
    "",
    "Số thẻ",
    "Số CCCD",
    "Điện thoại",
    "Ghi chú",
]


def school_list(name: str = "09-danh-sach-truong.xlsx", members: list[dict] | None = None) -> Path:
    """09: a typical school committee list: everything above in one file (the shipped profile's layout)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Danh sách"
    _titles(ws, len(SCHOOL_HEADER_TOP))
    ws.append(SCHOOL_HEADER_TOP)
    child = [""] * len(SCHOOL_HEADER_TOP)
    child[7], child[8] = "Dự bị", "Chính thức"
    ws.append(child)
    for col in range(1, len(SCHOOL_HEADER_TOP) + 1):
        if col not in (8, 9):
            ws.merge_cells(start_row=4, start_column=col, end_row=5, end_column=col)
    ws.merge_cells(start_row=4, start_column=8, end_row=4, end_column=9)
    words = {"Sinh viên": "SV", "Giảng viên": "Giảng viên"}
    for n, m in enumerate(members or MEMBERS, start=1):
        ws.append(
            [
                n,
                m["code"],
                m["name"],
                m["dob"].strftime("%d.%m.%Y"),
                m["gender"],
                m["org_name"],
                words[m["category"]],
                m["admitted"].strftime("%d.%m.%Y"),
                m["recognized"].strftime("%d.%m.%Y") if m["recognized"] else "",
                "",
                int(m["cccd"]) if m["cccd"] else "",
                int(m["phone"]) if m["phone"] else "",
                "",
            ]
        )
    return _save(wb, name)


BUILDERS = (
    template,
    title_rows,
    two_row_header,
    other_names,
    synonym_values,
    dates,
    numeric_ids,
    notes_column,
    school_list,
)

if __name__ == "__main__":
    for build in BUILDERS:
        print(build().name)
