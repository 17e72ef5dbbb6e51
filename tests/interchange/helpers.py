"""Writing real XLSX/CSV files for the interchange tests."""

from __future__ import annotations

import csv
import zipfile
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
    """A workbook as a person types it: text that starts with ``=`` stays text (no formula)."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(header)
    for row in rows:
        ws.append([row.get(h, "") for h in header] if isinstance(row, dict) else row)
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # openpyxl would write it as a formula
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


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="xl/workbook.xml" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/officeDocument"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="dang_vien" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/worksheet"/>'
    '<Relationship Id="rId2" Target="sharedStrings.xml" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/sharedStrings"/></Relationships>'
)
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def raw_xlsx(
    path: Path,
    sheet_data: str,
    shared: list[str] | str | None = None,
    *,
    root_attrs: str = "",
    extra: dict[str, bytes] | None = None,
) -> Path:
    """An XLSX written by hand: ``sheet_data`` is the XML inside ``<sheetData>``.

    ``shared`` is the list of shared strings (or the raw XML of sharedStrings.xml).
    Real spreadsheet programs write nothing like some of these files; hostile ones do.
    """
    if isinstance(shared, str):
        sst = shared
    else:
        items = "".join(f"<si><t>{text}</t></si>" for text in shared or [])
        sst = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN_NS}">{items}</sst>'
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}"{root_attrs}>'
        f"<sheetData>{sheet_data}</sheetData></worksheet>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("xl/workbook.xml", _WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        zf.writestr("xl/worksheets/sheet1.xml", sheet)
        zf.writestr("xl/sharedStrings.xml", sst)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return path


def header_row(names: list[str]) -> str:
    """Row 1 of a hand-written sheet: the column names as inline strings."""
    cells = "".join(
        f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{name}</t></is></c>'
        for i, name in enumerate(names)
    )
    return f'<row r="1">{cells}</row>'


def shared_string_bomb(path: Path, *, size: int = 10_000_000, refs: int = 152) -> Path:
    """The review's file: one ~10 MB shared string referenced by ``refs`` cells (~12 KB zipped)."""
    columns = MEMBER_HEADER[:7]
    rows = [header_row(columns)]
    number, placed = 2, 0
    while placed < refs:
        cells = []
        for i in range(len(columns)):
            if placed < refs:
                cells.append(f'<c r="{chr(65 + i)}{number}" t="s"><v>0</v></c>')
                placed += 1
        rows.append(f'<row r="{number}">{"".join(cells)}</row>')
        number += 1
    return raw_xlsx(path, "".join(rows), ["A" * size])
