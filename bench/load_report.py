"""Print a load test's statistics (bench/locustfile.py's ``warmup.json`` and ``steady.json``) as tables.

    .venv/bin/python bench/load_report.py var/load-test/u50 [--access-log var/load-test/u50/access.log]

One table per phase (warm-up, then steady state): endpoint, requests, p50 /
p95 / p99 / max in ms, errors; reads first, then writes, each with its
total line, then everything. The figures are locust's final statistics
(every request of the phase), not the periodic CSV. Below: the measured mix
(writes per 100 requests, by kind), the errors by cause, the machine's load
average during the phase (1-minute figure sampled every 5 s: mean and max)
and locust's own CPU (CPU seconds per wall second of its one process: near
1.0, locust itself was the bottleneck).

``--access-log``: gunicorn's access log of the run (deploy/gunicorn.conf.py:
``%(M)sms``, milliseconds in the worker, is the last field), split at the
warm-up where locust recorded it: per endpoint, the time the workers spent
against the time the client waited (locust); the difference is the time the
request queued for a free worker (and, with 2 workers on 2 shared cores, for
the CPU).
"""

from __future__ import annotations

import argparse
import json
import math
import re
from pathlib import Path
from typing import Any

# (method, path in the access log, endpoint, locust's names of it). The log has no query
# string (deploy/gunicorn.conf.py: it may hold a searched name): /members/ is the list with
# and without ?q= and ?org=.
ENDPOINTS: list[tuple[str, str, str, tuple[str, ...]]] = [
    (
        "GET",
        r"/members/",
        "member list (plain, ?q=, ?org=)",
        ("member list", "member list ?q=", "member list ?org="),
    ),
    ("GET", r"/members/[^/]+/", "member detail", ()),
    ("GET", r"/members/[^/]+/events/[^/]+/", "member event form", ()),
    (
        "POST",
        r"/members/[^/]+/events/[^/]+/",
        "W member event",
        ("W member event (exempted)", "W member event (exemption_ended)"),
    ),
    ("GET", r"/reports/", "dashboard /reports/", ()),
    ("GET", r"/reports/admissions/", "report admissions ?org=", ()),
    ("GET", r"/reports/composition/export/xlsx/", "export composition xlsx", ()),
    ("GET", r"/reports/admissions/export/xlsx/", "export admissions xlsx", ()),
    ("GET", r"/activity/", "activity overview", ()),
    ("GET", r"/activity/meetings/", "meetings list", ()),
    ("GET", r"/activity/meetings/\d+/", "meeting sheet", ()),
    ("POST", r"/activity/meetings/\d+/attendance/[^/]+/", "W attendance row (htmx)", ()),
    ("GET", r"/activity/dues/", "dues page", ()),
    ("POST", r"/activity/dues/", "W dues payment", ()),
    ("GET", r"/activity/warnings/", "warnings ?org=", ()),
    ("GET", r"/orgs/", "org tree", ()),
    ("GET", r"/orgs/[^/]+/", "org detail", ()),
    ("GET", r"/orgs/[^/]+/children/", "org subtree (children)", ()),
    (
        "GET",
        r"/api/v1/members",
        "api members (?q=, ?org=)",
        ("api members ?q=", "api members ?org="),
    ),
    ("GET", r"/api/v1/orgs", "api orgs ?under=", ()),
    ("GET", r"/admissions/new/", "candidate form", ()),
    ("POST", r"/admissions/new/", "W admission step (register)", ()),
    ("GET", r"/admissions/\d+/step/[^/]+/", "admission step form", ()),
    ("POST", r"/admissions/\d+/step/[^/]+/", "W admission step (course)", ()),
    ("GET", r"/directives/assignments/\d+/report/[^/]+/", "directive report form", ()),
    ("POST", r"/directives/assignments/\d+/report/[^/]+/", "W directive report (draft)", ()),
]
_COMPILED = [(m, re.compile(p + r"\Z"), name) for m, p, name, _ in ENDPOINTS]
_LINE = re.compile(r'"(\w+) (\S+)" (\d{3}) \S+ (\d+)ms\s*$')


def _ms(value: Any) -> str:
    return "–" if value is None else f"{value:.0f}"


def endpoint_of(method: str, path: str) -> str:
    """The load test's endpoint of an access-log request ("other" if none)."""
    for m, pattern, name in _COMPILED:
        if m == method and pattern.match(path):
            return name
    return "other"


def percentile(times: dict[int, int], q: float) -> int | None:
    """The smallest time with at least ``q`` of the requests at or under it."""
    total = sum(times.values())
    if not total:
        return None
    need, seen = math.ceil(q * total), 0
    for ms in sorted(times):
        seen += times[ms]
        if seen >= need:
            return ms
    return max(times)


