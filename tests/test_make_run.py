"""`make run`: the server and the task worker together, on $PORT, stopped together.

A web import is a background task: before, `make run` started no worker and an
uploaded file waited at "Đang chờ, 0 / 0 dòng" forever. `scripts/run-dev` (what
`make run` ends with) starts `chibo runserver` and `chibo db_worker`; Ctrl-C, or
either one ending, stops both. These tests run the real script on a free port
against a throwaway SQLite database and look at the processes it leaves.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHIBO = ROOT / ".venv" / "bin" / "chibo"

# Processes and the Makefile on a SQLite file of their own, not the run's database: in
# make test's SQLite run only (tests/database_free.py).
pytestmark = pytest.mark.database_free


def _env(var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "CHIBO_"))}
    env.update(CHIBO_VAR_DIR=str(var_dir), TASKS_BACKEND="database")
    return env


@pytest.fixture(scope="module")
def var_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database with what the server's login page and the worker need."""
    path = tmp_path_factory.mktemp("run-dev")
    for app in ("core", "sessions", "django_tasks_database"):
        subprocess.run(  # noqa: S603 (our own command)
            [str(CHIBO), "migrate", app, "--noinput", "-v", "0"],
            env=_env(path),
            check=True,
            capture_output=True,
        )
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (children, grandchildren …), from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found: set[int] = set()
    stack = [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _wait(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


def _serves(port: int) -> bool:
    try:
        url = f"http://127.0.0.1:{port}/accounts/login/"
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _heartbeats(var_dir: Path) -> int:
    with sqlite3.connect(var_dir / "chibo.sqlite3") as db:
        return db.execute("SELECT COUNT(*) FROM core_workerheartbeat").fetchone()[0]


@pytest.fixture
def run_dev(var_dir: Path, tmp_path: Path) -> Iterator:
    started: list[subprocess.Popen] = []

    def start(port: int) -> subprocess.Popen:
        log = (tmp_path / "run-dev.log").open("wb")
        # A session of its own, as a terminal gives `make run` its process group.
        proc = subprocess.Popen(  # noqa: S603 (our own script)
            [str(ROOT / "scripts" / "run-dev"), str(port)],
            cwd=ROOT,
            env=_env(var_dir),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            # As at a terminal, Ctrl-C must reach it: a test run started in the background
            # (`cmd &` in a script) has SIGINT ignored, and run-dev would inherit that.
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        started.append(proc)
        return proc

    yield start
    for proc in started:  # never leave a server behind, even when a test fails
        for pid in _descendants(proc.pid) | {proc.pid}:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        proc.wait()


def test_ctrl_c_stops_the_server_and_the_worker(var_dir: Path, run_dev) -> None:
    port = _free_port()
    before = _heartbeats(var_dir)
    proc = run_dev(port)
    _wait(lambda: _serves(port), 90, f"the server on port {port}")
    _wait(lambda: _heartbeats(var_dir) > before, 90, "the worker's heartbeat")
    below = _descendants(proc.pid)
    commands = [Path(f"/proc/{pid}/cmdline").read_bytes() for pid in below if _alive(pid)]
    assert any(b"runserver\x00127.0.0.1:%d" % port in c for c in commands)
    assert any(b"db_worker" in c for c in commands)

    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C sends to the terminal's foreground group
    assert proc.wait(timeout=60) == 130
    _wait(lambda: not any(_alive(pid) for pid in below), 30, "every child to end")
    assert not _serves(port)


def test_when_the_port_is_taken_the_worker_stops_too(var_dir: Path, run_dev) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = run_dev(port)
        seen: set[int] = set()

        def ended() -> bool:
            seen.update(_descendants(proc.pid))
            return proc.poll() is not None

        _wait(ended, 90, "run-dev to give up on a taken port")
    assert proc.returncode != 0
    _wait(lambda: not any(_alive(pid) for pid in seen), 30, "every child to end")


def test_make_run_serves_on_port() -> None:
    out = subprocess.run(
        ["make", "-n", "run"],  # noqa: S607 (make from PATH, as a developer runs it)
        cwd=ROOT,
        env={**os.environ, "PORT": "8011"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "scripts/run-dev 8011" in out and "PORT=8011 .venv/bin/chibo demo-logins" in out
    default = subprocess.run(
        ["make", "-n", "run"],  # noqa: S607
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k != "PORT"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "scripts/run-dev 8000" in default
