"""Is a background-task worker running? Heartbeats of ``chibo db_worker``.

Web imports (and the daily warnings) run as tasks: with the database backend
nothing happens until a worker (``chibo db_worker``) picks them up. chibo's
``db_worker`` command (``core/management/commands/db_worker.py``) stamps a
``WorkerHeartbeat`` every ``BEAT_SECONDS``; a page that queues work asks
``worker_missing()`` and says so when no worker has been seen for
``SEEN_WITHIN`` — instead of showing "waiting" forever.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

logger = logging.getLogger(__name__)

BEAT_SECONDS = 10
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


def start_heartbeat(worker_id: str, *, every: float = BEAT_SECONDS) -> threading.Event:
    """Beat now and then every ``every`` seconds from a daemon thread; set the returned event to stop."""
    started_at = timezone.now()
    stop = threading.Event()
    beat(worker_id, started_at)

    def loop() -> None:
        while not stop.wait(every):
            try:
                close_old_connections()
                beat(worker_id, started_at)
            except Exception:  # a missed beat (a locked database) is retried next time
                logger.warning("worker heartbeat: could not write", exc_info=True)
            finally:
                connection.close()

    threading.Thread(target=loop, name="chibo-worker-heartbeat", daemon=True).start()
    return stop
