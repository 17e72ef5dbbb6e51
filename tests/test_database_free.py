"""Tests marked ``database_free`` run once in `make test`: in the SQLite run, not the second.

tests/database_free.py. Each case collects (``--collect-only``, nothing runs) in a pytest of
its own, with and without ``CHIBO_SECOND_DATABASE_RUN=1``, which scripts/test-suites sets
for its PostgreSQL run.
"""

# A subprocess of our own test runner, with fixed arguments.
# ruff: noqa: S603
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.database_free import SECOND_RUN

pytestmark = pytest.mark.database_free

ROOT = Path(__file__).resolve().parents[1]
CLEAN_FAILURES = "tests/security/test_clean_failures.py"
UPLOAD = f"{CLEAN_FAILURES}::test_web_upload_on_a_full_disk_says_so_and_leaves_no_file"


def _collect(*args: str, cwd: Path = ROOT, second: bool) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != SECOND_RUN}
    env["PYTHONPATH"] = str(ROOT)
    env["DJANGO_SETTINGS_MODULE"] = "chibo.settings"
    if second:
        env[SECOND_RUN] = "1"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _ids(done: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in done.stdout.splitlines() if "::" in line]


def test_the_second_run_leaves_out_only_the_marked_tests_and_says_so() -> None:
    first = _collect("tests/test_one_copy.py", CLEAN_FAILURES, second=False)
    second = _collect("tests/test_one_copy.py", CLEAN_FAILURES, second=True)
    assert first.returncode == 0, first.stdout + first.stderr
    assert second.returncode == 0, second.stdout + second.stderr
    everything = _ids(first)
    assert any(i.startswith("tests/test_one_copy.py::") for i in everything)
    assert UPLOAD in everything
    # The upload test writes through the run's database: it stays in both runs.
    assert _ids(second) == [UPLOAD]
    left = len(everything) - 1
    assert f"1/{len(everything)} tests collected ({left} deselected)" in second.stdout
    assert f"{left} tests marked database_free" in second.stdout
    assert "database_free" not in first.stdout


def test_a_marked_test_that_uses_the_database_stops_the_collection(tmp_path: Path) -> None:
    (tmp_path / "test_sample.py").write_text(
        "import pytest\n\n"
        "@pytest.mark.database_free\n"
        "def test_reads_the_database(db):\n"
        "    pass\n\n"
        "@pytest.mark.database_free\n"
        "@pytest.mark.django_db\n"
        "def test_marked_for_the_database():\n"
        "    pass\n\n"
        "@pytest.mark.database_free\n"
        "def test_pure():\n"
        "    pass\n"
    )
    done = _collect("-p", "tests.database_free", "test_sample.py", cwd=tmp_path, second=False)
    assert done.returncode == pytest.ExitCode.USAGE_ERROR, done.stdout + done.stderr
    said = (done.stdout + done.stderr).partition("marked database_free but using the database")
    assert said[1], done.stdout + done.stderr
    said = said[2]
    assert "test_sample.py::test_reads_the_database" in said
    assert "test_sample.py::test_marked_for_the_database" in said
    assert "test_pure" not in said
