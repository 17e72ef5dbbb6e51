"""``chibo term add ORG --starts dd/mm/yyyy [--ends …] [--name …] [--congress …]`` and
``chibo term list ORG``: a committee's terms (nhiệm kỳ), within which outgoing documents are
numbered from 01 (HD 36-HD/VPTW). Declaring one is audited (``directives.term_create``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from chibo.directives import services
from chibo.directives.models import CommitteeTerm
from chibo.lib.dates import dmy
from chibo.orgs.models import Org


def _date(text: str) -> dt.date:
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise CommandError(f"Ngày không hợp lệ: {text!r} (viết dd/mm/yyyy, ví dụ 16/10/2025).")


class Command(BaseCommand):
    help = "Khai báo (add) hoặc liệt kê (list) nhiệm kỳ của cấp ủy ORG: số văn bản đi đánh từ 01 trong mỗi nhiệm kỳ."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="khai báo một nhiệm kỳ")
        add.add_argument("org", help="mã tổ chức đảng, ví dụ TU, KDHCD")
        add.add_argument(
            "--starts", required=True, help="ngày bắt đầu (dd/mm/yyyy): sau ngày bế mạc đại hội"
        )
        add.add_argument(
            "--ends", default="", help="ngày kết thúc (dd/mm/yyyy); bỏ trống khi đang diễn ra"
        )
        add.add_argument("--name", default="", help="tên nhiệm kỳ, ví dụ 2025–2030")
        add.add_argument(
            "--congress",
            default="",
            help="đại hội mở nhiệm kỳ, ví dụ 'Đại hội đại biểu lần thứ XII'",
        )
        show = sub.add_parser("list", help="liệt kê các nhiệm kỳ")
        show.add_argument("org", help="mã tổ chức đảng")

    def handle(self, *args: Any, **opts: Any) -> None:
        with translation.override("vi"):  # the refusals come from the services, in Vietnamese
            self._handle(opts)

    def _handle(self, opts: dict[str, Any]) -> None:
        org = Org.objects.filter(code=opts["org"]).first()
        if org is None:
            raise CommandError(f"Không có tổ chức đảng mã {opts['org']!r}.")
        if opts["action"] == "list":
            terms = CommitteeTerm.objects.filter(org=org).order_by("starts_on")
            if not terms:
                self.stdout.write(f"{org.name} ({org.code}) chưa có nhiệm kỳ nào.")
                return
            for term in terms:
                congress = f" — {term.congress}" if term.congress else ""
                self.stdout.write(
                    f"{term.name}\t{dmy(term.starts_on, '…')} – {dmy(term.ends_on, '…')}{congress}"
                )
            return
        try:
            term = services.term_create(
                actor=None,
                org=org,
                name=opts["name"],
                congress=opts["congress"],
                starts_on=_date(opts["starts"]),
                ends_on=_date(opts["ends"]) if opts["ends"] else None,
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(
            f"Đã khai báo nhiệm kỳ {term.name} của {org.name} ({org.code}): "
            f"{dmy(term.starts_on, '…')} – {dmy(term.ends_on, '…')}."
        )
