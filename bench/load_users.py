"""Create the load-test accounts (``loadNN``) in a prod-local database: viewers on the
city root and on grassroots orgs (viewers need no second factor). Idempotent.

    .venv/bin/python bench/load_users.py 40   # prints nothing; password chibo-load-2026
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chibo.settings")

import django

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.db import transaction  # noqa: E402

from chibo.accounts.models import RoleAssignment  # noqa: E402
from chibo.accounts.roles import Role  # noqa: E402
from chibo.orgs.models import Org  # noqa: E402

PASSWORD = "chibo-load-2026"  # noqa: S105 - a throwaway local stack


def main(count: int) -> None:
    root = Org.objects.filter(parent__isnull=True).order_by("path").first()
    grassroots = list(
        Org.objects.filter(
            parent__parent__isnull=False, parent__parent__parent=root, closed_on__isnull=True
        ).order_by("path")[:count]
    )
    hashed = ""
    with transaction.atomic():
        for i in range(count):
            username = f"load{i:02d}"
            if User.objects.filter(username=username).exists():
                continue
            user = User(username=username, first_name="Load", last_name=f"Test {i}")
            if not hashed:
                user.set_password(PASSWORD)
                hashed = user.password
            user.password = hashed
            user.save()
            # Half see the whole city, half one grassroots subtree.
            org = root if i % 2 == 0 or not grassroots else grassroots[i % len(grassroots)]
            RoleAssignment.objects.create(user=user, role=Role.VIEWER, org=org)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 40)
