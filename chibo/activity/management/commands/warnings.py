"""``chibo warnings [--org CODE] [--as-of YYYY-MM-DD] --format json|table``: members at risk of removal."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from chibo.activity import tracking
from chibo.activity import warnings as risk
from chibo.orgs.models import Org


def parse_day(text: str | None) -> dt.date:
    if not text:
        return timezone.localdate()
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"--as-of phải có dạng YYYY-MM-DD: {text!r}") from exc


def find_org(code: str | None) -> Org:
    if code:
        org = Org.objects.filter(code=code).first()
        if org is None:
            raise CommandError(f"Không có tổ chức đảng mã {code!r}.")
        return org
    org = Org.objects.filter(parent__isnull=True).order_by("path").first()
    if org is None:
        raise CommandError(
            "Chưa có tổ chức đảng nào (chạy chibo seed-demo hoặc tạo cây tổ chức trước)."
        )
    return org


class Command(BaseCommand):
    help = "List members with months without party activity or unpaid dues (early warnings)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", help="org code (default: the whole city)")
        parser.add_argument("--as-of", dest="as_of", help="date YYYY-MM-DD (default: today)")
        parser.add_argument("--format", choices=["json", "table"], default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        org = find_org(options["org"])
        day = parse_day(options["as_of"])
        found = risk.compute(org, day)
        if options["format"] == "json":
            self.stdout.write(
                json.dumps([r.as_json() for r in found], ensure_ascii=False, indent=1)
            )
            return
        self.stdout.write(
            f"{'member_code':<14} {'org_code':<16} {'level':<15} inactive_months / unpaid_months"
        )
        for r in found:
            self.stdout.write(
                f"{r.member_code:<14} {r.org_code:<16} {r.level:<15} "
                f"{','.join(r.inactive_months) or '-'} / {','.join(r.unpaid_months) or '-'}"
            )
        reviews = sum(r.level == "removal_review" for r in found)
        self.stdout.write(
            f"{len(found)} members: {reviews} removal_review, {len(found) - reviews} warning"
        )
        # Cells without any record are not judged (their members are never listed): name them.
        without = list(tracking.cells_without_data(None, under=org, as_of=day))
        if without:
            codes = ", ".join(c.code for c in without[:20]) + (", …" if len(without) > 20 else "")
            self.stdout.write(
                f"{len(without)} chi bộ chưa có dữ liệu sinh hoạt (cần theo dõi; "
                f"không cảnh báo đảng viên): {codes}"
            )
