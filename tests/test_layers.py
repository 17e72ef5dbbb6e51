"""The layers of docs/architecture.md hold: `lint-imports` (import-linter, in `make lint`)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.database_free

ROOT = Path(__file__).resolve().parent.parent


def _lint_imports(*args: str) -> subprocess.CompletedProcess[str]:
    binary = Path(sys.executable).with_name("lint-imports")
    return subprocess.run(  # noqa: S603 — our own tool, fixed arguments
        [str(binary), "--no-cache", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_the_layers_are_kept() -> None:
    result = _lint_imports()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def test_an_upward_import_breaks_the_contract(tmp_path: Path) -> None:
    """The contract bites: an import against the declared order is reported."""
    config = (ROOT / "pyproject.toml").read_text()
    start = config.index("[tool.importlinter]")
    end = config.index("[tool.ruff]")
    section = config[start:end]
    probe = tmp_path / "contract.toml"
    probe.write_text(section)
    result = _lint_imports(str(probe))
    assert result.returncode == 0, result.stdout  # the same contract from another file is kept
    # lib declared above core: every import of lib from core is now an upward import.
    swapped = section.replace('"chibo.core",\n    "chibo.lib",', '"chibo.lib",\n    "chibo.core",')
    assert swapped != section
    probe.write_text(swapped)
    result = _lint_imports(str(probe))
    assert result.returncode == 1
    assert "chibo.core is not allowed to import chibo.lib" in result.stdout


def test_api_services_and_selectors_never_import_views(tmp_path: Path) -> None:
    """The second contract: views sit on top of their app (issue 18: oversight's API used to read
    `selectors_audit` from oversight.views). Without its declared exceptions (the API routes that
    answer with the page's own file download) the contract names exactly those imports."""
    config = (ROOT / "pyproject.toml").read_text()
    start = config.index("[tool.importlinter]")
    end = config.index("[tool.ruff]")
    section = config[start:end]
    views = section.index('id = "views-on-top"')
    ignores = section.index("ignore_imports = [", views)
    closing = section.index("]", ignores)
    probe = tmp_path / "contract.toml"
    probe.write_text(section[:ignores] + section[closing + 1 :])
    result = _lint_imports(str(probe))
    assert result.returncode == 1, result.stdout
    broken = result.stdout[result.stdout.index("Broken contracts") :]
    for app in ("activity", "admissions", "directives"):
        assert f"chibo.{app}.api" in broken and f"chibo.{app}.views" in broken
    assert "chibo.oversight" not in broken


# Where an app may load other apps by name: the registries that list them.
PLUGIN_POINTS = {
    "chibo/api.py": "every app's router (`ROUTERS`)",
    "chibo/members/management/commands/seed-demo.py": "each app's demo data (`EXTRA_APPS`)",
}
_DYNAMIC_IMPORTS = {"import_module", "__import__", "find_spec"}


def _chibo_modules() -> list[Path]:
    return sorted(
        path
        for path in (ROOT / "chibo").rglob("*.py")
        if "migrations" not in path.relative_to(ROOT).parts
    )


def _imports_chibo(nodes: list[ast.stmt]) -> bool:
    for node in (sub for stmt in nodes for sub in ast.walk(stmt)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("chibo"):
            return True
        if isinstance(node, ast.Import) and any(a.name.startswith("chibo") for a in node.names):
            return True
    return False


def test_no_app_reaches_another_by_name() -> None:
    """Issue 18: `reports.selectors._optional` called the activity and directives apps through
    `import_module` and `except ImportError`, out of import-linter's sight. Apps import each other
    plainly (the layers contract checks them); only the declared plugin points load apps by name,
    and no import of a chibo module is guarded by `except ImportError`."""
    found = []
    for path in _chibo_modules():
        name = path.relative_to(ROOT).as_posix()
        tree = ast.parse(path.read_text(), filename=name)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and name not in PLUGIN_POINTS:
                func = node.func
                called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if called in _DYNAMIC_IMPORTS:
                    found.append(f"{name}:{node.lineno} {called}()")
            if isinstance(node, ast.Try) and _imports_chibo(node.body):
                for handler in node.handlers:
                    caught = ast.unparse(handler.type) if handler.type else "everything"
                    if "ImportError" in caught or "ModuleNotFoundError" in caught:
                        found.append(f"{name}:{handler.lineno} except {caught}")
    assert found == [], "\n".join(found)
    for name in PLUGIN_POINTS:
        assert (ROOT / name).exists(), name
