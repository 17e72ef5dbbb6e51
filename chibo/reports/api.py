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
from chibo.reports.models import TARGET_MAX
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
    historical_admissions: int = Field(
        description="Of these, past admissions entered as records (decided before chibo: "
        "/members/past-admission/ or imports)"
    )
    admissions_in_chibo: int = Field(description="The rest: admitted through the admission path")


# Breakdown rows: the row's key first, then its counts (the order of the JSON).


class AdmissionsYearOut(Schema):
    year: int
    total_admissions: int
    school_students: int
    school_pupils: int
    school_students_and_pupils: int
    school_students_share_pct: float = Field(description="Of the row's own admissions")
    school_pupils_share_pct: float
    school_students_and_pupils_share_pct: float
    share_of_total_pct: float = Field(
        description="The row's students and pupils, % of the whole report's admissions"
    )
    historical_admissions: int = Field(
        description="Of these, past admissions entered as records (decided before chibo: "
        "/members/past-admission/ or imports)"
    )
    admissions_in_chibo: int = Field(description="The rest: admitted through the admission path")


class AdmissionsUnitOut(Schema):
    org: str
    name: str
    total_admissions: int
    school_students: int
    school_pupils: int
    school_students_and_pupils: int
    school_students_share_pct: float = Field(description="Of the row's own admissions")
    school_pupils_share_pct: float
    school_students_and_pupils_share_pct: float
    share_of_total_pct: float = Field(
        description="The row's students and pupils, % of the whole report's admissions"
    )
    historical_admissions: int = Field(
        description="Of these, past admissions entered as records (decided before chibo: "
        "/members/past-admission/ or imports)"
    )
    admissions_in_chibo: int = Field(description="The rest: admitted through the admission path")


class AdmissionsLevelOut(Schema):
    school_level: str
    total_admissions: int
    school_students: int
    school_pupils: int
    school_students_and_pupils: int
    school_students_share_pct: float = Field(description="Of the row's own admissions")
    school_pupils_share_pct: float
    school_students_and_pupils_share_pct: float
    share_of_total_pct: float = Field(
        description="The row's students and pupils, % of the whole report's admissions"
    )
    historical_admissions: int = Field(
        description="Of these, past admissions entered as records (decided before chibo: "
        "/members/past-admission/ or imports)"
    )
    admissions_in_chibo: int = Field(description="The rest: admitted through the admission path")


class AdmissionsBreakdownOut(AdmissionsOut):
    by_year: list[AdmissionsYearOut]
    by_unit: list[AdmissionsUnitOut]
    by_school_level: list[AdmissionsLevelOut]


class RemovalCountsOut(Schema):
    removed: int
    expelled: int
    students_removed_abandoned_activity: int


class RemovalsYearOut(Schema):
    year: int
    removed: int
    expelled: int
    students_removed_abandoned_activity: int


class RemovalsUnitOut(Schema):
    org: str
    name: str
    removed: int
    expelled: int
    students_removed_abandoned_activity: int


class RemovalsOut(Schema):
    org: str
    from_: dt.date = Field(..., alias="from")
    to: dt.date
    total_removals: int
    removed: int
    expelled: int
    students_removed_abandoned_activity: int
    by_reason: dict[str, int] = Field(description="Removal reason → removals")
    by_category: dict[str, RemovalCountsOut] = Field(description="Member category → counts")
    by_year: list[RemovalsYearOut]
    by_unit: list[RemovalsUnitOut]


class CompositionUnitOut(Schema):
    org: str
    name: str
    total: int
    full: int
    probationary: int


class CompositionOut(Schema):
    org: str
    as_of: dt.date
    total_members: int
    full: int
    probationary: int
    by_status: dict[str, int]
    by_category: dict[str, int]
    by_gender: dict[str, int]
    by_age_band: dict[str, int]
    by_school_level: dict[str, int] = Field(description='School level → members ("": none)')
    by_unit: list[CompositionUnitOut]


class ActivityOut(Schema):
    """docs/reports.md, "JSON shapes": null = no data yet."""

    org: str
    as_of: dt.date
    cells: int
    cells_missing_meetings: int | None
    cells_without_activity_data: int | None
    monthly_meetings_held_pct: float | None
    thematic_meetings_held_pct: float | None
    attendance_rate_pct: float | None
    dues_collected: int | None = Field(description="Đồng")
    open_warnings: int | None
    overdue_tasks: int | None
    period_start: dt.date | None
    period_end: dt.date | None
    quarter: str | None
    dues_from: dt.date | None
    dues_to: dt.date | None


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


@router.get("/admissions/breakdown", response=AdmissionsBreakdownOut, by_alias=True)
def admissions_breakdown(
    request: HttpRequest,
    to: dt.date,
    org: str | None = None,
    start: dt.date = FROM,
) -> dict[str, Any]:
    """The same figures by year, by unit (as the tree stood) and by school level."""
    _period(start, to)
    return _run(request, "admissions", org, start=start, end=to, breakdown=True)


@router.get("/removals", response=RemovalsOut, by_alias=True)
def removals(
    request: HttpRequest,
    to: dt.date,
    org: str | None = None,
    start: dt.date = FROM,
) -> dict[str, Any]:
    _period(start, to)
    return _run(request, "removals", org, start=start, end=to)


@router.get("/composition", response=CompositionOut)
def composition(
    request: HttpRequest, org: str | None = None, as_of: dt.date | None = None
) -> dict[str, Any]:
    return _run(request, "composition", org, as_of=as_of or timezone.localdate())


@router.get("/activity", response=ActivityOut)
def activity(
    request: HttpRequest, org: str | None = None, as_of: dt.date | None = None
) -> dict[str, Any]:
    return _run(request, "activity", org, as_of=as_of or timezone.localdate())


class TargetIn(Schema):
    org: str
    year: int = Field(..., ge=2000, le=2100)
    indicator: str
    value: int = Field(..., ge=0, le=TARGET_MAX)
    note: str = Field("", max_length=255)


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
