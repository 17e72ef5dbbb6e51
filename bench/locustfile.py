"""Load test of a running `make prod-local` (127.0.0.1 only): a working day, every role, reads and writes.

    .venv/bin/python bench/load_users.py              # sessions → var/load-test/sessions.json
    .venv/bin/locust -f bench/locustfile.py --headless -H http://127.0.0.1:8001 -u 50 -r 10 -t 300s

Nobody signs in during the test: each simulated user takes one of the sessions
bench/load_users.py made, of its own role and scope, with the records it
works on (its cell's meeting and roster, members whose dues it collects, a
member whose exemption it records and ends, its committee's directive
assignment):

- **cell secretaries**: attendance rows saved one by one on their meeting
  (the htmx row form), dues payments (the dues form), a member exempted and
  back (the event forms), a candidate registered and then the awareness
  course recorded (the admission forms), and their own pages: the meeting
  sheet, the meetings list, the dues page, the member list and search;
- **grassroots committee staff**: their committee's directive report saved
  as a draft (the report form), the activity overview, meetings and
  warnings of their cells, members, the dashboard;
- **superior committee staff** and the **city office**: the dashboard,
  reports and their exports (composition, admissions as XLSX), the
  activity overview, members, the org tree, the API;
- **viewers** (city or committee): the dashboard, members, orgs, reports,
  warnings, the API.

Writes go through the real forms: the page is read first (a read), its
``csrftoken`` cookie and hidden fields are sent back with the POST, and the
attendance row carries the htmx headers. A write answers a redirect (302)
when saved, or the row (200, htmx); a form shown again with an error is a
failure, with the error's text.

The mix (per 100 requests, with the user classes' weights below and the
tasks' weights; ``load_report.py`` prints the measured one): ~20 attendance
rows, ~5 dues payments, ~2 member events, ~1 admission step, ~1 directive
report, ~2 exports, the rest reads (search and the dashboard included).

Statistics: at ``LOAD_WARMUP`` seconds (default 60) the statistics so far
are written to ``$LOAD_STATS_DIR/warmup.json`` and reset; at the end the
steady state is written to ``steady.json``: locust's own final statistics
(``environment.stats``, every request), not the periodic CSV.

prod-local runs CHIBO_ENV=production: cookies are ``Secure``, which an HTTP
client does not send over http://127.0.0.1, so they are sent in a Cookie
header (the reverse proxy's HTTPS in production). A read that is not a 200
(a redirect to the login page included) is a failure.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import gevent
from locust import HttpUser, between, events, task

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load_forms as forms  # the writes' data, shared with the tests

SESSIONS = Path(
    os.environ.get(
        "LOAD_SESSIONS", Path(__file__).resolve().parents[1] / "var/load-test/sessions.json"
    )
)
STATS_DIR = Path(os.environ.get("LOAD_STATS_DIR", SESSIONS.parent))
WARMUP = float(os.environ.get("LOAD_WARMUP", "60"))
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
WRITE = "W "  # the names of writes start with this (load_report.py splits on it)
_CODE = re.compile(r'href="/members/([A-Z0-9-]+)/"')
_CSRF = re.compile(r"csrftoken=([A-Za-z0-9]+)")
_sessions: list[dict[str, Any]] = json.loads(SESSIONS.read_text()) if SESSIONS.exists() else []
_pools: dict[str, itertools.cycle] = {}


def _pool(role: str) -> Any:
    if role not in _pools:
        mine = [s for s in _sessions if s["role"] == role]
        if not mine:
            raise RuntimeError(f"no {role} sessions in {SESSIONS}: run bench/load_users.py first")
        _pools[role] = itertools.cycle(mine)
    return _pools[role]


class Worker(HttpUser):
    """One signed-in person of ``role`` in their own scope (abstract: the roles below)."""

    abstract = True
    role = ""
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.session = next(_pool(self.role))
        self.cookie = self.session["cookie"]
        self.client.headers["Cookie"] = self.cookie
        self.orgs: list[str] = self.session["orgs"]
        self.work: dict[str, Any] = dict(self.session.get("work") or {})
        self.codes: list[str] = []
        self.csrf = ""

    # --- reads -------------------------------------------------------------------

    def _get(self, url: str, name: str) -> str:
        with self.client.get(url, name=name, allow_redirects=False, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code} {r.headers.get('Location', '')}")
                return ""
            token = _CSRF.search(r.headers.get("Set-Cookie", ""))
            if token:
                self.csrf = token.group(1)
                self.client.headers["Cookie"] = f"{self.cookie}; csrftoken={self.csrf}"
            return r.text

    def _org(self) -> str:
        return random.choice(self.orgs)

    def _codes(self, text: str) -> None:
        self.codes = _CODE.findall(text)[:50] or self.codes

    # --- writes: the form's page first, then its POST ----------------------------------

    def _post(
        self, url: str, name: str, data: dict[str, Any], *, page: str = "", htmx: bool = False
    ) -> str | None:
        """POST ``data`` with the page's CSRF token and hidden fields; the redirect's target, or
        the htmx answer; None (a failure) when the form came back with an error."""
        fields = dict(forms.hidden(page))
        fields.update(data)
        headers = {"X-CSRFToken": self.csrf, "Referer": self.client.base_url + url}
        if htmx:
            headers.update({"HX-Request": "true", "HX-Current-URL": self.client.base_url + url})
        with self.client.post(
            url,
            data=fields,
            headers=headers,
            name=WRITE + name,
            allow_redirects=False,
            catch_response=True,
        ) as r:
            location = r.headers.get("Location", "")
            why = forms.refused(r.status_code, r.text, location, htmx=htmx)
            if why is None:
                return r.text if htmx else location
            r.failure(why)
            return None

    @task(4)
    def member_search(self) -> None:
        self._codes(self._get(f"/members/?q={random.choice(NAMES)}", "member list ?q="))

    @task(3)
    def member_list(self) -> None:
        self._codes(self._get("/members/", "member list"))

    @task(3)
    def member_detail(self) -> None:
        if self.codes:
            self._get(f"/members/{random.choice(self.codes)}/", "member detail")

    @task(2)
    def dashboard(self) -> None:
        self._get("/reports/", "dashboard /reports/")


class CellSecretary(Worker):
    """Attendance, dues, a member's exemption, a candidate: the cell's own pages."""

    role = "cell_secretary"
    weight = 10

    @task(55)
    def attendance_row(self) -> None:
        meeting, roster = self.work.get("meeting"), self.work.get("roster") or []
        if not meeting or not roster:
            return
        if not self.csrf:  # the sheet is open before its rows are changed
            self._get(f"/activity/meetings/{meeting}/", "meeting sheet")
        code = random.choice(roster)
        status = random.choice(["present", "present", "present", "unexcused"])
        self._post(
            f"/activity/meetings/{meeting}/attendance/{code}/",
            "attendance row (htmx)",
            forms.attendance_data(code, status),
            htmx=True,
        )

    @task(3)
    def meeting_sheet(self) -> None:
        if self.work.get("meeting"):
            self._get(f"/activity/meetings/{self.work['meeting']}/", "meeting sheet")

    @task(2)
    def meetings_list(self) -> None:
        self._get(f"/activity/meetings/?org={self.session['org']}", "meetings list")

    @task(12)
    def dues_payment(self) -> None:
        dues = self.work.get("dues") or []
        if not dues:
            return
        code, month, amount = dues.pop(0)
        org = self.session["org"]
        page = self._get(f"/activity/dues/?org={org}", "dues page")
        if page:
            self._post(
                f"/activity/dues/?org={org}",
                "dues payment",
                forms.dues_data(code, month, amount),
                page=page,
            )

    @task(3)
    def member_event(self) -> None:
        code = self.work.get("event_member")
        if not code:
            return
        kind = "exemption_ended" if self.work.get("exempted") else "exempted"
        url = f"/members/{code}/events/{kind}/"
        page = self._get(url, "member event form")
        if not page:
            return
        if self._post(url, f"member event ({kind})", forms.event_data(kind), page=page) is not None:
            self.work["exempted"] = kind == "exempted"

    @task(2)
    def admission_step(self) -> None:
        mentor = self.work.get("mentor")
        if not mentor:
            return
        candidate = self.work.get("candidate")
        if candidate is None:  # register a candidate, then record their course
            page = self._get("/admissions/new/", "candidate form")
            if not page:
                return
            where = self._post(
                "/admissions/new/",
                "admission step (register)",
                forms.candidate_data(self.session["org"], mentor),
                page=page,
            )
            found = re.search(r"/admissions/(\d+)/", where or "")
            self.work["candidate"] = found.group(1) if found else None
            return
        url = f"/admissions/{candidate}/step/course/"
        page = self._get(url, "admission step form")
        if page:
            self._post(
                url,
                "admission step (course)",
                forms.course_data(),
                page=page,
            )
        self.work["candidate"] = None


class GrassrootsStaff(Worker):
    """A grassroots committee: its directive report, its cells' activity, members."""

    role = "grassroots_staff"
    weight = 4

    @task(2)
    def directive_report(self) -> None:
        report = self.work.get("report")
        if not report:
            return
        url = f"/directives/assignments/{report['assignment']}/report/{report['period']}/"
        page = self._get(url, "directive report form")
        if page:
            self._post(
                url,
                "directive report (draft)",
                forms.directive_data(),
                page=page,
            )

    @task(3)
    def activity_overview(self) -> None:
        self._get(f"/activity/?org={self.session['org']}", "activity overview")

    @task(2)
    def meetings_list(self) -> None:
        self._get(f"/activity/meetings/?org={self._org()}", "meetings list")

    @task(2)
    def warnings(self) -> None:
        self._get(f"/activity/warnings/?org={self._org()}", "warnings ?org=")

    @task(1)
    def dues_page(self) -> None:
        self._get(f"/activity/dues/?org={self._org()}", "dues page")


