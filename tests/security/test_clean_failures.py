"""A locked database, a full disk and a worker killed mid-task fail cleanly (review items 16–18).

Each test runs chibo in subprocesses against a SQLite file of its own (a
copy of one migrated once for the module), holding SQLite's write lock from
this process with the plain ``sqlite3`` module where the review held it:

* an API write and a page write answer 503 with ``Retry-After`` (they were a
  500 after 20 s), and nothing is written;
* ``chibo import`` says so in one Vietnamese line (it printed a traceback);
* ``chibo db_worker`` waits and goes on (it crashed and exited);
* a worker SIGKILLed mid-import leaves its task "running": the next reap
  marks it and the job failed, and the job's retry imports it once;
* on a full disk (a real one: a tmpfs of a few hundred kilobytes, mounted
  for the test; skipped without the right to mount, outside CI) a web upload
  says so and leaves no partial file, ``chibo import`` and ``chibo backup``
  say so in one line.

``CHIBO_SQLITE_TIMEOUT=1`` and ``CHIBO_WORKER_DEAD_SECONDS=1`` keep the waits short
(20 s and 120 s in production). Every test but the web upload runs on SQLite files of
its own, whatever the run's database: marked ``database_free``, they run once in
`make test`, in its SQLite run (tests/database_free.py).
"""

# Subprocesses of our own commands, with fixed arguments.
# ruff: noqa: S603, S607
from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIELD_KEY = "3nK0ZW1cQ1M5v2xGm8y4bV7sD9pL6tR0aE2hJ5kN8qU="


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("busy-db")
    db = base / "template.sqlite3"
    _run(_env(base, db), "-m", "tests.security.busy_driver", "setup")
    return db


@pytest.fixture
def db(migrated: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "chibo.sqlite3"
    shutil.copy(migrated, copy)
    return copy


def _env(var: Path, db: Path, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "CHIBO_VAR_DIR": str(var),
        "TASKS_BACKEND": "database",
        "CHIBO_SQLITE_TIMEOUT": "1",
        "DJANGO_SETTINGS_MODULE": "chibo.settings",
        # As in production: without it a development warning joins the output.
        "CHIBO_FIELD_KEY": FIELD_KEY,
        **extra,
    }
    env.pop("CHIBO_2FA_REQUIRED", None)
    return env


def _run(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=check,
    )


def _json(done: subprocess.CompletedProcess) -> dict:
    return json.loads([line for line in done.stdout.splitlines() if line.startswith("{")][-1])


class Lock:
    """SQLite's write lock, held by this process as another program would hold it."""

    def __init__(self, db: Path) -> None:
        self.con = sqlite3.connect(db, isolation_level=None, timeout=30)

    def __enter__(self) -> Lock:
        self.con.execute("BEGIN IMMEDIATE")
        return self

    def __exit__(self, *exc: object) -> None:
        self.con.execute("ROLLBACK")
        self.con.close()


def _count(db: Path, sql: str) -> int:
    con = sqlite3.connect(db, timeout=30)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


@pytest.mark.database_free
def test_writes_answer_503_with_retry_after_while_sqlite_is_locked(db: Path, tmp_path) -> None:
    env = _env(tmp_path, db, DEBUG="false", ALLOWED_HOSTS="testserver")
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.security.busy_driver", "requests"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert json.loads(child.stdout.readline()) == {"ready": True}
        events = _count(db, "SELECT COUNT(*) FROM members_memberevent")
        with Lock(db):
            child.stdin.write("go\n")
            child.stdin.flush()
            answers = json.loads(child.stdout.readline())
        child.wait(timeout=60)
    finally:
        child.kill()
    api, web = answers["api"], answers["web"]
    assert api["status"] == 503 and api["retry_after"] == "30"
    assert api["body"]["error"]["code"] == "busy" and "thử lại" in api["body"]["error"]["message"]
    assert api["seconds"] < 15  # the busy timeout (1 s here), not a hang
    assert web["status"] == 503 and web["retry_after"] == "30"
    assert "Cơ sở dữ liệu đang bận" in web["body"] and "Traceback" not in web["body"]
    assert _count(db, "SELECT COUNT(*) FROM members_memberevent") == events


@pytest.mark.database_free
def test_cli_import_says_the_database_is_busy_in_one_line(db: Path, tmp_path) -> None:
    csv = tmp_path / "dv.csv"
    csv.write_text(
        "ma_dang_vien,ho_ten,ngay_sinh,gioi_tinh,ma_to_chuc,doi_tuong,ngay_vao_dang\n"
        "DV-C1,Lê Văn Một,17/05/2001,Nam,BK-SV1,Sinh viên,01/03/2022\n",
        encoding="utf-8",
    )
    with Lock(db):
        done = _run(_env(tmp_path, db), "-m", "chibo", "import", "members", str(csv), check=False)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Cơ sở dữ liệu đang bận" in lines[0], done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert _count(db, "SELECT COUNT(*) FROM members_member WHERE member_code = 'DV-C1'") == 0


def _wait_for(predicate, seconds: float = 120) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def worker_procs() -> Iterator[list[subprocess.Popen]]:
    procs: list[subprocess.Popen] = []
    yield procs
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)


