"""Subprocess side of tests/security/test_clean_failures.py; run with ``python -m``.

setup                  migrate, the factory tree, members, users (database from DATABASE_URL)
requests               print {"ready"}, wait for a line on stdin (the parent takes the lock),
                       then one API write and one page write; print what they answered
enqueue-import ROWS DRY  a members import job of ROWS new members, its task enqueued
job JOB                the job's state and the state of its tasks
retry JOB              retry the job as its uploader (the page's button)
"""

from __future__ import annotations

import json
import os
import sys
import time


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chibo.settings")
    import django

    django.setup()


def setup() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from chibo.core.roles import Role
    from tests import factories as f

    tree = f.tree()
    f.member(tree["cell_a"], code="DV-B1")
    f.user("sec", Role.CELL_SECRETARY, tree["cell_a"])
    f.user("uni", Role.GRASSROOTS_STAFF, tree["uni"])
    print(json.dumps({"ok": True}), flush=True)


def requests() -> None:
    from django.contrib.auth.models import User
    from django.test import Client

    from chibo.accounts.tokens import token_create

    user = User.objects.get(username="sec")
    _token, raw = token_create(actor=None, user=user)
    web = Client(raise_request_exception=False)
    web.force_login(user)
    api = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {raw}")
    print(json.dumps({"ready": True}), flush=True)
    sys.stdin.readline()  # the parent holds the write lock now
    out = {}
    started = time.monotonic()
    r = api.post(
        "/api/v1/members/DV-B1/events/exempted",
        {
            "effective_date": "2025-02-01",
            "note": "Ốm dài ngày",
            "criterion": "illness",
            "version": 1,
        },
        content_type="application/json",
    )
    out["api"] = {
        "status": r.status_code,
        "retry_after": r.get("Retry-After"),
        "body": r.json(),
        "seconds": round(time.monotonic() - started, 2),
    }
    r = web.post(
        "/members/DV-B1/events/exempted/",
        {
            "version": 1,
            "effective_date": "01/02/2025",
            "note": "Ốm dài ngày",
            "criterion": "illness",
        },
    )
    out["web"] = {
        "status": r.status_code,
        "retry_after": r.get("Retry-After"),
        "body": r.content.decode(),
    }
    print(json.dumps(out), flush=True)


def enqueue_import(rows: int, dry_run: bool) -> None:
    from django.contrib.auth.models import User
    from django.core.files.uploadedfile import SimpleUploadedFile

    from chibo.interchange import jobs
    from chibo.interchange.models import ImportJob
    from chibo.interchange.tasks import run_import_job

    lines = ["ma_dang_vien,ho_ten,ngay_sinh,gioi_tinh,ma_to_chuc,doi_tuong,ngay_vao_dang"]
    lines += [
        f"DV-Q{i:06d},Nguyễn Văn {i},17/05/2001,Nam,BK-SV1,Sinh viên,01/03/2022"
        for i in range(rows)
    ]
    user = User.objects.get(username="uni")
    upload = SimpleUploadedFile("dv.csv", "\n".join(lines).encode("utf-8-sig"))
    job = jobs.job_create(actor=user, kind="members", upload=upload)
    ImportJob.objects.filter(pk=job.pk).update(
        state=ImportJob.State.QUEUED,
        dry_run=dry_run,
        preview={"headers": [], "rows": []},
    )
    run_import_job.enqueue(str(job.pk), dry_run)
    print(json.dumps({"job": str(job.pk)}), flush=True)


def job(job_id: str) -> None:
    from django_tasks_db.models import DBTaskResult

    from chibo.interchange.models import ImportJob
    from chibo.members.models import Member

    row = ImportJob.objects.get(pk=job_id)
    tasks = [
        {"status": t.status, "exception": t.exception_class_path}
        for t in DBTaskResult.objects.filter(
            args_kwargs__args__0=job_id, task_path__endswith=".run_import_job"
        ).order_by("enqueued_at")
    ]
    members = Member.objects.filter(member_code__startswith="DV-Q").count()
    print(json.dumps({"state": row.state, "tasks": tasks, "members": members}), flush=True)


def retry(job_id: str) -> None:
    from chibo.interchange import jobs
    from chibo.interchange.models import ImportJob

    row = ImportJob.objects.select_related("user").get(pk=job_id)
    jobs.job_retry(actor=row.user, job=row)
    print(json.dumps({"retried": job_id}), flush=True)


if __name__ == "__main__":
    _setup_django()
    command, *args = sys.argv[1:]
    if command == "setup":
        setup()
    elif command == "requests":
        requests()
    elif command == "enqueue-import":
        enqueue_import(int(args[0]), args[1] == "dry")
    elif command == "job":
        job(args[0])
    elif command == "retry":
        retry(args[0])
    else:
        raise SystemExit(f"unknown command {command}")
