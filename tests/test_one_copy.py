"""Issue 18's duplicated code stays single: each helper the issue found copied lives in one
place, and a second copy (or a reach into another module's private name) fails here.

Static checks over the source, like tests/test_layers.py; what each helper does is tested
beside it (tests/lib/test_dates.py, tests/members/test_list_count.py, ...).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHIBO = ROOT / "chibo"


def _sources(top: Path = CHIBO) -> dict[str, str]:
    return {
        str(path.relative_to(ROOT)): path.read_text()
        for path in sorted(top.rglob("*.py"))
        if "migrations" not in path.parts
    }


def _where(pattern: str, top: Path = CHIBO) -> set[str]:
    regex = re.compile(pattern, re.MULTILINE)
    return {name for name, text in _sources(top).items() if regex.search(text)}


def _defined(name: str) -> set[str]:
    """Modules defining a top-level function or class ``name``."""
    out = set()
    for path, text in _sources().items():
        for node in ast.parse(text).body:
            if isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name == name:
                out.add(path)
    return out


def test_the_lifecycle_helpers_are_defined_once() -> None:
    assert _defined("allowed_events") == {"chibo/members/lifecycle/kinds.py"}
    assert _defined("state_on") == {"chibo/members/lifecycle/log.py"}
    assert _defined("_append") == {"chibo/members/lifecycle/log.py"}
    assert _where(r"\bALLOWED_FROM\b|\bEVENT_SPECS\b") == set()


def test_the_view_toolkit_is_core_web() -> None:
    for name in ("is_htmx", "run_service", "add_service_errors", "require_page_cap", "form_page"):
        assert _defined(name) == {"chibo/core/web.py"}, name
    assert _defined("_require") == set()
    # An htmx request is told by core.web.is_htmx only (no inline header checks).
    assert _where(r"HX-Request|HTTP_HX_REQUEST") == {"chibo/core/web.py"}


def test_each_piece_lives_where_its_name_says() -> None:
    assert _where(r"\bselectors_audit\b") == set()
    assert _defined("CappedPaginator") == {"chibo/core/paging.py"}
    assert _defined("years_before") == {"chibo/lib/dates.py"}
    assert _where(r"\b_years_before\b") == set()


def test_settings_are_read_in_settings_only() -> None:
    """The environment is read by settings.py; the others below do not read a setting:
    entry points name the settings module, the backup passes the environment on to
    pg_dump, the worker's autoreloader reads its own flag, demo-logins prints `make run`'s
    PORT."""
    readers = _where(r"os\.environ|os\.getenv|getenv\(")
    assert readers == {
        "chibo/settings.py",
        "chibo/cli.py",
        "chibo/wsgi.py",
        "chibo/core/backup/common.py",
        "chibo/core/management/commands/db_worker.py",
        "chibo/members/management/commands/demo-logins.py",
    }


def test_one_raw_bulk_insert() -> None:
    assert _defined("insert_rows") == {"chibo/core/bulk.py"}
    assert _where(r"\.executemany\(|\bcopy_records\b|\"COPY ") <= {
        "chibo/core/bulk.py",
        "chibo/core/crypto.py",  # key rotation rewrites existing rows, it inserts none
        "chibo/reports/tallies.py",  # adds deltas to counters (INSERT ... ON CONFLICT UPDATE)
    }


def test_one_way_to_answer_201() -> None:
    assert _where(r"Status\(\s*201|Reply\(\s*201") == {"chibo/apitools.py"}
    assert _defined("created") == {"chibo/apitools.py"}


def test_service_helpers_are_not_copied() -> None:
    for name in ("_user", "_not_future"):
        assert _defined(name) == set(), name
    assert _defined("user_or_none") == {"chibo/core/services.py"}


def test_the_fast_password_hasher_is_one_fixture() -> None:
    """tests/conftest.py sets it for every test; the gunicorn tests' settings module is the
    one other place (a separate process reads it)."""
    assert _where("MD5" + "PasswordHasher", ROOT / "tests") == {
        "tests/conftest.py",
        "tests/security/served_settings.py",
    }
