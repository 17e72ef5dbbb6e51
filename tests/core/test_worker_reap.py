"""Orphaned tasks (their worker stopped stamping) are marked failed; live workers' are left alone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from chibo.core import worker as workers
from chibo.core.models import WorkerHeartbeat
from chibo.core.roles import Role
from chibo.interchange import jobs
from chibo.interchange.models import ImportJob
from chibo.interchange.tasks import preview_import_job, run_import_job
from tests import factories as f

pytestmark = pytest.mark.django_db

DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _running(task, job_id: str, worker: str, started: dt.datetime) -> DBTaskResult:
    result = DBTaskResult.objects.get(
        pk=task.enqueue(job_id, *([False] if task is run_import_job else [])).id
    )
    result.claim(worker)
    DBTaskResult.objects.filter(pk=result.pk).update(started_at=started)
    return result


def test_reap_fails_only_the_tasks_of_silent_workers(tree, settings, tmp_path) -> None:
    settings.TASKS = DATABASE
    settings.VAR_DIR = tmp_path
    settings.CHIBO_WORKER_DEAD_SECONDS = 60
    user = f.user("uni", Role.GRASSROOTS_STAFF, tree["uni"])
    upload = SimpleUploadedFile("dv.csv", b"ma_dang_vien,ho_ten\nDV1,An\n")
    dead_job = jobs.job_create(actor=user, kind="members", upload=upload)
    live_job = jobs.job_create(actor=user, kind="members", upload=upload)
    unread_job = jobs.job_create(actor=user, kind="members", upload=upload)
    ImportJob.objects.filter(pk__in=[dead_job.pk, live_job.pk]).update(state="running")
    now = timezone.now()
    long_ago = now - dt.timedelta(minutes=10)
    WorkerHeartbeat.objects.create(worker_id="alive", started_at=long_ago, seen_at=now)
    WorkerHeartbeat.objects.create(worker_id="dead", started_at=long_ago, seen_at=long_ago)
    dead = _running(run_import_job, str(dead_job.pk), "dead", long_ago)
    live = _running(run_import_job, str(live_job.pk), "alive", long_ago)
    never = _running(preview_import_job, str(unread_job.pk), "gone", long_ago)  # no beat at all
    orphans = workers.reap_dead(now=now)
    assert {o.result_id for o in orphans} == {str(dead.pk), str(never.pk)}
    statuses = dict(DBTaskResult.objects.values_list("pk", "status"))
    assert (statuses[dead.pk], statuses[live.pk], statuses[never.pk]) == (
        "FAILED",
        "RUNNING",
        "FAILED",
    )
    assert DBTaskResult.objects.get(pk=dead.pk).exception_class_path.endswith("WorkerDied")
    states = dict(ImportJob.objects.values_list("pk", "state"))
    assert states[dead_job.pk] == "failed" and states[live_job.pk] == "running"
    unread = ImportJob.objects.get(pk=unread_job.pk)
    assert unread.state == "invalid" and unread.preview["refused"]
    assert workers.reap_dead(now=now) == []  # once
    assert ImportJob.objects.get(pk=dead_job.pk).may_retry
