"""chibo directives-remind [--date dd/mm/yyyy]: remind units of reports due soon or overdue (run daily)."""

from __future__ import annotations

from typing import Any

from chibo.core.management.daily import DailyCommand
from chibo.directives.compile import remind_due


class Command(DailyCommand):
    help = "Nhắc các đơn vị sắp đến hạn hoặc quá hạn báo cáo (chạy hằng ngày)."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = remind_due(today=self.run_date(options))
        self.stdout.write(f"Đã gửi {sent} lời nhắc.")