def table(data: dict[str, Any], title: str) -> None:
    rows = data["endpoints"]
    print(f"\n### {title}: {data['users']} users, {data['seconds']:.0f} s")
    load = data.get("load_1min")
    machine = f"load average (1 min) {data['load'][0]:.2f} at the end"
    if load:
        machine += f", mean {load['mean']:.2f} / max {load['max']:.2f} during the phase"
    if data.get("locust_cpu") is not None:
        machine += f"; locust's CPU {data['locust_cpu']:.2f} s per s"
        if data.get("locust_cpu_warning"):
            machine += " (locust warned: its CPU above 90 %)"
    print(f"\n{machine}.")
    print("\n| endpoint | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for kind in ("read", "write", "all"):
        for row in rows:
            if row["kind"] != kind or not row["requests"]:
                continue
            total = row["name"].startswith("all")
            name = (
                f"**{row['name']}**"
                if total
                else (f"W {row['name']}" if kind == "write" else row["name"])
            )
            print(
                f"| {name} | {row['requests']} | {row['rps']:.1f} | {_ms(row['p50'])} | {_ms(row['p95'])} "
                f"| {_ms(row['p99'])} | {row['max']} | {row['failures']} |"
            )
    everything = next((r for r in rows if r["kind"] == "all"), None)
    if everything and everything["requests"]:
        n = everything["requests"]
        writes = [r for r in rows if r["kind"] == "write" and not r["name"].startswith("all")]
        mix = ", ".join(f"{r['name']} {100 * r['requests'] / n:.1f}" for r in writes)
        print(f"\nWrites per 100 requests: {mix or 'none'}.")
    for error in data.get("errors", []):
        print(f"  error: {error['name']}: {error['error']} ×{error['count']}")


def read_access_log(path: Path) -> list[tuple[str, str, int, int] | None]:
    """Per line of gunicorn's access log: (method, path, status, ms in the worker), or None."""
    out: list[tuple[str, str, int, int] | None] = []
    for line in path.read_text(errors="replace").splitlines():
        found = _LINE.search(line)
        if found:
            method, where, status, ms = found.groups()
            out.append((method, where.split("?", 1)[0], int(status), int(ms)))
        else:
            out.append(None)
    return out


def _client_times(data: dict[str, Any]) -> dict[str, dict[int, int]]:
    """locust's histograms by endpoint name (writes prefixed "W ", as in ENDPOINTS)."""
    out: dict[str, dict[int, int]] = {}
    for row in data["endpoints"]:
        if row["name"].startswith("all") or row["kind"] == "all":
            continue
        name = f"W {row['name']}" if row["kind"] == "write" else row["name"]
        out[name] = {int(k): v for k, v in (row.get("times") or {}).items()}
    return out


def worker_table(
    data: dict[str, Any], requests: list[tuple[str, str, int, int]], title: str
) -> None:
    """Per endpoint: the workers' time (access log) beside the client's (locust); the gap queued."""
    if not requests:
        print(f"\n({title}: no requests in the access log)")
        return
    by: dict[str, dict[int, int]] = {}
    for method, path, _status, ms in requests:
        hist = by.setdefault(endpoint_of(method, path), {})
        hist[ms] = hist.get(ms, 0) + 1
    client = _client_times(data)
    every_worker: dict[int, int] = {}
    every_client: dict[int, int] = {}
    print(f"\n#### {title}: time in the workers (access log) and at the client (locust), ms")
    print(
        "\n| endpoint | requests (log) | worker p50 | worker p95 | worker p99 "
        "| client p50 | client p95 | client p99 | queued p50 |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    names = [name for _m, _p, name, _l in ENDPOINTS]
    for name in [*dict.fromkeys(names), "other"]:
        if name not in by:
            continue
        merged: dict[int, int] = {}
        for locust_name in next((names_ for _m, _p, n, names_ in ENDPOINTS if n == name), ()) or (
            name,
        ):
            for ms, n in client.get(locust_name, {}).items():
                merged[ms] = merged.get(ms, 0) + n
        worker = by[name]
        for ms, n in worker.items():
            every_worker[ms] = every_worker.get(ms, 0) + n
        for ms, n in merged.items():
            every_client[ms] = every_client.get(ms, 0) + n
        _worker_row(name, worker, merged)
    _worker_row("**all**", every_worker, every_client)


def _worker_row(name: str, worker: dict[int, int], client: dict[int, int]) -> None:
    w50, c50 = percentile(worker, 0.5), percentile(client, 0.5)
    queued = None if w50 is None or c50 is None else max(0, c50 - w50)
    print(
        f"| {name} | {sum(worker.values())} | {_ms(w50)} | {_ms(percentile(worker, 0.95))} "
        f"| {_ms(percentile(worker, 0.99))} | {_ms(c50)} | {_ms(percentile(client, 0.95))} "
        f"| {_ms(percentile(client, 0.99))} | {_ms(queued)} |"
    )


def split_access_log(
    lines: list[Any], warmup: dict[str, Any] | None, steady: dict[str, Any] | None
) -> tuple[list[Any], list[Any]]:
    """The access log's requests of the warm-up and of the steady state: locust recorded the
    log's length when each phase began and ended. The file is the run's part of the log
    (bench/load-test writes it from where the run began) or the whole log; all steady when
    locust recorded nothing."""
    start, split = ((warmup or {}).get("access_log_lines") or [None, None])[:2]
    end = ((steady or {}).get("access_log_lines") or [None, None])[1]
    if start is None or split is None:
        return [], [x for x in lines if x]
    if end is not None and len(lines) >= end:  # the whole log: absolute line numbers
        warm, rest = lines[start:split], lines[split:end]
    else:
        warm, rest = lines[: split - start], lines[split - start :]
    return [x for x in warm if x], [x for x in rest if x]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("directory", type=Path)
    parser.add_argument("--access-log", type=Path)
    args = parser.parse_args()
    phases: dict[str, dict[str, Any]] = {}
    for phase, title in (("warmup", "Warm-up"), ("steady", "Steady state")):
        path = args.directory / f"{phase}.json"
        if path.exists():
            phases[phase] = json.loads(path.read_text())
            table(phases[phase], title)
        else:
            print(f"\n({title}: no {path})")
    if args.access_log and args.access_log.exists():
        lines = read_access_log(args.access_log)
        warm, steady = split_access_log(lines, phases.get("warmup"), phases.get("steady"))
        if "warmup" in phases and warm:
            worker_table(phases["warmup"], warm, "Warm-up")
        if "steady" in phases:
            worker_table(phases["steady"], steady, "Steady state")


if __name__ == "__main__":
    main()