class Committee(Worker):
    """Superior committee staff and the city office: reports, exports, overviews."""

    abstract = True

    @task(2)
    def export(self) -> None:
        kind, fmt = random.choice([("composition", "xlsx"), ("admissions", "xlsx")])
        url = f"/reports/{kind}/export/{fmt}/?org={self._org()}"
        with self.client.get(
            url, name=f"export {kind} {fmt}", allow_redirects=False, catch_response=True
        ) as r:
            if r.status_code != 200 or not r.content.startswith(b"PK"):
                r.failure(f"{r.status_code} {r.headers.get('Content-Type', '')}")

    @task(2)
    def report(self) -> None:
        self._get(f"/reports/admissions/?org={self._org()}", "report admissions ?org=")

    @task(2)
    def activity_overview(self) -> None:
        self._get(f"/activity/?org={self._org()}", "activity overview")

    @task(1)
    def org_tree(self) -> None:
        self._get("/orgs/", "org tree")

    @task(2)
    def org_detail(self) -> None:
        self._get(f"/orgs/{self._org()}/", "org detail")

    @task(1)
    def api_members(self) -> None:
        self._get(f"/api/v1/members?q={random.choice(NAMES)}", "api members ?q=")


class SuperiorStaff(Committee):
    role = "superior_staff"
    weight = 2


