"""Transfers in transit: the paperwork on top of the members' transfer events, and graduating students.

An official transfer (``transfer_out`` event) is in transit until the
receiving cell records the member's arrival (the ``transfer_in`` event: its
confirmation). The member presents the letter within 30 working days of its
issue (QĐ 294-QĐ/TW §6.3.1; rule ``transfer.official_present_working_days``).
Graduating students may be kept by the school's committee for up to 12
months (HD 01-HD/TW 2012, confidence M; rule ``transfer.student_keep_months``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _

from chibo.activity.models import TransferLetter
from chibo.core.roles import Cap
from chibo.core.rules import Rule, rule_in_force
from chibo.core.scoping import scope_for
from chibo.lib.dates import add_months
from chibo.lib.workdays import add_working_days
from chibo.members.models import Category, EventKind, Member, MemberEvent, Status
from chibo.orgs.models import Org


@dataclass
class Paper:
    event: MemberEvent
    letter: TransferLetter | None
    issued_on: dt.date
    deadline: dt.date | None
    confirmed_on: dt.date | None
    rule: Rule | None

    @property
    def member(self) -> Member:
        return self.event.member

    @property
    def official(self) -> bool:
        return self.event.kind == EventKind.TRANSFER_OUT

    @property
    def destination(self) -> str:
        data = self.event.data or {}
        return data.get("destination") or data.get("host") or ""

    @property
    def late_state(self) -> str | None:
        """A late official transfer: ``pending`` the competent committee's decision,
        ``accepted`` or ``refused``; None otherwise (issue 20)."""
        from chibo.members.lifecycle import late_transfer_state

        return late_transfer_state(self.event)

    def state(self, today: dt.date) -> str:
        if self.confirmed_on is not None:
            return "confirmed"
        if self.deadline is not None and today > self.deadline:
            return "overdue"
        return "in_transit"


def papers_of(events: list[MemberEvent]) -> list[Paper]:
    letters = {lt.event_id: lt for lt in TransferLetter.objects.filter(event__in=events)}
    member_ids = [e.member_id for e in events]
    arrivals: dict[int, list[tuple[dt.date, str]]] = {}
    for member_id, day, kind in MemberEvent.objects.filter(
        member_id__in=member_ids, kind__in=(EventKind.TRANSFER_IN, EventKind.TEMP_BACK)
    ).values_list("member_id", "effective_date", "kind"):
        arrivals.setdefault(member_id, []).append((day, kind))
    out = []
    for event in events:
        letter = letters.get(event.pk)
        issued = letter.issued_on if letter else event.effective_date
        rule = deadline = None
        confirm_kind = (
            EventKind.TRANSFER_IN if event.kind == EventKind.TRANSFER_OUT else EventKind.TEMP_BACK
        )
        if event.kind == EventKind.TRANSFER_OUT:
            rule = rule_in_force("transfer.official_present_working_days", on=issued)
            deadline = add_working_days(issued, int(rule.value))
        else:
            until = (event.data or {}).get("until")
            deadline = dt.date.fromisoformat(until) if until else None
        confirmed = min(
            (
                d
                for d, k in arrivals.get(event.member_id, [])
                if k == confirm_kind and d >= event.effective_date
            ),
            default=None,
        )
        out.append(Paper(event, letter, issued, deadline, confirmed, rule))
    return out


def outgoing_events(actor: Any, org: Org, *, since: dt.date) -> Any:
    """The transfer events sent from ``org``'s subtree since ``since``, newest first (a queryset:
    the page counts and pages it)."""
    if not scope_for(actor, Cap.MEMBER_VIEW).covers(org):
        raise Http404(_("No such party organization in your scope."))
    return (
        MemberEvent.objects.filter(
            org.subtree_filter("org__"),
            kind__in=(EventKind.TRANSFER_OUT, EventKind.TEMP_OUT),
            effective_date__gte=since,
        )
        .select_related("member", "org", "member__pending_org", "late_decision")
        .order_by("-effective_date", "-id")
    )


def outgoing(actor: Any, org: Org, *, since: dt.date, open_only: bool = False) -> list[Paper]:
    """Transfers sent from ``org``'s subtree since ``since`` (the sending side)."""
    papers = papers_of(list(outgoing_events(actor, org, since=since)[:1000]))
    return [p for p in papers if p.confirmed_on is None] if open_only else papers


