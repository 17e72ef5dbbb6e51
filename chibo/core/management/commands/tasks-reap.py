"""``chibo tasks-reap [--retry]``: tasks left "running" by a worker that died, marked failed.

Workers do this themselves at start and once a minute (core/worker.py);
run it from cron when no worker is running. With ``--retry`` each task found
is enqueued again with the same arguments (imports are safer retried from
their page, which shows what happened).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from chibo.core import worker as workers


class Command(BaseCommand):
    help = (
        "Đánh dấu thất bại các tác vụ nền bị bỏ dở do tiến trình xử lý chết; --retry để chạy lại."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--retry", action="store_true", help="enqueue each one again")

    def handle(self, *args: Any, **options: Any) -> None:
        orphans = workers.reap_dead()
        seconds = int(workers.dead_after().total_seconds())
        if not orphans:
            self.stdout.write(
                f"Không có tác vụ nào bị bỏ dở (tiến trình im lặng quá {seconds} giây)."
            )
            return
        for orphan in orphans:
            line = f"Thất bại (tiến trình {orphan.worker_id or '?'} đã dừng): {orphan.task_path} {orphan.result_id}"
            if options["retry"]:
                line += f" → chạy lại: {workers.retry(orphan)}"
            self.stdout.write(line)