class CityOffice(Committee):
    role = "city_office"
    weight = 2


class Viewer(Worker):
    """A viewer of the city or a committee: the pages of today's read-only test."""

    role = "viewer"
    weight = 6

    @task(1)
    def member_list_org(self) -> None:
        self._codes(self._get(f"/members/?org={self._org()}", "member list ?org="))

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


# --- statistics: warm-up apart, the steady state from locust's final figures -----------

ACCESS_LOG = os.environ.get("LOAD_ACCESS_LOG", "")  # gunicorn's, to split it at the warm-up


def _entries(stats: Any) -> list[dict[str, Any]]:
    """Every endpoint's figures, and one line each for all reads, all writes and everything."""
    rows: list[dict[str, Any]] = []
    groups: dict[str, Any] = defaultdict(lambda: None)
    for entry in sorted(stats.entries.values(), key=lambda e: e.name):
        if not entry.num_requests:
            continue
        kind = "write" if entry.name.startswith(WRITE) else "read"
        rows.append(_row(entry, entry.name.removeprefix(WRITE), kind))
        if groups[kind] is None:
            groups[kind] = type(entry)(stats, f"all {kind}s", "")
        groups[kind].extend(entry)
    for kind in ("read", "write"):
        if groups[kind] is not None:
            rows.append(_row(groups[kind], f"all {kind}s", kind))
    rows.append(_row(stats.total, "all", "all"))
    return rows


