"""Print a load test's statistics (bench/locustfile.py's ``warmup.json`` and ``steady.json``) as tables.

    .venv/bin/python bench/load_report.py var/load-test/u50 [--access-log var/prod-local/access.log]

One table per phase (warm-up, then steady state): endpoint, requests, p50 /
p95 / p99 / max in ms, errors; reads first, then writes, each with its
total line, then everything. The figures are locust's final statistics
(every request of the phase), not the periodic CSV. Below: the measured mix
(writes per 100 requests, by kind), the errors by cause, and the machine's
load average when the phase ended.

``--access-log``: gunicorn's access log of the run (deploy/gunicorn.conf.py:
``%(M)sms``, milliseconds in the worker, is the last field): the time the workers spent per request,
to set against the time the client waited (the difference is queueing).
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path
from typing import Any


def _ms(value: Any) -> str:
    return "–" if value is None else f"{value:.0f}"


def table(data: dict[str, Any], title: str) -> None:
    rows = data["endpoints"]
    print(
        f"\n### {title}: {data['users']} users, {data['seconds']:.0f} s, load {data['load'][0]:.2f}"
    )
    print("\n| endpoint | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | errors |")
    print("|---|---|---|---|---|---|---|---|")
    for kind in ("read", "write", "all"):
        for row in rows:
            if row["kind"] != kind:
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


def worker_times(path: Path) -> None:
    """Median and p95 of the workers' own time per request (gunicorn's ``%(M)sms``, last field)."""
    times = []
    for line in path.read_text(errors="replace").splitlines():
        last = line.rsplit(" ", 1)[-1].removesuffix("ms")
        if last.isdigit():
            times.append(int(last))
    if not times:
        print(f"\n(no request times in {path})")
        return
    times.sort()
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    print(
        f"\nTime in the workers (access log, {len(times)} requests): "
        f"median {statistics.median(times):.0f} ms, p95 {p95:.0f} ms."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("directory", type=Path)
    parser.add_argument("--access-log", type=Path)
    args = parser.parse_args()
    for phase, title in (("warmup", "Warm-up"), ("steady", "Steady state")):
        path = args.directory / f"{phase}.json"
        if path.exists():
            table(json.loads(path.read_text()), title)
        else:
            print(f"\n({title}: no {path})")
    if args.access_log and args.access_log.exists():
        worker_times(args.access_log)


if __name__ == "__main__":
    main()
