"""Meetings, party groups and the attendance sheet."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Schema
from ninja import Status as Reply

from chibo.activity import selectors, services
from chibo.activity.api.common import KindLiteral, PresenceLiteral, _day, _org, _texts, router
from chibo.activity.models import Meeting, PartyGroup, PartyGroupMember
from chibo.apitools import check_text, created, require_cap
from chibo.core.roles import Cap


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