def incoming_members(actor: Any, org: Org) -> Any:
    """Members transferred out to ``org``'s subtree and not yet arrived, by name (a queryset)."""
    if not scope_for(actor, Cap.MEMBER_VIEW).covers(org):
        raise Http404(_("No such party organization in your scope."))
    return (
        Member.objects.filter(org.subtree_filter("pending_org__"), status=Status.TRANSFERRED_OUT)
        .select_related("org", "pending_org")
        .order_by("name_folded", "member_code")
    )


def incoming_papers(members: list[Member]) -> list[Paper]:
    """The paperwork of each member's latest official transfer (one query for all of them)."""
    latest: dict[int, MemberEvent] = {}
    by_id = {m.pk: m for m in members}
    for event in (
        MemberEvent.objects.filter(member_id__in=list(by_id), kind=EventKind.TRANSFER_OUT)
        .select_related("org", "late_decision")
        .order_by("effective_date", "id")
    ):
        event.member = by_id[event.member_id]
        latest[event.member_id] = event
    return papers_of([latest[m.pk] for m in members if m.pk in latest])


def incoming(actor: Any, org: Org) -> list[Paper]:
    """Official transfers addressed to ``org``'s subtree and not yet confirmed (the receiving side)."""
    return incoming_papers(list(incoming_members(actor, org)))


def paper_for(actor: Any, event_id: int, *, write: bool = False) -> Paper:
    """One transfer's paperwork: the sender (write) or either side (read)."""
    from django.core.exceptions import PermissionDenied

    event = (
        MemberEvent.objects.filter(
            pk=event_id, kind__in=(EventKind.TRANSFER_OUT, EventKind.TEMP_OUT)
        )
        .select_related("member", "org", "member__pending_org")
        .first()
    )
    view = scope_for(actor, Cap.MEMBER_VIEW)
    if event is None or not (view.covers(event.org) or view.covers(event.member.pending_org)):
        raise Http404(_("No such transfer in your scope."))
    if write and not scope_for(actor, Cap.MEMBER_CHANGE).covers(event.org):
        raise PermissionDenied(_("Only the sending organization issues the transfer letter."))
    return papers_of([event])[0]


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
    members = graduating_members(actor, org, as_of=as_of, ahead_months=ahead_months)[:2000]
    out = [g for g in (graduate_of(m) for m in members) if g is not None]
    if state is not None:
        out = [g for g in out if g.state(as_of) == state]
    return out


# A temporary transfer is listed as "ending" from this many months before its expected end:
# time for the member to return or ask an extension (issue 20, item 10).
TEMP_ENDING_MONTHS = 1

TEMP_STATES = ("away", "ending", "overdue", "no_end")


@dataclass
class TempAway:
    """A member temporarily transferred out and not back, with the transfer's expected end.

    States on a day: ``away``; ``ending`` from ``warn_from`` (TEMP_ENDING_MONTHS before
    ``until``) through ``until``; ``overdue`` after it; ``no_end`` when the record has no
    expected end (entered before issue 20 or imported).
    """

    event: MemberEvent
    purpose: str
    until: dt.date | None

    @property
    def member(self) -> Member:
        return self.event.member

    @property
    def host(self) -> str:
        return (self.event.data or {}).get("host") or ""

    @property
    def warn_from(self) -> dt.date | None:
        return add_months(self.until, -TEMP_ENDING_MONTHS) if self.until else None

    @property
    def purpose_label(self) -> str:
        from chibo.members.lifecycle import TempPurpose

        return str(TempPurpose(self.purpose).label) if self.purpose in TempPurpose.values else ""

    def state(self, today: dt.date) -> str:
        return "no_end" if self.until is None else self.state_on(self.until, today)

    @staticmethod
    def state_on(until: dt.date, today: dt.date) -> str:
        if today > until:
            return "overdue"
        return "ending" if today >= add_months(until, -TEMP_ENDING_MONTHS) else "away"


