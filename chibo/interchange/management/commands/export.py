"""``chibo export orgs|members [--org CODE] --format xlsx|csv --output FILE [--user USERNAME]``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from chibo.interchange import export
from chibo.interchange.management.commands._common import acting_user
from chibo.orgs.models import Org
from chibo.orgs.selectors import orgs_for


class Command(BaseCommand):
    # A data command: Django's system checks import every URL and API module (0.5 s per
    # run, a quarter of a school's import); `chibo check` and the server run them.
    requires_system_checks: list[str] = []
    help = "Xuất tổ chức đảng hoặc đảng viên của một nhánh ra tệp XLSX/CSV (đúng định dạng nhập)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=("orgs", "members"))
        parser.add_argument("--org", help="mã tổ chức gốc của nhánh (mặc định: tất cả)")
        parser.add_argument("--format", choices=("xlsx", "csv"), required=True)
        parser.add_argument("--output", required=True)
        parser.add_argument("--user", help="xuất với quyền (và phạm vi) của tài khoản này")

    def handle(self, *args: Any, **options: Any) -> None:
        translation.activate(settings.LANGUAGE_CODE)  # reports in Vietnamese
        actor = acting_user(options["user"])
        root = None
        if options["org"]:
            qs = orgs_for(actor) if actor is not None else Org.objects.all()
            root = qs.filter(code=options["org"]).first()
            if root is None:
                raise CommandError(f"Không có tổ chức đảng mã {options['org']!r} trong phạm vi.")
        if options["format"] == "csv":
            with open(options["output"], "w", encoding="utf-8-sig", newline="") as out:
                count = export.export(
                    actor=actor, kind=options["kind"], root=root, fmt="csv", out=out
                )
        else:
            count = export.export(
                actor=actor, kind=options["kind"], root=root, fmt="xlsx", out=options["output"]
            )
        self.stdout.write(f"Đã xuất {count} dòng vào {options['output']}.")
