"""Faults: the database restarted mid-load, the worker killed mid-task (`make bench`).

Both run the code in subprocesses against databases of their own:

* PostgreSQL restart: a dedicated throwaway server (initdb/pg_ctl, as
  scripts/with-postgres does); a stream of member events from one process;
  ``pg_ctl restart -m fast`` mid-way. Calls during the restart must fail with
  a clean exception, later calls must succeed (Django reconnects at the next
  request boundary), and nothing may be half-written: every member's state
  equals the replay of its events, every event has its audit entry, and the
  audit chain verifies.
* Worker killed: ``chibo db_worker`` runs a members import job on a SQLite
  file; SIGKILL while it runs. No member may be written (the import is one
  transaction); the job, re-enqueued, runs to completion in a new worker.
"""

# Subprocesses of our own commands and of PostgreSQL's tools, with fixed arguments.
# ruff: noqa: S603, S607
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.bench


def _driver(env: dict[str, str], *args: str, timeout: float = 300) -> list[dict]:
    out = subprocess.run(
        [sys.executable, "-m", "tests.security.fault_driver", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    ).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg_bindir() -> str | None:
    cfg = shutil.which("pg_config")
    if cfg:
        bindir = subprocess.run(
            [cfg, "--bindir"], capture_output=True, text=True, check=False
        ).stdout.strip()
        if (Path(bindir) / "initdb").exists():
            return bindir
    for cand in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (cand / "initdb").exists():
            return str(cand)
    return None


@pytest.fixture
def pg_server() -> Iterator[tuple[str, callable]]:
    bindir = _pg_bindir()
    if bindir is None or os.geteuid() != 0:
        if os.environ.get("CI") == "true":
            pytest.fail("the PostgreSQL fault test needs root and PostgreSQL in CI")
        pytest.skip("needs root and PostgreSQL server binaries")
    base = Path(tempfile.mkdtemp(prefix="chibo-fault-"))
    shutil.chown(base, "postgres")
    base.chmod(0o700)
    port = _free_port()

    def as_pg(*cmd: str) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *cmd], check=True, capture_output=True, timeout=60
        )

    opts = f"-c listen_addresses=127.0.0.1 -p {port} -k {base}"
    as_pg(
        f"{bindir}/initdb",
        "-D",
        f"{base}/data",
        "-U",
        "postgres",
        "--auth=trust",
        "-E",
        "UTF8",
        "--locale=C.UTF-8",
    )
    as_pg(f"{bindir}/pg_ctl", "-D", f"{base}/data", "-l", f"{base}/log", "-w", "-o", opts, "start")

    def restart() -> None:
        as_pg(
            f"{bindir}/pg_ctl",
            "-D",
            f"{base}/data",
            "-l",
            f"{base}/log",
            "-w",
            "-m",
            "fast",
            "-o",
            opts,
            "restart",
        )

    try:
        yield f"postgres://postgres@127.0.0.1:{port}/postgres", restart
    finally:
        subprocess.run(
            [
                "runuser",
                "-u",
                "postgres",
                "--",
                f"{bindir}/pg_ctl",
                "-D",
                f"{base}/data",
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
            capture_output=True,
            check=False,
            timeout=60,
        )
        shutil.rmtree(base, ignore_errors=True)


def test_database_restart_mid_load_fails_cleanly_and_recovers(
    pg_server: tuple[str, callable],
) -> None:
    url, restart = pg_server
    env = {**os.environ, "DATABASE_URL": url, "CONN_MAX_AGE": "60", "TASKS_BACKEND": "immediate"}
    _driver(env, "setup", "40")
    load = subprocess.Popen(
        [sys.executable, "-m", "tests.security.fault_driver", "load", "12"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(4)
    started = time.monotonic()
    restart()
    restart_seconds = time.monotonic() - started
    out, err = load.communicate(timeout=120)
    assert load.returncode == 0, err[-2000:]
    calls = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    failed = [c for c in calls if not c["ok"]]
    ok = [c for c in calls if c["ok"]]
    last_failure = max((c["n"] for c in failed), default=0)
    after = [c for c in ok if c["n"] > last_failure]
    result = _driver(env, "verify")[-1]
    print(
        f"\nFAULT db-restart: {len(calls)} calls, {len(ok)} ok, {len(failed)} failed cleanly "
        f"({sorted({c['error'] for c in failed})}), {len(after)} ok after the restart "
        f"(restart took {restart_seconds:.1f} s); mismatched states {len(result['mismatched'])}, "
        f"audit problems {len(result['audit_problems'])}, events {result['category_events']} "
        f"= audited changes {result['member_audit_entries'] - 40}"
    )
    assert failed, "the restart should have interrupted some calls"
    assert all(c["error"] in {"OperationalError", "InterfaceError"} for c in failed)
    assert len(after) > 10, "calls must succeed again after the restart"
    assert result["mismatched"] == [] and result["audit_problems"] == []
    # Exactly the successful calls were written, each with its audit entry (40 admissions before).
    assert result["category_events"] == len(ok)
    assert result["member_audit_entries"] - 40 == len(ok)


def test_worker_killed_mid_import_writes_nothing_and_the_job_retries(tmp_path: Path) -> None:
    db = tmp_path / "chibo.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "CHIBO_VAR_DIR": str(tmp_path),
        "TASKS_BACKEND": "database",
    }
    _driver(env, "setup", "3")
    job = _driver(env, "import-job", "20000")[-1]["job"]
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "chibo",
            "db_worker",
            "--no-reload",
            "--no-startup-delay",
            "--interval",
            "0.2",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )

    def job_row() -> tuple[str, int]:
        con = sqlite3.connect(db, timeout=30)
        try:
            row = con.execute(
                "SELECT state, done FROM interchange_importjob WHERE id = ?", [job.replace("-", "")]
            ).fetchone()
            if row is None:
                row = con.execute(
                    "SELECT state, done FROM interchange_importjob WHERE id = ?", [job]
                ).fetchone()
            return row
        finally:
            con.close()

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        state, done = job_row()
        if state == "running" and done > 0:
            break
        time.sleep(0.1)
    else:
        os.killpg(worker.pid, signal.SIGKILL)
        pytest.fail("the worker never started the import")
    time.sleep(0.5)
    os.killpg(worker.pid, signal.SIGKILL)  # the worker and anything it started: no clean-up at all
    worker.wait(timeout=30)
    con = sqlite3.connect(db, timeout=30)
    written = con.execute(
        "SELECT COUNT(*) FROM members_member WHERE member_code LIKE 'DV-I%'"
    ).fetchone()[0]
    events = con.execute(
        "SELECT COUNT(*) FROM members_memberevent e JOIN members_member m ON m.id = e.member_id "
        "WHERE m.member_code LIKE 'DV-I%'"
    ).fetchone()[0]
    con.close()
    state_after_kill = job_row()[0]
    # Retry: enqueue again; a fresh worker runs it to the end.
    _driver(env, "requeue", job)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "chibo",
            "db_worker",
            "--no-reload",
            "--batch",
            "--no-startup-delay",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=600,
        check=True,
    )
    con = sqlite3.connect(db, timeout=30)
    final = con.execute(
        "SELECT COUNT(*) FROM members_member WHERE member_code LIKE 'DV-I%'"
    ).fetchone()[0]
    con.close()
    state_final = job_row()[0]
    verify = _driver(env, "verify")[-1]
    print(
        f"\nFAULT worker-kill: killed mid-import at state={state_after_kill!r}; members written "
        f"before the kill {written}, events {events}; after retry state={state_final!r}, members "
        f"{final}/20000; mismatched {len(verify['mismatched'])}, audit problems {len(verify['audit_problems'])}"
    )
    assert written == 0 and events == 0
    assert state_final == "done" and final == 20000
    assert verify["mismatched"] == [] and verify["audit_problems"] == []
