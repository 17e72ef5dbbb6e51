"""Load test of a running `make prod-local` (127.0.0.1 only): signed-in users browsing.

    .venv/bin/locust -f bench/locustfile.py --headless -H http://127.0.0.1:8001 -u 50 -r 10 -t 60s

Each simulated user signs in as one of the ``loadNN`` viewers (bench/load_users.py),
then browses: the member list, a name search, a member's record, the org tree,
an org page and the JSON API (members, orgs). Requests are grouped by endpoint
(``name=``) so the statistics are per page, not per URL.

prod-local runs CHIBO_ENV=production: the session and CSRF cookies are
``Secure``, which an HTTP client does not send back over http://127.0.0.1, so
the cookies are replayed in a Cookie header (the reverse proxy's HTTPS in
production).
"""

from __future__ import annotations

import itertools
import os
import random
import re

from locust import HttpUser, between, task

USERS = int(os.environ.get("LOAD_ACCOUNTS", "40"))
PASSWORD = "chibo-load-2026"  # noqa: S105 - bench/load_users.py, a throwaway local stack
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
_counter = itertools.count()
_CODE = re.compile(r'href="/members/([A-Z0-9-]+)/"')
_ORG = re.compile(r'href="/orgs/([A-Za-z0-9-]+)/"')


class Browser(HttpUser):
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.username = f"load{next(_counter) % USERS:02d}"
        self.client.get("/accounts/login/", name="login form")
        self._replay_cookies()
        token = self.client.cookies.get("csrftoken", "")
        with self.client.post(
            "/accounts/login/",
            data={"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            name="login",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login {self.username}: {response.status_code}")
        self._replay_cookies()
        self.codes: list[str] = []
        self.orgs: list[str] = []

    def _replay_cookies(self) -> None:
        jar = {c.name: c.value for c in self.client.cookies}
        self.client.headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())

    def _get(self, url: str, name: str) -> str:
        with self.client.get(url, name=name, allow_redirects=False, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code}")
                return ""
            return r.text

    @task(4)
    def member_list(self) -> None:
        text = self._get("/members/", "member list")
        self.codes = _CODE.findall(text)[:50] or self.codes

    @task(4)
    def member_search(self) -> None:
        text = self._get(f"/members/?q={random.choice(NAMES)}", "member search")
        self.codes = _CODE.findall(text)[:50] or self.codes

    @task(3)
    def member_detail(self) -> None:
        if self.codes:
            self._get(f"/members/{random.choice(self.codes)}/", "member detail")

    @task(2)
    def org_tree(self) -> None:
        text = self._get("/orgs/", "org tree")
        self.orgs = _ORG.findall(text)[:30] or self.orgs

    @task(2)
    def org_detail(self) -> None:
        if self.orgs:
            self._get(f"/orgs/{random.choice(self.orgs)}/", "org detail")

    @task(2)
    def api_members(self) -> None:
        self._get(f"/api/v1/members?q={random.choice(NAMES)}", "api members search")

    @task(1)
    def api_orgs(self) -> None:
        self._get("/api/v1/orgs", "api orgs")
