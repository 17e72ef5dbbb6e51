"""``chibo import orgs|members|attendance|dues FILE [--dry-run] [--user USERNAME] [--map FILE.json | --profile NAME [--profile-org CODE]] [--save-map FILE.json]``.

The header row, each column's field and each vocabulary value's meaning are
detected and proposed (``interchange.mapping``) and printed; ``--map`` gives
them (JSON, docs/import.md); ``--save-map`` writes what was used, with every
distinct value, for the user to correct and pass back with ``--map``.

Validates the whole file first; any error → nothing is written, the
row-level report is printed and the exit code is 1. Without ``--user`` the
system imports over the whole tree; with it, only into that user's subtree.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from chibo.interchange import columns as C
from chibo.interchange import profiles
from chibo.interchange.management.commands._common import acting_user
from chibo.interchange.mapping import Mapping, MappingError, describe
from chibo.interchange.services import Unsupported, analyse_file, import_file


class Command(BaseCommand):
    # A data command: Django's system checks import every URL and API module (0.5 s per
    # run, a quarter of a school's import); `chibo check` and the server run them.
    requires_system_checks: list[str] = []
    help = "Nhập tổ chức đảng, đảng viên, điểm danh hoặc đảng phí từ tệp XLSX/CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=C.KINDS)
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="kiểm tra, không ghi gì")
        parser.add_argument("--user", help="nhập với quyền (và phạm vi) của tài khoản này")
        parser.add_argument(
            "--map",
            metavar="FILE.json",
            help="cách ghép dòng tiêu đề, cột và giá trị của tệp (docs/import.md)",
        )
        parser.add_argument(
            "--profile",
            metavar="NAME",
            help="dùng mẫu ghép đã lưu (chibo import-profile list)",
        )
        parser.add_argument(
            "--profile-org",
            metavar="CODE",
            help="tổ chức của mẫu ghép, khi nhiều tổ chức có mẫu cùng tên",
        )
        parser.add_argument(
            "--save-map",
            metavar="FILE.json",
            help="ghi cách ghép đã dùng (tự nhận hoặc từ --map/--profile) ra tệp JSON để sửa và dùng lại",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        translation.activate(settings.LANGUAGE_CODE)  # reports in Vietnamese
        actor = acting_user(options["user"])
        kind = options["kind"]
        self._file = options["file"]
        mapping = None
        try:
            if options.get("map") and options.get("profile"):
                raise CommandError("Chỉ dùng một trong hai: --map hoặc --profile.")
            if options.get("map"):
                mapping = Mapping.load(options["map"], kind)
            elif options.get("profile"):
                profile = profiles.find(
                    actor, options["profile"], kind, options.get("profile_org") or ""
                )
                mapping = profile.mapping
                self.stdout.write(f"Mẫu ghép: {profile.name}")
        except MappingError as exc:
            raise CommandError(str(exc)) from exc
        try:
            result = import_file(
                actor=actor,
                kind=kind,
                path=options["file"],
                dry_run=options["dry_run"],
                mapping=mapping,
            )
        except Unsupported as exc:
            raise CommandError(str(exc)) from exc
        if result.plan is not None:
            for line in describe(result.plan):
                self.stdout.write(line)
            if options.get("save_map"):
                self._save_map(options["save_map"], kind, result.plan, actor)
        for problem in result.problems:
            (self.stdout if not problem.fatal else self.stderr).write(problem.line())
        if result.truncated:
            self.stderr.write("… (còn lỗi khác, không liệt kê hết)")
        counts = (
            f"{result.rows} dòng: {result.created} mới, {result.updated} thay đổi, "
            f"{result.unchanged} không đổi, {result.events} sự kiện"
        )
        if not result.ok:
            raise CommandError(
                f"{result.error_count} lỗi — không ghi gì vào cơ sở dữ liệu. ({result.rows} dòng)"
            )
        prefix = "Chạy thử (không ghi): " if result.dry_run else "Đã nhập: "
        self.stdout.write(
            prefix + counts + (f" trong {result.seconds} s" if result.seconds else "")
        )

    def _save_map(self, target: str, kind: str, plan: Any, actor: Any) -> None:
        """The mapping used, with every distinct value's meaning, as JSON to edit and pass to --map."""
        values: dict[str, dict[str, str]] = {}
        analysis = analyse_file(self._file, kind, plan.mapping(kind), actor)
        for name, found in analysis.values.items():
            values[name] = {v.raw: v.value for v in found}
        data = plan.mapping(kind, values).as_json()
        with open(target, "w", encoding="utf-8") as out:
            json.dump(data, out, ensure_ascii=False, indent=2)
            out.write("\n")
        self.stdout.write(f"Đã ghi cách ghép vào {target}.")
