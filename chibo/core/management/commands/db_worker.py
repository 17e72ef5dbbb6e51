"""``chibo db_worker``: django-tasks-db's worker, made to outlive a busy database and its own death.

The same options as the library's command (this app comes first in
INSTALLED_APPS, so its command is the one run). What differs:

* **It stamps a heartbeat** (``core.worker``): the import page can say when no
  worker runs, and a worker killed mid-task is noticed by the next one (at its
  start and once a minute), which marks the orphaned task failed so that it
  can be run again.
* **A busy database does not stop it.** SQLite's write lock held elsewhere
  (an import writing, a backup), a full disk or a dropped PostgreSQL
  connection made the library's worker crash and exit. Here each round of the
  loop that fails so waits (0.5 s, doubling to 30 s), says so in the log,
  and goes on; a task's result is recorded with the same patience, so a task
  that ran is never left "running".
"""

from __future__ import annotations

import logging
import os
import random
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from django.db import DatabaseError, close_old_connections, connections
from django.db.utils import OperationalError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker as base
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from chibo.core import worker
from chibo.core.busy import is_busy, is_disk_full

logger = logging.getLogger("django_tasks_db")

FIRST_WAIT = 0.5
LONGEST_WAIT = 30.0
REAP_EVERY = 60.0


def _transient(exc: BaseException) -> bool:
    """A state of the database that passes (locked, full, connection lost), not a bug.

    Never inside a transaction someone else opened (a test's, a caller's):
    closing and reopening the connection cannot help there, only loop.
    """
    if any(connections[alias].in_atomic_block for alias in connections):
        return False
    if is_busy(exc) or is_disk_full(exc):
        return True
    return isinstance(exc, OperationalError) and (
        "closed" in str(exc).lower() or "connection" in str(exc).lower()
    )


class Worker(base.Worker):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._wait = 0.0
        self._reaped_at = 0.0

    def _pause(self, exc: BaseException, doing: str) -> None:
        self._wait = min(max(self._wait * 2, FIRST_WAIT), LONGEST_WAIT)
        logger.warning("database unavailable while %s (%s): waiting %.1f s", doing, exc, self._wait)
        for alias in connections:
            connections[alias].close()
        time.sleep(self._wait)

    def _patiently(self, doing: str, action: Callable[[], Any]) -> Any:
        """Run ``action`` until the database takes it (a task's result must not be lost)."""
        while True:
            try:
                result = action()
            except DatabaseError as exc:
                if not _transient(exc):
                    raise
                self._pause(exc, doing)
                continue
            self._wait = 0.0
            return result

    def _reap(self) -> None:
        now = time.monotonic()
        if now - self._reaped_at < REAP_EVERY:
            return
        self._reaped_at = now
        try:
            worker.reap_dead()
        except DatabaseError as exc:
            if not _transient(exc):
                raise
            logger.warning("dead workers not checked now: %s", exc)

    def _claim(self) -> tuple[DBTaskResult[Any, Any] | None, bool]:
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        with exclusive_transaction(tasks.db):
            task_result = tasks.get_locked()
            if task_result is not None:
                task_result.claim(self.worker_id)
        return task_result, True

    def run(self) -> None:
        """The library's loop, each round of it patient with the database."""
        logger.info(
            "Starting worker worker_id=%s queues=%s", self.worker_id, ",".join(self.queue_names)
        )
        if self.startup_delay and self.interval:
            time.sleep(random.random())  # spreads the workers' starts
        while self.running:
            close_old_connections()
            try:
                self._reap()
                task_result, retrieved = self._claim()
            except DatabaseError as exc:
                if not _transient(exc):
                    raise
                self._pause(exc, "looking for a task")
                continue
            self._wait = 0.0
            if task_result is not None:
                self.run_task(task_result)
            if self.batch and retrieved and task_result is None:
                logger.info("No more tasks to run for worker_id=%s - exiting.", self.worker_id)
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                logger.info("Ran %d tasks on worker=%s - exiting.", self._run_tasks, self.worker_id)
                return
            close_old_connections()
            if self.running and not task_result:
                time.sleep(self.interval)

    def run_task(self, db_task_result: DBTaskResult[Any, Any]) -> None:
        try:
            self.running_task = True
            task = db_task_result.task
            task_result = db_task_result.task_result
            backend_type = task.get_backend()
            base.task_started.send(sender=backend_type, task_result=task_result)
            try:
                if task.takes_context:
                    value = task.call(
                        base.TaskContext(task_result=task_result),
                        *task_result.args,
                        **task_result.kwargs,
                    )
                else:
                    value = task.call(*task_result.args, **task_result.kwargs)
            except BaseException as exc:
                self._patiently("recording a failed task", partial(db_task_result.set_failed, exc))
                if isinstance(exc, KeyboardInterrupt | SystemExit):
                    raise
            else:
                self._patiently(
                    "recording a finished task", partial(db_task_result.set_successful, value)
                )
            base.task_finished.send(sender=backend_type, task_result=db_task_result.task_result)
        except (ImportError, base.SuspiciousOperation):
            logger.exception("Task id=%s failed unexpectedly", db_task_result.id)
            self._patiently(
                "recording a task that cannot be run",
                lambda: db_task_result.set_failed(RuntimeError("the task cannot be imported")),
            )
        finally:
            self.running_task = False
            self._run_tasks += 1


class Command(base.Command):
    help = (
        "Run the background-task worker (imports, warnings): it stamps a heartbeat, waits "
        "when the database is busy, and marks tasks left by a dead worker failed."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        # With --reload the command runs twice: a watcher and, in a child process,
        # the worker itself (DJANGO_AUTORELOAD_ENV=true). Only the worker beats.
        reload = options.get("reload") and not options.get("batch")
        if reload and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true":
            super().handle(*args, **options)
            return
        stop = worker.start_heartbeat(options["worker_id"])
        original = base.Worker
        base.Worker = Worker  # type: ignore[misc]  # the library's command builds base.Worker(...): build ours
        try:
            super().handle(*args, **options)
        finally:
            base.Worker = original  # type: ignore[misc]
            stop.set()
