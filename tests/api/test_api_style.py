"""One API style (issue 18, section 3), pinned where a grep can say it:

- one way to answer 201 (``chibo.apitools.created``): no router builds ``Status`` or calls
  ``create_response`` itself (the error handler in ``chibo/api.py`` is the one other caller);
- every error message a router raises is translated: no bare string in a ``ValidationError``,
  ``PermissionDenied``, ``Http404`` or ``HttpError`` (field names, the dict keys, aside);
- no empty router: every router mounted under /api/v1 has operations.

The response schemas of every route: tests/api/test_schema_coverage.py. The one pagination:
tests/api/test_one_pagination.py.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.database_free

CHIBO = Path(__file__).resolve().parents[2] / "chibo"
ERRORS = {"ValidationError", "PermissionDenied", "Http404", "HttpError"}
TRANSLATE = {"_", "gettext", "gettext_lazy", "ngettext", "pgettext"}


def _routers() -> list[Path]:
    return sorted(
        [*CHIBO.glob("*/api.py"), *CHIBO.glob("*/api/*.py"), CHIBO / "apitools.py"],
    )


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _bare_strings(node: ast.AST) -> list[str]:
    """String constants in ``node`` that reach the reader untranslated (dict keys aside)."""
    if isinstance(node, ast.Call) and _name(node.func) in TRANSLATE:
        return []
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return [ast.unparse(node)]
    if isinstance(node, ast.Dict):
        return [s for value in node.values for s in _bare_strings(value)]
    if isinstance(node, ast.BinOp):  # _("… %(x)s") % {...}
        return _bare_strings(node.left)
    found = []
    for child in ast.iter_child_nodes(node):
        found += _bare_strings(child)
    return found


def test_one_way_to_answer_201() -> None:
    found = []
    for path in sorted(CHIBO.rglob("*.py")):
        if "migrations" in path.parts or path == CHIBO / "apitools.py":
            continue
        tree = ast.parse(path.read_text())
        # ninja's Status, under whatever name it is imported (``Status as Reply``)
        status = {
            alias.asname or alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("ninja")
            for alias in node.names
            if alias.name == "Status"
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            called = _name(node.func)
            if (isinstance(node.func, ast.Name) and called in status) or (
                called == "create_response" and path != CHIBO / "api.py"
            ):
                found.append(f"{path.relative_to(CHIBO)}:{node.lineno} {called}(")
    assert found == []


def test_every_error_a_router_raises_is_translated() -> None:
    found = []
    for path in _routers():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and _name(node.func) in ERRORS:
                for arg in [*node.args, *(k.value for k in node.keywords)]:
                    found += [f"{path.relative_to(CHIBO)} {text!r}" for text in _bare_strings(arg)]
    assert found == []


def test_no_empty_router() -> None:
    from chibo.api import api

    empty = [
        prefix
        for prefix, router in api._routers
        if router is not api.default_router and not router.path_operations
    ]
    assert empty == []
