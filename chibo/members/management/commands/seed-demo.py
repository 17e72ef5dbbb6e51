"""``chibo seed-demo [--members N] [--seed S]``: load a synthetic HCMC into an empty database."""

from __future__ import annotations

import datetime as dt
import random
import time
from importlib import import_module
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from chibo.core.crypto import uses_development_key
from chibo.members.demo.accounts import PASSWORD
from chibo.members.demo.generate import build_plan
from chibo.members.demo.writer import DemoRefused, write_plan

# Apps that add their own demo data on top of the members, in this order
# (each has ``demo.seed_demo(*, rng, today, scale) -> dict[str, int]``).
EXTRA_APPS = ["admissions", "activity", "directives", "oversight", "training", "reports"]

# What the summary lines say, in Vietnamese: a heading per app, a label per count
# key the apps' ``seed_demo`` (and the warnings refresh) return. A new key needs
# its label here (tests/members/test_seed_demo.py reads every line); no comma in a label.
APP_LABELS = {
    "admissions": "Kết nạp",
    "activity": "Sinh hoạt, đảng phí",
    "directives": "Chỉ đạo, văn bản",
    "oversight": "Kiểm tra, giám sát, đánh giá",
    "training": "Bồi dưỡng",
    "reports": "Thống kê",
    "warnings": "Cảnh báo",
}
COUNT_LABELS = {
    "candidates": "quần chúng ưu tú",
    "steps": "bước thủ tục",
    "introducers": "người giới thiệu",
    "admitted_linked": "đã kết nạp (nối với hồ sơ đảng viên)",
    "admitted_at_decision": "có quyết định chờ lễ kết nạp",
    "meetings": "buổi sinh hoạt",
    "attendance": "lượt điểm danh",
    "dues_payments": "lượt đóng đảng phí",
    "documents": "văn bản",
    "tasks": "nhiệm vụ",
    "assignments": "lượt giao cho đơn vị",
    "reports": "báo cáo của đơn vị",
    "late_reports": "báo cáo nộp muộn",
    "compiled_reports": "báo cáo tổng hợp",
    "links": "liên kết giữa văn bản",
    "terms": "nhiệm kỳ cấp ủy",
    "draft_reports": "dự thảo báo cáo tổng hợp",
    "inspections": "cuộc kiểm tra và giám sát",
    "follow_ups": "việc theo dõi sau kiểm tra",
    "discipline_cases": "vụ kỷ luật",
    "member_evaluations": "lượt đánh giá đảng viên",
    "org_evaluations": "lượt đánh giá tổ chức",
    "courses": "lớp bồi dưỡng",
    "enrolments": "lượt học viên",
    "leadership_posts": "chức vụ lãnh đạo",
    "candidates_trained": "quần chúng đã học lớp nhận thức",
    "report_targets": "chỉ tiêu",
    "warning": "cảnh báo",
    "removal_review": "đề nghị xem xét xóa tên",
    "notified": "thông báo đã gửi",
}


def _summary(heading: str, counts: dict[str, Any], seconds: float) -> str:
    """``  Kết nạp: 155 quần chúng ưu tú, 999 bước thủ tục (0,3 giây)``."""
    parts = ", ".join(
        f"{_n(v)} {COUNT_LABELS.get(k, k)}" for k, v in counts.items() if isinstance(v, int)
    )
    return f"  {APP_LABELS.get(heading, heading)}: {parts} ({_seconds(seconds)} giây)"


def _seconds(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _n(number: int) -> str:
    """1.065 — Vietnamese thousands separator."""
    return f"{number:,}".replace(",", ".")


class Command(BaseCommand):
    # A data command: Django's system checks import every URL and API module (0.5 s per
    # run, a quarter of a school's import); `chibo check` and the server run them.
    requires_system_checks: list[str] = []
    help = (
        "Load deterministic demo data (org tree, members with five years of events, one account "
        "per role) into an empty database. Same --members/--seed/--as-of give the same data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--members", type=int, default=3000, help="number of members (default 3000)"
        )
        parser.add_argument("--seed", type=int, default=2023, help="random seed (default 2023)")
        parser.add_argument(
            "--as-of",
            type=_date,
            default=None,
            help="the day the data ends (YYYY-MM-DD, default today); events end the day before",
        )
        parser.add_argument(
            "--members-only",
            action="store_true",
            help="only the org tree, members and accounts (no meetings, candidates, directives…)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        members, seed = options["members"], options["seed"]
        as_of = options["as_of"] or timezone.localdate()
        if members < 100:
            raise CommandError("--members phải từ 100 trở lên.")
        if as_of > timezone.localdate():
            raise CommandError("--as-of không được là ngày trong tương lai.")
        plan = build_plan(members=members, seed=seed, as_of=as_of)
        self.stdout.write(f"Đang nạp dữ liệu demo: {_n(members)} đảng viên (seed {seed})…")
        try:
            counts = write_plan(plan, progress=self.stdout.write)
        except DemoRefused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã nạp {_n(counts['orgs'])} tổ chức, {_n(counts['members'])} đảng viên, "
                f"{_n(counts['events'])} sự kiện trong {_seconds(counts['seconds'])} giây."
            )
        )
        if not options["members_only"]:
            self._seed_extras(seed=seed, as_of=as_of, scale=members / 3000)
        with connection.cursor() as cursor:
            # Fresh statistics: without them SQLite drives name searches from the
            # wrong index (docs/performance.md, finding 6), and PostgreSQL, judging the
            # tables just loaded by statistics taken when they were empty, nests a scan of
            # all attendance inside the warnings' absence query (minutes for 300 members).
            cursor.execute("ANALYZE")
        if not options["members_only"]:
            self._refresh_warnings(as_of)
        if uses_development_key():
            self.stdout.write(
                "Lưu ý: chưa đặt CHIBO_FIELD_KEY nên số CCCD và số điện thoại được mã hóa bằng "
                "khóa phát triển suy ra từ SECRET_KEY (chỉ dùng khi phát triển; khi triển khai "
                "thật phải đặt CHIBO_FIELD_KEY, xem README mục Configuration)."
            )
        self.stdout.write(
            f"Đăng nhập bằng các tài khoản demo (mật khẩu: {PASSWORD}): chibo demo-logins"
        )

    def _seed_extras(self, *, seed: int, as_of: dt.date, scale: float) -> None:
        for index, app in enumerate(EXTRA_APPS):
            try:
                module = import_module(f"chibo.{app}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"chibo.{app}.demo":
                    raise
                continue
            started = time.perf_counter()
            with transaction.atomic():
                counts = module.seed_demo(
                    rng=random.Random(seed * 100 + index), today=as_of, scale=scale
                )
            self.stdout.write(_summary(app, counts, time.perf_counter() - started))

    def _refresh_warnings(self, as_of: dt.date) -> None:
        """Run the daily warnings job once, so the demo opens with its warnings in place."""
        from chibo.activity.services import warnings_refresh
        from chibo.orgs.models import Org

        root = Org.objects.filter(parent__isnull=True).order_by("path").first()
        if root is None:
            return
        started = time.perf_counter()
        counts = warnings_refresh(actor=None, org=root, as_of=as_of)
        self.stdout.write(_summary("warnings", counts, time.perf_counter() - started))
