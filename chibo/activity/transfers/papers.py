"""Official transfers in transit: the paperwork (letter, deadline to present it) on top of each
transfer out, on the sending and the receiving side.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils.translation import gettext as _

from chibo.activity.models import TransferLetter
from chibo.core.roles import Cap
from chibo.core.rules import Rule, rule_in_force
from chibo.core.scoping import scope_for
from chibo.lib.workdays import add_working_days
from chibo.members.models import EventKind, Member, MemberEvent, Status
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


def outgoing_events(actor: Any, org: Org, *, since: dt.date, open_only: bool = False) -> Any:
    """The transfer events sent from ``org``'s subtree since ``since``, newest first (a queryset:
    the page counts and pages it, the API reads it a page at a time); ``open_only``: those not
    confirmed yet (no arrival, or no return from a temporary transfer, on or after it)."""
    if not scope_for(actor, Cap.MEMBER_VIEW).covers(org):
        raise Http404(_("No such party organization in your scope."))
    events = MemberEvent.objects.filter(
        org.subtree_filter("org__"),
        kind__in=(EventKind.TRANSFER_OUT, EventKind.TEMP_OUT),
        effective_date__gte=since,
    )
    if open_only:
        later = MemberEvent.objects.filter(
            member_id=OuterRef("member_id"), effective_date__gte=OuterRef("effective_date")
        )
        events = events.alias(
            confirmed_in=Exists(later.filter(kind=EventKind.TRANSFER_IN)),
            confirmed_back=Exists(later.filter(kind=EventKind.TEMP_BACK)),
        ).filter(
            Q(kind=EventKind.TRANSFER_OUT, confirmed_in=False)
            | Q(kind=EventKind.TEMP_OUT, confirmed_back=False)
        )
    return events.select_related("member", "org", "member__pending_org", "late_decision").order_by(
        "-effective_date", "-id"
    )


def incoming_members(actor: Any, org: Org) -> Any:
    """Members transferred out to ``org``'s subtree and not yet arrived, by name (a queryset)."""
    if not scope_for(actor, Cap.MEMBER_VIEW).covers(org):
        raise Http404(_("No such party organization in your scope."))
    # Only those with the official transfer the paperwork is read from: a page is never short.
    sent = MemberEvent.objects.filter(member_id=OuterRef("pk"), kind=EventKind.TRANSFER_OUT)
    return (
        Member.objects.filter(org.subtree_filter("pending_org__"), status=Status.TRANSFERRED_OUT)
        .filter(Exists(sent))
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
