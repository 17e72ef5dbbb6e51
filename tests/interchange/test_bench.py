"""`make bench`: import 100,000 members from XLSX; rows/s and peak memory next to the floor
and django-import-export. Each run is a fresh process on a fresh database."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.interchange.helpers import MEMBER_HEADER

ROWS = int(os.environ.get("CHIBO_BENCH_IMPORT_ROWS", "100000"))
DIE_ROWS = 5000  # django-import-export saves row by row: measured on a sample
PROJECT = Path(__file__).resolve().parents[2]


def _write_file(path: Path, rows: int) -> Path:
    from openpyxl import Workbook

    rng = random.Random(8)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("dang_vien")
    ws.append(MEMBER_HEADER)
    cells = ["BK-SV1", "BK-GV1", "Q1-THPT"]
    for i in range(rows):
        admitted = dt.date(2005, 1, 1) + dt.timedelta(days=rng.randrange(7000))
        recognized = (
            admitted.replace(year=admitted.year + 1)
            if admitted.month != 2 and rng.random() < 0.8
            else None
        )
        ws.append(
            [
                f"DV{i:08d}",
                f"Nguyễn Văn {chr(65 + i % 26)}{i}",
                f"{rng.randrange(1, 28):02d}/05/1985",
                "Nam",
                "Kinh",
                cells[i % 3],
                "Sinh viên",
                admitted.strftime("%d/%m/%Y"),
                "",
                "",
                recognized.strftime("%d/%m/%Y") if recognized else "",
                "",
                f"0792{i:08d}",
                f"09{i:08d}",
                "Đang sinh hoạt",
                "",
                "",
                "",
            ]
        )
    wb.save(path)
    return path


def _database(tmp: Path, name: str) -> tuple[str, object]:
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        return f"sqlite:///{tmp / (name + '.sqlite3')}", None
    import psycopg

    db = f"bench_{name}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{db}"')

    def drop() -> None:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db}"')

    return base.rsplit("/", 1)[0] + "/" + db, drop


def _run(mode: str, path: Path, tmp: Path, *extra: str) -> dict:
    url, drop = _database(tmp, mode)
    env = {**os.environ, "DATABASE_URL": url, "TASKS_BACKEND": "immediate"}
    try:
        proc = subprocess.run(  # noqa: S603 (our own module, our own arguments)
            [sys.executable, "-m", "tests.interchange.bench_run", mode, str(path), *extra],
            cwd=PROJECT,
            env=env,
            capture_output=True,
            text=True,
            timeout=1800,
            check=False,
        )
    finally:
        if drop:
            drop()
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.bench
def test_bench_import_members(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    markexpr = request.config.getoption("markexpr") or ""
    if "bench" not in markexpr or "not bench" in markexpr:
        pytest.skip("heavy benchmark: run with `make bench` (pytest -m bench -s)")
    path = _write_file(tmp_path / "members.xlsx", ROWS)
    vendor = "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    chibo = _run("chibo", path, tmp_path)
    floor = _run("floor", path, tmp_path)
    try:
        import import_export  # noqa: F401

        die = _run("die", path, tmp_path, str(DIE_ROWS))
    except ImportError:
        die = None
    print(f"\n== import {ROWS:,} members from XLSX on {vendor} ==")
    for name, run in (
        ("chibo import (validate + write + audit)", chibo),
        ("floor: calamine + raw writes", floor),
    ):
        assert "error" not in run, run
        print(
            f"  {name:42s} {run['rows'] / run['seconds']:>9,.0f} rows/s  {run['seconds']:>7.1f} s  "
            f"peak RSS {run['peak_rss_mb']:>6.0f} MB  ({run['events']:,} events)"
        )
    ratio = floor["rows"] / floor["seconds"] / (chibo["rows"] / chibo["seconds"])
    print(f"  chibo is {ratio:.2f}x the floor's time")
    if die is None:
        print("  django-import-export: not installed, skipped (pip install django-import-export)")
    elif "error" in die:
        print(f"  django-import-export: failed ({die['error']})")
    else:
        rate = die["rows"] / die["import_seconds"]
        print(
            f"  {'django-import-export (' + format(DIE_ROWS, ',') + '-row sample)':42s} {rate:>9,.0f} rows/s  "
            f"{die['import_seconds']:>7.1f} s  peak RSS {die['peak_rss_mb']:>6.0f} MB  (Member rows only, no events)"
        )
        print(
            f"  chibo is {chibo['rows'] / chibo['seconds'] / rate:.0f}x faster than django-import-export"
        )
    assert chibo["rows"] == ROWS and floor["rows"] == ROWS
