"""``chibo restore FILE``: restore a backup into an EMPTY database, then prove it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from chibo.core.backup import BackupError, backup_restore


def _n(value: int) -> str:
    return f"{value:,}".replace(",", ".")  # Vietnamese thousands separator


class Command(BaseCommand):
    help = (
        "Restore a `chibo backup` file into the configured database, which must be empty; "
        "checks the SHA-256 first, then the audit hash chain and every table's row count."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = backup_restore(options["file"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Đã khôi phục và kiểm tra: {result.tables} bảng, {_n(result.rows)} dòng khớp bản kê; "
            f"chuỗi kiểm toán nguyên vẹn ({_n(result.audit_entries)} bản ghi)."
        )
