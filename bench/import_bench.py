"""The member import, whole process, next to its floor (bench/import_floor.py), answers compared.

    python bench/import_bench.py ROWS [--repeat 3] [--json OUT] [--pg CONNINFO_OF_A_SERVER]

For each file (CSV, XLSX of ROWS rows from bench/import_data.py), on SQLite (or, with
``--pg``, on that PostgreSQL server): a fresh copy of a template database (migrated, with the org tree of
``tests.factories.tree``), then ``chibo import members FILE`` timed from the process's start
to its exit, and the floor the same way, interleaved, ``--repeat`` times; medians. After the
last run the two databases' members, events and dashboard tallies are compared (every column but the ids, the
ciphertexts, the timestamps and the event data). Rows in bench/scale.py's JSON shape, so
``python -m bench.render_performance`` prints and stores them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PY = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
WORK = ROOT / "var" / "bench" / "import"
# Issue 22: rows/s of the whole process at 100,000 rows, and the ratio to the floor.
TARGETS = {
    ("sqlite", "csv"): {"rows_per_s": 20000, "ratio": 1.3},
    ("sqlite", "xlsx"): {"rows_per_s": 15000, "ratio": 1.3},
    ("postgresql", "csv"): {"rows_per_s": 20000},
    ("postgresql", "xlsx"): {"rows_per_s": 20000},
}
MEMBERS_SQL = (
    "SELECT m.member_code, m.full_name, m.name_folded, m.given_folded, m.date_of_birth, "
    "m.gender, m.ethnicity, m.category, o.code, m.status, m.is_full, m.admitted_on, a.code, "
    "m.category_at_admission, m.ceremony_on, m.probation_ends_on, m.recognized_on, "
    "m.status_changed_on, m.last_event_on, m.citizen_id <> '', m.phone <> '' "
    "FROM members_member m JOIN orgs_org o ON o.id = m.org_id "
    "JOIN orgs_org a ON a.id = m.admitting_org_id ORDER BY m.member_code"
)
TALLIES_SQL = (
    "SELECT a.code, t.ym, COALESCE(u.code, '-'), t.kind, t.school_level, t.category, t.n "
    "FROM reports_eventtally t JOIN orgs_org a ON a.id = t.ancestor "
    "LEFT JOIN orgs_org u ON u.id = t.unit ORDER BY 1, 2, 3, 4, 5, 6"
)
EVENTS_SQL = (
    "SELECT m.member_code, e.kind, e.effective_date, o.code, e.status_after, e.category_after "
    "FROM members_memberevent e JOIN members_member m ON m.id = e.member_id "
    "JOIN orgs_org o ON o.id = e.org_id ORDER BY 1, 2, 3"
)


def _template_sqlite() -> Path:
    path = WORK / "template.sqlite3"
    if not path.exists():
        WORK.mkdir(parents=True, exist_ok=True)
        _setup(f"sqlite:///{path}")
    return path


def _setup(url: str) -> None:
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'chibo.settings'); "
        "django.setup(); from django.core.management import call_command; "
        "call_command('migrate', verbosity=0); from tests import factories; factories.tree()"
    )
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "false"}
    subprocess.run([PY, "-c", code], cwd=ROOT, env=env, check=True)  # noqa: S603


CPU: list[tuple[str, float]] = []  # (chibo|floor, the process's CPU seconds), run by run


def _timed(cmd: list[str], env: dict[str, str]) -> tuple[float, str]:
    import resource

    def children() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    cpu = children()
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)  # noqa: S603
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{cmd}: {done.stdout[-500:]} {done.stderr[-2000:]}")
    CPU.append(("floor" if "import_floor" in " ".join(cmd) else "chibo", children() - cpu))
    return seconds, done.stdout


class Sqlite:
    vendor = "sqlite"

    def fresh(self, name: str) -> tuple[str, str]:
        path = WORK / f"{name}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        shutil.copy(_template_sqlite(), path)
        return f"sqlite:///{path}", str(path)

    def rows(self, target: str, sql: str) -> list[tuple]:
        import sqlite3

        with sqlite3.connect(target) as conn:
            return [tuple(str(v) for v in r) for r in conn.execute(sql)]


class Postgres:
    vendor = "postgresql"

    def __init__(self, server: str, prefix: str = "") -> None:
        import psycopg

        self.server = server  # conninfo/URL of the maintenance database
        self.psycopg = psycopg
        self.prefix = prefix  # of the databases' names: several engineers share a server
        self.template = f"{prefix}import_tpl"
        with psycopg.connect(server, autocommit=True) as conn:
            if not conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [self.template]
            ).fetchone():
                conn.execute(f'CREATE DATABASE "{self.template}"')
                _setup(self._url(self.template))

    def _url(self, db: str) -> str:
        return self.server.rsplit("/", 1)[0] + "/" + db

    def fresh(self, name: str) -> tuple[str, str]:
        name = self.prefix + name
        with self.psycopg.connect(self.server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        return self._url(name), self._url(name)

    def rows(self, target: str, sql: str) -> list[tuple]:
        with self.psycopg.connect(target) as conn:
            return [tuple(str(v) for v in r) for r in conn.execute(sql)]


def run(db: Any, file: Path, repeat: int) -> dict[str, Any]:
    chibo_times: list[float] = []
    floor_times: list[float] = []
    rows = 0
    for n in range(repeat):
        url, _ = db.fresh("chibo")
        env = {**os.environ, "DATABASE_URL": url, "DEBUG": "false"}
        seconds, out = _timed([PY, "-m", "chibo", "import", "members", str(file)], env)
        chibo_times.append(seconds)
        _floor_url, target = db.fresh("floor")
        seconds, out = _timed([PY, "bench/import_floor.py", db.vendor, target, str(file)], env)
        floor_times.append(seconds)
        rows = json.loads(out)["rows"]
        print(
            f"    run {n + 1}: chibo {chibo_times[-1]:.2f} s, floor {floor_times[-1]:.2f} s",
            flush=True,
        )
    chibo_target = url.removeprefix("sqlite:///")
    # The members, their events and the dashboard's tallies of them (issue 24).
    same = all(
        db.rows(chibo_target, sql) == db.rows(target, sql)
        for sql in (MEMBERS_SQL, EVENTS_SQL, TALLIES_SQL)
    )
    chibo = statistics.median(chibo_times)
    floor = statistics.median(floor_times)
    runs = CPU[-2 * repeat :]
    chibo_cpu = statistics.median(c for who, c in runs if who == "chibo")
    floor_cpu = statistics.median(c for who, c in runs if who == "floor")
    kind = file.suffix.lstrip(".")
    target_spec = TARGETS.get((db.vendor, kind), {})
    over = []
    if "rows_per_s" in target_spec and rows / chibo < target_spec["rows_per_s"] and rows >= 100000:
        over.append(f"rows/s {rows / chibo:,.0f} < {target_spec['rows_per_s']:,}")
    if "ratio" in target_spec and chibo / floor > target_spec["ratio"]:
        over.append(f"ratio {chibo / floor:.2f} > {target_spec['ratio']}")
    row = {
        "case": f"import {rows:,} members, {kind.upper()} (whole process; rows/s chibo "
        f"{rows / chibo:,.0f}, floor {rows / floor:,.0f}; client CPU s chibo {chibo_cpu:.1f}, "
        f"floor {floor_cpu:.1f})",
        "kind": "import",
        "runs": repeat,
        "orm_p50_ms": round(chibo * 1000, 1),
        "orm_p95_ms": round(max(chibo_times) * 1000, 1),
        "sql_p50_ms": round(floor * 1000, 1),
        "ratio": round(chibo / floor, 2),
        "chibo_cpu_s": round(chibo_cpu, 2),
        "floor_cpu_s": round(floor_cpu, 2),
        "same_answer": same,
        "plan": "floor: plain driver, non-unique indexes dropped and rebuilt"
        + (
            ", the tables' own foreign keys dropped and validated after, the members' ids in "
            "one block (ALTER SEQUENCE), binary COPY by a worker thread while the next 5,000 "
            "rows are built"
            if db.vendor == "postgresql"
            else ", executemany (None's sqlite3 adapter registered)"
        )
        + ", the dashboard's tallies counted in Python, ANALYZE",
        "target": target_spec,
        "over_target": over,
    }
    print(f"  {row['case']}: ratio {row['ratio']} same={same} {over or ''}", flush=True)
    return row


def _load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return ""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("rows", type=int)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--pg", help="a PostgreSQL server's maintenance database URL")
    parser.add_argument(
        "--pg-prefix",
        default="",
        help="prefix of the databases created on --pg (PREFIXimport_tpl, PREFIXchibo, PREFIXfloor)",
    )
    parser.add_argument("--formats", default="csv,xlsx")
    args = parser.parse_args()
    from bench.import_data import write

    xlsx, csv_path = write(args.rows, WORK)
    # chibo's bytecode compiled once, as an installed chibo has it (pip and the first run
    # write it; docs/deploy.md): with PYTHONDONTWRITEBYTECODE set, as here, every timed
    # process would compile ~130 modules from source first (~0.2 s of CPU).
    subprocess.run([PY, "-m", "compileall", "-q", str(ROOT / "chibo")], check=True)  # noqa: S603
    files = {"csv": csv_path, "xlsx": xlsx}
    for db in [Postgres(args.pg, args.pg_prefix)] if args.pg else [Sqlite()]:
        load = _load()
        rows = [run(db, files[f], args.repeat) for f in args.formats.split(",")]
        result = {
            "vendor": f"{db.vendor} import",
            "members": args.rows,
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "machine": f"{os.cpu_count()} cores",
            "load": {"start": load, "end": _load()},
            "rows": rows,
        }
        from bench.render_performance import table

        print(table(result), flush=True)
        if args.json:
            out = args.json.with_name(f"{args.json.stem}-{db.vendor}{args.json.suffix}")
            out.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
