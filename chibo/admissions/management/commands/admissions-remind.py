"""chibo admissions-remind [--date dd/mm/yyyy]: notify overdue steps of the admission path (run daily)."""

from __future__ import annotations

from typing import Any

from chibo.admissions.remind import remind_overdue
from chibo.core.management.daily import DailyCommand


class Command(DailyCommand):
    help = "Nhắc các bước kết nạp đảng viên quá hạn (quyết định, lễ kết nạp, xét công nhận; chạy hằng ngày)."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = remind_overdue(today=self.run_date(options))
        self.stdout.write(
            f"{counts['overdue']} bước quá hạn; {counts['due_soon']} lý lịch đảng viên sắp đến "
            f"hạn; đã gửi {counts['notified']} thông báo."
        )
