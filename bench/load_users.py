"""Load-test accounts and signed-in sessions in a prod-local database (bench/load-test).

    .venv/bin/python bench/load_users.py [--sessions 200] [--out var/load-test/sessions.json]

Run with prod-local's environment (its ``SECRET_KEY`` and ``DATABASE_URL``): the
sessions are made by Django's own session engine and ``auth.login``, so the web
processes accept them as if the users had signed in. The load test then
measures pages, not the password hasher (a sign-in costs ~0.3 s of CPU on
purpose; 200 users signing in at once measured only that).

Accounts (idempotent; password ``chibo-load-2026``, for a look by hand), one
role each, each in its own scope:

- ``loadvNN`` viewers: on the city root, or on one of the directly subordinate
  committees (spread over the tree);
- ``loadcNN`` cell secretaries on cells with members (citizen ID and phone shown,
  so their pages decrypt and audit them);
- ``loadgNN`` grassroots committee staff on grassroots committees with cells
  (those with a directive assignment first);
- ``loadsNN`` superior committee staff on a committee, and ``loadoNN`` city
  office on the city root: roles that must use two-step login. Each is
  enrolled with a fresh TOTP secret and passes ``verify_code`` with the
  current code, exactly as the verification page does, before its session
  is marked verified (``twofactor.SESSION_KEY``). One session per such
  account (a TOTP code is single-use).

Each session also gets the records it works on (``work``), disjoint between
sessions so that two simulated users never race for the same row: a cell
secretary's meeting of this month (recorded through the service if the cell
has none) and its roster, the (member, month, amount) dues it collects
(months not paid yet, the amount due), a member on the rolls whose exemption
it records and ends, a full member to mentor its candidates; a grassroots
staff's directive assignment and reporting period.

``--sessions`` sessions of each role without a second factor (viewers, cell
secretaries, grassroots staff), one of each account with one, spread over
the accounts; the sessions of the previous run (from
the ``--out`` file) are deleted first. Output: JSON, one entry per session with
its cookie and the org codes it browses (its scope root and a few orgs below).
"""

from __future__ import annotations

import argparse
import datetime as dt
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
from django.utils import timezone  # noqa: E402

from chibo.accounts import twofactor  # noqa: E402
from chibo.accounts.models import RoleAssignment  # noqa: E402
from chibo.activity import dues, periods  # noqa: E402
from chibo.activity import services as activity  # noqa: E402
from chibo.activity.models import DuesPayment, Meeting, MeetingKind  # noqa: E402
from chibo.core.roles import Role  # noqa: E402
from chibo.core.rules import RuleMissing, rule_in_force  # noqa: E402
from chibo.directives import selectors as directive_selectors  # noqa: E402
from chibo.directives.models import Assignment, ReportStatus  # noqa: E402
from chibo.members.models import ON_ROLLS, Member, Status  # noqa: E402
from chibo.orgs.models import CELL_KINDS, Org, OrgKind  # noqa: E402

PASSWORD = "chibo-load-2026"  # noqa: S105 - a throwaway local stack
ROOT = Path(__file__).resolve().parents[1]
VIEWERS, CELL_SECRETARIES, GRASSROOTS, STAFF, OFFICE = 24, 12, 6, 4, 2
TWO_FACTOR_PREFIXES = ("loads", "loado")
DUES_PER_SESSION = 40
EVENTS = 20  # members per cell whose exemption the sessions record and end


