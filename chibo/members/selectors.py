"""Reads of members, always starting from the actor's scope, with reads audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from chibo.core import audit
from chibo.core.paging import CappedPaginator
from chibo.core.roles import Cap
from chibo.core.scoping import scope_for
from chibo.lib.text import fold, prefix_upper_bound
from chibo.members.lifecycle import state_on as state_on
from chibo.members.models import ON_ROLLS, EventKind, Member, MemberEvent, Status
from chibo.members.search import ListRow, MemberSearch, intersect
from chibo.orgs.models import Org


def members_for(user: Any, cap: str = Cap.MEMBER_VIEW) -> QuerySet[Member]:
    """The members of orgs in ``user``'s scope for ``cap`` (core.scoping)."""
    scope = scope_for(user, cap)
    if scope.is_empty:
        return Member.objects.none()
    return Member.objects.filter(scope.q("org__"))


def get_member_for(user: Any, code: str, *, write: bool = False) -> Member:
    """The member ``code`` if ``user`` may see it (404 otherwise); 403 on write without the right."""
    member = members_for(user).select_related("org").filter(member_code=code).first()
    if member is None:
        raise Http404(_("No such party member in your scope."))
    if write and not scope_for(user, Cap.MEMBER_CHANGE).covers(member.org):
        raise PermissionDenied(_("Your role may view this member but not change the record."))
    return member


@dataclass
class MemberFilter:
    q: str = ""
    org: Org | None = None
    category: str = ""
    status: str = ""  # a Status value, "on_rolls" (default view) or "" for all
    standing: str = ""  # "full" | "probationary" | ""


def search_q(text: str) -> Q:
    """Diacritic- and case-insensitive name search, đ included, as index range scans.

    ``nguyen van a`` matches names starting so; a single word also matches a
    given name (``an`` finds ``Nguyễn Văn An``) or a member code, exactly.
    Names have no digits and codes no spaces, so a query with a digit is only
    a code and one with a space only a name: each stays an index condition
    (an ``OR member_code = …`` beside a multi-word name range made PostgreSQL
    walk the whole name index: docs/performance.md).
    """
    code = text.strip()
    by_code = Q(member_code__in={code, code.upper()})
    if any(ch.isdigit() for ch in code):
        return by_code
    folded = fold(text)
    if not folded:
        return Q()
    bound = prefix_upper_bound(folded)
    query = Q(name_folded__gte=folded, name_folded__lt=bound)
    if " " not in folded:
        query |= Q(given_folded__gte=folded, given_folded__lt=bound) | by_code
    return query


def _within(subtrees: Callable[[str], Q], *, by_name: bool) -> Q:
    """Members of the orgs in ``subtrees`` (``Scope.q`` or ``Org.subtree_filter``).

    Without a name search: ``org_id IN (…)``, so that SQLite reads a small scope
    through the (org, status) index instead of scanning every member on the rolls
    (a cell secretary's list: 0.3 ms instead of 0.8 s at 400,000). With a name
    search: the join condition on the org's path (as ``members_for``), so that
    SQLite is driven by the name's index range. PostgreSQL plans both alike.
    """
    if by_name:
        return subtrees("org__")
    return Q(org__in=Org.objects.filter(subtrees("")).values("pk"))


def member_list(actor: Any, flt: MemberFilter) -> QuerySet[Member]:
    """Members in scope matching ``flt``, by name. Lists show no citizen ID or phone:
    those columns are not read (nor decrypted); a record's page reads them through
    ``member_detail``.

    The definition of the list; the page and the API read the same answer through
    ``member_search``, planned per scope (tests/members/test_search_plans.py)."""
    scope = scope_for(actor, Cap.MEMBER_VIEW)
    if scope.is_empty:
        return Member.objects.none()
    by_name = bool(flt.q)
    qs = Member.objects.filter(_within(scope.q, by_name=by_name)).select_related("org")
    qs = qs.defer("citizen_id", "phone")
    if flt.org is not None:
        qs = qs.filter(_within(flt.org.subtree_filter, by_name=by_name))
    if flt.q:
        qs = qs.filter(search_q(flt.q))
    if flt.category:
        qs = qs.filter(category=flt.category)
    if flt.status == "on_rolls":
        qs = qs.filter(status__in=ON_ROLLS)
    elif flt.status:
        qs = qs.filter(status=flt.status)
    if flt.standing == "full":
        qs = qs.filter(is_full=True)
    elif flt.standing == "probationary":
        qs = qs.filter(is_full=False)
    return qs.order_by("name_folded", "member_code")


