"""``chibo report admissions|removals|composition|activity``: a report as JSON, XLSX or DOCX.

Runs as the system over the whole tree (no user: who may run commands on
the server already sees everything); the UI and the API scope to the actor.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404
from django.utils import translation

from chibo.reports import build as builder
from chibo.reports import exports, selectors


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"Ngày không hợp lệ: {value!r} (định dạng YYYY-MM-DD)") from exc


class Command(BaseCommand):
    help = "Thống kê: admissions | removals | composition | activity, xuất JSON, XLSX hoặc DOCX."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=builder.KINDS)
        parser.add_argument("--from", dest="start", help="YYYY-MM-DD (admissions, removals)")
        parser.add_argument("--to", dest="end", help="YYYY-MM-DD (admissions, removals)")
        parser.add_argument(
            "--as-of", dest="as_of", help="YYYY-MM-DD (composition, activity; default today)"
        )
        parser.add_argument("--org", help="org code (default: the root of the tree)")
        parser.add_argument("--format", choices=["json", "xlsx", "docx"], default="json")
        parser.add_argument("--output", help="file to write (default: stdout for JSON)")
        parser.add_argument("--signer", default="", help="docx: the signer's full name")
        parser.add_argument(
            "--signer-title", default="", help="docx: the signer's title (BÍ THƯ, PHÓ BÍ THƯ)"
        )
        parser.add_argument(
            "--breakdown",
            action="store_true",
            help="admissions: add by_year, by_unit, by_school_level to the JSON",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        kind = opts["kind"]
        start = end = as_of = None
        if kind in builder.PERIOD_KINDS:
            if not opts["start"] or not opts["end"]:
                raise CommandError("Cần --from và --to (YYYY-MM-DD).")
            start, end = _date(opts["start"]), _date(opts["end"])
            if start > end:
                raise CommandError("--from phải trước hoặc bằng --to.")
        else:
            as_of = _date(opts["as_of"]) if opts["as_of"] else dt.date.today()
        try:
            root = selectors.report_root(None, opts["org"])
        except Http404 as exc:
            raise CommandError(f"Không có tổ chức đảng mã {opts['org']!r}.") from exc
        with translation.override("vi"):
            data, doc = builder.build(
                kind, None, root, start=start, end=end, as_of=as_of, breakdown=opts["breakdown"]
            )
            fmt = opts["format"]
            if fmt == "json":
                text = json.dumps(builder.jsonable(data), ensure_ascii=False, indent=2) + "\n"
                if opts["output"]:
                    with open(opts["output"], "w", encoding="utf-8") as fh:
                        fh.write(text)
                else:
                    self.stdout.write(text, ending="")
                return
            if not opts["output"]:
                raise CommandError("Cần --output FILE cho định dạng xlsx/docx.")
            stamp = exports.stamp_for(None)
            body = (
                exports.to_xlsx(doc, stamp=stamp)
                if fmt == "xlsx"
                else exports.to_docx(
                    doc,
                    stamp=stamp,
                    org=root,
                    signing=exports.Signing(
                        signer=opts["signer"], signer_title=opts["signer_title"]
                    ),
                )
            )
        with open(opts["output"], "wb") as fh:
            fh.write(body)
        self.stderr.write(f"Đã ghi {opts['output']}")
