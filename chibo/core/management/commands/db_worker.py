"""``chibo db_worker``: django-tasks-db's worker, which also stamps a heartbeat (``core.worker``).

Same options as the library's command. The heartbeat lets the import page say
when no worker is running (a web import would otherwise wait forever).
"""

from __future__ import annotations

import os
from typing import Any

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as WorkerCommand

from chibo.core.worker import start_heartbeat


class Command(WorkerCommand):
    help = "Run the background-task worker (imports, warnings); it stamps a heartbeat."

    def handle(self, *args: Any, **options: Any) -> None:
        # With --reload the command runs twice: a watcher and, in a child process,
        # the worker itself (DJANGO_AUTORELOAD_ENV=true). Only the worker beats.
        reload = options.get("reload") and not options.get("batch")
        if reload and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true":
            super().handle(*args, **options)
            return
        stop = start_heartbeat(options["worker_id"])
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
