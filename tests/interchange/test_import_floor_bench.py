"""`make bench`: the member import, whole process, next to its independent floor
(bench/import_bench.py, bench/import_floor.py), on SQLite, and on PostgreSQL when the run has
one (`DATABASE_URL`). Fails when the written rows differ from the floor's or a case is over
its target (issue 22: CSV ≥ 20,000 rows/s, XLSX ≥ 15,000 rows/s, each within 1.3× of the floor
on SQLite; ≥ 20,000 rows/s on PostgreSQL). The table is printed and written to
var/bench/import-<vendor>.json (``python -m bench.render_performance --docs`` stores it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
ROWS = os.environ.get("CHIBO_BENCH_IMPORT_ROWS", "100000")


@pytest.mark.bench
def test_import_against_its_floor() -> None:
    out = PROJECT / "var" / "bench" / "import.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    args = [sys.executable, "bench/import_bench.py", ROWS, "--json", str(out)]
    url = os.environ.get("DATABASE_URL", "")
    vendor = "postgresql" if url.startswith("postgres") else "sqlite"
    if vendor == "postgresql":
        args += ["--pg", url]
    subprocess.run(args, cwd=PROJECT, check=True, timeout=3 * 3600)  # noqa: S603
    for path in [out.with_name(f"import-{vendor}.json")]:
        result = json.loads(path.read_text())
        wrong = [row["case"] for row in result["rows"] if not row["same_answer"]]
        assert not wrong, f"chibo's import and the floor wrote different rows: {wrong}"
        over = {row["case"]: row["over_target"] for row in result["rows"] if row["over_target"]}
        assert not over, f"over target: {over}"
