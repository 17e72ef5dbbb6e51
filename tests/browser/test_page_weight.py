"""Page weight on a phone: each page transfers at most 200 KB once static files are cached.

``make bench`` (marked bench): the demo data at its default size (3,000 members, as
``make run`` loads it), each demo role on a 390 × 844 phone, every page of the phone
crawl (tests/browser/crawl.py). Bytes are what Chromium received over the network
(headers and bodies as sent, the DevTools "transferred" figure) for everything the page
loaded, its htmx fragments included. "Cached" leaves out the files under /static/: a phone
that has them fetches none again (production names them by content and sends them as
immutable, tests/test_static_files.py). The live server does not compress; "gzip"
estimates the document compressed (nginx compresses HTML).

Prints the table: role, page, first visit (the page's own static files not yet in the
cache; the shared ones came with the login page), with static files cached, the document,
its gzip estimate; and the login page on a phone that never saw chibo.
"""

from __future__ import annotations

import gzip
import io
import time
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from chibo.members.demo.accounts import PASSWORD, TOTP_SECRET, USERNAMES
from tests.browser.crawl import crawl, phone_context
from tests.browser.helpers import login

pytestmark = [pytest.mark.bench, pytest.mark.browser]

LIMIT = 200 * 1024  # bytes a phone page may transfer with static files cached
MEMBERS = 3000
STATIC = "/static/"


class Meter:
    """Bytes received per page load, from the DevTools protocol's network events."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.documents: set[str] = set()
        self.static: set[str] = set()
        self.bytes: dict[str, int] = {}
        session = page.context.new_cdp_session(page)
        session.send("Network.enable")
        session.on("Network.requestWillBeSent", self._sent)
        session.on("Network.loadingFinished", self._finished)

    def _sent(self, event: dict) -> None:
        if event.get("type") == "Document":  # the page and any redirect before it
            self.documents.add(event["requestId"])
        if urlsplit(event["request"]["url"]).path.startswith(STATIC):
            self.static.add(event["requestId"])

    def _finished(self, event: dict) -> None:
        self.bytes[event["requestId"]] = int(event["encodedDataLength"])

    def reset(self) -> None:
        self.documents.clear()
        self.static.clear()
        self.bytes.clear()

    def read(self, response: Any) -> tuple[int, int, int, int]:
        """The load since the last reset: (all bytes, without static files, the document's
        bytes, gzip estimate of the document); then reset."""
        self.page.wait_for_load_state("networkidle")
        total = sum(self.bytes.values())
        cached = sum(n for rid, n in self.bytes.items() if rid not in self.static)
        document = sum(self.bytes.get(rid, 0) for rid in self.documents)
        body = response.body() if response is not None else b""
        self.reset()
        return total, cached, document, len(gzip.compress(body, 6))


@pytest.fixture
def demo(live_url: str) -> str:
    call_command("seed-demo", members=MEMBERS, seed=2023, stdout=io.StringIO())
    return live_url


def _measure(browser: Any, base: str, role: str) -> list[tuple[str, str, int, int, int, int]]:
    """The role's pages: (role, page, first visit, static cached, document, gzip estimate).

    Without the service worker: what it fetches for a page is not in the page's network
    events. Pages go through it to the network unchanged, and the static files it keeps are
    what "cached" already leaves out, so the figures are the phone's."""
    context = phone_context(browser, service_workers="block")
    try:
        page = context.new_page()
        login(page, base, role, password=PASSWORD, totp_secret=TOTP_SECRET)
        meter = Meter(page)
        rows = []

        def weigh(url: str, kind: str, response: Any) -> None:
            rows.append((role, url, *meter.read(response)))

        crawl(page, base, weigh)
        return rows
    finally:
        context.close()


def _first_ever_visit(browser: Any, base: str) -> int:
    """Bytes of the login page on a phone that never saw chibo: its static files included."""
    context = phone_context(browser, service_workers="block")
    try:
        page = context.new_page()
        meter = Meter(page)
        return meter.read(page.goto(base + "/accounts/login/"))[0]
    finally:
        context.close()


def test_a_phone_page_transfers_at_most_200_kb_with_static_files_cached(
    demo: str, _browser: Any
) -> None:
    started = time.perf_counter()
    first_ever = _first_ever_visit(_browser, demo)
    rows = [row for role in USERNAMES for row in _measure(_browser, demo, role)]
    seconds = time.perf_counter() - started

    def kb(n: int) -> str:
        return f"{n / 1024:8.1f}"

    print(f"\nPage weight on a 390 px phone, demo data of {MEMBERS} members (KB received):")
    print(f"{'role':10} {'first':>8} {'cached':>8} {'document':>8} {'gzip':>8}  page")
    for role, url, cold_bytes, cached, document, zipped in rows:
        print(f"{role:10} {kb(cold_bytes)} {kb(cached)} {kb(document)} {kb(zipped)}  {url}")
    print(
        f"the login page on a phone that never saw chibo (static files included): {kb(first_ever).strip()} KB"
    )
    heaviest = max(rows, key=lambda r: r[3])
    print(
        f"{len(rows)} pages in {seconds:.0f} s; heaviest cached: {kb(heaviest[3]).strip()} KB "
        f"({heaviest[0]} {heaviest[1]}); limit {LIMIT // 1024} KB"
    )
    # The meter must have seen every page (a worker in the way reads 0 bytes for all).
    unseen = [f"{r[0]} {r[1]}" for r in rows if r[4] <= 0]
    assert not unseen, "pages whose document was not measured:\n" + "\n".join(unseen)
    over = [f"{r[0]} {r[1]}: {r[3] / 1024:.1f} KB" for r in rows if r[3] > LIMIT]
    assert not over, "pages over 200 KB with static files cached:\n" + "\n".join(over)
