"""The task worker's heartbeat (``chibo db_worker``) and "is a worker running?"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from chibo.core import worker
from chibo.core.models import WorkerHeartbeat

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

pytestmark = pytest.mark.django_db


@pytest.mark.django_db(transaction=True)  # a worker runs in autocommit, as in production
def test_db_worker_stamps_a_heartbeat(settings) -> None:
    settings.TASKS = DATABASE_TASKS
    assert worker.worker_missing()
    call_command("db_worker", "--batch", "--no-startup-delay", "--worker-id", "w-test", verbosity=0)
    beat = WorkerHeartbeat.objects.get(worker_id="w-test")
    assert timezone.now() - beat.seen_at < dt.timedelta(seconds=30)
    assert not worker.worker_missing()


def test_a_worker_not_seen_for_a_minute_is_missing(settings) -> None:
    settings.TASKS = DATABASE_TASKS
    started = timezone.now() - dt.timedelta(hours=1)
    worker.beat("w-old", started)
    later = timezone.now() + worker.SEEN_WITHIN + dt.timedelta(seconds=1)
    assert not worker.worker_missing()
    assert worker.worker_missing(now=later)


def test_inline_tasks_need_no_worker(settings) -> None:
    settings.TASKS = IMMEDIATE
    assert not worker.worker_missing()


def test_old_heartbeats_are_forgotten(settings) -> None:
    WorkerHeartbeat.objects.create(
        worker_id="gone",
        started_at=timezone.now() - dt.timedelta(days=3),
        seen_at=timezone.now() - dt.timedelta(days=2),
    )
    worker.beat("w-new", timezone.now())
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["w-new"]
