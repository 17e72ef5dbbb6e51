"""Browser journeys: real Chromium (Debian's /usr/bin/chromium) via Playwright.

Fixtures: ``live_url`` (base URL of pytest-django's live server, on a
transactional test database) and ``page`` (a fresh Playwright page per test;
a screenshot lands in ``artifacts/<test name>.png`` when the test fails).

Skipped, with the reason printed, when CHIBO_SKIP_BROWSER=1 or Chromium or
the playwright package is missing — except in CI (CI=true), where that is a
failure. ``playwright install`` is never used: we drive the system Chromium.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("CHIBO_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

# Playwright's sync API keeps an event loop in the main thread; the test's own
# database work (factories) runs there too, outside any coroutine.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _unavailable_reason() -> str | None:
    if os.environ.get("CHIBO_SKIP_BROWSER") == "1":
        return "CHIBO_SKIP_BROWSER=1"
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        return f"{CHROMIUM} is missing (apt-get install chromium, or scripts/ensure-chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    return None


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests cannot run in CI: {reason}", pytrace=False)
    print(f"\nNOTE: skipping browser tests: {reason}", file=sys.stderr)
    pytest.skip(f"browser tests skipped: {reason}")


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="session")
def _browser() -> Iterator[Any]:
    reason = _unavailable_reason()
    if reason:
        _skip_or_fail(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session", autouse=True)
def _keep_serialized_contents(django_db_setup: None) -> Iterator[None]:
    """Keep the serialized test database reachable from any connection wrapper.

    Serialized rollback (which restores what migrations loaded, such as rule
    versions, after each live-server test's flush) reads the snapshot from the
    current thread's connection wrapper. Playwright's sync API switches
    greenlets, and a test can end up with a new wrapper without the snapshot:
    the restore would then be skipped silently. A class attribute makes every
    wrapper carry it.
    """
    from django.db import connections

    contents = getattr(connections["default"], "_test_serialized_contents", None)
    wrapper_class = type(connections["default"])
    had = "_test_serialized_contents" in wrapper_class.__dict__
    if contents is not None and not had:
        wrapper_class._test_serialized_contents = contents
    yield
    if contents is not None and not had:
        del wrapper_class._test_serialized_contents


@pytest.fixture
def live_url(live_server: Any, transactional_db: None, django_db_serialized_rollback: None) -> str:
    # The live server needs committed data (transactional_db); serialized
    # rollback restores what migrations loaded (rule versions) after the flush.
    # The server thread outlives the test: forget any rule table it cached
    # while the database was being flushed and restored.
    from chibo.core import rules

    rules.clear_cache()
    return live_server.url


@pytest.fixture
def page(_browser: Any, live_url: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    # Depends on live_url so the page closes (no request in flight) before the
    # test database is flushed.
    context = _browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    pg = context.new_page()
    try:
        yield pg
    finally:
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            ARTIFACTS.mkdir(exist_ok=True)
            name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
            try:
                pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
            except Exception as exc:  # a dead page must not hide the real failure
                print(f"could not save screenshot: {exc}", file=sys.stderr)
        context.close()
