"""``chibo import orgs|members|attendance|dues FILE [--dry-run] [--user USERNAME]``.

Validates the whole file first; any error → nothing is written, the
row-level report is printed and the exit code is 1. Without ``--user`` the
system imports over the whole tree; with it, only into that user's subtree.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from chibo.interchange import columns as C
from chibo.interchange.management.commands._common import acting_user
from chibo.interchange.services import Unsupported, import_file


class Command(BaseCommand):
    # A data command: Django's system checks import every URL and API module (0.5 s per
    # run, a quarter of a school's import); `chibo check` and the server run them.
    requires_system_checks: list[str] = []
    help = "Nhập tổ chức đảng, đảng viên, điểm danh hoặc đảng phí từ tệp XLSX/CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=C.KINDS)
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="kiểm tra, không ghi gì")
        parser.add_argument("--user", help="nhập với quyền (và phạm vi) của tài khoản này")

    def handle(self, *args: Any, **options: Any) -> None:
        translation.activate(settings.LANGUAGE_CODE)  # reports in Vietnamese
        actor = acting_user(options["user"])
        try:
            result = import_file(
                actor=actor, kind=options["kind"], path=options["file"], dry_run=options["dry_run"]
            )
        except Unsupported as exc:
            raise CommandError(str(exc)) from exc
        for problem in result.problems:
            (self.stdout if not problem.fatal else self.stderr).write(problem.line())
        if result.truncated:
            self.stderr.write("… (còn lỗi khác, không liệt kê hết)")
        counts = (
            f"{result.rows} dòng: {result.created} mới, {result.updated} thay đổi, "
            f"{result.unchanged} không đổi, {result.events} sự kiện"
        )
        if not result.ok:
            raise CommandError(
                f"{result.error_count} lỗi — không ghi gì vào cơ sở dữ liệu. ({result.rows} dòng)"
            )
        prefix = "Chạy thử (không ghi): " if result.dry_run else "Đã nhập: "
        self.stdout.write(
            prefix + counts + (f" trong {result.seconds} s" if result.seconds else "")
        )
