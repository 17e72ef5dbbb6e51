"""Transfers presented late: each one and the decision on it (pending, accepted, refused)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, IntegerField, Value, When
from django.http import Http404
from django.utils.translation import gettext as _

from chibo.core.roles import Cap
from chibo.core.scoping import scope_for
from chibo.members.models import EventKind, Member, MemberEvent
from chibo.orgs.models import Org

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
        return self.event.late_decision if self.state != "pending" else None

    def may_decide(self, actor: Any) -> bool:
        return self.state == "pending" and scope_for(actor, Cap.ADMISSION_DECIDE).covers(
            self.committee
        )


def late_transfer_events(actor: Any, org: Org, *, state: str | None = None) -> Any:
    """Official transfers sent late from ``org``'s subtree, the pending ones first (``decided``
    0), then newest first (a queryset: the page counts and pages it); ``state``: only those
    pending, accepted or refused."""
    if not scope_for(actor, Cap.MEMBER_VIEW).covers(org):
        raise Http404(_("No such party organization in your scope."))
    # ``late`` is set on official transfers only (members.lifecycle): no condition on the
    # kind, so that SQLite reads each org's late ones from mevent_late_idx alone.
    events = MemberEvent.objects.filter(org.subtree_filter("org__"), late=True).annotate(
        decided=Case(
            When(late_decision__isnull=True, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    )
    if state == "pending":
        events = events.filter(late_decision__isnull=True)
    elif state in ("accepted", "refused"):
        events = events.filter(late_decision__accepted=state == "accepted")
    return events.select_related("member", "org", "org__parent", "late_decision").order_by(
        "decided", "-effective_date", "-id"
    )


def late_transfer_of(event: MemberEvent) -> LateTransfer:
    from chibo.members.lifecycle import competent_committee, late_transfer_state

    return LateTransfer(event, late_transfer_state(event) or "pending", competent_committee(event))


def late_transfers(actor: Any, org: Org, *, state: str | None = None) -> list[LateTransfer]:
    """Every late official transfer of ``org``'s subtree, in the order of
    ``late_transfer_events``, with the committee that decides each."""
    return [late_transfer_of(e) for e in late_transfer_events(actor, org, state=state)]


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