def temporary_away(
    actor: Any, org: Org, *, as_of: dt.date, state: str | None = None
) -> list[TempAway]:
    """Members of ``org``'s subtree temporarily transferred out and not back, with their latest
    temporary transfer, the overdue first, then by expected end; ``state``: only those in
    that state on ``as_of``."""
    if not scope_for(actor, Cap.MEMBER_VIEW).covers(org):
        raise Http404(_("No such party organization in your scope."))
    members = {
        m.pk: m
        for m in Member.objects.filter(org.subtree_filter("org__"), status=Status.TEMP_AWAY)
        .select_related("org")
        .order_by("name_folded")[:5000]
    }
    latest: dict[int, MemberEvent] = {}
    for event in MemberEvent.objects.filter(
        member_id__in=list(members), kind=EventKind.TEMP_OUT
    ).order_by("effective_date", "id"):
        event.member = members[event.member_id]
        latest[event.member_id] = event
    out = []
    for event in latest.values():
        data = event.data or {}
        until = data.get("until")
        out.append(
            TempAway(
                event, data.get("purpose") or "", dt.date.fromisoformat(until) if until else None
            )
        )
    if state is not None:
        out = [t for t in out if t.state(as_of) == state]
    order = {"overdue": 0, "ending": 1, "away": 2, "no_end": 3}
    out.sort(key=lambda t: (order[t.state(as_of)], t.until or dt.date.max))
    return out


LATE_STATES = ("pending", "accepted", "refused")


@dataclass
class LateTransfer:
    """A late official transfer and the competent committee's decision on it (issue 20)."""

    event: MemberEvent
    state: str
    committee: Org

    @property
    def member(self) -> Member:
        return self.event.member

    @property
    def data(self) -> dict[str, Any]:
        return self.event.data or {}

    @property
    def paperwork_due(self) -> dt.date | None:
        due = self.data.get("paperwork_due")
        return dt.date.fromisoformat(due) if due else None

    @property
    def decision(self) -> Any:
        return self.event.late_decision if self.state != "pending" else None  # type: ignore[attr-defined]

    def may_decide(self, actor: Any) -> bool:
        return self.state == "pending" and scope_for(actor, Cap.ADMISSION_DECIDE).covers(
            self.committee
        )


def late_transfers(actor: Any, org: Org, *, state: str | None = None) -> list[LateTransfer]:
    """Official transfers sent late from ``org``'s subtree (the pending ones first), with the
    committee that decides each; ``state``: only those pending, accepted or refused."""
    from chibo.members.lifecycle import competent_committee, late_transfer_state

    if not scope_for(actor, Cap.MEMBER_VIEW).covers(org):
        raise Http404(_("No such party organization in your scope."))
    events = (
        MemberEvent.objects.filter(
            org.subtree_filter("org__"), kind=EventKind.TRANSFER_OUT, data__late=True
        )
        .select_related("member", "org", "org__parent", "late_decision")
        .order_by("-effective_date", "-id")[:500]
    )
    out = []
    for event in events:
        found = late_transfer_state(event)
        if found is not None and state in (None, found):
            out.append(LateTransfer(event, found, competent_committee(event)))
    out.sort(key=lambda t: t.state != "pending")
    return out


def late_transfer_for(actor: Any, event_id: int) -> LateTransfer:
    """One late transfer, for a user who sees its sending cell."""
    from chibo.members.lifecycle import competent_committee, late_transfer_state

    event = (
        MemberEvent.objects.filter(pk=event_id, kind=EventKind.TRANSFER_OUT)
        .select_related("member", "org", "org__parent")
        .first()
    )
    if event is None or not scope_for(actor, Cap.MEMBER_VIEW).covers(event.org):
        raise Http404(_("No such transfer in your scope."))
    state = late_transfer_state(event)
    if state is None:
        raise Http404(_("This transfer was not late."))
    return LateTransfer(event, state, competent_committee(event))