ROWS = "20000"  # long enough to be killed while reading it
WORKER = ["-m", "chibo", "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2"]


def _worker(env: dict[str, str], procs: list) -> tuple[subprocess.Popen, list[str]]:
    """A worker, and the lines it writes (read by a thread as they come)."""
    proc = subprocess.Popen(
        [sys.executable, *WORKER],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    procs.append(proc)
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True).start()
    return proc, lines


def _job_state(env: dict[str, str], job: str) -> dict:
    return _json(_run(env, "-m", "tests.security.busy_driver", "job", job))


@pytest.mark.database_free
def test_worker_waits_for_a_locked_database_and_goes_on(db: Path, tmp_path, worker_procs) -> None:
    env = _env(tmp_path, db)
    job = _json(_run(env, "-m", "tests.security.busy_driver", "enqueue-import", "20", "dry"))["job"]
    with Lock(db):
        worker, lines = _worker(env, worker_procs)
        # Two busy timeouts in a row: the original worker had exited at the first.
        assert _wait_for(lambda: sum("database unavailable" in x for x in lines) >= 2, 120), lines
        assert worker.poll() is None, lines
    assert _wait_for(lambda: _job_state(env, job)["state"] == "checked", 120)
    assert worker.poll() is None
    worker.send_signal(signal.SIGTERM)
    worker.wait(timeout=60)
    assert not any("Traceback" in x for x in lines), lines


@pytest.mark.database_free
def test_a_worker_killed_mid_task_is_noticed_and_the_job_retried(
    db: Path, tmp_path, worker_procs
) -> None:
    # The shortest silence that makes a worker dead (the setting's minimum; 120 s in
    # production): the reap below waits past it without a beat.
    env = _env(tmp_path, db, CHIBO_WORKER_DEAD_SECONDS="1")
    job = _json(_run(env, "-m", "tests.security.busy_driver", "enqueue-import", ROWS, "import"))[
        "job"
    ]

    def reading() -> bool:  # plain sqlite3: quick enough to catch the job mid-way
        con = sqlite3.connect(db, timeout=30)
        try:
            row = con.execute(
                "SELECT state, done FROM interchange_importjob WHERE id IN (?, ?)",
                [job, job.replace("-", "")],
            ).fetchone()
        finally:
            con.close()
        return row is not None and row[0] == "running" and row[1] > 0

    worker, _lines = _worker(env, worker_procs)
    assert _wait_for(reading, 180)
    os.killpg(worker.pid, signal.SIGKILL)  # no clean-up at all
    worker.wait(timeout=30)
    orphaned = _job_state(env, job)
    assert orphaned["state"] == "running" and orphaned["tasks"][-1]["status"] == "RUNNING"
    time.sleep(1.5)  # past CHIBO_WORKER_DEAD_SECONDS (1 s) since the last beat, before the kill
    reaped = _run(env, "-m", "chibo", "tasks-reap")
    assert "run_import_job" in reaped.stdout
    after = _job_state(env, job)
    assert after["state"] == "failed" and after["members"] == 0
    assert after["tasks"][-1] == {"status": "FAILED", "exception": "chibo.core.worker.WorkerDied"}
    _run(env, "-m", "tests.security.busy_driver", "retry", job)
    _run(env, "-m", "chibo", "db_worker", "--no-reload", "--no-startup-delay", "--batch")
    done = _job_state(env, job)
    assert done["state"] == "done" and done["members"] == int(ROWS)
    assert [t["status"] for t in done["tasks"]] == ["FAILED", "SUCCESSFUL"]


