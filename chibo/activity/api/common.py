"""The activity API's router and what its routes share: the org a request names, its dates, the
paging parameters.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router

from chibo.activity import selectors
from chibo.apitools import DEFAULT_LIMIT, MAX_LIMIT, check_text

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
