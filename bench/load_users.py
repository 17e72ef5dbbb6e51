"""Load-test accounts and signed-in sessions in a prod-local database (bench/load-test).

    .venv/bin/python bench/load_users.py [--sessions 200] [--out var/load-test/sessions.json]

Run with prod-local's environment (its ``SECRET_KEY`` and ``DATABASE_URL``): the
sessions are made by Django's own session engine and ``auth.login``, so the web
processes accept them as if the users had signed in. The load test then
measures pages, not the password hasher (a sign-in costs ~0.3 s of CPU on
purpose; 200 users signing in at once measured only that).

Accounts (idempotent; password ``chibo-load-2026``, for a look by hand):

- ``loadvNN`` viewers: on the city root, or on one of the directly subordinate
  committees (spread over the tree);
- ``loadcNN`` cell secretaries on cells with members (citizen ID and phone shown,
  so their pages decrypt and audit them);
- ``loadsNN`` superior committee staff on a committee: a role that must use two-step
  login. Each is enrolled with a fresh TOTP secret and passes ``verify_code`` with
  the current code, exactly as the verification page does, before its session is
  marked verified (``twofactor.SESSION_KEY``). One session per such account
  (a TOTP code is single-use).

Sessions are spread over the accounts; the sessions of the previous run (from
the ``--out`` file) are deleted first. Output: JSON, one entry per session with
its cookie and the org codes it browses (its scope root and a few orgs below).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from importlib import import_module
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chibo.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import login  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.contrib.sessions.models import Session  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import RequestFactory  # noqa: E402

from chibo.accounts import twofactor  # noqa: E402
from chibo.accounts.models import RoleAssignment  # noqa: E402
from chibo.core.roles import Role  # noqa: E402
from chibo.members.models import ON_ROLLS, Member  # noqa: E402
from chibo.orgs.models import CELL_KINDS, Org  # noqa: E402

PASSWORD = "chibo-load-2026"  # noqa: S105 - a throwaway local stack
ROOT = Path(__file__).resolve().parents[1]
VIEWERS, CELL_SECRETARIES, STAFF = 24, 12, 4


def _spread(orgs: list[Org], n: int) -> list[Org]:
    """``n`` orgs taken evenly over ``orgs`` (in path order: over the whole tree)."""
    if not orgs:
        return []
    step = max(1, len(orgs) // n)
    return orgs[::step][:n]


def _targets() -> tuple[Org, list[Org], list[Org]]:
    root = Org.objects.filter(parent__isnull=True).order_by("path").first()
    committees = list(
        Org.objects.filter(parent=root, closed_on__isnull=True, kind="direct_committee").order_by(
            "path"
        )
    )
    busy = (
        Member.objects.filter(status__in=ON_ROLLS, org__kind__in=CELL_KINDS)
        .values("org_id")
        .annotate(n=Count("id"))
        .filter(n__gte=20)
        .order_by("org_id")
        .values_list("org_id", flat=True)[:2000]
    )
    cells = list(Org.objects.filter(pk__in=list(busy), closed_on__isnull=True).order_by("path"))
    return root, committees, cells


def _account(username: str, role: str, org: Org, hashed: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, first_name="Load", last_name=username, password=hashed)
        user.save()
    RoleAssignment.objects.filter(user=user).exclude(role=role, org=org).delete()
    RoleAssignment.objects.get_or_create(user=user, role=role, org=org)
    return user


def accounts() -> list[tuple[User, Org]]:
    """Create (or re-point) the load accounts; (user, the org its role is held on)."""
    root, committees, cells = _targets()
    probe = User()
    probe.set_password(PASSWORD)  # hashed once for all accounts
    out: list[tuple[User, Org]] = []
    spread = _spread(committees, VIEWERS) or [root]
    for i in range(VIEWERS):  # a third see the whole city, the others one committee
        org = root if i % 3 == 0 else spread[i % len(spread)]
        out.append((_account(f"loadv{i:02d}", Role.VIEWER, org, probe.password), org))
    for i, cell in enumerate(_spread(cells, CELL_SECRETARIES)):
        out.append((_account(f"loadc{i:02d}", Role.CELL_SECRETARY, cell, probe.password), cell))
    for i, org in enumerate(_spread(committees, STAFF)):
        out.append((_account(f"loads{i:02d}", Role.SUPERIOR_STAFF, org, probe.password), org))
    return out


def _second_factor(user: User) -> bool:
    """Enrol ``user`` with a new secret and pass the current code, as the 2FA page does."""
    secret = twofactor.new_secret()
    twofactor.enrol_with_secret(user=user, secret=secret)
    return twofactor.verify_code(user=user, code=twofactor.totp(secret))


def new_session(user: User) -> str:
    """A signed-in session (auth.login through the configured session engine); its key."""
    request = RequestFactory().get("/accounts/login/", REMOTE_ADDR="127.0.0.1")
    request.session = import_module(settings.SESSION_ENGINE).SessionStore()
    request.user = user
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    roles = set(RoleAssignment.objects.filter(user=user).values_list("role", flat=True))
    # prod-local runs with CHIBO_2FA_REQUIRED=false (demo accounts): the committee
    # roles pass the second factor anyway, as production requires of them.
    if roles & twofactor.ROLES_REQUIRING_2FA or twofactor.needs_second_factor(user):
        if not _second_factor(user):
            raise SystemExit(f"load_users: the second factor of {user.username} failed")
        twofactor.mark_verified(request)
    request.session.save()
    return request.session.session_key


def browse_orgs(org: Org, limit: int = 8) -> list[str]:
    """The org's code and a few open orgs below it, spread over its subtree."""
    below = list(
        Org.objects.filter(org.subtree_filter(), closed_on__isnull=True)
        .exclude(pk=org.pk)
        .order_by("path")
        .values_list("code", flat=True)
    )
    return [org.code, *_spread(below, limit - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--out", type=Path, default=ROOT / "var/load-test/sessions.json")
    args = parser.parse_args()
    if args.out.exists():
        old = [s["key"] for s in json.loads(args.out.read_text())]
        Session.objects.filter(session_key__in=old).delete()
    people = accounts()
    staff = [(u, o) for u, o in people if u.username.startswith("loads")]
    others = [(u, o) for u, o in people if not u.username.startswith("loads")]
    orgs = {o.pk: browse_orgs(o) for _u, o in people}
    sessions: list[dict[str, Any]] = []
    for user, org in staff:  # one session each (one TOTP code per login)
        sessions.append(_entry(user, org, orgs[org.pk]))
    for i in range(max(0, args.sessions - len(sessions))):
        user, org = others[i % len(others)]
        sessions.append(_entry(user, org, orgs[org.pk]))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(sessions, indent=1))
    args.out.chmod(0o600)
    roles = sorted({s["role"] for s in sessions})
    print(f"load_users: {len(sessions)} sessions of {len(people)} accounts ({', '.join(roles)})")


def _entry(user: User, org: Org, codes: list[str]) -> dict[str, Any]:
    key = new_session(user)
    role = RoleAssignment.objects.filter(user=user).values_list("role", flat=True).first()
    return {
        "user": user.username,
        "role": role,
        "org": org.code,
        "orgs": codes,
        "key": key,
        "cookie": f"{settings.SESSION_COOKIE_NAME}={key}",
    }


if __name__ == "__main__":
    main()
