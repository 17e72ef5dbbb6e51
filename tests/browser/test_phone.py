"""Every page of every demo role on a 390 × 844 phone, in real Chromium.

The demo data (``chibo seed-demo``, 300 members) is loaded, then each demo account
logs in on a phone-sized touch screen and crawls what it can reach: the menu, the
tabs of each page, and the first link of each list and table, three clicks deep.
Each kind of page (view and query keys) is visited once per role. On every page:

- the document is no wider than the screen: ``document.documentElement.scrollWidth``
  (a phone zooms out to fit a wider page, so ``innerWidth`` would grow with it:
  NOTES.md, "Phones");
- buttons, fields, dropdowns, menu and tab links, and the labels of check boxes and
  radio buttons are at least 44 px both ways (tap targets);
- no dropdown cuts its chosen text;
- no error in the console (a CSP refusal included) and no failed request (the favicon
  included);
- no server error.

Every link followed answers 200: a 403 or 404 is a link the role should not have been
shown. A screenshot of each page (the whole page) lands in
``artifacts/phone/<database>/<role>/``, with ``index.tsv`` listing page, status and width.
The screenshots are for a person to look at (nothing is asserted on them): `make test`
takes them in its SQLite run only (``CHIBO_SECOND_DATABASE_RUN=1`` in the PostgreSQL run,
scripts/test-suites), which crawls and checks every page all the same.
"""

from __future__ import annotations

import io
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.db import connection

from chibo.members.demo.accounts import PASSWORD, TOTP_SECRET, USERNAMES
from tests.browser.crawl import CHECKS_JS, WIDTH, crawl, phone_context
from tests.browser.helpers import login
from tests.database_free import SECOND_RUN

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"

# Links known to answer 404 to some roles: issue 17, "viewers see dead links" (engineer
# 17b shows only the links a user can open). Empty this set once that lands.
KNOWN_DEAD_LINKS = {"directives:document", "directives:assignment"}


@pytest.fixture
def demo(live_url: str) -> str:
    call_command("seed-demo", members=300, seed=2023, stdout=io.StringIO())
    return live_url


@pytest.fixture
def phone(_browser: Any, live_url: str) -> Iterator[Any]:
    contexts: list[Any] = []

    def make() -> Any:
        contexts.append(phone_context(_browser))
        return contexts[-1]

    yield make
    for context in contexts:
        context.close()


def _slug(url: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", url).strip("-")[:80] or "home"


def _menu_collapses(page: Any) -> list[str]:
    """At 390 px the menu is behind its button, and the button opens it."""
    problems = []
    toggle = page.locator(".menu-toggle")
    logout = page.locator("form[action$='/accounts/logout/'] button")
    if not toggle.is_visible():
        problems.append("no menu button")
    elif page.locator("#site-menu").is_visible():
        problems.append("the menu is open before the button is pressed")
    else:
        toggle.tap()
        if not logout.is_visible() or logout.bounding_box()["x"] + 10 > WIDTH:
            problems.append("the open menu does not show the log-out button on screen")
        toggle.tap()
        if page.locator("#site-menu").is_visible():
            problems.append("the menu button does not close the menu")
    return problems


def _shots_taken() -> bool:
    """Screenshots in one database's run of `make test` only (they show the same pages)."""
    return os.environ.get(SECOND_RUN) != "1"


def _check_pages(page: Any, base: str, role: str, shots: Path) -> tuple[list[tuple], list[str]]:
    """Crawl the role's pages and check each; answer (rows for the index, problems found)."""
    problems: list[str] = []
    console: list[str] = []
    failed: list[str] = []
    # "Failed to load resource" repeats what the response listener reports with its URL.
    page.on(
        "console",
        lambda msg: (
            console.append(msg.text)
            if msg.type == "error" and not msg.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on("pageerror", lambda exc: console.append(str(exc)))
    page.on(
        "response",
        lambda r: failed.append(f"{r.status} {urlsplit(r.url).path}") if r.status >= 400 else None,
    )
    rows: list[tuple] = []

    def check(url: str, kind: str, response: Any) -> None:
        status = response.status if response else 0
        where = f"{role} {url}"
        width = page.evaluate("document.documentElement.scrollWidth")
        rows.append((role, url, status, width))
        if _shots_taken():
            page.screenshot(path=str(shots / f"{len(rows):02d}-{_slug(url)}.png"), full_page=True)
        known_dead = status == 404 and kind.split("/")[0] in KNOWN_DEAD_LINKS
        if status != 200 and not known_dead:
            problems.append(f"{where}: answered {status}, a link the role should not see")
        if width > WIDTH:
            problems.append(f"{where}: the page is {width} px wide on a {WIDTH} px screen")
        checks = page.evaluate(CHECKS_JS)
        problems.extend(f"{where}: tap target under 44 px: {s}" for s in checks["small"])
        problems.extend(f"{where}: dropdown cuts its text: {s}" for s in checks["cut"])
        # the page itself is checked above; here what it loads (the favicon included)
        loaded = [f for f in failed if not f.endswith(" " + urlsplit(url).path)]
        problems.extend(f"{where}: request failed: {f}" for f in loaded)
        problems.extend(f"{where}: console error: {c}" for c in console)
        if url == "/":
            problems.extend(f"{where}: {p}" for p in _menu_collapses(page))
        console.clear()
        failed.clear()

    crawl(page, base, check)
    return rows, problems


def test_every_page_of_every_demo_role_fits_a_phone(demo: str, phone: Any) -> None:
    out = ARTIFACTS / "phone" / connection.vendor
    index: list[tuple] = []
    problems: list[str] = []
    timings: list[str] = []
    # before logging in: the login page
    page = phone().new_page()
    page.goto(demo + "/accounts/login/")
    (out / "anonymous").mkdir(parents=True, exist_ok=True)
    if _shots_taken():
        page.screenshot(path=str(out / "anonymous" / "01-login.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    checks = page.evaluate(CHECKS_JS)
    if width > WIDTH:
        problems.append(f"login page: {width} px wide on a {WIDTH} px screen")
    problems.extend(f"login page: tap target under 44 px: {s}" for s in checks["small"])
    for role in USERNAMES:
        started = time.perf_counter()
        shots = out / role
        shots.mkdir(parents=True, exist_ok=True)
        for old in shots.glob("*.*"):
            old.unlink()
        page = phone().new_page()
        login(page, demo, role, password=PASSWORD, totp_secret=TOTP_SECRET)
        rows, found = _check_pages(page, demo, role, shots)
        index += rows
        problems += found
        timings.append(f"{role}: {len(rows)} pages, {time.perf_counter() - started:.1f} s")
        assert len(rows) > 3, f"{role} reached only {[r[1] for r in rows]}"
    (out / "index.tsv").write_text(
        "role\tpage\tstatus\tscrollWidth\n" + "".join("\t".join(map(str, r)) + "\n" for r in index)
    )
    print("\nphone crawl at 390x844:", "; ".join(timings))
    assert not problems, f"{len(problems)} problems on phone pages:\n" + "\n".join(problems)
