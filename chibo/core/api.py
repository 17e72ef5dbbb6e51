"""/api/v1/calendar: the working-day calendar (holidays and the government's swaps).

GET    /calendar?year=YYYY          the year's adjustments and every weekday off
GET    /calendar/working-days?start=YYYY-MM-DD&days=N   the date N working days after start
PUT    /calendar/{date}             set an adjustment (city office: calendar.manage)
DELETE /calendar/{date}             remove it (the library and the weekends decide again)

Anyone signed in reads it (it is public information); only the city office changes it.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema

from chibo.core import calendar
from chibo.core.models import CalendarAdjustment
from chibo.lib import workdays

router = Router(tags=["calendar"])
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2100, 12, 31)


class AdjustmentOut(Schema):
    date: dt.date
    working: bool = Field(description="true: a working day (make-up Saturday); false: a day off")
    name: str
    source: str
    confidence: Literal["H", "M", "L"]
    note: str


class DayOffOut(Schema):
    date: dt.date
    name: str
    adjusted: bool = Field(
        description="true when an adjustment, not the library, makes it a day off"
    )


class YearOut(Schema):
    year: int
    adjustments: list[AdjustmentOut]
    days_off: list[DayOffOut] = Field(description="Every Monday–Friday of the year that is off")


class AdjustmentIn(Schema):
    working: bool
    # Empty text is refused by the service, after the role is checked (403 before 422).
    name: str = Field(..., max_length=200)
    source: str = Field(..., max_length=255)
    confidence: Literal["H", "M", "L"]
    note: str = Field("", max_length=2000)


class WorkingDaysOut(Schema):
    start: dt.date
    days: int
    date: dt.date = Field(
        description="The day `days` working days after `start` (start not counted)"
    )


def _adjustment(row: CalendarAdjustment) -> dict[str, object]:
    return {
        "date": row.day,
        "working": row.working,
        "name": row.name,
        "source": row.source,
        "confidence": row.confidence,
        "note": row.note,
    }


def _within(day: dt.date, name: str) -> dt.date:
    if not EARLIEST <= day <= LATEST:
        raise ValidationError({name: [_("Enter a date from 2000-01-01 to 2100-12-31.")]})
    return day


@router.get("", response=YearOut, summary="The year's calendar adjustments and weekdays off")
def calendar_year(
    request: HttpRequest, year: Annotated[int, Query(ge=2000, le=2100)]
) -> dict[str, Any]:
    view = calendar.year_view(year)
    return {
        "year": year,
        "adjustments": [_adjustment(row) for row in view["adjustments"]],
        "days_off": [
            {"date": d.day, "name": d.name, "adjusted": d.adjustment is not None}
            for d in view["days_off"]
        ],
    }


@router.get(
    "/working-days",
    response=WorkingDaysOut,
    summary="The date a number of working days after a start (as deadlines count them)",
)
def working_days(
    request: HttpRequest, start: dt.date, days: Annotated[int, Query(ge=0, le=1000)]
) -> dict[str, Any]:
    return {
        "start": start,
        "days": days,
        "date": workdays.add_working_days(_within(start, "start"), days),
    }


def _day(request: HttpRequest, day: str) -> dt.date:
    """The path's day, read after the role is checked (403 before 422)."""
    calendar.require_manage(request.user)
    try:
        parsed = dt.date.fromisoformat(day)
    except ValueError as exc:
        raise ValidationError({"day": [_("Enter a valid date (YYYY-MM-DD).")]}) from exc
    return _within(parsed, "day")


@router.put("/{day}", response=AdjustmentOut, summary="Set a calendar adjustment (city office)")
def calendar_put(
    request: HttpRequest, day: Annotated[str, Path(description="YYYY-MM-DD")], payload: AdjustmentIn
) -> dict[str, Any]:
    row = calendar.calendar_adjustment_save(
        actor=request.user,
        day=_day(request, day),
        working=payload.working,
        name=payload.name,
        source=payload.source,
        confidence=payload.confidence,
        note=payload.note,
    )
    return _adjustment(row)


@router.delete(
    "/{day}",
    response=AdjustmentOut,
    summary="Remove a calendar adjustment (city office); returns the removed adjustment",
    description="404 with a message when no adjustment is recorded for that day.",
)
def calendar_delete(
    request: HttpRequest, day: Annotated[str, Path(description="YYYY-MM-DD")]
) -> dict[str, Any]:
    try:
        row = calendar.calendar_adjustment_delete(actor=request.user, day=_day(request, day))
    except CalendarAdjustment.DoesNotExist as exc:
        raise Http404(str(exc)) from exc
    return _adjustment(row)
