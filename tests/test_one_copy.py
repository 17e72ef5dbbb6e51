"""Issue 18's duplicated code stays single: each helper the issue found copied lives in one
place, and a second copy (or a reach into another module's private name) fails here.

Static checks over the source, like tests/test_layers.py; what each helper does is tested
beside it (tests/lib/test_dates.py, tests/members/test_list_count.py, ...).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.database_free

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


# --- private names stay private ------------------------------------------------------------


def _module_name(path: str) -> str:
    name = path.removesuffix(".py").replace("/", ".")
    return name.removesuffix(".__init__")


def _is_module(name: str) -> bool:
    base = ROOT / name.replace(".", "/")
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _split_package(name: str, is_package: bool) -> str:
    """The package a module's private helpers may be shared in: a package below an app's level
    (``chibo.<app>.<package>``: the parts of a split module); "" at an app's level."""
    package = name if is_package else name.rpartition(".")[0]
    return package if package.count(".") >= 2 else ""


def private_reaches(name: str, source: str, is_package: bool = False) -> list[str]:
    """The underscore names ``name`` takes from another chibo module: ``from m import _x`` or
    ``m._x`` on an imported module, unless both modules are parts of one split package."""
    own = _split_package(name, is_package)

    def shared(owner: str) -> bool:
        return owner == name or (bool(own) and (owner == own or owner.startswith(own + ".")))

    base = name if is_package else name.rpartition(".")[0]
    modules: dict[str, str] = {}
    found = []
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("chibo.") and alias.asname:
                    modules[alias.asname] = alias.name
        elif isinstance(node, ast.ImportFrom):
            owner = node.module or ""
            if node.level:
                parts = base.split(".")
                owner = ".".join(parts[: len(parts) - node.level + 1] + ([owner] if owner else []))
            if owner != "chibo" and not owner.startswith("chibo."):
                continue
            for alias in node.names:
                private = alias.name.startswith("_") and not alias.name.startswith("__")
                if private and not shared(owner):
                    found.append(f"{name}: from {owner} import {alias.name}")
                if _is_module(f"{owner}.{alias.name}"):
                    modules[alias.asname or alias.name] = f"{owner}.{alias.name}"
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
            and not shared(modules[node.value.id])
        ):
            found.append(f"{name}: {modules[node.value.id]}.{node.attr}")
    return sorted(set(found))


def test_no_module_reaches_into_another_modules_private_names() -> None:
    """An underscore name is its module's own (or its split package's): what another module
    needs is public where it belongs (issue 18: ``reports.records`` used ``figures._fetch``,
    ``record_views`` used ``views._params``, ``accounts.twofactor`` ``core.scoping._roles``)."""
    found = []
    for path, text in _sources().items():
        found += private_reaches(_module_name(path), text, path.endswith("__init__.py"))
    # Left for a landing that may touch core (the whole suite runs): the 2FA check reads the
    # very role rows the scope is computed from.
    assert found == ["chibo.accounts.twofactor: from chibo.core.scoping import _roles"]


def test_the_private_name_check_bites() -> None:
    reaches = private_reaches(
        "chibo.reports.records",
        "from chibo.reports import figures\nfrom chibo.core.scoping import _roles\n"
        "from . import views\nrows = figures._fetch(views._params, _roles)\n",
    )
    assert reaches == [
        "chibo.reports.records: chibo.reports.figures._fetch",
        "chibo.reports.records: chibo.reports.views._params",
        "chibo.reports.records: from chibo.core.scoping import _roles",
    ]
    # The parts of a split package share their helpers.
    assert not private_reaches(
        "chibo.admissions.api", "from chibo.admissions.api.convert import _dict\n", True
    )
    assert not private_reaches(
        "chibo.directives.services.documents",
        "from chibo.directives.services.links import _link\n",
    )
    assert private_reaches(
        "chibo.directives.compile.compiling",
        "from chibo.directives import services\nservices._link()\n",
    ) == ["chibo.directives.compile.compiling: chibo.directives.services._link"]
