"""The city's exports and the admissions report, one request at a time (issue 24).

Times, through Django's test client in this process (no web server, no network), the
three report endpoints the load test's committee staff and city office request:

- ``/reports/composition/export/xlsx/?org=CODE``
- ``/reports/admissions/export/xlsx/?org=CODE``
- ``/reports/admissions/?org=CODE``

for each ``--org`` (default: the city ``TU`` and the school committee ``DHQG-BK`` of the
demo data), signed in as ``--user`` (default the city office's ``vanphong``). Prints per
URL the median and p95 of ``--runs`` requests after one warm-up, wall and CPU time of this
process (SQLite runs in it; PostgreSQL's time is the wall time less the CPU time), and the
response size. ``--out DIR`` keeps each response, to compare two versions' files cell by
cell.

    DATABASE_URL=postgres://…/scale_400000 .venv/bin/python bench/report_exports.py --runs 10
    DATABASE_URL=sqlite:////path/copy.sqlite3 .venv/bin/python bench/report_exports.py

Reads only (the exports add their audit rows). Run it under ``/work/tools/bench`` or on an
idle machine; compare versions in the same run (``PYTHONPATH=<other checkout>``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

URLS = (
    "/reports/composition/export/xlsx/?org={org}",
    "/reports/admissions/export/xlsx/?org={org}",
    "/reports/admissions/?org={org}",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--org", action="append", help="org code (repeat); default TU, DHQG-BK")
    parser.add_argument("--user", default="vanphong")
    parser.add_argument("--out", type=Path, help="keep each response in this folder")
    parser.add_argument("--label", default="", help="a name for this version in the output")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chibo.settings")
    if str(ROOT) not in sys.path:
        sys.path.append(str(ROOT))  # after PYTHONPATH: another checkout's chibo goes first

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import setup_test_environment

    import chibo

    settings.ALLOWED_HOSTS = ["*"]
    setup_test_environment()
    user = get_user_model().objects.get(username=args.user)
    client = Client()
    client.force_login(user)
    session = client.session
    session["chibo_2fa_user"] = user.pk  # signed in with the second factor
    session.save()
    vendor = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"# {args.label or Path(chibo.__file__).parents[1]} on {vendor}, {args.runs} runs")
    print(f"{'url':58} {'p50':>7} {'p95':>7} {'cpu p50':>8} {'bytes':>9}")
    for org in args.org or ["TU", "DHQG-BK"]:
        for pattern in URLS:
            url = pattern.format(org=org)
            response = client.get(url)  # warm-up (and the file kept)
            if response.status_code != 200:
                raise SystemExit(f"{url}: {response.status_code}")
            walls, cpus = [], []
            for _ in range(args.runs):
                wall, cpu = time.perf_counter(), time.process_time()
                client.get(url)
                walls.append((time.perf_counter() - wall) * 1000)
                cpus.append((time.process_time() - cpu) * 1000)
            walls.sort()
            p95 = walls[min(len(walls) - 1, round(0.95 * (len(walls) - 1)))]
            print(
                f"{url:58} {statistics.median(walls):7.1f} {p95:7.1f}"
                f" {statistics.median(cpus):8.1f} {len(response.content):9d}"
            )
            if args.out:
                args.out.mkdir(parents=True, exist_ok=True)
                name = url.strip("/").replace("/", "_").replace("?", "_")
                (args.out / name).write_bytes(response.content)


if __name__ == "__main__":
    main()
