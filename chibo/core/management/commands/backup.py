"""``chibo backup [--output FILE] [--keep-days N]``: a consistent, compressed, encrypted and
authenticated snapshot with its checksum and signed manifest (all mode 0600)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from chibo.core.backup import BackupError, backup_create, backups_prune


def _n(value: int) -> str:
    return f"{value:,}".replace(",", ".")  # Vietnamese thousands separator


class Command(BaseCommand):
    help = (
        "Write a consistent compressed backup (SQLite online backup + gzip, or pg_dump -Fc), "
        "encrypted and authenticated with CHIBO_BACKUP_KEY (AES-256-GCM), its SHA-256 (.sha256) "
        "and a signed manifest of row counts and the audit head (.manifest.json); mode 0600."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--output", type=Path, default=None, help="backup file (default: CHIBO_BACKUP_DIR)"
        )
        parser.add_argument(
            "--keep-days",
            type=int,
            default=None,
            help="afterwards, delete backups in CHIBO_BACKUP_DIR older than this many days",
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
            f"Mã hóa AES-256-GCM (khóa {m['encryption']['key_id']}), SHA-256 {m['sha256']} "
            f"({result.checksum_path.name}, {result.manifest_path.name})"
        )
        if options["keep_days"] is not None:
            if options["keep_days"] < 1:
                raise CommandError("--keep-days phải từ 1 trở lên")
            removed = backups_prune(keep_days=options["keep_days"])
            self.stdout.write(
                f"Đã xóa {len(removed)} bản sao lưu cũ hơn {options['keep_days']} ngày."
            )
