"""`make bench`: the scale benchmark (bench/scale.py) on a seeded database.

BENCH_MEMBERS (default 400000) members are seeded once into a database kept
between runs: var/bench/scale-<N>.sqlite3 on SQLite, database scale_<N> on the
PostgreSQL server of the run (scripts/with-postgres throws it away; point
DATABASE_URL at a kept server, e.g. bench/pg-server, to reuse it). The
figures are printed and written to var/bench/scale-<vendor>-<N>.json.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
MEMBERS = int(os.environ.get("BENCH_MEMBERS", "400000"))


def _run(*args: str, env: dict[str, str], timeout: int) -> None:
    subprocess.run(args, cwd=PROJECT, env=env, check=True, timeout=timeout)  # noqa: S603


def _database() -> tuple[str, str]:
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        path = PROJECT / "var" / "bench" / f"scale-{MEMBERS}.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}", "sqlite"
    import psycopg

    name = f"scale_{MEMBERS}"
    with psycopg.connect(base, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    return base.rsplit("/", 1)[0] + "/" + name, "postgresql"


@pytest.mark.bench
def test_scale_benchmark():
    url, vendor = _database()
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "false", "PYTHONWARNINGS": "ignore"}
    _run(sys.executable, "-m", "chibo", "migrate", "--noinput", "-v", "0", env=env, timeout=600)
    seeded = subprocess.run(
        [sys.executable, "-m", "chibo", "demo-status"], cwd=PROJECT, env=env, capture_output=True
    )
    if seeded.returncode != 0:
        _run(
            sys.executable,
            "-m",
            "chibo",
            "seed-demo",
            "--members",
            str(MEMBERS),
            env=env,
            timeout=6 * 3600,
        )
    out = PROJECT / "var" / "bench" / f"scale-{vendor}-{MEMBERS}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    _run(sys.executable, "bench/scale.py", "--json", str(out), env=env, timeout=3600)
    result = json.loads(out.read_text())
    assert result["members"] >= MEMBERS * 0.9
    wrong = [row["case"] for row in result["rows"] if row["same_answer"] is False]
    assert not wrong, f"ORM and hand-written SQL disagree: {wrong}"
    over = {row["case"]: row["over_target"] for row in result["rows"] if row.get("over_target")}
    assert not over, f"over target: {over}"
