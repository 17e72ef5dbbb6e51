"""The import pages say when no task worker runs (a web import would wait forever), and name kinds in words."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from chibo.core import worker
from chibo.core.roles import Role
from chibo.interchange.models import ImportJob
from tests import factories as f
from tests.interchange.helpers import MEMBER_HEADER, member_row, write_xlsx

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def client(tree, settings, tmp_path) -> Client:
    settings.TASKS = DATABASE_TASKS
    settings.VAR_DIR = tmp_path
    client = Client()
    client.force_login(f.user("bithu", Role.CELL_SECRETARY, tree["cell_a"]))
    return client


def _queued_job(client: Client, tmp_path, django_capture_on_commit_callbacks) -> ImportJob:
    data = write_xlsx(tmp_path / "up.xlsx", MEMBER_HEADER, [member_row("DV1")]).read_bytes()
    client.post(
        reverse("interchange:upload"),
        {"kind": "members", "file": SimpleUploadedFile("dang-vien.xlsx", data)},
    )
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("interchange:run", args=[job.pk]), {"action": "check"})
    job.refresh_from_db()
    assert job.state == ImportJob.State.QUEUED
    return job


def test_without_a_worker_the_pages_say_the_file_will_wait(
    client: Client, tmp_path, django_capture_on_commit_callbacks
) -> None:
    index = client.get(reverse("interchange:index")).content.decode()
    assert 'id="no-worker"' in index and "chibo db_worker" in index
    job = _queued_job(client, tmp_path, django_capture_on_commit_callbacks)
    for url in (
        reverse("interchange:job", args=[job.pk]),
        reverse("interchange:progress", args=[job.pk]),
    ):
        page = client.get(url).content.decode()
        assert 'id="no-worker"' in page and "make run" in page


def test_with_a_live_worker_no_notice(
    client: Client, tmp_path, django_capture_on_commit_callbacks
) -> None:
    worker.beat("w-live", timezone.now())
    assert 'id="no-worker"' not in client.get(reverse("interchange:index")).content.decode()
    job = _queued_job(client, tmp_path, django_capture_on_commit_callbacks)
    assert (
        'id="no-worker"'
        not in client.get(reverse("interchange:job", args=[job.pk])).content.decode()
    )


def test_recent_imports_name_the_kind_in_vietnamese(
    client: Client, tmp_path, django_capture_on_commit_callbacks
) -> None:
    _queued_job(client, tmp_path, django_capture_on_commit_callbacks)
    index = client.get(reverse("interchange:index"), HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "<td>members</td>" not in index
    assert "<td>Đảng viên</td>" in index
