"""Reads of members, always starting from the actor's scope, with reads audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from chibo.accounts.roles import Cap
from chibo.core import audit
from chibo.core.scoping import get_member_for, members_for, scope_for
from chibo.lib.text import fold, prefix_upper_bound
from chibo.members.models import ON_ROLLS, Member, MemberEvent, Status
from chibo.orgs.models import Org


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


def member_list(actor: Any, flt: MemberFilter) -> QuerySet[Member]:
    qs = members_for(actor).select_related("org")
    if flt.org is not None:
        qs = qs.filter(flt.org.subtree_filter("org__"))
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


def audit_list_read(actor: Any, members: list[Member], context: dict[str, Any]) -> None:
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
    audit.record(
        actor=actor, action="members.view", object_type="member", object_id=member.member_code
    )
    if can_view_sensitive(actor, member) and (member.citizen_id or member.phone):
        # The unmasked citizen ID and phone are shown: a read of its own (Decree 13/2023).
        audit.record(
            actor=actor,
            action="members.view_sensitive",
            object_type="member",
            object_id=member.member_code,
            data={"fields": ["citizen_id", "phone"]},
        )
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
    from django.http import Http404
    from django.utils.translation import gettext as _

    member = incoming_transfers(actor).filter(member_code=code).first()
    if member is None:
        raise Http404(_("No such incoming transfer in your scope."))
    return member


def state_on(member: Member, day: dt.date) -> MemberEvent | None:
    return member.events.filter(effective_date__lte=day).order_by("-effective_date", "-id").first()
