"""Dues: a payment recorded, and who paid for which months."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema
from ninja import Status as Reply

from chibo.activity import dues, periods, selectors
from chibo.activity.api.common import _day, _org, _texts, router
from chibo.activity.models import PaymentMethod
from chibo.apitools import created, require_cap
from chibo.core.roles import Cap
from chibo.members.selectors import get_member_for


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