def _spread(orgs: list[Org], n: int) -> list[Org]:
    """``n`` orgs taken evenly over ``orgs`` (in path order: over the whole tree)."""
    if not orgs:
        return []
    step = max(1, len(orgs) // n)
    return orgs[::step][:n]


def _targets() -> tuple[Org, list[Org], list[Org], list[Org]]:
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
    assigned = set(
        Assignment.objects.filter(org__kind=OrgKind.GRASSROOTS_COMMITTEE).values_list(
            "org_id", flat=True
        )
    )
    grassroots = sorted(
        Org.objects.filter(kind=OrgKind.GRASSROOTS_COMMITTEE, closed_on__isnull=True),
        key=lambda o: (o.pk not in assigned, o.path),
    )
    return root, committees, cells, grassroots


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
    root, committees, cells, grassroots = _targets()
    probe = User()
    probe.set_password(PASSWORD)  # hashed once for all accounts
    out: list[tuple[User, Org]] = []
    spread = _spread(committees, VIEWERS) or [root]
    for i in range(VIEWERS):  # a third see the whole city, the others one committee
        org = root if i % 3 == 0 else spread[i % len(spread)]
        out.append((_account(f"loadv{i:02d}", Role.VIEWER, org, probe.password), org))
    for i, cell in enumerate(_spread(cells, CELL_SECRETARIES)):
        out.append((_account(f"loadc{i:02d}", Role.CELL_SECRETARY, cell, probe.password), cell))
    for i, org in enumerate(grassroots[:GRASSROOTS]):
        out.append((_account(f"loadg{i:02d}", Role.GRASSROOTS_STAFF, org, probe.password), org))
    for i, org in enumerate(_spread(committees, STAFF)):
        out.append((_account(f"loads{i:02d}", Role.SUPERIOR_STAFF, org, probe.password), org))
    for i in range(OFFICE):
        out.append((_account(f"loado{i:02d}", Role.CITY_OFFICE, root, probe.password), root))
    return out


# --- the records each session works on ----------------------------------------------


def _meeting(cell: Org) -> Meeting:
    """The cell's regular meeting of this month (recorded, roster present, if there is none)."""
    today = timezone.localdate()
    meeting = (
        Meeting.objects.filter(org=cell, month=today.replace(day=1), kind=MeetingKind.REGULAR)
        .order_by("held_on")
        .first()
    )
    if meeting is None:
        meeting = activity.meeting_create(
            actor=None, org=cell, kind=MeetingKind.REGULAR, held_on=today, confirm=True
        )
    return meeting


def _unpaid(member: Member, limit: int) -> list[tuple[str, str, int]]:
    """Up to ``limit`` (code, ``MM/YYYY``, amount due) of months the member has not paid, newest
    first, from the furthest month that may be paid in advance."""
    today = timezone.localdate()
    payments = DuesPayment.objects.filter(member=member)
    paid = set(payments.values_list("period", flat=True))
    # Income-based dues have no fixed amount: the member's last payment stands in.
    usual = payments.order_by("-period").values_list("amount_vnd", flat=True).first()
    ahead = int(rule_in_force("dues.advance_max_months", on=today).value)  # advance payments too
    month, first = periods.shift(today.replace(day=1), ahead), member.admitted_on.replace(day=1)
    out: list[tuple[str, str, int]] = []
    while month >= first and len(out) < limit:
        if month not in paid:
            try:
                amount = dues.amount_due(member, month) or usual
            except RuleMissing:  # before the first dues rule in chibo
                break
            if amount:
                out.append((member.member_code, month.strftime("%m/%Y"), int(amount)))
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return out


class Work:
    """Hands out each cell's members and each committee's assignments, never twice."""

    def __init__(self) -> None:
        self.members: dict[int, list[Member]] = {}
        self.meetings: dict[int, dict[str, Any]] = {}
        self.events: dict[int, list[str]] = {}
        self.reports: set[tuple[int, str]] = set()  # one session per report (no edit races)

    def _members(self, cell: Org) -> list[Member]:
        if cell.pk not in self.members:
            self.members[cell.pk] = list(
                Member.objects.filter(org=cell, status=Status.ACTIVE).order_by("id")
            )
        return self.members[cell.pk]

    def cell_secretary(self, cell: Org) -> dict[str, Any]:
        if cell.pk not in self.meetings:
            meeting = _meeting(cell)
            # The members whose exemption is recorded and ended leave the roster while
            # exempted: they are kept off the rows the sessions change.
            pool = self._members(cell)
            reserved = min(EVENTS, len(pool) // 2)
            self.events[cell.pk] = [pool.pop().member_code for _ in range(reserved)]
            roster = sorted(
                set(
                    meeting.attendance.filter(member__status=Status.ACTIVE).values_list(
                        "member__member_code", flat=True
                    )
                )
                - set(self.events[cell.pk])
            )
            mentor = (
                Member.objects.filter(org=cell, is_full=True, status__in=ON_ROLLS)
                .values_list("member_code", flat=True)
                .first()
            )
            self.meetings[cell.pk] = {"meeting": meeting.pk, "roster": roster, "mentor": mentor}
        pool = self._members(cell)
        work = dict(self.meetings[cell.pk])
        events = self.events[cell.pk]
        work["event_member"] = events.pop() if events else None
        due: list[tuple[str, str, int]] = []
        while pool and len(due) < DUES_PER_SESSION:
            due += _unpaid(pool.pop(), DUES_PER_SESSION - len(due))
        work["dues"] = due
        return work

    def grassroots_staff(self, org: Org) -> dict[str, Any]:
        today = timezone.localdate()
        for a in Assignment.objects.filter(org=org).select_related("task").order_by("-id"):
            periods = directive_selectors.task_periods(a.task, today)
            done = set(
                a.reports.exclude(
                    status__in=[ReportStatus.DRAFT, ReportStatus.RETURNED]
                ).values_list("period", flat=True)
            )
            open_ = [p.key for p in periods if p.key not in done]
            open_ = [k for k in open_ if (a.pk, k) not in self.reports]
            if open_:
                self.reports.add((a.pk, open_[-1]))
                return {"report": {"assignment": a.pk, "period": open_[-1]}}
        return {}

    def for_session(self, role: str, org: Org) -> dict[str, Any]:
        if role == Role.CELL_SECRETARY:
            return self.cell_secretary(org)
        if role == Role.GRASSROOTS_STAFF:
            return self.grassroots_staff(org)
        return {}


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
    staff = [(u, o) for u, o in people if u.username.startswith(TWO_FACTOR_PREFIXES)]
    others = [(u, o) for u, o in people if not u.username.startswith(TWO_FACTOR_PREFIXES)]
    orgs = {o.pk: browse_orgs(o) for _u, o in people}
    work = Work()
    sessions: list[dict[str, Any]] = []
    for user, org in staff:  # one session each (one TOTP code per login)
        sessions.append(_entry(user, org, orgs[org.pk], work))
    by_role: dict[str, list[tuple[User, Org]]] = {}
    for user, org in others:
        by_role.setdefault(user.username[:5], []).append((user, org))
    for people_of_role in by_role.values():  # --sessions of each role: every class has its own
        for i in range(args.sessions):
            user, org = people_of_role[i % len(people_of_role)]
            sessions.append(_entry(user, org, orgs[org.pk], work))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(sessions, indent=1))
    args.out.chmod(0o600)
    roles = sorted({s["role"] for s in sessions})
    print(f"load_users: {len(sessions)} sessions of {len(people)} accounts ({', '.join(roles)})")


def _entry(user: User, org: Org, codes: list[str], work: Work) -> dict[str, Any]:
    key = new_session(user)
    role = RoleAssignment.objects.filter(user=user).values_list("role", flat=True).first()
    return {
        "work": work.for_session(role, org),
        "user": user.username,
        "role": role,
        "org": org.code,
        "orgs": codes,
        "key": key,
        "cookie": f"{settings.SESSION_COOKIE_NAME}={key}",
    }


if __name__ == "__main__":
    main()
