"""The transfer lists: outgoing and incoming transfers, graduates, temporary transfers."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Schema

from chibo.activity import periods, selectors, transfers
from chibo.activity.api.common import CURSOR, LIMIT, NEXT, _day, _org, router
from chibo.apitools import keyset_page, require_cap
from chibo.core.roles import Cap


class TransferOut(Schema):
    event_id: int
    member_code: str
    full_name: str
    kind: Literal["official", "temporary"]
    from_org: str
    destination: str
    letter_number: str | None
    issued_on: dt.date
    dues_paid_through: str | None
    deadline: dt.date | None
    confirmed_on: dt.date | None
    state: Literal["in_transit", "overdue", "confirmed"]
    late_decision: Literal["pending", "accepted", "refused"] | None = Field(
        None,
        description="A late official transfer (after the 60 working days): the competent "
        "committee's decision; pending blocks the letter and the arrival",
    )


class TransferPage(Schema):
    items: list[TransferOut]
    next: str | None = NEXT


def _paper(p: transfers.Paper, today: dt.date) -> dict[str, object]:
    through = p.letter.dues_paid_through if p.letter else None
    return {
        "event_id": p.event.pk,
        "member_code": p.member.member_code,
        "full_name": p.member.full_name,
        "kind": "official" if p.official else "temporary",
        "from_org": p.event.org.code,
        "destination": p.destination,
        "letter_number": p.letter.number if p.letter else None,
        "issued_on": p.issued_on,
        "dues_paid_through": periods.label(through) if through else None,
        "deadline": p.deadline,
        "confirmed_on": p.confirmed_on,
        "state": p.state(today),
        "late_decision": p.late_state,
    }


@router.get(
    "/transfers",
    response=TransferPage,
    summary="Transfers sent from (outgoing: the last 12 months, newest first) or addressed to "
    "(incoming: not yet arrived, by name) an org subtree, paged (audited)",
)
def transfers_list(
    request: HttpRequest,
    org: str,
    side: Literal["outgoing", "incoming"],
    open_only: bool = False,
    limit: int = LIMIT,
    cursor: str = CURSOR,
) -> dict[str, object]:
    require_cap(request.user, Cap.MEMBER_VIEW)  # as the page: 403 for the sysadmin, not 404
    root = _org(request, org)
    today = timezone.localdate()
    if side == "outgoing":
        since = periods.shift(periods.month_of(today), -12)
        sent = transfers.outgoing_events(request.user, root, since=since, open_only=open_only)
        events, after = keyset_page(sent, ("-effective_date", "-id"), limit, cursor)
        papers = transfers.papers_of(events)
    else:
        coming = transfers.incoming_members(request.user, root)
        members, after = keyset_page(coming, ("name_folded", "member_code"), limit, cursor)
        papers = transfers.incoming_papers(members)
    selectors.audit_list_read(
        request.user, [p.member.member_code for p in papers], {"api": "transfers", "side": side}
    )
    return {"items": [_paper(p, today) for p in papers], "next": after}


GraduateStateLiteral = Literal["upcoming", "may_stay", "ending", "overdue"]


class RuleOut(Schema):
    key: str
    title: str
    citation: str
    confidence: str


class GraduateOut(Schema):
    member_code: str
    full_name: str
    org: str = Field(description="The member's cell (code)")
    graduates_on: dt.date
    keep_until: dt.date = Field(description="The last day the school's committee may keep them")
    warn_from: dt.date = Field(description="Listed as `ending` from this day")
    state: GraduateStateLiteral
    rule: RuleOut


class GraduatePage(Schema):
    items: list[GraduateOut]
    next: str | None = NEXT


@router.get(
    "/graduates",
    response=GraduatePage,
    summary="Graduating student members and how long the school may keep them, by graduation "
    "date and name, paged (audited)",
)
def graduates_list(
    request: HttpRequest,
    org: str,
    as_of: dt.date | None = None,
    state: GraduateStateLiteral | None = None,
    limit: int = LIMIT,
    cursor: str = CURSOR,
) -> dict[str, object]:
    require_cap(request.user, Cap.MEMBER_VIEW)  # as the page: 403 for the sysadmin, not 404
    root = _org(request, org)
    day = _day(as_of)
    students = transfers.graduating_members(request.user, root, as_of=day)

    def wanted(member: Any) -> bool:
        found = transfers.graduate_of(member)
        return found is not None and (state is None or found.state(day) == state)

    members, after = keyset_page(
        students, ("expected_graduation", "name_folded", "member_code"), limit, cursor, keep=wanted
    )
    grads = [g for g in map(transfers.graduate_of, members) if g is not None]
    selectors.audit_list_read(
        request.user, [g.member.member_code for g in grads], {"api": "graduates"}
    )
    items = [
        {
            "member_code": g.member.member_code,
            "full_name": g.member.full_name,
            "org": g.member.org.code,
            "graduates_on": g.graduates_on,
            "keep_until": g.keep_until,
            "warn_from": g.warn_from,
            "state": g.state(day),
            "rule": {
                "key": g.rule.key,
                "title": g.rule.title,
                "citation": g.rule.citation,
                "confidence": g.rule.confidence,
            },
        }
        for g in grads
    ]
    return {"items": items, "next": after}


TempStateLiteral = Literal["away", "ending", "overdue", "no_end"]


class TemporaryOut(Schema):
    event_id: int
    member_code: str
    full_name: str
    org: str = Field(description="The member's home cell (code)")
    purpose: Literal["work", "residence", "study", ""] = Field(
        description="Empty for a record entered without it"
    )
    host: str
    started_on: dt.date
    until: dt.date | None = Field(description="The expected end")
    warn_from: dt.date | None = Field(description="Listed as `ending` from this day")
    state: TempStateLiteral


class TemporaryPage(Schema):
    items: list[TemporaryOut]
    next: str | None = NEXT


@router.get(
    "/temporary-transfers",
    response=TemporaryPage,
    summary="Members temporarily transferred out and not back, by expected end (none: last) "
    "and name, paged (audited)",
)
def temporary_transfers_list(
    request: HttpRequest,
    org: str,
    as_of: dt.date | None = None,
    state: TempStateLiteral | None = None,
    limit: int = LIMIT,
    cursor: str = CURSOR,
) -> dict[str, object]:
    require_cap(request.user, Cap.MEMBER_VIEW)  # as the page: 403 for the sysadmin, not 404
    root = _org(request, org)
    day = _day(as_of)
    found = transfers.temporary_away_events(request.user, root, as_of=day, state=state)
    events, after = keyset_page(
        found,
        ("until_key", "member__name_folded", "id"),
        limit,
        cursor,
        keep=None if state is None else lambda e: transfers.temp_away_of(e).state(day) == state,
    )
    away = [transfers.temp_away_of(e) for e in events]
    selectors.audit_list_read(
        request.user, [t.member.member_code for t in away], {"api": "temporary_transfers"}
    )
    items = [
        {
            "event_id": t.event.pk,
            "member_code": t.member.member_code,
            "full_name": t.member.full_name,
            "org": t.member.org.code,
            "purpose": t.purpose,
            "host": t.host,
            "started_on": t.event.effective_date,
            "until": t.until,
            "warn_from": t.warn_from,
            "state": t.state(day),
        }
        for t in away
    ]
    return {"items": items, "next": after}
