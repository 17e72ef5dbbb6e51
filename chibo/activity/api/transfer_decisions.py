"""Transfers that wait on a decision: the late transfers and the decision on each, a graduate's
transfer started.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Schema
from ninja import Status as Reply

from chibo.activity import selectors, services, transfers
from chibo.activity.api.common import CURSOR, LIMIT, NEXT, _day, _org, _texts, router
from chibo.apitools import check_text, created, keyset_page, require_cap
from chibo.core.roles import Cap
from chibo.members.selectors import get_member_for


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
