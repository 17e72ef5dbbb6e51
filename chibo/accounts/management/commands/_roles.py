from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import CommandError, CommandParser

from chibo.core.roles import Role
from chibo.orgs.models import Org


def add_role_arguments(parser: CommandParser) -> None:
    parser.add_argument("username")
    parser.add_argument("role", help=", ".join(Role.values))
    parser.add_argument("org_code")


def resolve(opts: dict[str, Any]) -> tuple[User, str, Org]:
    user = User.objects.filter(username=opts["username"]).first()
    if user is None:
        raise CommandError(f"Không có người dùng {opts['username']!r}")
    if opts["role"] not in Role.values:
        raise CommandError(f"Vai trò {opts['role']!r} không hợp lệ; dùng: {', '.join(Role.values)}")
    org = Org.objects.filter(code=opts["org_code"]).first()
    if org is None:
        raise CommandError(f"Không có tổ chức đảng mã {opts['org_code']!r}")
    return user, opts["role"], org
