"""``chibo audit-verify``: check the keyed audit chain and the signed checkpoints; exit 1 on a break."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from chibo.core import audit, checkpoints
from chibo.core.models import AuditEntry


class Command(BaseCommand):
    help = (
        "Verify the audit log: every entry's keyed hash (CHIBO_AUDIT_KEY), the links, the head, "
        "and the signed checkpoints kept outside the database; names the altered range and "
        "exits non-zero on a break. --checkpoint writes a new checkpoint after a clean check."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--alert", action="store_true", help="on a break, notify the system administrators"
        )
        parser.add_argument(
            "--checkpoint",
            action="store_true",
            help="after a clean check, append a signed checkpoint (CHIBO_AUDIT_CHECKPOINTS)",
        )
        parser.add_argument(
            "--syslog", action="store_true", help="with --checkpoint: send it to syslog as well"
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
            problems = summary["problems"]
            total = summary["entries"]
            if problems:
                for line in summary["first"]:
                    self.stderr.write(line)
                if summary.get("range"):
                    first, last = summary["range"]
                    self.stderr.write(f"altered range: seq {first}..{last}")
                raise CommandError(
                    f"audit chain BROKEN: {problems} problem(s); "
                    f"{summary.get('alerted', 0)} administrator(s) notified"
                )
        else:
            problems_found = list(audit.verify())
            total = AuditEntry.objects.count()
            if problems_found:
                for problem in problems_found:
                    where = f"seq {problem.seq}: " if problem.seq else ""
                    self.stderr.write(f"{where}{problem.problem}")
                span = audit.altered_range(problems_found)
                if span:
                    self.stderr.write(f"altered range: seq {span[0]}..{span[1]}")
                raise CommandError(
                    f"audit chain BROKEN: {len(problems_found)} problem(s) in {total} entries"
                )
        marks, _bad = checkpoints.read()
        self.stdout.write(
            f"audit chain OK: {total} entries, {len(marks)} checkpoint(s) matched "
            f"({checkpoints.path()})"
        )
        if options["checkpoint"] and not options["alert"]:  # --alert already wrote one
            mark = checkpoints.write(syslog=options["syslog"])
            if mark is not None:
                self.stdout.write(f"checkpoint written: seq {mark.seq}, head {mark.head[:16]}…")
