"""Overdue steps of the admission path: tell the people who must act (run daily).

A case is overdue when its next deadline (``Candidate.next_due``, kept by the
services in working days) has passed for the decision (60 working days after
the cell resolution, +30 extension), the ceremony (30 after the cell received
the decision, or after the decision's date while the receipt is not recorded:
``path.ceremony_counted_from``), the recognition vote (30 after probation
ends) or the recognition decision.
Probationary members admitted outside the path (no candidacy) are reminded
of an overdue recognition vote too. Cell steps go to the cell's secretaries;
committee steps to the nearest committee staff above the cell. One notice per
case, step and deadline (``dedupe_key``); the run is audited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from chibo.accounts.models import RoleAssignment
from chibo.admissions import checks
from chibo.admissions.models import CLOSED, COMMITTEE_STEPS, Candidate, Stage
from chibo.core import audit
from chibo.core.notify import notify
from chibo.core.roles import ROLE_CAPS, Cap
from chibo.members.models import ON_ROLLS, Member
from chibo.orgs.models import Org

# The cell is told this many days before the personal history's deadline.
HISTORY_NOTICE_DAYS = 7

REMINDED_STEPS = (
    Stage.DECISION,
    Stage.CEREMONY,
    Stage.RECOGNITION_VOTE,
    Stage.RECOGNITION_DECISION,
)


@dataclass(frozen=True)
class Overdue:
    org: Org
    step: str
    due: dt.date
    name: str
    url: str
    key: str
    # "step": a step past its deadline; "certificate": the awareness-course certificate
    # expired before the cell's review (``core.validity``: the day after its last valid day).
    what: str = "step"


def overdue_steps(today: dt.date) -> list[Overdue]:
    """Every open case whose next step is past its deadline on ``today``."""
    rows = [
        Overdue(
            c.org,
            c.next_due_for,
            cast(dt.date, c.next_due),  # filtered: next_due < today
            c.full_name,
            f"/admissions/{c.pk}/",
            f"candidate:{c.pk}",
        )
        for c in Candidate.objects.exclude(stage__in=CLOSED)
        .filter(next_due__lt=today, next_due_for__in=REMINDED_STEPS)
        .select_related("org")
        .order_by("next_due", "id")
    ]
    # The awareness-course certificate expired before the cell's review: the board's
    # ``next_due`` is its last valid day (``path.refresh_due``), the same definition the
    # review checks; the cell must have the candidate retake the course.
    for c in (
        Candidate.objects.exclude(stage__in=(*CLOSED, Stage.CELL_RESOLUTION))
        .filter(next_due__lt=today, next_due_for=Stage.CELL_RESOLUTION)
        .select_related("org")
        .order_by("next_due", "id")
    ):
        rows.append(
            Overdue(
                c.org,
                Stage.COURSE,
                cast(dt.date, c.next_due),  # filtered: next_due < today
                c.full_name,
                f"/admissions/{c.pk}/",
                f"candidate:{c.pk}",
                what="certificate",
            )
        )
    # Probation ended without a vote, for members admitted outside the path.
    # 30 working days are at least 30 calendar days: a cheap first cut.
    members = Member.objects.filter(
        is_full=False,
        status__in=ON_ROLLS,
        candidacy__isnull=True,
        probation_ends_on__lt=today - dt.timedelta(days=30),
    ).select_related("org")
    for m in members.order_by("probation_ends_on", "id"):
        due = checks.deadline(
            "recognition.vote_working_days", cast(dt.date, m.probation_ends_on)
        )  # filtered: probation_ends_on < today - 30 days
        if due < today:
            rows.append(
                Overdue(
                    m.org,
                    Stage.RECOGNITION_VOTE,
                    due,
                    f"{m.full_name} ({m.member_code})",
                    f"/members/{m.member_code}/",
                    f"member:{m.member_code}",
                )
            )
    # The new member's personal history, not recorded by its deadline (issue 20, item 8).
    for c in (
        Candidate.objects.exclude(stage__in=CLOSED)
        .filter(history_declared_on__isnull=True, history_due_on__lt=today)
        .select_related("org")
        .order_by("history_due_on", "id")
    ):
        rows.append(
            Overdue(
                c.org,
                Stage.CEREMONY,
                cast(dt.date, c.history_due_on),  # filtered: history_due_on < today
                c.full_name,
                f"/admissions/{c.pk}/#member-history",
                f"candidate:{c.pk}",
                what="history",
            )
        )
    return rows


def histories_due_soon(today: dt.date) -> list[Overdue]:
    """Personal histories not recorded whose deadline is within ``HISTORY_NOTICE_DAYS``."""
    return [
        Overdue(
            c.org,
            Stage.CEREMONY,
            cast(dt.date, c.history_due_on),  # filtered on history_due_on
            c.full_name,
            f"/admissions/{c.pk}/#member-history",
            f"candidate:{c.pk}",
            what="history_soon",
        )
        for c in Candidate.objects.exclude(stage__in=CLOSED)
        .filter(
            history_declared_on__isnull=True,
            history_due_on__gte=today,
            history_due_on__lte=today + dt.timedelta(days=HISTORY_NOTICE_DAYS),
        )
        .select_related("org")
        .order_by("history_due_on", "id")
    ]


def committee_staff(org: Org, day: dt.date) -> list[Any]:
    """Who decides for ``org``'s cases: the nearest committee staff above it with admission.decide."""
    return _recipients(org, Cap.ADMISSION_DECIDE, day, {})


