"""Every environment variable chibo reads is documented; the README's table has the key variables."""

from __future__ import annotations

import re
from pathlib import Path

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
