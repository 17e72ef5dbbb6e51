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

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, TextField, Value, When
from django.db.models.fields.json import KeyTextTransform
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


def temporary_away_events(actor: Any, org: Org, *, as_of: dt.date, state: str | None = None) -> Any:
    """The latest temporary transfer of each member of ``org``'s subtree away and not back, by
    expected end (``until_key``, ISO; none: last), then name (a queryset: the page counts and
    pages it). The states follow the end (overdue, ending, away, then no end), so this is also
    the overdue first. ``state``: narrowed by the end in the query; ``ending`` and ``away``
    still need ``TempAway.state`` (the warning month is a calendar month)."""
    if not scope_for(actor, Cap.MEMBER_VIEW).covers(org):
        raise Http404(_("No such party organization in your scope."))
    newer = MemberEvent.objects.filter(member_id=OuterRef("member_id"), kind=EventKind.TEMP_OUT)
    newer = newer.filter(
        Q(effective_date__gt=OuterRef("effective_date"))
        | Q(effective_date=OuterRef("effective_date"), id__gt=OuterRef("id"))
    )
    events = (
        MemberEvent.objects.filter(
            org.subtree_filter("member__org__"),
            kind=EventKind.TEMP_OUT,
            member__status=Status.TEMP_AWAY,
        )
        .filter(~Exists(newer))
        .annotate(
            # No end (key missing, JSON null — which SQLite reads as the text "null" — or
            # empty): NO_END, so the key is never null.
            until_key=Case(
                When(
                    Q(data__until__isnull=True) | Q(data__until=None) | Q(data__until=""),
                    then=Value(NO_END),
                ),
                default=KeyTextTransform("until", "data"),
                output_field=TextField(),
            )
        )
        .select_related("member", "member__org")
        .order_by("until_key", "member__name_folded", "id")
    )
    day = as_of.isoformat()
    if state == "overdue":
        events = events.filter(until_key__lt=day)
    elif state == "no_end":
        events = events.filter(until_key=NO_END)
    elif state in ("ending", "away"):
        events = events.filter(until_key__gte=day, until_key__lt=NO_END)
    return events


NO_END = "9999-12-31"  # the sort key of a temporary transfer without an expected end


def temp_away_of(event: MemberEvent) -> TempAway:
    data = event.data or {}
    until = data.get("until")
    return TempAway(
        event, data.get("purpose") or "", dt.date.fromisoformat(until) if until else None
    )


def temporary_away(
    actor: Any, org: Org, *, as_of: dt.date, state: str | None = None
) -> list[TempAway]:
    """Every member of ``org``'s subtree temporarily transferred out and not back, in the order
    of ``temporary_away_events``; ``state``: only those in that state on ``as_of``."""
    events = temporary_away_events(actor, org, as_of=as_of, state=state)
    out = [temp_away_of(e) for e in events]
    return [t for t in out if state is None or t.state(as_of) == state]


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
