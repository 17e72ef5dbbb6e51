"""``chibo import-profile list|show|export|import``: mapping profiles (docs/import.md).

- ``list [--kind KIND] [--user USERNAME]``: name, kind, org (or "có sẵn"), columns.
- ``show NAME [--kind KIND] [--org CODE]`` / ``export NAME … [--output FILE]``: the profile's JSON.
- ``import FILE --org CODE [--name NAME] [--user USERNAME]``: save an exported profile in an org
  (replacing one of the same name and kind there), so that a city can ship profiles to its schools.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from chibo.interchange import columns as C
from chibo.interchange import profiles
from chibo.interchange.management.commands._common import acting_user
from chibo.interchange.mapping import MappingError


class Command(BaseCommand):
    help = "Mẫu ghép cột và giá trị cho việc nhập tệp: liệt kê, xem, xuất, nhập."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=("list", "show", "export", "import"))
        parser.add_argument(
            "target", nargs="?", help="tên mẫu (show, export) hoặc tệp JSON (import)"
        )
        parser.add_argument("--kind", choices=C.KINDS, help="loại tệp")
        parser.add_argument("--org", help="mã tổ chức của mẫu")
        parser.add_argument("--name", help="tên mẫu khi nhập (mặc định: tên trong tệp)")
        parser.add_argument("--output", help="ghi JSON ra tệp này (export)")
        parser.add_argument("--user", help="với quyền (và phạm vi) của tài khoản này")

    def handle(self, *args: Any, **options: Any) -> None:
        translation.activate(settings.LANGUAGE_CODE)
        actor = acting_user(options["user"])
        action = options["action"]
        try:
            if action == "list":
                self._list(actor, options["kind"])
            elif action in ("show", "export"):
                if not options["target"]:
                    raise CommandError("Cho biết tên mẫu ghép.")
                profile = profiles.find(
                    actor, options["target"], options["kind"], options["org"] or ""
                )
                text = json.dumps(profile.as_json(), ensure_ascii=False, indent=2) + "\n"
                if options["output"]:
                    Path(options["output"]).write_text(text, encoding="utf-8")
                    self.stdout.write(f"Đã ghi mẫu ghép «{profile.name}» vào {options['output']}.")
                else:
                    self.stdout.write(text, ending="")
            else:
                self._import(actor, options)
        except MappingError as exc:
            raise CommandError(str(exc)) from exc

    def _list(self, actor: Any, kind: str | None) -> None:
        for p in profiles.visible(actor, kind):
            where = f"{p.org_code} — {p.org_name}" if p.org_code else "có sẵn trong chibo"
            columns = sum(1 for f in p.mapping.columns.values() if f)
            self.stdout.write(f"{p.name}\t{p.kind}\t{where}\t{columns} cột")

    def _import(self, actor: Any, options: dict[str, Any]) -> None:
        from chibo.orgs.models import Org

        if not options["target"] or not options["org"]:
            raise CommandError("Cần tệp JSON và --org MÃ_TỔ_CHỨC.")
        try:
            text = Path(options["target"]).read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise CommandError(f"Không mở được tệp {options['target']}.") from exc
        name, description, mapping = profiles.load_json(text)
        name = options["name"] or name
        org = Org.objects.filter(code=options["org"]).first()
        if org is None:
            raise CommandError(f"Không có tổ chức mã {options['org']}.")
        try:
            profiles.save(actor=actor, org=org, name=name, mapping=mapping, description=description)
        except (ValidationError, PermissionDenied) as exc:
            message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            raise CommandError(message) from exc
        self.stdout.write(f"Đã lưu mẫu ghép «{name}» ({mapping.kind}) cho {org.code}.")
