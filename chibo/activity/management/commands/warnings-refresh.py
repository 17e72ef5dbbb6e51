"""``chibo warnings-refresh [--org CODE] [--as-of DATE] [--enqueue]``: the daily warnings run.

Cron (every day at 05:30): ``30 5 * * * cd /srv/chibo && .venv/bin/chibo warnings-refresh --enqueue``
(the ``chibo db_worker`` process runs it), or without ``--enqueue`` to run it here and now.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from chibo.activity import services, tasks
from chibo.activity.management.commands.warnings import find_org, parse_day


class Command(BaseCommand):
    help = "Recompute the stored early warnings and notify cell secretaries (daily)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", help="org code (default: the whole city)")
        parser.add_argument("--as-of", dest="as_of", help="date YYYY-MM-DD (default: today)")
        parser.add_argument(
            "--enqueue", action="store_true", help="hand it to the background worker"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        org = find_org(options["org"])
        day = parse_day(options["as_of"])
        if options["enqueue"]:
            result = tasks.refresh_warnings.enqueue(org_code=org.code, as_of=day.isoformat())
            self.stdout.write(f"enqueued {result.id}")
            return
        counts = services.warnings_refresh(actor=None, org=org, as_of=day)
        self.stdout.write(
            f"{org.code} {day.isoformat()}: {counts['warning']} warning, "
            f"{counts['removal_review']} removal_review, {counts['notified']} notified"
        )
