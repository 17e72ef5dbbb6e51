"""``chibo revoke-role USERNAME ROLE ORG_CODE``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from chibo.accounts.management.commands._roles import add_role_arguments, resolve
from chibo.accounts.services import role_revoke


class Command(BaseCommand):
    help = "Take ROLE over ORG_CODE away from USERNAME."

    def add_arguments(self, parser: CommandParser) -> None:
        add_role_arguments(parser)

    def handle(self, *args: Any, **opts: Any) -> None:
        user, role, org = resolve(opts)
        try:
            role_revoke(actor=None, user=user, role=role, org=org)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"revoked {role} on {org.code} from {user.username}")
