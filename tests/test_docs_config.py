"""Every environment variable chibo reads is documented; the README's table has the key variables."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.database_free

ROOT = Path(__file__).resolve().parents[1]
READS = re.compile(
    r"""(?:os\.environ\.get|os\.environ\[|env_int|env_bool|env_list)\(?\[?["']([A-Z][A-Z0-9_]+)["']"""
)
# Read by settings.py but used by nothing yet: not documented as if it worked.
UNUSED = {"MAX_UPLOAD_BYTES"}


def _readme_table() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]


def test_readme_configuration_table_has_the_field_key_and_the_task_backend() -> None:
    table = _readme_table()
    for name in ("CHIBO_FIELD_KEY", "TASKS_BACKEND", "DATABASE_URL", "SECRET_KEY"):
        assert re.search(rf"^\| `{name}`", table, re.M), name


def test_every_variable_settings_reads_is_documented() -> None:
    names = set(READS.findall((ROOT / "chibo" / "settings.py").read_text(encoding="utf-8")))
    assert "CHIBO_FIELD_KEY" in names  # the pattern finds them
    docs = (ROOT / "README.md").read_text(encoding="utf-8") + "".join(
        p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").glob("*.md"))
    )
    missing = sorted(n for n in names - UNUSED if not re.search(rf"(`{n}\b|^\s*{n}=)", docs, re.M))
    assert missing == []


def test_settings_are_read_from_the_environment_only_in_settings_py() -> None:
    """Code reads ``django.conf.settings``; the environment is read once, in settings.py."""
    chibo = ROOT / "chibo"
    # Not settings: the settings module's name for entry points, the environment handed to
    # a child process, the autoreloader's own flag, and the port `make run` passes on.
    allowed = {
        "cli.py",
        "wsgi.py",
        "asgi.py",
        "core/backup/common.py",
        "core/management/commands/db_worker.py",
    }
    allowed |= {"members/management/commands/demo-logins.py"}
    reads = re.compile(r"os\.environ|os\.getenv|getenv\(")
    found = [
        f"{path.relative_to(chibo).as_posix()}:{number}"
        for path in sorted(chibo.rglob("*.py"))
        if path.name != "settings.py" and path.relative_to(chibo).as_posix() not in allowed
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if reads.search(line)
    ]
    assert found == []


def test_import_and_worker_limits_are_settings_read_from_the_environment() -> None:
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.CHIBO_WORKER_DEAD_SECONDS, s.CHIBO_IMPORT_STALE_MINUTES, s.CHIBO_IMPORT_KEEP_DAYS,"
        " s.CHIBO_IMPORT_MAX_BYTES, s.CHIBO_IMPORT_MAX_EXPANDED_BYTES)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHIBO_")}
    env |= {"DJANGO_SETTINGS_MODULE": "chibo.settings", "DATABASE_URL": "sqlite://:memory:"}
    run = subprocess.run
    default = run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=ROOT)
    assert default.stdout.split() == ["120", "10", "7", str(50 << 20), str(768 << 20)], (
        default.stderr
    )
    env |= {
        "CHIBO_WORKER_DEAD_SECONDS": "30",
        "CHIBO_IMPORT_STALE_MINUTES": "3",
        "CHIBO_IMPORT_KEEP_DAYS": "2",
        "CHIBO_IMPORT_MAX_MB": "5",
        "CHIBO_IMPORT_MAX_EXPANDED_MB": "64",
    }
    set_ = run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=ROOT)
    assert set_.stdout.split() == ["30", "3", "2", str(5 << 20), str(64 << 20)], set_.stderr
    env["CHIBO_IMPORT_KEEP_DAYS"] = "seven"
    bad = run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=ROOT)
    assert bad.returncode != 0 and "CHIBO_IMPORT_KEEP_DAYS='seven' is not an integer" in bad.stderr
