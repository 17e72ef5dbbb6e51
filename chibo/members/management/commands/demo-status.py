"""``chibo demo-status``: exit 0 if demo data is loaded (an org coded TU exists), else 1."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand

from chibo.orgs.models import Org


class Command(BaseCommand):
    # A data command: Django's system checks import every URL and API module (0.5 s per
    # run, a quarter of a school's import); `chibo check` and the server run them.
    requires_system_checks: list[str] = []
    help = "Exit 0 if the demo data is loaded (the city committee TU exists), 1 if not."

    def handle(self, *args: Any, **options: Any) -> None:
        if Org.objects.filter(code="TU").exists():
            self.stdout.write("Dữ liệu demo: đã nạp.")
            return
        self.stdout.write("Dữ liệu demo: chưa nạp (chạy: chibo seed-demo).")
        sys.exit(1)
