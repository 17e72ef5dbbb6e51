"""chibo directives-remind [--date dd/mm/yyyy]: remind units of reports due soon or overdue (run daily)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chibo.directives.compile import remind_due


class Command(BaseCommand):
    help = "Nhắc các đơn vị sắp đến hạn hoặc quá hạn báo cáo (chạy hằng ngày)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="ngày chạy (dd/mm/yyyy), mặc định hôm nay")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["date"]:
            try:
                today = dt.datetime.strptime(options["date"], "%d/%m/%Y").date()
            except ValueError as exc:
                raise CommandError("Ngày không hợp lệ, hãy ghi dd/mm/yyyy.") from exc
        sent = remind_due(today=today)
        self.stdout.write(f"Đã gửi {sent} lời nhắc.")
