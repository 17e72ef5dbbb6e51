"""``chibo grant-role USERNAME ROLE ORG_CODE``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from chibo.accounts.management.commands._roles import add_role_arguments, resolve
from chibo.accounts.services import role_grant


class Command(BaseCommand):
    help = "Give USERNAME the ROLE over ORG_CODE and its whole subtree."

    def add_arguments(self, parser: CommandParser) -> None:
        add_role_arguments(parser)

    def handle(self, *args: Any, **opts: Any) -> None:
        user, role, org = resolve(opts)
        try:
            role_grant(actor=None, user=user, role=role, org=org)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"granted {role} on {org.code} to {user.username}")
