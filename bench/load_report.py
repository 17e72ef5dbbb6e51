"""Print a locust ``*_stats.csv`` as the docs/performance.md table: req/s, p50/p95/p99, errors."""

from __future__ import annotations

import csv
import sys


def failures(path: str) -> None:
    """The failures by endpoint and cause (locust's ``*_failures.csv``), if any."""
    try:
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
    except FileNotFoundError:
        return
    for row in rows:
        print(f"  failure: {row['Name']}: {row['Error']} ×{row['Occurrences']}")


def main(path: str, users: str) -> None:
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    print(f"\n| {users} users | requests | req/s | p50 ms | p95 ms | p99 ms | errors |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "**all**"
        print(
            f"| {name} | {row['Request Count']} | {float(row['Requests/s']):.1f} | {row['50%']} "
            f"| {row['95%']} | {row['99%']} | {row['Failure Count']} |"
        )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "?")
    if len(sys.argv) > 3:
        failures(sys.argv[3])
