"""Modules stay under about 400 lines, or say why (issue 18: "split modules over about 400
lines where they mix concerns"). The list of those that stay whole, each with its one
concern, is docs/architecture.md's "Modules over 400 lines": read from there, so the list and
the doc cannot drift."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.database_free

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 400
SECTION = "### Modules over 400 lines"
ENTRY = re.compile(r"^- `(chibo/[\w/]+\.py)` — (\S.*)$")


def _documented() -> dict[str, str]:
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    start = doc.index(SECTION) + len(SECTION)
    end = min(i for i in (doc.find("\n#", start), len(doc)) if i >= 0)
    entries = {}
    for line in doc[start:end].splitlines():
        match = ENTRY.match(line)
        if match:
            assert match[1] not in entries, f"{match[1]} is listed twice"
            entries[match[1]] = match[2]
    return entries


def _sizes() -> dict[str, int]:
    return {
        path.relative_to(ROOT).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for path in (ROOT / "chibo").rglob("*.py")
        if "migrations" not in path.relative_to(ROOT).parts
    }


def test_every_module_over_400_lines_is_documented_with_its_concern() -> None:
    sizes = _sizes()
    documented = _documented()
    assert documented, f"no entries under {SECTION!r} in docs/architecture.md"
    over = {name for name, lines in sizes.items() if lines > LIMIT}
    undocumented = sorted(f"{name} ({sizes[name]} lines)" for name in over - set(documented))
    assert undocumented == [], (
        "split these by concern into a package whose __init__ re-exports the old names, or add "
        f"each to {SECTION!r} in docs/architecture.md with its one concern"
    )
    stale = sorted(f"{name} ({sizes.get(name, 'gone')})" for name in set(documented) - over)
    assert stale == [], f"no longer over {LIMIT} lines: remove from {SECTION!r}"


def test_the_list_names_one_concern_per_module() -> None:
    for name, why in _documented().items():
        assert len(why) >= 30 and why.endswith("."), (name, why)
