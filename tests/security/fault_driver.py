"""Subprocess side of the fault tests (tests/security/test_faults.py); run with ``python -m``.

setup                 migrate, a small tree, N members, a user (database from DATABASE_URL)
load SECONDS          service calls in a loop for SECONDS, printing one JSON line per call;
                      after an error, close_old_connections() as a request boundary would
verify                every member's state == replay(member); audit chain intact; JSON out
import-job ROWS       a checked members import job of ROWS new members, enqueued
requeue JOB           enqueue the job's import again (the retry after a crash)
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chibo.settings")
    import django

    django.setup()


def setup(members: int) -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from chibo.core.roles import Role
    from tests import factories as f

    tree = f.tree()
    for i in range(members):
        f.member(tree["cell_a"], code=f"DV-F{i:04d}", citizen_id=f"0792030{i:05d}")
    f.user("uni", Role.GRASSROOTS_STAFF, tree["uni"])
    print(json.dumps({"ok": True}), flush=True)


def load(seconds: float) -> None:
    from django.db import close_old_connections, connection

    from chibo.members import services
    from chibo.members.models import Category, Member

    codes = list(Member.objects.values_list("member_code", flat=True))
    end = time.monotonic() + seconds
    n = 0
    while time.monotonic() < end:
        code = codes[n % len(codes)]
        n += 1
        try:
            m = Member.objects.get(member_code=code)
            target = Category.OTHER if m.category == Category.STUDENT else Category.STUDENT
            services.member_change_category(
                actor=None,
                member=m,
                effective_date=dt.date(2025, 1, 1) + dt.timedelta(days=n // 50),
                category=target,
            )
            print(json.dumps({"n": n, "ok": True}), flush=True)
        except Exception as exc:  # the point: every failure is a clean exception
            print(json.dumps({"n": n, "ok": False, "error": type(exc).__name__}), flush=True)
            close_old_connections()
            connection.close()  # what the end of a request does with a broken connection
            time.sleep(0.05)


def verify() -> None:
    from chibo.core import audit
    from chibo.core.models import AuditEntry
    from chibo.members.models import Member, MemberEvent
    from chibo.members.services import replay

    mismatched = []
    for m in Member.objects.all():
        for key, value in replay(m).items():
            if getattr(m, key) != value:
                mismatched.append([m.member_code, key])
    problems = [p.problem for p in audit.verify()]
    events = MemberEvent.objects.filter(kind="category_changed").count()
    audited = (
        AuditEntry.objects.filter(action__startswith="members.")
        .exclude(action__in=["members.view", "members.list", "members.view_sensitive"])
        .count()
    )
    print(
        json.dumps(
            {
                "members": Member.objects.count(),
                "mismatched": mismatched,
                "audit_problems": problems,
                "category_events": events,
                "member_audit_entries": audited,
            }
        ),
        flush=True,
    )


def import_job(rows: int) -> None:
    import csv
    import io

    from django.contrib.auth.models import User
    from django.core.files.uploadedfile import SimpleUploadedFile

    from chibo.interchange import jobs
    from chibo.interchange.models import ImportJob
    from chibo.interchange.tasks import run_import_job

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(
        [
            "ma_dang_vien",
            "ho_ten",
            "ngay_sinh",
            "gioi_tinh",
            "ma_to_chuc",
            "doi_tuong",
            "ngay_vao_dang",
            "so_cccd",
            "so_dien_thoai",
            "trang_thai",
        ]
    )
    for i in range(rows):
        w.writerow(
            [
                f"DV-I{i:06d}",
                f"Nguyễn Văn {i}",
                "17/05/2001",
                "Nam",
                "BK-SV1",
                "Sinh viên",
                "01/03/2022",
                f"0792010{i:05d}",
                "0912345678",
                "Đang sinh hoạt",
            ]
        )
    user = User.objects.get(username="uni")
    upload = SimpleUploadedFile("dv.csv", buf.getvalue().encode("utf-8-sig"))
    job = jobs.job_create(actor=user, kind="members", upload=upload)
    ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.CHECKED)
    run_import_job.enqueue(str(job.pk), False)
    print(json.dumps({"job": str(job.pk)}), flush=True)


def requeue(job_id: str) -> None:
    from chibo.interchange.tasks import run_import_job

    run_import_job.enqueue(job_id, False)
    print(json.dumps({"requeued": job_id}), flush=True)


if __name__ == "__main__":
    _setup_django()
    command, *args = sys.argv[1:]
    if command == "setup":
        setup(int(args[0]))
    elif command == "load":
        load(float(args[0]))
    elif command == "verify":
        verify()
    elif command == "import-job":
        import_job(int(args[0]))
    elif command == "requeue":
        requeue(args[0])
    else:
        raise SystemExit(f"unknown command {command}")
