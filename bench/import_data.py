"""The member files the import benchmark reads: N realistic rows as XLSX and CSV.

    python bench/import_data.py ROWS OUT_DIR   → OUT_DIR/members-ROWS.xlsx and .csv

Names follow the real frequency distributions (``members.demo.names``);
the rows go into the three cells of ``tests.factories.tree`` with ages that
fit their category; one row in ten was admitted in another cell and
category (a ``reassigned`` and a ``category_changed`` event), four in five
are full members (recognized the day probation ended, 12 months after
admission). Every row is valid: the benchmark measures an import that
writes. The file is the same for a given (ROWS, seed).
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import sys
from pathlib import Path

HEADER = [
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
# (cell, category label, birth years, admission age range)
CELLS = [
    ("BK-SV1", "Sinh viên", (1998, 2004), (19, 22)),
    ("BK-GV1", "Giảng viên", (1965, 1992), (26, 40)),
    ("Q1-THPT", "Giáo viên", (1968, 1995), (24, 38)),
]


def _fmt(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def rows(count: int, seed: int = 8) -> list[list[str]]:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from chibo.members.demo.names import ETHNICITIES, NameMaker, Weighted

    rng = random.Random(seed)
    names = NameMaker()
    ethnicity = Weighted(ETHNICITIES)
    today = dt.date(2026, 6, 1)
    out = []
    for i in range(count):
        cell, category, years, ages = CELLS[i % 3]
        gender = "male" if rng.random() < 0.5 else "female"
        born = dt.date(rng.randint(*years), rng.randint(1, 12), rng.randint(1, 28))
        people = ethnicity.pick(rng)
        admitted = born.replace(year=born.year + rng.randint(*ages)) + dt.timedelta(
            days=rng.randrange(200)
        )
        admitted = min(admitted, today - dt.timedelta(days=30))
        adm_cell = adm_category = ""
        if i % 10 == 1:  # a lecturer admitted as a student in the student cell
            adm_cell, adm_category = "BK-SV1", "Sinh viên"
        recognized = admitted.replace(year=admitted.year + 1) if admitted.month != 2 else None
        if recognized and (recognized > today or rng.random() < 0.2):
            recognized = None
        out.append(
            [
                f"DV{i:08d}",
                " ".join(names.make(rng, gender, born.year, people)),
                _fmt(born),
                "Nam" if gender == "male" else "Nữ",
                people,
                cell,
                category,
                _fmt(admitted),
                adm_cell,
                adm_category,
                _fmt(recognized) if recognized else "",
                "",
                f"0{rng.randrange(10**10, 10**11)}",
                f"09{rng.randrange(10**7, 10**8)}",
                "Đang sinh hoạt",
                "",
                "",
                "",
            ]
        )
    return out


def write(count: int, directory: Path, seed: int = 8) -> tuple[Path, Path]:
    """(XLSX, CSV) of ``count`` rows in ``directory``; written once, reused after."""
    from openpyxl import Workbook

    directory.mkdir(parents=True, exist_ok=True)
    xlsx, csv_path = directory / f"members-{count}.xlsx", directory / f"members-{count}.csv"
    if xlsx.exists() and csv_path.exists():
        return xlsx, csv_path
    data = rows(count, seed)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("dang_vien")
    ws.append(HEADER)
    for row in data:
        ws.append(row)
    wb.save(xlsx)
    with csv_path.open("w", encoding="utf-8-sig", newline="") as fh:  # as Excel saves it
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(data)
    return xlsx, csv_path


if __name__ == "__main__":
    print(*write(int(sys.argv[1]), Path(sys.argv[2])))
