"""Load test of a running `make prod-local` (127.0.0.1 only): signed-in users browsing.

    .venv/bin/python bench/load_users.py              # sessions → var/load-test/sessions.json
    .venv/bin/locust -f bench/locustfile.py --headless -H http://127.0.0.1:8001 -u 50 -r 10 -t 60s

Nobody signs in during the test: each simulated user takes one of the sessions
bench/load_users.py made (viewers of the city or of a committee, cell
secretaries, committee staff who passed the second factor), so the figures are
the pages', not the password hasher's. It browses the statistics dashboard,
the member list (with and without a name search), members' records, the org
tree, an org's page and its subtree, a report, the warnings page and the JSON
API, over the orgs of its scope. Requests are grouped by endpoint (``name=``).

prod-local runs CHIBO_ENV=production: the session cookie is ``Secure``, which
an HTTP client does not send over http://127.0.0.1, so it is sent in a Cookie
header (the reverse proxy's HTTPS in production). Anything but a 200 (a
redirect to the login page included) is a failure.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from pathlib import Path
from typing import Any

from locust import HttpUser, between, task

SESSIONS = Path(
    os.environ.get(
        "LOAD_SESSIONS", Path(__file__).resolve().parents[1] / "var/load-test/sessions.json"
    )
)
NAMES = [
    "nguyen van",
    "tran thi",
    "le",
    "an",
    "pham minh",
    "hoang",
    "vo thi",
    "dang",
    "huy",
    "ngoc",
]
_CODE = re.compile(r'href="/members/([A-Z0-9-]+)/"')
_sessions: list[dict[str, Any]] = json.loads(SESSIONS.read_text()) if SESSIONS.exists() else []
_next = itertools.count()


class Browser(HttpUser):
    wait_time = between(1, 3)

    def on_start(self) -> None:
        if not _sessions:
            raise RuntimeError(f"no sessions in {SESSIONS}: run bench/load_users.py first")
        self.session = _sessions[next(_next) % len(_sessions)]
        self.client.headers["Cookie"] = self.session["cookie"]
        self.orgs: list[str] = self.session["orgs"]
        self.codes: list[str] = []

    def _get(self, url: str, name: str) -> str:
        with self.client.get(url, name=name, allow_redirects=False, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code} {r.headers.get('Location', '')}")
                return ""
            return r.text

    def _org(self) -> str:
        return random.choice(self.orgs)

    def _codes(self, text: str) -> None:
        self.codes = _CODE.findall(text)[:50] or self.codes

    @task(2)
    def dashboard(self) -> None:
        self._get("/reports/", "dashboard /reports/")

    @task(4)
    def member_list(self) -> None:
        self._codes(self._get("/members/", "member list"))

    @task(4)
    def member_search(self) -> None:
        self._codes(self._get(f"/members/?q={random.choice(NAMES)}", "member list ?q="))

    @task(1)
    def member_list_org(self) -> None:
        self._codes(self._get(f"/members/?org={self._org()}", "member list ?org="))

    @task(4)
    def member_detail(self) -> None:
        if self.codes:
            self._get(f"/members/{random.choice(self.codes)}/", "member detail")

    @task(2)
    def org_tree(self) -> None:
        self._get("/orgs/", "org tree")

    @task(2)
    def org_detail(self) -> None:
        self._get(f"/orgs/{self._org()}/", "org detail")

    @task(1)
    def org_children(self) -> None:
        self._get(f"/orgs/{self._org()}/children/", "org subtree (children)")

    @task(1)
    def report(self) -> None:
        self._get(f"/reports/admissions/?org={self._org()}", "report admissions ?org=")

    @task(2)
    def warnings(self) -> None:
        self._get(f"/activity/warnings/?org={self._org()}", "warnings ?org=")

    @task(2)
    def api_members(self) -> None:
        self._get(f"/api/v1/members?q={random.choice(NAMES)}", "api members ?q=")

    @task(1)
    def api_members_org(self) -> None:
        self._get(f"/api/v1/members?org={self._org()}", "api members ?org=")

    @task(1)
    def api_orgs(self) -> None:
        self._get(f"/api/v1/orgs?under={self._org()}", "api orgs ?under=")