def _row(entry: Any, name: str, kind: str) -> dict[str, Any]:
    return {
        "name": name,
        "kind": kind,
        "requests": entry.num_requests,
        "failures": entry.num_failures,
        "rps": round(entry.total_rps, 2),
        "p50": entry.get_response_time_percentile(0.5) if entry.num_requests else None,
        "p95": entry.get_response_time_percentile(0.95) if entry.num_requests else None,
        "p99": entry.get_response_time_percentile(0.99) if entry.num_requests else None,
        "max": round(entry.max_response_time or 0),
        # locust's histogram (ms rounded as locust rounds them: count), to merge endpoints
        "times": {str(ms): n for ms, n in sorted(entry.response_times.items())},
    }


def _lines(path: str) -> int | None:
    try:
        with open(path, "rb") as f:
            return sum(1 for _ in f)
    except OSError:
        return None


class Phase:
    """What the machine did during a phase: the load average and locust's own CPU."""

    def __init__(self) -> None:
        self.started = time.time()
        self.cpu = _cpu()
        self.access = _lines(ACCESS_LOG) if ACCESS_LOG else None
        self.load: list[float] = []
        self.locust_cpu: list[float] = []

    def sample(self, environment: Any) -> None:
        self.load.append(os.getloadavg()[0])
        runner = environment.runner
        if runner is not None:
            self.locust_cpu.append(float(getattr(runner, "current_cpu_usage", 0.0)))

    def summary(self) -> dict[str, Any]:
        wall = time.time() - self.started
        cpu = _cpu() - self.cpu

        def stats(values: list[float]) -> dict[str, float] | None:
            if not values:
                return None
            return {"mean": round(sum(values) / len(values), 2), "max": round(max(values), 2)}

        return {
            "seconds": round(wall, 1),
            "load_1min": stats(self.load),
            # CPU seconds of the locust process per wall second (1.0 = one whole core: locust
            # itself is the bottleneck), and its samples of psutil's cpu_percent.
            "locust_cpu": round(cpu / wall, 3) if wall else None,
            "locust_cpu_percent": stats(self.locust_cpu),
            "access_log_lines": [self.access, _lines(ACCESS_LOG) if ACCESS_LOG else None],
        }


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _write(phase: str, environment: Any, machine: Phase) -> None:
    stats = environment.stats
    errors = [
        {"name": e.name.removeprefix(WRITE), "error": str(e.error), "count": e.occurrences}
        for e in stats.errors.values()
    ]
    runner = environment.runner
    out = {
        "phase": phase,
        "users": getattr(environment.parsed_options, "num_users", None),
        **machine.summary(),
        "load": os.getloadavg(),
        "locust_cpu_warning": bool(getattr(runner, "cpu_warning_emitted", False)),
        "endpoints": _entries(stats),
        "errors": errors,
    }
    STATS_DIR.mkdir(parents=True, exist_ok=True)
    (STATS_DIR / f"{phase}.json").write_text(json.dumps(out, indent=1, ensure_ascii=False))


@events.test_start.add_listener
def _warmup(environment: Any, **_kwargs: Any) -> None:
    environment.chibo_phase = Phase()

    def sampler() -> None:
        while True:
            gevent.sleep(5)
            environment.chibo_phase.sample(environment)

    def split() -> None:
        gevent.sleep(WARMUP)
        _write("warmup", environment, environment.chibo_phase)
        environment.stats.reset_all()
        environment.chibo_phase = Phase()

    gevent.spawn(sampler)
    if WARMUP > 0:
        gevent.spawn(split)


@events.test_stop.add_listener
def _steady(environment: Any, **_kwargs: Any) -> None:
    _write("steady", environment, getattr(environment, "chibo_phase", None) or Phase())
