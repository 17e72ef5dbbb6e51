"""/api/v1/orgs: the party organization tree, scoped, and its restructuring.

Reads start from the actor's scope (an org outside it is 404); writes go
through orgs.services with the same checks as the UI (a read-only role gets
403). Org records are not personal data: reads are not audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.db.models import Q
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja import Status as Reply

from chibo.apitools import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    check_text,
    created,
    keyset_page,
    org_ref,
    path_code,
)
from chibo.core.roles import Cap
from chibo.lib.text import fold, prefix_upper_bound
from chibo.orgs import selectors, services
from chibo.orgs.models import Org, OrgKind, Ownership, SchoolLevel
from chibo.orgs.selectors import get_org_for, orgs_for

router = Router(tags=["orgs"])

KindLiteral = Literal[tuple(OrgKind.values)]  # type: ignore[valid-type]
LevelLiteral = Literal[tuple(["", *SchoolLevel.values])]  # type: ignore[valid-type]
OwnershipLiteral = Literal[tuple(["", *Ownership.values])]  # type: ignore[valid-type]
SUBTREE_MAX = 5000


class OrgItem(Schema):
    code: str
    name: str
    kind: str
    kind_label: str
    parent_code: str | None
    depth: int
    school_level: str
    ownership: str
    opened_on: dt.date
    closed_on: dt.date | None
    abbreviation: str = Field(
        "", description="The issuer part of its documents' symbols (HD 36): TU, ĐUK, ĐU, CB"
    )


class OrgRef(Schema):
    code: str
    name: str


class OrgDetail(OrgItem):
    merged_into: str | None
    ancestors: list[OrgRef]
    children: list[OrgItem]
    member_count: int = Field(description="Members on the rolls in the whole subtree")


class OrgPage(Schema):
    items: list[OrgItem]
    next: str | None


class SubtreeOut(Schema):
    root: OrgItem
    items: list[OrgItem]
    truncated: bool


class OrgFilters(Schema):
    q: str = Field("", max_length=100, description="Name (diacritics ignored) or exact code")
    kind: KindLiteral | None = None  # type: ignore[valid-type]
    school_level: LevelLiteral | None = None  # type: ignore[valid-type]
    under: str = Field("", max_length=32, description="Only this org's subtree (code)")
    include_closed: bool = False
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: str = Field("", max_length=500)


def _item(org: Org, parent_codes: dict[int, str]) -> dict:
    return {
        "code": org.code,
        "name": org.name,
        "kind": org.kind,
        "kind_label": str(OrgKind(org.kind).label),
        "parent_code": parent_codes.get(org.parent_id) if org.parent_id else None,
        "depth": org.depth,
        "school_level": org.school_level,
        "ownership": org.ownership,
        "opened_on": org.opened_on,
        "closed_on": org.closed_on,
        "abbreviation": org.abbreviation,
    }


def _items(orgs: list[Org]) -> list[dict]:
    parent_ids = {o.parent_id for o in orgs if o.parent_id}
    codes = (
        dict(Org.objects.filter(pk__in=parent_ids).values_list("pk", "code")) if parent_ids else {}
    )
    return [_item(o, codes) for o in orgs]


@router.get("", response=OrgPage, summary="Organizations in scope (filters, keyset pagination)")
def org_list(request: HttpRequest, filters: Query[OrgFilters]) -> dict:
    qs = orgs_for(request.user)
    if filters.under:
        qs = qs.filter(org_ref(request.user, filters.under, "under").subtree_filter())
    text = check_text(filters.q.strip(), "q")
    if text:
        folded = fold(text)
        match = Q(code=text)
        if folded:
            match |= Q(name_folded__gte=folded, name_folded__lt=prefix_upper_bound(folded))
        qs = qs.filter(match)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.school_level is not None:
        qs = qs.filter(school_level=filters.school_level)
    if not filters.include_closed:
        qs = qs.filter(closed_on__isnull=True)
    rows, after = keyset_page(qs, ("path",), filters.limit, filters.cursor)
    return {"items": _items(rows), "next": after}


@router.get("/{code}", response=OrgDetail, summary="One organization (404 outside scope)")
def org_detail(request: HttpRequest, code: str) -> dict:
    org = get_org_for(request.user, path_code(code))
    ancestors = [a for a in org.ancestors() if orgs_for(request.user).filter(pk=a.pk).exists()]
    children = selectors.children_of(request.user, org)
    parent_code = {org.parent.pk: org.parent.code} if org.parent is not None else {}
    return {
        **_item(org, parent_code),
        "merged_into": org.merged_into.code if org.merged_into is not None else None,
        "ancestors": [{"code": a.code, "name": a.name} for a in ancestors],
        "children": _items(children),
        "member_count": selectors.subtree_member_counts([org]).get(org.pk, 0),
    }


@router.get(
    "/{code}/subtree", response=SubtreeOut, summary="The org and everything under it, in tree order"
)
def org_subtree(
    request: HttpRequest,
    code: str,
    include_closed: bool = False,
    max_depth: int = Query(None, ge=0, le=20, description="Levels below the org (default: all)"),
) -> dict:
    org = get_org_for(request.user, path_code(code))
    qs = orgs_for(request.user).filter(org.subtree_filter()).exclude(pk=org.pk)
    if not include_closed:
        qs = qs.filter(closed_on__isnull=True)
    if max_depth is not None:
        qs = qs.filter(depth__lte=org.depth + max_depth)
    rows = list(qs.order_by("path")[: SUBTREE_MAX + 1])
    parent_code = {org.parent.pk: org.parent.code} if org.parent is not None else {}
    return {
        "root": _item(org, parent_code),
        "items": _items(rows[:SUBTREE_MAX]),
        "truncated": len(rows) > SUBTREE_MAX,
    }


# --- restructuring -----------------------------------------------------------


class DecisionIn(Schema):
    effective_date: dt.date
    decision_number: str = Field("", max_length=64)


class CreateIn(Schema):
    parent: str = Field(..., max_length=32, description="Code of the superior organization")
    code: str = Field(..., min_length=1, max_length=32)
    name: str = Field(..., min_length=1, max_length=255)
    kind: KindLiteral  # type: ignore[valid-type]
    opened_on: dt.date
    school_level: LevelLiteral = ""  # type: ignore[valid-type]
    ownership: OwnershipLiteral = ""  # type: ignore[valid-type]
    decision_number: str = Field("", max_length=64)
    abbreviation: str = Field("", max_length=24, description="Empty: the default of its type")


class AbbreviationIn(Schema):
    abbreviation: str = Field(..., min_length=1, max_length=24)


class MoveIn(DecisionIn):
    new_parent: str = Field(..., max_length=32)
    note: str = Field("", max_length=2000)


class MergeIn(DecisionIn):
    target: str = Field(..., max_length=32)
    note: str = Field("", max_length=2000)


class RenameIn(DecisionIn):
    name: str = Field(..., min_length=1, max_length=255)


class CloseIn(DecisionIn):
    note: str = Field("", max_length=2000)


def _clean(payload: Schema) -> None:
    for name, value in payload:
        if isinstance(value, str):
            check_text(value, name)


def _restructurable(request: HttpRequest, code: str) -> Org:
    return get_org_for(request.user, path_code(code), write_cap=Cap.ORG_RESTRUCTURE)


@router.post("", response={201: OrgDetail}, summary="Create an organization under a superior")
def org_create(request: HttpRequest, payload: CreateIn) -> Reply:
    _clean(payload)
    parent = _restructurable(request, payload.parent) if payload.parent else None
    org = services.org_create(
        actor=request.user,
        code=payload.code,
        name=payload.name,
        kind=payload.kind,
        parent=parent,
        opened_on=payload.opened_on,
        school_level=payload.school_level,
        ownership=payload.ownership,
        decision_number=payload.decision_number,
        abbreviation=payload.abbreviation,
    )
    return created(org_detail(request, org.code))


@router.post(
    "/{code}/abbreviation",
    response=OrgDetail,
    summary="Set the abbreviation used in its document symbols (HD 36-HD/VPTW)",
)
def org_abbreviation(request: HttpRequest, code: str, payload: AbbreviationIn) -> dict:
    _clean(payload)
    org = get_org_for(request.user, path_code(code))
    services.org_set_abbreviation(actor=request.user, org=org, abbreviation=payload.abbreviation)
    return org_detail(request, org.code)


@router.post(
    "/{code}/move", response=OrgDetail, summary="Move the org and its subtree under a new superior"
)
def org_move(request: HttpRequest, code: str, payload: MoveIn) -> dict:
    _clean(payload)
    org = _restructurable(request, code)
    new_parent = org_ref(request.user, payload.new_parent, "new_parent")
    services.org_move(
        actor=request.user,
        org=org,
        new_parent=new_parent,
        effective_date=payload.effective_date,
        decision_number=payload.decision_number,
        note=payload.note,
    )
    return org_detail(request, org.code)


@router.post(
    "/{code}/merge", response=OrgDetail, summary="Merge the org into another (returns the target)"
)
def org_merge(request: HttpRequest, code: str, payload: MergeIn) -> dict:
    _clean(payload)
    org = _restructurable(request, code)
    target = org_ref(request.user, payload.target, "target")
    services.org_merge(
        actor=request.user,
        source=org,
        target=target,
        effective_date=payload.effective_date,
        decision_number=payload.decision_number,
        note=payload.note,
    )
    return org_detail(request, target.code)


@router.post("/{code}/rename", response=OrgDetail, summary="Rename the org from a date")
def org_rename(request: HttpRequest, code: str, payload: RenameIn) -> dict:
    _clean(payload)
    org = _restructurable(request, code)
    services.org_rename(
        actor=request.user,
        org=org,
        name=payload.name,
        effective_date=payload.effective_date,
        decision_number=payload.decision_number,
    )
    return org_detail(request, org.code)


@router.post(
    "/{code}/close", response=OrgDetail, summary="Dissolve the org (no members, no open children)"
)
def org_close(request: HttpRequest, code: str, payload: CloseIn) -> dict:
    _clean(payload)
    org = _restructurable(request, code)
    services.org_close(
        actor=request.user,
        org=org,
        effective_date=payload.effective_date,
        decision_number=payload.decision_number,
        note=payload.note,
    )
    return org_detail(request, org.code)
