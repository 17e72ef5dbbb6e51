"""``chibo create-user USERNAME --password-file F [--full-name NAME]``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from chibo.accounts.services import user_create


class Command(BaseCommand):
    help = (
        "Create a user; the password is read from a file (first line), never from the command line."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--password-file", required=True)
        parser.add_argument("--full-name", default="")
        parser.add_argument("--email", default="")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            password = Path(opts["password_file"]).read_text(encoding="utf-8").splitlines()[0]
        except (OSError, IndexError) as exc:
            raise CommandError(
                f"Không đọc được mật khẩu từ tệp {opts['password_file']}: {exc}"
            ) from exc
        try:
            user = user_create(
                actor=None,
                username=opts["username"],
                password=password,
                full_name=opts["full_name"],
                email=opts["email"],
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"created user {user.username}")
