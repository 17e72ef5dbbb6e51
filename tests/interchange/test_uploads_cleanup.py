"""Uploads of failed and abandoned imports, and partial files, do not stay in var/imports (review item 17)."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.core.management import call_command
from django.utils import timezone

from chibo.core.roles import Role
from chibo.interchange import jobs
from chibo.interchange.models import ImportJob
from tests import factories as f

pytestmark = pytest.mark.django_db


def _job(user, state: str, days_idle: int) -> ImportJob:
    path = jobs.upload_dir() / f"{state}-{days_idle}.csv"
    path.write_text("ma_dang_vien\nDV1\n")
    job = ImportJob.objects.create(
        user=user, kind="members", filename="dv.csv", stored_as=str(path), state=state
    )
    ImportJob.objects.filter(pk=job.pk).update(
        updated_at=timezone.now() - dt.timedelta(days=days_idle)
    )
    return job


def test_old_unused_uploads_and_orphan_files_are_deleted(tree, settings, tmp_path) -> None:
    settings.VAR_DIR = tmp_path
    settings.CHIBO_IMPORT_KEEP_DAYS = 7
    user = f.user("bithu", Role.CELL_SECRETARY, tree["cell_a"])
    old = {state: _job(user, state, 8) for state in ("failed", "invalid", "uploaded", "checked")}
    recent = _job(user, "invalid", 2)
    running = _job(user, "running", 30)
    report = jobs.upload_dir() / (old["invalid"].stored_as.rsplit("/", 1)[1] + ".errors.xlsx")
    report.write_bytes(b"PK")
    partial = jobs.upload_dir() / "0123abcd.xlsx"  # no job: a write cut short
    partial.write_bytes(b"PK\x03\x04")
    fresh_partial = jobs.upload_dir() / "4567ef.xlsx"  # perhaps being written right now
    fresh_partial.write_bytes(b"PK")
    day_old = (timezone.now() - dt.timedelta(days=2)).timestamp()
    os.utime(partial, (day_old, day_old))
    call_command("imports-cleanup")
    left = {p.name for p in jobs.upload_dir().iterdir()}
    assert left == {
        os.path.basename(recent.stored_as),
        os.path.basename(running.stored_as),
        fresh_partial.name,
    }
    for job in old.values():
        job.refresh_from_db()
        assert (
            job.state == "invalid" and "xóa" in job.preview["refused"].lower()
        ) or "deleted" in (job.preview["refused"])
    running.refresh_from_db()
    assert running.state == "running"
    assert jobs.uploads_cleanup() == 0  # once
