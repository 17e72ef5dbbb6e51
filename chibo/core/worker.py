"""Is a background-task worker running? Heartbeats of ``chibo db_worker``.

Web imports (and the daily warnings) run as tasks: with the database backend
nothing happens until a worker (``chibo db_worker``) picks them up. chibo's
``db_worker`` command (``core/management/commands/db_worker.py``) stamps a
``WorkerHeartbeat`` every ``BEAT_SECONDS``; a page that queues work asks
``worker_missing()`` and says so when no worker has been seen for
``SEEN_WITHIN`` — instead of showing "waiting" forever.

The same heartbeat tells a dead worker from a busy one. A worker killed
mid-task (SIGKILL, out of memory, the machine restarted) stops stamping; its
task stays ``RUNNING`` in django-tasks-db's table forever. ``reap_dead``
finds such tasks — running, and the worker that claimed them silent for
``dead_after()`` — marks them failed (``WorkerDied``) and sends
``worker_died`` so that the app that owns the task can say so to its user and
offer to run it again (imports: ``interchange.apps``). Every worker reaps at
its start and once a minute; ``chibo tasks-reap`` does it from cron when no
worker runs. A failed task is not run again by itself: a task that kills its
worker (a file that exhausts memory) would kill the next one too.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.dispatch import Signal
from django.utils import timezone

logger = logging.getLogger(__name__)

BEAT_SECONDS = 10

# Sent once for each task found orphaned by a dead worker (``orphan``: an ``Orphan``).
worker_died = Signal()
SEEN_WITHIN = dt.timedelta(seconds=60)
FORGET_AFTER = dt.timedelta(days=1)


def tasks_run_inline() -> bool:
    """True when tasks run inside the request (``TASKS_BACKEND=immediate``): no worker needed."""
    backend = settings.TASKS.get("default", {}).get("BACKEND", "")
    return backend.endswith("ImmediateBackend")


def beat(worker_id: str, started_at: dt.datetime) -> None:
    """Record that ``worker_id`` (this process) is alive now."""
    from chibo.core.models import WorkerHeartbeat

    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": started_at,
            "seen_at": now,
        },
    )
    WorkerHeartbeat.objects.filter(seen_at__lt=now - FORGET_AFTER).delete()


def last_seen() -> dt.datetime | None:
    from chibo.core.models import WorkerHeartbeat

    return WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()


def worker_missing(now: dt.datetime | None = None) -> bool:
    """Tasks need a worker and none has given a sign of life within ``SEEN_WITHIN``."""
    if tasks_run_inline():
        return False
    seen = last_seen()
    return seen is None or (now or timezone.now()) - seen > SEEN_WITHIN


def start_heartbeat(worker_id: str, *, every: float | None = None) -> threading.Event:
    """Beat now and then every ``every`` seconds from a daemon thread; set the returned event to stop."""
    every = every or beat_interval()
    started_at = timezone.now()
    stop = threading.Event()
    try:
        beat(worker_id, started_at)
    except DatabaseError as exc:  # a busy database at start: the thread's next beat counts
        logger.warning("worker heartbeat: could not write (%s)", exc)

    def loop() -> None:
        while not stop.wait(every):
            try:
                close_old_connections()
                beat(worker_id, started_at)
            except DatabaseError as exc:  # a missed beat (a locked database): retried next time
                logger.warning("worker heartbeat: could not write (%s)", exc)
            except Exception:
                logger.warning("worker heartbeat: could not write", exc_info=True)
            finally:
                connection.close()

    threading.Thread(target=loop, name="chibo-worker-heartbeat", daemon=True).start()
    return stop


def dead_after() -> dt.timedelta:
    """Setting CHIBO_WORKER_DEAD_SECONDS (environment variable of that name, default 120 s)."""
    return dt.timedelta(seconds=int(settings.CHIBO_WORKER_DEAD_SECONDS))


def beat_interval() -> float:
    """A beat well within ``dead_after()``, whatever it is set to."""
    return max(0.2, min(BEAT_SECONDS, dead_after().total_seconds() / 4))


class WorkerDied(Exception):
    """The worker that was running this task stopped without finishing it."""


@dataclass(frozen=True)
class Orphan:
    result_id: str
    task_path: str
    args: list[Any]
    kwargs: dict[str, Any]
    worker_id: str


def reap_dead(now: dt.datetime | None = None) -> list[Orphan]:
    """Mark failed every running task whose worker has been silent for ``dead_after()``."""
    from django_tasks_db.models import DBTaskResult

    from chibo.core.models import WorkerHeartbeat

    now = now or timezone.now()
    limit = now - dead_after()
    alive = set(
        WorkerHeartbeat.objects.filter(seen_at__gte=limit).values_list("worker_id", flat=True)
    )
    orphans = []
    for result in DBTaskResult.objects.filter(status="RUNNING"):
        worker = result.worker_ids[-1] if result.worker_ids else ""
        if worker in alive or (result.started_at and result.started_at >= limit):
            continue  # its worker stamps, or it started too recently to tell
        if not DBTaskResult.objects.filter(pk=result.pk, status="RUNNING").exists():
            continue  # finished meanwhile
        result.set_failed(
            WorkerDied(
                f"worker {worker or '?'} stopped while running this task "
                f"(no sign of life since before {timezone.localtime(limit):%d/%m/%Y %H:%M:%S})"
            )
        )
        orphan = Orphan(
            str(result.pk),
            result.task_path,
            list(result.args_kwargs.get("args", [])),
            dict(result.args_kwargs.get("kwargs", {})),
            worker,
        )
        logger.error(
            "task %s (%s) orphaned by worker %s: marked failed",
            orphan.result_id,
            orphan.task_path,
            worker,
        )
        worker_died.send(sender=Orphan, orphan=orphan)
        orphans.append(orphan)
    return orphans


def retry(orphan: Orphan) -> str:
    """Enqueue ``orphan``'s task again with the same arguments; the new result's id."""
    from django.utils.module_loading import import_string

    task = import_string(orphan.task_path)
    return str(task.enqueue(*orphan.args, **orphan.kwargs).id)
