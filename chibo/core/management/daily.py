"""The ``--date dd/mm/yyyy`` option shared by the daily commands (reminders)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class DailyCommand(BaseCommand):
    """A command run once a day; ``--date`` runs it as of another day (tests, catching up)."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="ngày chạy (dd/mm/yyyy), mặc định hôm nay")

    def run_date(self, options: dict[str, Any]) -> dt.date | None:
        if not options["date"]:
            return None
        try:
            return dt.datetime.strptime(options["date"], "%d/%m/%Y").date()
        except ValueError as exc:
            raise CommandError("Ngày không hợp lệ, hãy ghi dd/mm/yyyy.") from exc