# --- a full disk ------------------------------------------------------------------


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[callable]:
    """``mount(size_kb)``: a tmpfs of that size; unmounted after the test."""
    mounted: list[Path] = []

    def mount(size_kb: int) -> Path:
        point = tmp_path / f"disk{len(mounted)}"
        point.mkdir()
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(point)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            if os.environ.get("CI") == "true":
                pytest.fail(f"the full-disk tests need to mount a tmpfs in CI: {done.stderr}")
            pytest.skip(f"cannot mount a tmpfs here (needs root): {done.stderr.strip()}")
        mounted.append(point)
        return point

    yield mount
    for point in mounted:
        subprocess.run(["umount", "-l", str(point)], check=False)


def _fill(disk: Path, leave_kb: int) -> None:
    """Leave only about ``leave_kb`` free on ``disk``."""
    free = shutil.disk_usage(disk).free
    (disk / "filler").write_bytes(b"\0" * max(free - leave_kb * 1024, 0))


@pytest.mark.django_db
def test_web_upload_on_a_full_disk_says_so_and_leaves_no_file(tiny_disk, settings) -> None:
    from django.contrib.messages import get_messages
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse

    from chibo.core.roles import Role
    from chibo.interchange.models import ImportJob
    from tests import factories as f

    disk = tiny_disk(512)
    settings.VAR_DIR = disk
    (disk / "imports").mkdir()
    _fill(disk, 40)
    tree = f.tree()
    client = Client()
    client.force_login(f.user("bithu", Role.CELL_SECRETARY, tree["cell_a"]))
    body = ("ma_dang_vien,ho_ten\n" + "DV1,Nguyễn Văn An\n" * 8000).encode()  # ~170 KB
    response = client.post(
        reverse("interchange:upload"),
        {"kind": "members", "file": SimpleUploadedFile("dv.csv", body)},
    )
    assert response.status_code == 302  # back to the form, with the message
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("đĩa" in m and "đầy" in m for m in said), said
    assert list((disk / "imports").iterdir()) == []  # the partial file is gone
    assert not ImportJob.objects.exists()


@pytest.mark.database_free
def test_cli_import_and_backup_on_a_full_disk_say_so_in_one_line(
    db: Path, tmp_path, tiny_disk
) -> None:
    size_kb = db.stat().st_size // 1024 + 256
    disk = tiny_disk(size_kb)
    on_disk = disk / "chibo.sqlite3"
    shutil.copy(db, on_disk)
    _fill(disk, 64)  # room for SQLite's WAL index, not for the import
    rows = [
        f"DV-D{i:05d},Nguyễn Văn {i},17/05/2001,Nam,BK-SV1,Sinh viên,01/03/2022"
        for i in range(3000)
    ]
    csv = tmp_path / "dv.csv"
    csv.write_text(
        "ma_dang_vien,ho_ten,ngay_sinh,gioi_tinh,ma_to_chuc,doi_tuong,ngay_vao_dang\n"
        + "\n".join(rows),
        encoding="utf-8",
    )
    env = _env(tmp_path, on_disk)
    done = _run(env, "-m", "chibo", "import", "members", str(csv), check=False)
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "đĩa" in lines[0] and "đầy" in lines[0], done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    (disk / "filler").unlink()
    assert (
        _count(on_disk, "SELECT COUNT(*) FROM members_member WHERE member_code LIKE 'DV-D%'") == 0
    )

    backups = tiny_disk(4)  # smaller than the compressed backup
    out = backups / "chibo.sqlite3.gz"
    done = _run(_env(tmp_path, db), "-m", "chibo", "backup", "--output", str(out), check=False)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "đĩa" in lines[0], done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert list(backups.iterdir()) == []  # no partial backup left
