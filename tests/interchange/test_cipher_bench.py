"""`make bench`: import 100,000 members from XLSX and CSV; rows/s per phase (parse /
validate / write), CPU and peak memory, next to the floor (calamine + raw writes), the
parsing ceilings (bare calamine, openpyxl and csv passes) and django-import-export.
Each run is a fresh process on a fresh database; figures are medians."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.interchange.helpers import MEMBER_HEADER

ROWS = int(os.environ.get("CHIBO_BENCH_IMPORT_ROWS", "100000"))
REPEAT = int(os.environ.get("CHIBO_BENCH_IMPORT_REPEAT", "3"))
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
        db_path = tmp / f"{name}-{uuid.uuid4().hex[:8]}.sqlite3"
        return f"sqlite:///{db_path}", lambda: [
            Path(f"{db_path}{suffix}").unlink(missing_ok=True) for suffix in ("", "-wal", "-shm")
        ]
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


def _write_csv(xlsx: Path, path: Path) -> Path:
    """The same rows as CSV (UTF-8 with BOM, as Excel saves it)."""
    import csv

    from python_calamine import CalamineWorkbook

    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        for row in CalamineWorkbook.from_path(str(xlsx)).get_sheet_by_index(0).iter_rows():
            writer.writerow(row)
    return path


def _median(runs: list[dict]) -> dict:
    """The run with the median wall time, its phases replaced by the per-phase medians."""
    for run in runs:
        assert "error" not in run, run
    ordered = sorted(runs, key=lambda run: run["seconds"])
    out = dict(ordered[len(ordered) // 2])
    out["cpu_seconds"] = statistics.median(run["cpu_seconds"] for run in runs)
    out.setdefault("peak_rss_mb", None)
    if "phases" in out:
        out["phases"] = {
            name: statistics.median(run["phases"][name] for run in runs) for name in out["phases"]
        }
    out["runs"] = len(runs)
    return out


def _line(name: str, run: dict) -> str:
    rate = run["rows"] / run["seconds"]
    phases = run.get("phases")
    split = (
        "  ".join(
            f"{phase} {seconds:5.1f} s ({run['rows'] / max(seconds, 1e-9):>7,.0f}/s)"
            for phase, seconds in phases.items()
        )
        if phases
        else ""
    )
    rss = f"{run['peak_rss_mb']:>5.0f} MB" if run["peak_rss_mb"] else "    —   "
    return (
        f"  {name:40s} {rate:>9,.0f} rows/s  {run['seconds']:>6.1f} s  cpu {run['cpu_seconds']:>5.1f} s  "
        f"RSS {rss}  {split}"
    )


@pytest.mark.bench
def test_bench_import_members(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    markexpr = request.config.getoption("markexpr") or ""
    if "bench" not in markexpr or "not bench" in markexpr:
        pytest.skip("heavy benchmark: run with `make bench` (pytest -m bench -s)")
    path = _write_file(tmp_path / "members.xlsx", ROWS)
    csv_path = _write_csv(path, tmp_path / "members.csv")
    vendor = "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    runs: dict[str, list[dict]] = {}
    for _ in range(REPEAT):  # interleaved, so that a burst of load hits every path alike
        for name, mode, file in (
            ("chibo_xlsx", "chibo", path),
            ("chibo_csv", "chibo", csv_path),
            ("floor", "floor", path),
            ("read_calamine", "read", path),
            ("read_csv", "read", csv_path),
        ):
            runs.setdefault(name, []).append(_run(mode, file, tmp_path))
    got = {name: _median(found) for name, found in runs.items()}
    got["read_openpyxl"] = _median([_run("read", path, tmp_path, "1")])
    try:
        import import_export  # noqa: F401

        die = _run("die", path, tmp_path, str(DIE_ROWS))
    except ImportError:
        die = None
    print(f"\n== import {ROWS:,} members on {vendor}: median of {REPEAT} fresh processes ==")
    for name, key in (
        ("chibo XLSX (validate + write + audit)", "chibo_xlsx"),
        ("chibo CSV (validate + write + audit)", "chibo_csv"),
        ("floor: calamine + raw writes", "floor"),
        ("parse ceiling: calamine bare pass", "read_calamine"),
        ("parse ceiling: openpyxl read_only pass", "read_openpyxl"),
        ("parse ceiling: csv module pass", "read_csv"),
    ):
        print(_line(name, got[key]))
    chibo, floor = got["chibo_xlsx"], got["floor"]
    print(
        f"  chibo XLSX takes {chibo['seconds'] / floor['seconds']:.2f}x the floor's time "
        f"({chibo['cpu_seconds'] / floor['cpu_seconds']:.2f}x its CPU)"
    )
    if die is None:
        print("  django-import-export: not installed, skipped (pip install django-import-export)")
    elif "error" in die:
        print(f"  django-import-export: failed ({die['error']})")
    else:
        rate = die["rows"] / die["import_seconds"]
        print(
            f"  {'django-import-export (' + format(DIE_ROWS, ',') + '-row sample)':40s} {rate:>9,.0f} rows/s  "
            f"{die['import_seconds']:>6.1f} s  RSS {die['peak_rss_mb']:>5.0f} MB  (Member rows only, no events)"
        )
        print(
            f"  chibo is {chibo['rows'] / chibo['seconds'] / rate:.0f}x faster than django-import-export"
        )
    assert chibo["rows"] == ROWS and floor["rows"] == ROWS and got["chibo_csv"]["rows"] == ROWS


def _cipher_seconds(encrypt: object, values: list[str], repeat: int = 5) -> float:
    import time

    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        encrypt(values)  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return statistics.median(times)


@pytest.mark.bench
def test_bench_field_cipher(tmp_path: Path, request: pytest.FixtureRequest, settings) -> None:
    """Issue 16.19: the AEAD (AES-256-GCM) against the hand-written CBC it replaced and stock
    Fernet: encrypting the citizen ID and phone of ROWS members, and whole imports."""
    markexpr = request.config.getoption("markexpr") or ""
    if "bench" not in markexpr or "not bench" in markexpr:
        pytest.skip("heavy benchmark: run with `make bench` (pytest -m bench -s)")
    from cryptography.fernet import Fernet

    from chibo.core import crypto
    from tests.interchange import legacy_cipher

    settings.CHIBO_FIELD_KEY = Fernet.generate_key().decode()
    values = [f"0792{i:08d}" for i in range(ROWS)] + [f"09{i:08d}" for i in range(ROWS)]
    fernet = crypto.ring().fernet
    now = _cipher_seconds(crypto.encrypt_many, values)
    before = _cipher_seconds(legacy_cipher.encrypt_many, values)
    stock = _cipher_seconds(lambda vs: [fernet.encrypt(v.encode()) for v in vs], values)
    tokens = crypto.encrypt_many(values)
    read = _cipher_seconds(lambda ts: [crypto.decrypt_value(t) for t in ts], tokens)
    print(
        f"\n== field cipher: {len(values):,} values (citizen ID + phone of {ROWS:,} members), median of 5 =="
    )
    print(f"  AES-256-GCM encrypt_many (now)            {now:6.2f} s  {len(values) / now:>9,.0f}/s")
    print(
        f"  hand-written CBC from ECB (before 16.19)  {before:6.2f} s  {len(values) / before:>9,.0f}/s"
    )
    print(
        f"  stock Fernet, one call a value            {stock:6.2f} s  {len(values) / stock:>9,.0f}/s"
    )
    print(
        f"  AES-256-GCM decrypt_value                 {read:6.2f} s  {len(values) / read:>9,.0f}/s"
    )
    print(f"  now / before: {now / before:.2f}x the time; now / Fernet: {now / stock:.2f}x")
    path = _write_file(tmp_path / "members.xlsx", ROWS)
    runs: dict[str, list[dict]] = {}
    for _ in range(REPEAT):  # interleaved
        runs.setdefault("now", []).append(_run("chibo", path, tmp_path))
        runs.setdefault("before", []).append(_run("chibo", path, tmp_path, "legacy-cipher"))
    got = {name: _median(found) for name, found in runs.items()}
    vendor = "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    print(
        f"== import {ROWS:,} members (XLSX) on {vendor}, median of {REPEAT}: before/after the cipher =="
    )
    print(_line("chibo with AES-256-GCM (now)", got["now"]))
    print(_line("chibo with the hand-written CBC (before)", got["before"]))
    print(f"  after / before: {got['now']['seconds'] / got['before']['seconds']:.2f}x the time")
    assert got["now"]["rows"] == got["before"]["rows"] == ROWS
    assert [crypto.decrypt_value(t) for t in tokens[:3]] == values[:3]
