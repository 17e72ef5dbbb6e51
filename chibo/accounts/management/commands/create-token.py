"""``chibo create-token USERNAME [--expires-days N] [--name NAME]``: print a new API token.

Prints the token and nothing else (for scripts: ``T=$(chibo create-token bithu)``).

A token made here was not made after the two-step login: for a user whose
roles require it (committee staff, city office, sysadmins) it would be
refused at once, so the command says so and makes none; that user creates
the token on the API tokens page after the two-step login.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from chibo.accounts import twofactor
from chibo.accounts.tokens import MAX_DAYS, token_create


class Command(BaseCommand):
    help = "Create a personal API token for USERNAME and print it (only the token)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--expires-days", type=int, default=90, help=f"1–{MAX_DAYS} (default 90)"
        )
        parser.add_argument("--name", default="", help="what the token is for")

    def handle(self, *args: Any, **opts: Any) -> None:
        user = User.objects.filter(username=opts["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"Không có người dùng đang hoạt động tên {opts['username']!r}.")
        if twofactor.required_for(user):
            raise CommandError(
                f"Vai trò của {user.username!r} yêu cầu đăng nhập hai bước: token tạo ở đây "
                "sẽ bị từ chối. Người dùng hãy đăng nhập hai bước rồi tạo token ở trang Token API."
            )
        try:
            _token, raw = token_create(
                actor=None,
                user=user,
                name=opts["name"] or "create-token",
                expires_days=opts["expires_days"],
            )
        except ValidationError as exc:
            raise CommandError(f"Thời hạn token phải từ 1 đến {MAX_DAYS} ngày.") from exc
        self.stdout.write(raw)
