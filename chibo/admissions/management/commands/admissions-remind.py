"""chibo admissions-remind [--date dd/mm/yyyy]: notify overdue steps of the admission path (run daily)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chibo.admissions.remind import remind_overdue


class Command(BaseCommand):
    help = "Nhắc các bước kết nạp đảng viên quá hạn (quyết định, lễ kết nạp, xét công nhận; chạy hằng ngày)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="ngày chạy (dd/mm/yyyy), mặc định hôm nay")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["date"]:
            try:
                today = dt.datetime.strptime(options["date"], "%d/%m/%Y").date()
            except ValueError as exc:
                raise CommandError("Ngày không hợp lệ, hãy ghi dd/mm/yyyy.") from exc
        counts = remind_overdue(today=today)
        self.stdout.write(
            f"{counts['overdue']} bước quá hạn; đã gửi {counts['notified']} thông báo."
        )