def member_search(actor: Any, flt: MemberFilter) -> MemberSearch:
    """``member_list``'s answer, read by the index that suits the scope (members.search)."""
    scope = scope_for(actor, Cap.MEMBER_VIEW)
    statuses: tuple[str, ...] = ()
    if flt.status == "on_rolls":
        statuses = tuple(ON_ROLLS)
    elif flt.status:
        statuses = (flt.status,)
    full = {"full": True, "probationary": False}.get(flt.standing)
    return MemberSearch(
        intersect(scope.ranges, flt.org),
        text=flt.q,
        statuses=statuses,
        category=flt.category,
        full=full,
    )


COUNT_CAP = 10_000


def member_page(actor: Any, flt: MemberFilter, number: Any, per_page: int) -> Page:
    """One page of ``member_list``, counted up to ``COUNT_CAP`` (``page.paginator.capped``)."""
    return CappedPaginator(member_search(actor, flt), per_page, COUNT_CAP).get_page(number)


def audit_list_read(
    actor: Any, members: Sequence[Member | ListRow], context: dict[str, Any]
) -> None:
    """A page of a personal list was shown: record which records were seen."""
    if members:
        audit.record(
            actor=actor,
            action="members.list",
            object_type="member",
            object_id="",
            data={"members": [m.member_code for m in members], **context},
        )


def member_detail(actor: Any, code: str) -> Member:
    """The member ``code`` for ``actor`` (404 outside scope); the read is audited."""
    member = get_member_for(actor, code)
    entries: list[tuple[str, str, str, dict[str, Any]]] = [
        ("members.view", "member", member.member_code, {})
    ]
    if can_view_sensitive(actor, member) and (member.citizen_id or member.phone):
        # The unmasked citizen ID and phone are shown: a read of its own (Decree 13/2023).
        entries.append(
            (
                "members.view_sensitive",
                "member",
                member.member_code,
                {"fields": ["citizen_id", "phone"]},
            )
        )
    # One write for both entries (one group: one page view).
    audit.record_many(actor=actor, entries=entries)
    return member


def member_timeline(member: Member) -> QuerySet[MemberEvent]:
    return member.events.select_related("org", "issuing_org", "actor").order_by(
        "-effective_date", "-id"
    )


def can_view_sensitive(actor: Any, member: Member) -> bool:
    return scope_for(actor, Cap.MEMBER_VIEW_SENSITIVE).covers(member.org)


def can_change(actor: Any, member: Member) -> bool:
    return scope_for(actor, Cap.MEMBER_CHANGE).covers(member.org)


def incoming_transfers(actor: Any) -> QuerySet[Member]:
    """Members transferred to a cell in the actor's change scope, not yet received."""
    scope = scope_for(actor, Cap.MEMBER_CHANGE)
    if scope.is_empty:
        return Member.objects.none()
    return Member.objects.filter(
        scope.q("pending_org__"), status=Status.TRANSFERRED_OUT
    ).select_related("org", "pending_org")


def incoming_member_for(actor: Any, code: str) -> Member:
    member = incoming_transfers(actor).filter(member_code=code).first()
    if member is None:
        raise Http404(_("No such incoming transfer in your scope."))
    return member


# --- what the org tree needs of members (registered in orgs.hooks) ---------------


