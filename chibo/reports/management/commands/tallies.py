"""``chibo tallies [--rebuild]``: check (or recount) the dashboard's event tallies.

The tallies (``reports.tallies``) are kept by database triggers in every
transaction that writes a member event. ``chibo tallies`` recounts them from
the events and names the rows that differ (exit status 1); ``--rebuild``
recounts them all in one transaction (writers of events wait meanwhile).
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chibo.reports import tallies

SHOWN = 20  # differing rows printed


class Command(BaseCommand):
    help = "Kiểm tra (hoặc đếm lại) số đếm sự kiện của bảng điều khiển thống kê."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rebuild", action="store_true", help="đếm lại toàn bộ từ các sự kiện")
        parser.add_argument("--database", default="default")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        if options["rebuild"]:
            rows = tallies.rebuild(options["database"])
            self.stdout.write(
                f"Đã đếm lại số đếm sự kiện: {rows} dòng ({time.perf_counter() - started:.1f} giây)."
            )
            return
        wrong = tallies.differences(options["database"])
        if not wrong:
            self.stdout.write(
                "Số đếm sự kiện khớp với các sự kiện "
                f"(kiểm tra trong {time.perf_counter() - started:.1f} giây)."
            )
            return
        for (ancestor, ym, unit, kind, level, category), kept, counted in wrong[:SHOWN]:
            self.stdout.write(
                f"  tổ chức {ancestor}, đơn vị {unit}, {ym % 12 + 1:02d}/{ym // 12}, {kind}"
                f" {level} {category}: đang giữ {kept}, đếm lại {counted}"
            )
        raise CommandError(
            f"{len(wrong)} dòng số đếm sai. Chạy `chibo tallies --rebuild` để đếm lại."
        )
