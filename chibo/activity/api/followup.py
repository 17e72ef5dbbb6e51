"""Follow-up reads: the stored early warnings and the cells that missed their meetings."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Schema

from chibo.activity import selectors
from chibo.activity import warnings as risk
from chibo.activity.api.common import CURSOR, LIMIT, NEXT, _day, _org, router
from chibo.apitools import list_page, require_cap
from chibo.core.roles import Cap


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
