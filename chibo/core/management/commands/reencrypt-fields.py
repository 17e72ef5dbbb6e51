"""``chibo reencrypt-fields``: rewrite every encrypted value with the first key of CHIBO_FIELD_KEY.

Key rotation: put the new key first (``CHIBO_FIELD_KEY=new,old``), run this,
then drop the old key. Values in the old Fernet format, under an old key, or
still plain are rewritten; values already current are left alone. Batches of
2,000 rows, one transaction per table.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from chibo.core import crypto


class Command(BaseCommand):
    help = (
        "Re-encrypt citizen IDs, phones and TOTP secrets with the first key of CHIBO_FIELD_KEY "
        "(AES-256-GCM); run after putting a new key first, before dropping the old one."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        for table, columns in crypto.encrypted_columns():
            with transaction.atomic():
                changed = crypto.convert_columns(connection, table, columns, crypto.to_current)
            total += changed
            self.stdout.write(f"  {table} ({', '.join(columns)}): {changed} dòng mã hóa lại")
        self.stdout.write(
            f"Xong: {total} dòng được mã hóa lại bằng khóa {crypto.ring().primary_id} "
            "(khóa đầu tiên của CHIBO_FIELD_KEY)."
        )
