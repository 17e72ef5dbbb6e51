"""``chibo purge-candidates [--dry-run] [--years N]``: retention of candidates never admitted,
and of notifications read more than CHIBO_NOTIFICATION_RETENTION_DAYS (180) days ago."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from chibo.admissions.retention import candidates_purge
from chibo.core.notify import notifications_purge
from chibo.lib.dates import dmy


class Command(BaseCommand):
    help = (
        "Delete candidates who never became members (withdrawn, not admitted, or inactive) "
        "whose last step is older than CHIBO_CANDIDATE_RETENTION_YEARS, and notifications read "
        "more than CHIBO_NOTIFICATION_RETENTION_DAYS ago; audited."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true", help="only report what would go")
        parser.add_argument("--years", type=int, default=None, help="override the setting")

    def handle(self, *args: Any, **options: Any) -> None:
        years = options["years"]
        if years is not None and years < 1:
            raise CommandError("--years phải từ 1 trở lên")
        report = candidates_purge(actor=None, years=years, dry_run=options["dry_run"])
        verb = "Sẽ xóa" if report.dry_run else "Đã xóa"
        self.stdout.write(
            f"{verb} {report.candidates} quần chúng không được kết nạp (bước cuối trước "
            f"{dmy(report.cutoff)}, lưu {report.years} năm); {report.steps} bước hồ sơ; "
            f"{report.enrolments_anonymized} lượt học được ẩn danh."
        )
        for stage, n in sorted(report.by_stage.items()):
            self.stdout.write(f"  giai đoạn {stage}: {n}")
        for org, n in sorted(report.by_org.items()):
            self.stdout.write(f"  {org}: {n}")
        notices = notifications_purge(actor=None, dry_run=options["dry_run"])
        self.stdout.write(
            f"{verb} {notices.deleted} thông báo đã đọc trước {dmy(timezone.localtime(notices.cutoff))} "
            f"(lưu {notices.days} ngày sau khi đọc)."
        )
