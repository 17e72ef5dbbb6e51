"""``chibo backup [--output FILE]``: a consistent, compressed snapshot with checksum and manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from chibo.core.backup import BackupError, backup_create


def _n(value: int) -> str:
    return f"{value:,}".replace(",", ".")  # Vietnamese thousands separator


class Command(BaseCommand):
    help = (
        "Write a consistent compressed backup (SQLite online backup + gzip, or pg_dump -Fc), "
        "its SHA-256 (.sha256) and a manifest of row counts and the audit head (.manifest.json)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--output", type=Path, default=None, help="backup file (default: var/backups/)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = backup_create(output=options["output"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        m = result.manifest
        rows = sum(m["counts"].values())
        self.stdout.write(
            f"Đã sao lưu {len(m['counts'])} bảng, {_n(rows)} dòng, {_n(m['audit_head']['last_seq'])} "
            f"bản ghi kiểm toán → {result.path} ({_n(m['size'])} byte)"
        )
        self.stdout.write(
            f"SHA-256 {m['sha256']} ({result.checksum_path.name}, {result.manifest_path.name})"
        )