def on_rolls_in(org_ids: Any) -> QuerySet[Member]:
    """The members on the rolls of the orgs ``org_ids`` (ids, or a query of them)."""
    return Member.objects.filter(org__in=org_ids, status__in=ON_ROLLS)


def check_no_members(org: Org) -> None:
    """An org still holding members on its rolls may not close."""
    if Member.objects.filter(org=org, status__in=ON_ROLLS).exists():
        raise ValidationError(
            _("The organization still has members: transfer them or merge it instead.")
        )


def party_badges(actor: Any, year: int, org: Org | None = None) -> list[Any]:
    """Full members on the rolls (in the actor's scope, under ``org``) who complete a "Huy
    hiệu Đảng" milestone in ``year`` (issue 20): only the admission years that can reach one
    are read, plus the re-admitted and those with periods out (their dates shift)."""
    from chibo.core.rules import rule_in_force
    from chibo.members.seniority import badges_in_year

    milestones = rule_in_force("seniority.badge_years", on=dt.date(year, 12, 31)).value
    qs = members_for(actor).filter(status__in=ON_ROLLS, recognized_on__isnull=False)
    if org is not None:
        qs = qs.filter(org.subtree_filter("org__"))
    shifted = MemberEvent.objects.filter(kind=EventKind.ADMITTED).filter(
        Q(data__has_key="first_admitted_on") | Q(data__has_key="out_periods")
    )
    qs = qs.filter(
        Q(admitted_on__year__in=[year - int(y) for y in milestones])
        | Q(pk__in=shifted.values("member_id"))
    ).select_related("org")
    return badges_in_year(qs, year)


def admission_is_historical(member: Member) -> bool:
    """Whether the member's admission was entered afterwards (past admission, import), not
    decided through the admission path (the ``admitted`` event's ``historical`` flag)."""
    return member.events.filter(kind=EventKind.ADMITTED, data__historical=True).exists()


@dataclass
class Roll:
    """A cell's rolls on a day (issue 20): who counts in a vote of its full members.

    ``full``: full members on the rolls that day (``recognized_on`` on or before it), of whom
    ``exempted`` (exempted from work and activity) and ``temp_away`` (temporarily transferred
    out) may be left out of the denominator when absent (QĐ 294-QĐ/TW §9.3.2).
    ``status_on_day``: each one's status that day, by member id.
    """

    org: Org
    day: Any
    full: list[Member]
    probationary: list[Member]
    status_on_day: dict[int, str]

    @cached_property
    def exempted(self) -> list[Member]:
        return [m for m in self.full if self.status_on_day[m.pk] == Status.EXEMPTED]

    @cached_property
    def temp_away(self) -> list[Member]:
        return [m for m in self.full if self.status_on_day[m.pk] == Status.TEMP_AWAY]

    @property
    def excludable(self) -> list[Member]:
        return [*self.exempted, *self.temp_away]


def cell_roll(org: Org, day: Any) -> Roll:
    """The members on ``org``'s rolls on ``day``, from the event log (each one's state that day)."""
    ids = set(
        MemberEvent.objects.filter(org=org, effective_date__lte=day).values_list(
            "member_id", flat=True
        )
    )
    last: dict[int, tuple[int, str]] = {}
    for member_id, org_id, status in (
        MemberEvent.objects.filter(member_id__in=ids, effective_date__lte=day)
        .order_by("member_id", "effective_date", "id")
        .values_list("member_id", "org_id", "status_after")
    ):
        last[member_id] = (org_id, status)
    on_rolls = {
        mid: status for mid, (oid, status) in last.items() if oid == org.pk and status in ON_ROLLS
    }
    full, probationary = [], []
    for member in Member.objects.filter(pk__in=on_rolls).order_by("name_folded", "member_code"):
        if member.recognized_on is not None and member.recognized_on <= day:
            full.append(member)
        else:
            probationary.append(member)
    return Roll(org, day, full, probationary, on_rolls)
