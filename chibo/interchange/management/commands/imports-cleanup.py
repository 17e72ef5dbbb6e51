"""``chibo imports-cleanup``: delete uploads nobody will use again (see ``jobs.uploads_cleanup``).

Every upload runs it too; a daily cron line keeps var/imports small when
nobody uploads.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from chibo.interchange.jobs import keep_days, uploads_cleanup


class Command(BaseCommand):
    help = "Xóa các tệp tải lên không còn dùng (nhập lỗi, bỏ dở) sau CHIBO_IMPORT_KEEP_DAYS ngày."

    def handle(self, *args: Any, **options: Any) -> None:
        removed = uploads_cleanup()
        self.stdout.write(f"Đã xóa {removed} tệp tải lên không còn dùng (giữ {keep_days()} ngày).")
