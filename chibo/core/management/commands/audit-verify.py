"""``chibo audit-verify``: recompute the audit hash chain; exit 1 on a break."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from chibo.core import audit
from chibo.core.models import AuditEntry


class Command(BaseCommand):
    help = (
        "Verify the hash chain of the audit log; exits non-zero if an entry was edited or removed."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--alert", action="store_true", help="on a break, notify the system administrators"
        )
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="enqueue the daily background verification (chibo db_worker runs it at 02:00)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from chibo.core import tasks

        if options["schedule"]:
            if tasks.schedule_next():
                self.stdout.write(
                    f"audit verification scheduled for {tasks.next_run():%d/%m/%Y %H:%M}"
                )
            else:
                self.stdout.write("audit verification already scheduled (or no task queue)")
            return
        if options["alert"]:
            summary = tasks.audit_verify_and_alert()
            if summary["problems"]:
                raise CommandError(
                    f"audit chain BROKEN: {summary['problems']} problem(s); "
                    f"{summary.get('alerted', 0)} administrator(s) notified"
                )
            self.stdout.write(f"audit chain OK: {summary['entries']} entries")
            return
        problems = list(audit.verify())
        total = AuditEntry.objects.count()
        if problems:
            for problem in problems:
                self.stderr.write(f"seq {problem.seq}: {problem.problem}")
            raise CommandError(f"audit chain BROKEN: {len(problems)} problem(s) in {total} entries")
        self.stdout.write(f"audit chain OK: {total} entries")
