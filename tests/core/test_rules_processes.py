"""A rule edited in one process reaches the others by their next request (two real processes).

Each web process (gunicorn worker) keeps the rules in memory. The edit's signal clears only
the editing process's copy; the others read the rules' version stamp at the start of each
request (``core.rules.refresh_if_changed``) and drop a stale copy.
"""

# Our own interpreter and scripts, fixed arguments.
# ruff: noqa: S603
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
KEY = "test.two_processes"

READER = f"""
import datetime as dt, sys
import django
django.setup()
from django.test import Client
from chibo.core import rules

def value():
    try:
        return rules.rule_in_force({KEY!r}, on=dt.date(2025, 1, 1)).value
    except rules.RuleMissing:
        return None

print(value(), flush=True)          # the rules are now cached in this process
for line in sys.stdin:              # the other process changed something
    print(value(), flush=True)      # within the same request: the cached copy
    Client().get("/accounts/login/")  # the next request
    print(value(), flush=True)
"""

WRITER = f"""
import datetime as dt, sys
import django
django.setup()
from chibo.core.models import RuleVersion
for action in sys.stdin:
    action = action.strip()
    if action == "create":
        RuleVersion.objects.create(key={KEY!r}, title="t", value=7, source="test",
                                   valid_from=dt.date(2020, 1, 1), confidence="L")
    elif action == "edit":
        row = RuleVersion.objects.get(key={KEY!r})
        row.value = 9
        row.save()
    else:
        RuleVersion.objects.filter(key={KEY!r}).delete()
    print("done", flush=True)
"""


def _database_url(tmp_path: Path) -> str:
    """The migrated test database, as other processes reach it (SQLite: a copy in a file).

    The test runs outside a transaction, so what the processes commit is seen by all.
    """
    if connection.vendor == "sqlite":
        path = tmp_path / "db.sqlite3"
        target = sqlite3.connect(path)
        connection.ensure_connection()
        connection.connection.backup(target)
        target.close()
        return f"sqlite:///{path}"
    s = connection.settings_dict
    return (
        f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or 'localhost'}:{s['PORT']}/{s['NAME']}"
    )


# Other processes must see committed rows: no test transaction (docs/architecture.md).
@pytest.mark.django_db(transaction=True)
def test_a_rule_changed_in_one_process_reaches_another_by_its_next_request(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": _database_url(tmp_path)}
    env.setdefault("DJANGO_SETTINGS_MODULE", "chibo.settings")

    def start(script: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-c", script],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def say(process: subprocess.Popen[str], line: str, answers: int) -> list[str]:
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(line + "\n")
        process.stdin.flush()
        return [process.stdout.readline().strip() for _ in range(answers)]

    reader, writer = start(READER), start(WRITER)  # two web processes, say
    try:
        assert reader.stdout is not None
        seen = [reader.stdout.readline().strip()]
        for action in ("create", "edit", "delete"):
            assert say(writer, action, 1) == ["done"]
            seen += say(reader, "next", 2)
    finally:
        for process in (reader, writer):
            assert process.stdin is not None
            process.stdin.close()
            process.wait(timeout=60)
    # Before; then per change: the same request (stale copy), the next request (fresh).
    assert seen == ["None", "None", "7", "7", "9", "9", "None"]
