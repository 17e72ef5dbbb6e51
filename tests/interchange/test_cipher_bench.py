"""`make bench`: the field cipher (issue 16.19), AES-256-GCM against the hand-written CBC it
replaced and stock Fernet, alone and inside whole imports (each a fresh process on a fresh
database, medians). The import's own benchmark against its independent floor is
tests/interchange/test_import_floor_bench.py (bench/import_bench.py, bench/import_floor.py)."""

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
