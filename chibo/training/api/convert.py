"""Conversions from the training models to the API's answers, and the member a request names."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

from chibo.apitools import (
    check_text,
)
from chibo.members.selectors import get_member_for
from chibo.training import selectors
from chibo.training.models import Course, Enrolment


def _date(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _course(c: Course) -> dict[str, Any]:
    return {
        "id": c.pk,
        "kind": c.kind,
        "title": c.title,
        "organizer": c.organizer.code,
        "starts_on": _date(c.starts_on),
        "ends_on": _date(c.ends_on),
        "place": c.place,
    }


def _enrolment(e: Enrolment) -> dict[str, Any]:
    return {
        "id": e.pk,
        "course": e.course_id,
        "kind": e.kind,
        "member": e.member.member_code if e.member is not None else None,
        "candidate": e.candidate_id,
        "full_name": e.full_name,
        "org": e.org.code,
        "completed": e.completed,
        "completed_on": _date(e.completed_on),
        "certificate_number": e.certificate_number,
        "certificate_date": _date(e.certificate_date),
        "valid_until": _date(selectors.valid_until(e.kind, e.certificate_date)),
    }


def _member_ref(user: Any, code: str, field: str = "member") -> Any:
    check_text(code, field)
    try:
        return get_member_for(user, code.strip())
    except Http404 as exc:
        raise ValidationError(
            {field: [_("No member with code %(code)s in your scope.") % {"code": code}]}
        ) from exc
