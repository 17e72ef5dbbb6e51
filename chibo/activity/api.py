"""/api/v1/activity: meetings and attendance, dues, transfers in transit, early warnings.

Same scoping and services as the UI: an org outside the actor's scope is
404, a write by a read-only role 403, a refused change 422. Lists naming
members are audited (``activity.list``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema
from ninja import Status as Reply

from chibo.activity import dues, periods, selectors, services, tracking, transfers
from chibo.activity import warnings as risk
from chibo.activity.models import (
    Meeting,
    MeetingKind,
    PartyGroup,
    PartyGroupMember,
    PaymentMethod,
    Presence,
)
from chibo.apitools import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    check_text,
    created,
    decode_cursor,
    encode_cursor,
    file_response,
    keyset_page,
    list_page,
    require_cap,
)
from chibo.core.roles import Cap
from chibo.core.web import DOCX_TYPE
from chibo.members.selectors import get_member_for

router = Router(tags=["activity"])
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2100, 12, 31)


def _org(request: HttpRequest, code: str, *, write: bool = False) -> Any:
    return selectors.org_for(request.user, check_text(code, "org"), write=write)


def _texts(values: dict[str, Any]) -> None:
    for name, value in values.items():
        if isinstance(value, str):
            check_text(value, name)


def _day(value: dt.date | None, name: str = "as_of") -> dt.date:
    from django.core.exceptions import ValidationError

    day = value or timezone.localdate()
    if not EARLIEST <= day <= LATEST:
        raise ValidationError({name: [_("Enter a date from 2000-01-01 to 2100-12-31.")]})
    return day


NEXT = Field(description="Pass it as `cursor` for the next page; null: the last")
LIMIT = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
CURSOR = Query("", max_length=500)

KindLiteral = Literal["regular", "thematic"]
PresenceLiteral = Literal["present", "excused", "unexcused"]


class WarningOut(Schema):
    member_code: str
    full_name: str
    org_code: str
    level: Literal["warning", "removal_review"]
    inactive_months: list[str] = Field(description="YYYY-MM months without party activity")
    unpaid_months: list[str] = Field(description="YYYY-MM months of unpaid dues")


class WarningPage(Schema):
    items: list[WarningOut]
    next: str | None = NEXT


@router.get(
    "/warnings",
    response=WarningPage,
    summary="Early warnings of an org subtree, computed as of a date, paged (audited)",
)
def warnings_list(
    request: HttpRequest,
    org: str = "",
    as_of: dt.date | None = None,
    limit: int = LIMIT,
    cursor: str = CURSOR,
) -> dict[str, object]:
    require_cap(request.user, Cap.MEMBER_VIEW)  # as the page: the sysadmin reads no warning
    root = _org(request, org) if org else selectors.home_org(request.user)
    found = risk.compute(root, _day(as_of)) if root is not None else []
    # The list's order: removal reviews first, then by cell and member code.
    rows, after = list_page(
        found,
        lambda r: [
            "0" if r.level == risk.WarningLevel.REMOVAL_REVIEW else "1",
            r.org_code,
            r.member_code,
        ],
        3,
        limit,
        cursor,
    )
    if root is not None:
        selectors.audit_list_read(
            request.user, [r.member_code for r in rows], {"api": "warnings", "org": root.code}
        )
    return {"items": [r.as_json() for r in rows], "next": after}


class MissingOut(Schema):
    org_code: str
    org_name: str
    months: list[str]
    quarters: list[str]


class MissingPage(Schema):
    items: list[MissingOut]
    next: str | None = NEXT


@router.get(
    "/cells-missing-meetings",
    response=MissingPage,
    summary="Cells that skipped meetings, in tree order, paged",
)
def missing_meetings(
    request: HttpRequest,
    org: str = "",
    months: int = Query(3, ge=1, le=12),
    as_of: dt.date | None = None,
    limit: int = LIMIT,
    cursor: str = CURSOR,
) -> dict[str, object]:
    require_cap(request.user, Cap.MEMBER_VIEW)  # as the page: the sysadmin reads no unit's data
    under = _org(request, org) if org else None
    found = selectors.cells_missing_meetings(request.user, _day(as_of), months=months, under=under)
    rows, after = list_page(found, lambda m: [m.org.path], 1, limit, cursor)
    return {
        "items": [
            {
                "org_code": m.org.code,
                "org_name": m.org.name,
                "months": m.months,
                "quarters": m.quarters,
            }
            for m in rows
        ],
        "next": after,
    }


class TrackingOut(Schema):
    org_code: str
    org_name: str
    members_on_rolls: int
    tracked_from: dt.date | None = Field(
        description="The start: the committee's date, else the first meeting or dues payment "
        "recorded; null = no activity data (nobody in the cell is judged)"
    )
    first_month: str | None = Field(description="YYYY-MM: the first month judged")
    source: Literal["committee", "first_meeting", "first_payment", "none"]
    set_on: dt.date | None
    first_meeting_on: dt.date | None
    first_payment_on: dt.date | None


class TrackingIn(Schema):
    org: str = Field(description="a cell, or a committee: all its open cells")
    tracked_from: dt.date | None = Field(
        description="the day the cell started recording in chibo; null = from the first record"
    )
    note: str = Field("", max_length=255)


def _tracking(org: Any, t: Any, on_rolls: int) -> dict[str, object]:
    start = t.start if t else None
    if start is None:
        source = "none"
    elif t.set_on:
        source = "committee"
    else:
        source = "first_meeting" if start == t.first_meeting_on else "first_payment"
    return {
        "org_code": org.code,
        "org_name": org.name,
        "members_on_rolls": on_rolls,
        "tracked_from": start,
        "first_month": periods.label(t.month) if start else None,
        "source": source,
        "set_on": t.set_on if t else None,
        "first_meeting_on": t.first_meeting_on if t else None,
        "first_payment_on": t.first_payment_on if t else None,
    }


class TrackingPage(Schema):
    items: list[TrackingOut]
    next: str | None = NEXT


@router.get(
    "/tracking",
    response=TrackingPage,
    summary="From when each cell of an org subtree is tracked (no data: nobody judged), "
    "in tree order, paged",
)
def tracking_list(
    request: HttpRequest, org: str = "", limit: int = LIMIT, cursor: str = CURSOR
) -> dict[str, object]:
    require_cap(request.user, Cap.MEMBER_VIEW)
    root = _org(request, org) if org else selectors.home_org(request.user)
    if root is None:
        return {"items": [], "next": None}
    # Keyset on the tree path, read from the database a page at a time.
    start = decode_cursor(cursor, 1)[0] if cursor else ""
    rows = tracking.cells_tracking(request.user, root, limit=limit + 1, after=start)
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "items": [_tracking(r.org, r.tracking, r.on_rolls) for r in rows],
        "next": encode_cursor([rows[-1].org.path]) if more else None,
    }


@router.put(
    "/tracking",
    response=list[TrackingOut],
    summary="Set (or clear) the day a cell, or every cell under a committee, started recording",
)
def tracking_put(request: HttpRequest, payload: TrackingIn) -> list[dict[str, object]]:
    _texts(payload.dict())
    target = _org(request, payload.org)
    if payload.tracked_from is not None:
        _day(payload.tracked_from, "tracked_from")
    rows = tracking.tracking_set(
        actor=request.user, org=target, set_on=payload.tracked_from, note=payload.note
    )
    counts = {
        r.org.pk: r.on_rolls for r in tracking.cells_tracking(request.user, target, limit=None)
    }
    return [_tracking(r.org, r, counts.get(r.org_id, 0)) for r in rows]


class MeetingIn(Schema):
    org: str
    kind: KindLiteral = "regular"
    held_on: dt.date
    online: bool = False
    place: str = Field("", max_length=255)
    topic: str = Field("", max_length=255)
    agenda: str = ""
    documents: str = ""
    minutes: str = ""
    resolution: str = ""
    confirm: bool = Field(
        False,
        description="Record a second regular meeting in the month (after confirmation_required)",
    )
    group_id: int | None = Field(
        None,
        ge=1,
        le=2**62,
        description="A meeting by party group (họp theo tổ đảng): the group's id "
        "(GET /party-groups); only in a cell of 50 members or more, at most 3 months a year",
    )


class MeetingOut(Schema):
    id: int
    org_code: str
    kind: str
    group_id: int | None
    group_name: str | None
    held_on: dt.date
    online: bool
    place: str
    topic: str
    agenda: str
    documents: str
    minutes: str
    resolution: str


def _meeting(m: Meeting) -> dict[str, object]:
    return {
        "id": m.pk,
        "org_code": m.org.code,
        "kind": m.kind,
        "group_id": m.group_id,
        "group_name": m.group.name if m.group is not None else None,
        "held_on": m.held_on,
        "online": m.online,
        "place": m.place,
        "topic": m.topic,
        "agenda": m.agenda,
        "documents": m.documents,
        "minutes": m.minutes,
        "resolution": m.resolution,
    }


@router.get("/meetings", response=list[MeetingOut], summary="Meetings of a cell")
def meetings_list(request: HttpRequest, org: str) -> list[dict[str, object]]:
    require_cap(request.user, Cap.MEMBER_VIEW)  # as the page: 403 for the sysadmin, not 404
    cell = _org(request, org)
    return [_meeting(m) for m in selectors.meetings_of(request.user, cell)]


@router.post("/meetings", response={201: MeetingOut}, summary="Plan or record a meeting")
def meetings_create(request: HttpRequest, payload: MeetingIn) -> Reply:
    _texts(payload.dict())
    cell = _org(request, payload.org, write=True)
    _day(payload.held_on, "held_on")
    data = payload.dict(exclude={"org", "kind", "held_on", "online", "confirm", "group_id"})
    group = None
    if payload.group_id is not None:
        group = _group(cell, payload.group_id)
    m = services.meeting_create(
        actor=request.user,
        org=cell,
        kind=payload.kind,
        held_on=payload.held_on,
        online=payload.online,
        confirm=payload.confirm,
        group=group,
        **data,
    )
    return created(_meeting(m))


def _group(cell: Any, pk: int) -> PartyGroup:
    from django.core.exceptions import ValidationError

    group = PartyGroup.objects.filter(pk=pk, org=cell).first()
    if group is None:
        raise ValidationError({"group_id": [_("This cell has no such party group.")]})
    return group


class GroupMemberOut(Schema):
    member_code: str
    full_name: str


class PartyGroupOut(Schema):
    id: int
    org_code: str
    name: str
    members: list[GroupMemberOut]


class PartyGroupIn(Schema):
    org: str
    name: str = Field(..., max_length=120)


class PartyGroupMembersIn(Schema):
    member_codes: list[str] = Field(..., max_length=5000)


def _party_group(g: PartyGroup) -> dict[str, object]:
    links = PartyGroupMember.objects.filter(group=g).select_related("member")
    members = sorted(
        ({"member_code": x.member.member_code, "full_name": x.member.full_name} for x in links),
        key=lambda r: r["member_code"],
    )
    return {"id": g.pk, "org_code": g.org.code, "name": g.name, "members": members}


@router.get("/party-groups", response=list[PartyGroupOut], summary="Party groups of a cell")
def party_groups_list(request: HttpRequest, org: str) -> list[dict[str, object]]:
    require_cap(request.user, Cap.MEMBER_VIEW)  # as the page: 403 for the sysadmin, not 404
    cell = _org(request, org)
    out = [_party_group(g) for g in PartyGroup.objects.filter(org=cell).order_by("name")]
    codes = [m["member_code"] for g in out for m in g["members"]]  # type: ignore[attr-defined]
    selectors.audit_list_read(request.user, codes, {"api": "party_groups", "org": cell.code})
    return out


@router.post("/party-groups", response={201: PartyGroupOut}, summary="Create a party group")
def party_groups_create(request: HttpRequest, payload: PartyGroupIn) -> Reply:
    check_text(payload.name, "name")
    cell = _org(request, payload.org, write=True)
    group = services.party_group_create(actor=request.user, org=cell, name=payload.name)
    return created(_party_group(group))


@router.put(
    "/party-groups/{group_id}/members",
    response=PartyGroupOut,
    summary="Set the members of a party group",
)
def party_group_members(
    request: HttpRequest, payload: PartyGroupMembersIn, group_id: int = Path(..., ge=1, le=2**62)
) -> dict[str, object]:
    group = PartyGroup.objects.filter(pk=group_id).select_related("org").first()
    if group is None:
        from django.http import Http404

        raise Http404
    cell = _org(request, group.org.code, write=True)
    for code in payload.member_codes:
        check_text(code, "member_codes")
    services.party_group_set_members(
        actor=request.user, group=group, member_codes=payload.member_codes
    )
    return _party_group(PartyGroup.objects.get(pk=group.pk, org=cell))


class AttendanceRow(Schema):
    member_code: str
    full_name: str
    standing: Literal["full", "probationary", "attached"]
    status: PresenceLiteral
    reason: str
    note: str
    version: int = Field(description="The row's version; send it back to detect a change by others")


class SummaryOut(Schema):
    full_total: int
    probationary_total: int
    attached_total: int
    exempted_total: int
    temp_away_total: int
    expected_total: int
    present_total: int
    full_present: int
    probationary_present: int
    attached_present: int
    excused: list[dict[str, str]]
    unexcused: list[str]


class SheetOut(Schema):
    meeting: MeetingOut
    attendance: list[AttendanceRow]
    summary: SummaryOut


def _sheet(request: HttpRequest, m: Meeting) -> dict[str, object]:
    sheet = selectors.attendance_sheet(m)
    selectors.audit_list_read(request.user, sheet.codes, {"api": "meeting", "meeting": m.pk})
    reasons = {r.pk: r.code for r in sheet.reasons}
    rows = [
        {
            "member_code": r.member.member_code,
            "full_name": r.member.full_name,
            "standing": "attached"
            if r.entry.attached
            else "full"
            if r.entry.full
            else "probationary",
            "status": r.status,
            "reason": reasons.get(r.reason_id or 0, ""),
            "note": r.note,
            "version": r.version,
        }
        for r in (*sheet.expected, *sheet.attached)
    ]
    s = sheet.summary
    summary = {
        **{k: v for k, v in s.items() if k not in ("excused", "unexcused")},
        "excused": [
            {"member_code": mem.member_code, "reason": reason, "note": note}
            for mem, reason, note in s["excused"]
        ],
        "unexcused": [mem.member_code for mem in s["unexcused"]],
    }
    return {"meeting": _meeting(m), "attendance": rows, "summary": summary}


@router.get(
    "/meetings/{meeting_id}",
    response=SheetOut,
    summary="A meeting with its attendance sheet and summary",
)
def meeting_detail(
    request: HttpRequest, meeting_id: int = Path(..., ge=1, le=2**62)
) -> dict[str, object]:
    return _sheet(request, selectors.meeting_for(request.user, meeting_id))


class AttendanceIn(Schema):
    member_code: str
    status: PresenceLiteral
    reason: str = ""
    note: str = Field("", max_length=255)
    version: int | None = Field(
        None,
        ge=0,
        le=2**31,
        description="The row's version this mark was made from (GET gives it); a row changed "
        "since is refused (422 naming the member code), never overwritten. Omit: not checked.",
    )


@router.put(
    "/meetings/{meeting_id}/attendance",
    response=SheetOut,
    summary="Record attendance (only the listed members change; the rest stay present by default)",
)
def attendance_put(
    request: HttpRequest, meeting_id: int, payload: list[AttendanceIn]
) -> dict[str, object]:
    m = selectors.meeting_for(request.user, meeting_id, write=True)
    for row in payload:
        _texts(row.dict())
    services.attendance_record(
        actor=request.user,
        meeting=m,
        entries=[
            services.AttendanceEntry(a.member_code, a.status, a.reason, a.note, a.version)
            for a in payload
        ],
    )
    return _sheet(request, m)


class PaymentIn(Schema):
    member_code: str
    months: list[str] = Field(description="YYYY-MM months paid for", min_length=1, max_length=24)
    amount_vnd: int = Field(
        description="Amount per month, đồng; must fit the rule in force for the member and month"
    )
    paid_on: dt.date
    method: Literal["cash", "online"] = "cash"
    reference: str = Field("", max_length=64)
    confirm: bool = Field(
        False, description="Record an unusual amount anyway (after confirmation_required)"
    )


class PaymentOut(Schema):
    member_code: str
    months: list[str]
    amount_vnd: int
    paid_on: dt.date


@router.post(
    "/dues/payments", response={201: PaymentOut}, summary="Record dues for one or more months"
)
def dues_pay(request: HttpRequest, payload: PaymentIn) -> Reply:
    from django.core.exceptions import ValidationError

    _texts(payload.dict(exclude={"months"}))
    member = get_member_for(request.user, payload.member_code, write=True)
    try:
        months = [periods.parse_label(m) for m in payload.months]
        _day(payload.paid_on, "paid_on")
        for month in months:
            _day(month, "months")
    except ValueError as exc:
        raise ValidationError({"months": [_("Enter each month as YYYY-MM.")]}) from exc
    dues.dues_pay(
        actor=request.user,
        member=member,
        months=months,
        amount_vnd=payload.amount_vnd,
        paid_on=payload.paid_on,
        method=payload.method or PaymentMethod.CASH,
        reference=payload.reference,
        confirm=payload.confirm,
    )
    return created(
        {
            "member_code": member.member_code,
            "months": sorted(payload.months),
            "amount_vnd": payload.amount_vnd,
            "paid_on": payload.paid_on,
        },
    )


class DuesRowOut(Schema):
    member_code: str
    full_name: str
    org_code: str
    paid_through: str | None
    paid_months: list[str]
    arrears: list[str]


class DuesOut(Schema):
    year: int
    amount_vnd: int
    payments: int
    members: list[DuesRowOut]


@router.get(
    "/dues", response=DuesOut, summary="Who paid which month of a year; arrears; totals collected"
)
def dues_list(
    request: HttpRequest, org: str, year: int = Query(..., ge=2000, le=2100)
) -> dict[str, object]:
    require_cap(request.user, Cap.MEMBER_VIEW)  # as the page: 403 for the sysadmin, not 404
    root = _org(request, org)
    _months, rows, totals = selectors.dues_grid(root, year, timezone.localdate())
    selectors.audit_list_read(
        request.user, [r.member.member_code for r in rows], {"api": "dues", "year": year}
    )
    return {
        "year": year,
        "amount_vnd": totals["amount"],
        "payments": totals["payments"],
        "members": [
            {
                "member_code": r.member.member_code,
                "full_name": r.member.full_name,
                "org_code": r.member.org.code,
                "paid_through": periods.label(r.paid_through) if r.paid_through else None,
                "paid_months": [periods.label(m) for m in sorted(r.paid)],
                "arrears": [periods.label(m) for m in r.arrears],
            }
            for r in rows
        ],
    }


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


class LateTransferOut(Schema):
    event_id: int
    member_code: str
    full_name: str
    from_org: str
    destination: str
    effective_date: dt.date
    grounds_on: dt.date | None
    paperwork_due: dt.date | None
    late_reason: str
    committee: str = Field(description="The competent (superior) committee that decides (code)")
    state: Literal["pending", "accepted", "refused"]
    decided_on: dt.date | None
    note: str


def _late(t: transfers.LateTransfer) -> dict[str, object]:
    decision = t.decision
    data = t.data
    return {
        "event_id": t.event.pk,
        "member_code": t.member.member_code,
        "full_name": t.member.full_name,
        "from_org": t.event.org.code,
        "destination": data.get("destination") or "",
        "effective_date": t.event.effective_date,
        "grounds_on": data.get("grounds_on"),
        "paperwork_due": data.get("paperwork_due"),
        "late_reason": data.get("late_reason") or "",
        "committee": t.committee.code,
        "state": t.state,
        "decided_on": decision.decided_on if decision else None,
        "note": decision.note if decision else "",
    }


class LateTransferPage(Schema):
    items: list[LateTransferOut]
    next: str | None = NEXT


@router.get(
    "/late-transfers",
    response=LateTransferPage,
    summary="Official transfers sent late from an org subtree and the competent committee's "
    "decision, the pending first, then newest first, paged (audited)",
)
def late_transfers_list(
    request: HttpRequest,
    org: str,
    state: Literal["pending", "accepted", "refused"] | None = None,
    limit: int = LIMIT,
    cursor: str = CURSOR,
) -> dict[str, object]:
    require_cap(request.user, Cap.MEMBER_VIEW)  # as the page: 403 for the sysadmin, not 404
    root = _org(request, org)
    found = transfers.late_transfer_events(request.user, root, state=state)
    events, after = keyset_page(found, ("decided", "-effective_date", "-id"), limit, cursor)
    late = [transfers.late_transfer_of(e) for e in events]
    selectors.audit_list_read(
        request.user, [t.member.member_code for t in late], {"api": "late_transfers"}
    )
    return {"items": [_late(t) for t in late], "next": after}


class LateDecisionIn(Schema):
    accepted: bool
    decided_on: dt.date | None = Field(None, description="Default: today")
    note: str = Field("", max_length=2000, description="Required to refuse")


@router.post(
    "/transfers/{event_id}/late-decision",
    response={201: LateTransferOut},
    summary="The competent committee accepts or refuses a late official transfer "
    "(admission.decide over the sending cell's superior committee)",
)
def late_transfer_decision(request: HttpRequest, event_id: int, body: LateDecisionIn) -> Any:
    from chibo.members.services import late_transfer_decide

    check_text(body.note, "note")
    late = transfers.late_transfer_for(request.user, event_id)
    late_transfer_decide(
        actor=request.user,
        event=late.event,
        accepted=body.accepted,
        decided_on=body.decided_on,
        note=body.note,
    )
    return created(_late(transfers.late_transfer_for(request.user, event_id)))


class GraduateTransferIn(Schema):
    destination: str = Field("", max_length=255, description="Outside chibo: who receives")
    destination_org: str = Field("", max_length=32, description="Or a cell in chibo (code)")
    effective_date: dt.date | None = Field(None, description="Default: today")
    decision_number: str = Field("", max_length=64)
    note: str = Field("", max_length=2000)


class GraduateTransferOut(Schema):
    event_id: int
    member_code: str
    effective_date: dt.date
    destination: str
    grounds: str
    grounds_on: dt.date | None


@router.post(
    "/graduates/{member_code}/transfer",
    response={201: GraduateTransferOut},
    summary="Start a graduate's transfer to the place of residence (one step)",
)
def graduate_transfer(request: HttpRequest, member_code: str, payload: GraduateTransferIn) -> Reply:
    from chibo.apitools import path_code
    from chibo.members.forms import org_by_exact_code

    _texts(payload.dict())
    member = get_member_for(request.user, path_code(member_code), write=True)
    if payload.effective_date is not None:
        _day(payload.effective_date, "effective_date")
    try:
        destination_org = org_by_exact_code(payload.destination_org)
    except ValidationError as exc:
        raise ValidationError({"destination_org": exc.messages}) from exc
    event = services.graduate_transfer_start(
        actor=request.user,
        member=member,
        effective_date=payload.effective_date,
        destination=payload.destination,
        destination_org=destination_org,
        decision_number=payload.decision_number,
        note=payload.note,
    )
    data = event.data or {}
    return created(
        {
            "event_id": event.pk,
            "member_code": member.member_code,
            "effective_date": event.effective_date,
            "destination": data.get("destination") or "",
            "grounds": data.get("grounds") or "",
            "grounds_on": data.get("grounds_on"),
        }
    )


class LetterRegisterIn(Schema):
    signer: str = ""
    signer_title: str = ""


class LetterRegisteredOut(Schema):
    document: int = Field(description="The letter in its issuer's register")
    symbol: str = Field(description="Its number and symbol (a numbered GGT)")
    org: str = Field(description="Code of the issuing org")


@router.get(
    "/transfers/{event_id}/letter/docx",
    summary="The transfer letter as DOCX in the Party's format (HD 36-HD/VPTW)",
    openapi_extra=file_response(DOCX_TYPE),
)
def transfer_letter_docx(request: HttpRequest, event_id: int) -> Any:
    from chibo.activity.views import letter_download

    return letter_download(request.user, transfers.paper_for(request.user, event_id))


@router.post(
    "/transfers/{event_id}/letter/register",
    response={201: LetterRegisteredOut},
    summary="Enter the transfer letter in its issuer's register (a numbered GGT)",
)
def transfer_letter_register(request: HttpRequest, event_id: int, body: LetterRegisterIn) -> Any:
    from chibo.activity import letters

    paper = transfers.paper_for(request.user, event_id)
    entry = letters.letter_register(
        actor=request.user, paper=paper, signer=body.signer, signer_title=body.signer_title
    )
    return created({"document": entry.pk, "symbol": entry.symbol, "org": entry.org.code})


__all__ = ["MeetingKind", "Presence", "router"]