def _recipients(
    org: Org, cap: str, day: dt.date, cache: dict[tuple[int, str], list[Any]]
) -> list[Any]:
    """Users of the nearest org from ``org`` up whose role there gives ``cap`` (in force, active)."""
    if (org.pk, cap) in cache:
        return cache[(org.pk, cap)]
    roles = [role for role, caps in ROLE_CAPS.items() if cap in caps]
    chain = [org, *reversed(list(org.ancestors()))]
    found: list[Any] = []
    assignments = RoleAssignment.objects.filter(
        role__in=roles, org__in=chain, user__is_active=True
    ).select_related("user")
    by_org: dict[int, list[Any]] = {}
    for ra in assignments:
        if ra.in_force(day):
            by_org.setdefault(ra.org_id, []).append(ra.user)
    for level in chain:
        if by_org.get(level.pk):
            found = by_org[level.pk]
            break
    cache[(org.pk, cap)] = found
    return found


def remind_overdue(*, today: dt.date | None = None) -> dict[str, int]:
    """Notify who must act on each overdue step; returns counts (overdue, notified)."""
    day = today or timezone.localdate()
    rows = overdue_steps(day)
    soon = histories_due_soon(day)
    cache: dict[tuple[int, str], list[Any]] = {}
    sent = 0
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        for row in [*rows, *soon]:
            cap = Cap.ADMISSION_DECIDE if row.step in COMMITTEE_STEPS else Cap.MEMBER_CHANGE
            if row.what == "history":
                message = _(
                    "Overdue: the personal history (lý lịch đảng viên) of %(name)s (%(org)s) "
                    "was due by %(due)s, 30 working days after the admission ceremony."
                ) % {"name": row.name, "org": row.org.name, "due": checks.fmt(row.due)}
            elif row.what == "history_soon":
                message = _(
                    "Due soon: the personal history (lý lịch đảng viên) of %(name)s (%(org)s) "
                    "is due by %(due)s (30 working days after the admission ceremony)."
                ) % {"name": row.name, "org": row.org.name, "due": checks.fmt(row.due)}
            elif row.what == "certificate":
                message = _(
                    "The awareness-course certificate of %(name)s (%(org)s) was valid until "
                    "%(due)s: the candidate must retake the course before the cell's review."
                ) % {"name": row.name, "org": row.org.name, "due": checks.fmt(row.due)}
            else:
                message = _(
                    "Overdue: “%(step)s” for %(name)s (%(org)s) was due by %(due)s "
                    "(counted in working days)."
                ) % {
                    "step": Stage(row.step).label,
                    "name": row.name,
                    "org": row.org.name,
                    "due": checks.fmt(row.due),
                }
            for user in _recipients(row.org, cap, day, cache):
                notice = notify(
                    user=user,
                    kind="admissions.overdue",
                    message=message,
                    url=row.url,
                    dedupe_key=(
                        f"admissions.{'due' if row.what == 'history_soon' else 'overdue'}:"
                        f"{row.key}:{row.what if row.what.startswith('history') else row.step}:"
                        f"{row.due.isoformat()}"
                    ),
                )
                sent += notice is not None
        audit.record(
            actor=None,
            action="admissions.remind_overdue",
            object_type="candidate",
            object_id="",
            data={"as_of": day, "overdue": len(rows), "due_soon": len(soon), "notified": sent},
        )
    return {"overdue": len(rows), "due_soon": len(soon), "notified": sent}
