"""Graduating students: how long the school's committee may keep each, and who is upcoming, may
stay, ending or overdue.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _

from chibo.core.roles import Cap
from chibo.core.rules import Rule, rule_in_force
from chibo.core.scoping import scope_for
from chibo.lib.dates import add_months
from chibo.members.models import Category, Member, Status
from chibo.orgs.models import Org

# A graduate is listed as "ending" from this many months before the last day the school's
# committee may keep them: time for the paperwork (issue 20, item 11).
ENDING_MONTHS = 2


GRADUATE_STATES = ("upcoming", "may_stay", "ending", "overdue")


@dataclass
class Graduate:
    """A student member graduating or graduated, and how long the school may keep them.

    ``keep_until``: the graduation date + ``transfer.student_keep_months`` (the version in
    force on the graduation date): the last day the member may stay on the school's rolls.
    States on a day: ``upcoming`` (before graduation), ``may_stay``, ``ending`` (from
    ``warn_from``, ENDING_MONTHS before ``keep_until``, through it), ``overdue`` (after it).
    """

    member: Member
    graduates_on: dt.date
    keep_until: dt.date
    rule: Rule

    @property
    def warn_from(self) -> dt.date:
        return add_months(self.keep_until, -ENDING_MONTHS)

    def state(self, today: dt.date) -> str:
        if today < self.graduates_on:
            return "upcoming"
        if today > self.keep_until:
            return "overdue"
        return "ending" if today >= self.warn_from else "may_stay"


def graduate_of(member: Member) -> Graduate | None:
    """The graduate view of one member (None: not a student with an expected graduation)."""
    if member.category != Category.STUDENT or member.expected_graduation is None:
        return None
    rule = rule_in_force("transfer.student_keep_months", on=member.expected_graduation)
    return Graduate(
        member,
        member.expected_graduation,
        add_months(member.expected_graduation, int(rule.value)),
        rule,
    )


def graduating_members(actor: Any, org: Org, *, as_of: dt.date, ahead_months: int = 6) -> Any:
    """Student members still on the school's rolls who graduate within ``ahead_months`` or
    already have, by graduation date and name (a queryset)."""
    if not scope_for(actor, Cap.MEMBER_VIEW).covers(org):
        raise Http404(_("No such party organization in your scope."))
    return (
        Member.objects.filter(
            org.subtree_filter("org__"),
            category=Category.STUDENT,
            status__in=(Status.ACTIVE, Status.TEMP_AWAY),
            expected_graduation__isnull=False,
            expected_graduation__lte=add_months(as_of, ahead_months),
        )
        .select_related("org")
        .order_by("expected_graduation", "name_folded", "member_code")
    )


def graduating(
    actor: Any,
    org: Org,
    *,
    as_of: dt.date,
    ahead_months: int = 6,
    state: str | None = None,
) -> list[Graduate]:
    """Student members still on the school's rolls who graduate within ``ahead_months`` or
    already have; ``state``: only those in that state on ``as_of``."""
    members = graduating_members(actor, org, as_of=as_of, ahead_months=ahead_months)
    out = [g for g in (graduate_of(m) for m in members) if g is not None]
    if state is not None:
        out = [g for g in out if g.state(as_of) == state]
    return out
