"""``chibo audit-verify``: recompute the audit hash chain; exit 1 on a break."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from chibo.core import audit
from chibo.core.models import AuditEntry


class Command(BaseCommand):
    help = "Verify the hash chain of the audit log; exits non-zero if an entry was edited or removed."

    def handle(self, *args: Any, **options: Any) -> None:
        problems = list(audit.verify())
        total = AuditEntry.objects.count()
        if problems:
            for problem in problems:
                self.stderr.write(f"seq {problem.seq}: {problem.problem}")
            raise CommandError(f"audit chain BROKEN: {len(problems)} problem(s) in {total} entries")
        self.stdout.write(f"audit chain OK: {total} entries")
