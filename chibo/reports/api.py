"""/api/v1/reports: the same figures as the UI and the ``report`` command, scoped to the caller."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from chibo.core.scoping import has_cap
from chibo.orgs.selectors import get_org_for
from chibo.reports import build as builder
from chibo.reports import selectors, services
from chibo.reports.selectors import REPORT_CAP

router = Router(tags=["reports"])
# The contract names the period's start "from" (a Python keyword).
FROM = Query(..., alias="from")


class AdmissionsOut(Schema):
    org: str
    from_: dt.date = Field(..., alias="from")
    to: dt.date
    total_admissions: int
    school_students: int
    school_pupils: int
    school_students_and_pupils: int
    school_students_share_pct: float
    school_pupils_share_pct: float
    school_students_and_pupils_share_pct: float


def _check(request: HttpRequest) -> None:
    from django.core.exceptions import PermissionDenied

    if not has_cap(request.user, REPORT_CAP):
        raise PermissionDenied(_("Your role gives no access to statistics."))


def _period(start: dt.date, end: dt.date) -> None:
    if start > end:
        raise ValidationError({"to": [_("The end of the period must not be before its start.")]})


def _run(request: HttpRequest, kind: str, org: str | None, **args: Any) -> dict[str, Any]:
    _check(request)
    root = selectors.report_root(request.user, org or None)
    data, _doc = builder.build(kind, request.user, root, **args)
    return builder.jsonable(data)


@router.get("/admissions", response=AdmissionsOut, by_alias=True)
def admissions(
    request: HttpRequest,
    to: dt.date,
    org: str | None = None,
    start: dt.date = FROM,
) -> dict[str, Any]:
    """Admissions in a period (both ends included), exactly the ``report admissions`` JSON."""
    _period(start, to)
    return _run(request, "admissions", org, start=start, end=to)


@router.get("/admissions/breakdown")
def admissions_breakdown(
    request: HttpRequest,
    to: dt.date,
    org: str | None = None,
    start: dt.date = FROM,
) -> dict[str, Any]:
    """The same figures by year, by unit (as the tree stood) and by school level."""
    _period(start, to)
    return _run(request, "admissions", org, start=start, end=to, breakdown=True)


@router.get("/removals")
def removals(
    request: HttpRequest,
    to: dt.date,
    org: str | None = None,
    start: dt.date = FROM,
) -> dict[str, Any]:
    _period(start, to)
    return _run(request, "removals", org, start=start, end=to)


@router.get("/composition")
def composition(
    request: HttpRequest, org: str | None = None, as_of: dt.date | None = None
) -> dict[str, Any]:
    return _run(request, "composition", org, as_of=as_of or timezone.localdate())


@router.get("/activity")
def activity(
    request: HttpRequest, org: str | None = None, as_of: dt.date | None = None
) -> dict[str, Any]:
    return _run(request, "activity", org, as_of=as_of or timezone.localdate())


class TargetIn(Schema):
    org: str
    year: int
    indicator: str
    value: int
    note: str = ""


class TargetOut(Schema):
    org: str
    year: int
    indicator: str
    value: int
    note: str


@router.get("/targets", response=list[TargetOut])
def targets(request: HttpRequest, org: str | None = None) -> list[dict[str, Any]]:
    _check(request)
    root = selectors.report_root(request.user, org or None)
    return [
        {
            "org": t.org.code,
            "year": t.year,
            "indicator": t.indicator,
            "value": t.value,
            "note": t.note,
        }
        for t in selectors.targets_visible(request.user, root)
    ]


@router.put("/targets", response=TargetOut)
def target_put(request: HttpRequest, payload: TargetIn) -> dict[str, Any]:
    _check(request)
    org = get_org_for(request.user, payload.org, cap=REPORT_CAP)
    t = services.target_set(
        actor=request.user,
        org=org,
        year=payload.year,
        indicator=payload.indicator,
        value=payload.value,
        note=payload.note,
    )
    return {
        "org": org.code,
        "year": t.year,
        "indicator": t.indicator,
        "value": t.value,
        "note": t.note,
    }
