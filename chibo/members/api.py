"""/api/v1/members: scoped search with keyset pagination, records, timelines,
admission, every lifecycle event as a POST, identity corrections, incoming
transfers.

Reads go through members.selectors from the actor's scope (out of scope →
404) and are audited (``members.list``, ``members.view``); writes through
members.services (a read-only role → 403). Citizen ID, phone and party card
number are masked for roles without ``member.view_sensitive``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja import Status as Reply
from pydantic import BaseModel, create_model

from chibo.apitools import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    check_text,
    created,
    decode_cursor,
    encode_cursor,
    keyset_page,
    list_page,
    not_empty,
    org_by_exact_code,
    org_ref,
    path_code,
    require_cap,
    sensitive_forbidden,
)
from chibo.core import audit
from chibo.core.roles import Cap
from chibo.core.scoping import has_cap
from chibo.members import lifecycle, selectors, services
from chibo.members.models import (
    Category,
    EventKind,
    Gender,
    Member,
    MemberEvent,
    RemovalReason,
    Status,
    mask,
)
from chibo.members.search import ListRow
from chibo.members.selectors import get_member_for

router = Router(tags=["members"])

CategoryLiteral = Literal[tuple(Category.values)]  # type: ignore[valid-type]
StatusFilter = Literal[tuple(["on_rolls", "all", *Status.values])]  # type: ignore[valid-type]
GenderLiteral = Literal[tuple(Gender.values)]  # type: ignore[valid-type]
ReasonLiteral = Literal[tuple(RemovalReason.values)]  # type: ignore[valid-type]


# --- shapes ------------------------------------------------------------------


# The list's shapes are plain pydantic models: the API fills them from dicts (``_item``), and a
# ninja ``Schema`` would read each of the fifty rows' fields through its ORM getter (about a
# millisecond a page).
class MemberItem(BaseModel):
    member_code: str
    full_name: str
    org_code: str
    org_name: str
    category: str
    category_label: str
    status: str
    status_label: str
    standing: Literal["full", "probationary"]
    gender: str
    date_of_birth: dt.date
    admitted_on: dt.date


class MemberPage(BaseModel):
    items: list[MemberItem]
    next: str | None = Field(
        description="Cursor of the next page (pass as ?cursor=), null on the last"
    )


class SeniorityOut(Schema):
    since: dt.date = Field(description="The (first) admission decision's date")
    out_days: int = Field(description="Days out of party activity, not counted")
    years: int
    months: int = Field(description="Months beyond the whole years")
    as_of: dt.date


class MemberDetail(MemberItem):
    version: int = Field(
        description="Send back as `version` when changing the record (optimistic locking)"
    )
    ethnicity: str
    expected_graduation: dt.date | None
    sensitive: bool = Field(description="False: citizen_id, phone, party_card_number are masked")
    citizen_id: str
    phone: str
    party_card_number: str
    is_full: bool
    admitting_org_code: str | None
    category_at_admission: str
    ceremony_on: dt.date | None = Field(description="Empty until the admission ceremony is held")
    probation_ends_on: dt.date | None = Field(description="Empty until the admission ceremony")
    recognized_on: dt.date | None
    temp_host_org_code: str | None
    pending_org_code: str | None
    status_changed_on: dt.date | None
    last_event_on: dt.date
    allowed_events: list[str] = Field(description="Events the caller may record now")
    admission_historical: bool = Field(
        description="The admission was entered afterwards (a past admission or an import), "
        "not decided through the admission path"
    )
    party_seniority: SeniorityOut | None = Field(
        description="Tuổi đảng today (full members; from the admission decision, less the "
        "time out of the Party)"
    )


class EventOut(Schema):
    id: int
    kind: str
    kind_label: str
    effective_date: dt.date
    recorded_at: dt.datetime
    decision_number: str
    issuing_body: str
    issuing_org_code: str | None
    note: str
    reason: str
    data: dict[str, Any]
    org_code: str
    status_after: str
    category_after: str
    actor: str | None


class EventsOut(Schema):
    member_code: str
    items: list[EventOut]


class EventResult(Schema):
    event: EventOut
    member: MemberDetail


class IncomingItem(Schema):
    member_code: str
    full_name: str
    from_org_code: str
    from_org_name: str
    to_org_code: str
    transferred_on: dt.date
    version: int


class IncomingOut(Schema):
    items: list[IncomingItem]
    next: str | None = Field(description="Cursor of the next page; null on the last")


_LABELS: dict[str, tuple[dict[str, str], dict[str, str]]] = {}


def _labels() -> tuple[dict[str, str], dict[str, str]]:
    """The categories' and statuses' labels in the request's language (once per language)."""
    language = translation.get_language() or ""
    if language not in _LABELS:
        _LABELS[language] = (
            {value: str(label) for value, label in Category.choices},
            {value: str(label) for value, label in Status.choices},
        )
    return _LABELS[language]


def _item(
    m: Member | ListRow, labels: tuple[dict[str, str], dict[str, str]] | None = None
) -> dict[str, Any]:
    categories, statuses = labels or _labels()
    return {
        "member_code": m.member_code,
        "full_name": m.full_name,
        "org_code": m.org.code,
        "org_name": m.org.name,
        "category": m.category,
        "category_label": categories[m.category],
        "status": m.status,
        "status_label": statuses[m.status],
        "standing": "full" if m.is_full else "probationary",
        "gender": m.gender,
        "date_of_birth": m.date_of_birth,
        "admitted_on": m.admitted_on,
    }


def _code(org: Any) -> str | None:
    return org.code if org is not None else None


def _detail(actor: Any, m: Member) -> dict[str, Any]:
    sensitive = selectors.can_view_sensitive(actor, m)
    shown: Callable[[str], str] = (lambda v: v) if sensitive else mask
    return {
        **_item(m),
        "version": m.version,
        "ethnicity": m.ethnicity,
        "expected_graduation": m.expected_graduation,
        "sensitive": sensitive,
        "citizen_id": shown(m.citizen_id),
        "phone": shown(m.phone),
        "party_card_number": shown(m.party_card_number),
        "is_full": m.is_full,
        "admitting_org_code": _code(m.admitting_org),
        "category_at_admission": m.category_at_admission,
        "ceremony_on": m.ceremony_on,
        "probation_ends_on": m.probation_ends_on,
        "recognized_on": m.recognized_on,
        "temp_host_org_code": _code(m.temp_host_org),
        "pending_org_code": _code(m.pending_org),
        "status_changed_on": m.status_changed_on,
        "last_event_on": m.last_event_on,
        "allowed_events": lifecycle.allowed_events(m) if selectors.can_change(actor, m) else [],
        "admission_historical": selectors.admission_is_historical(m),
        "party_seniority": _seniority(m),
    }


def _seniority(m: Member) -> dict[str, Any] | None:
    from django.utils import timezone

    from chibo.members.seniority import seniority_of

    found = seniority_of(m)
    return found.as_dict(timezone.localdate()) if found is not None else None


def _event(e: MemberEvent, sensitive: bool) -> dict[str, Any]:
    data = dict(e.data or {})
    if not sensitive and data.get("card_number"):
        data["card_number"] = mask(str(data["card_number"]))
    return {
        "id": e.pk,
        "kind": e.kind,
        "kind_label": str(EventKind(e.kind).label),
        "effective_date": e.effective_date,
        "recorded_at": e.recorded_at,
        "decision_number": e.decision_number,
        "issuing_body": e.issuing_body,
        "issuing_org_code": _code(e.issuing_org),
        "note": e.note,
        "reason": e.reason,
        "data": data,
        "org_code": e.org.code,
        "status_after": e.status_after,
        "category_after": e.category_after,
        "actor": e.actor.username if e.actor is not None else None,
    }


def _clean(payload: Schema) -> None:
    for name, value in payload:
        if isinstance(value, str):
            check_text(value, name)


# --- reads -------------------------------------------------------------------


class MemberFilters(Schema):
    q: str = Field(
        "", max_length=100, description="Name without or with diacritics, or exact member code"
    )
    org: str = Field("", max_length=32, description="Only this org's subtree (code)")
    category: CategoryLiteral | None = None  # type: ignore[valid-type]
    status: StatusFilter = "on_rolls"  # type: ignore[valid-type]
    standing: Literal["", "full", "probationary"] = ""
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: str = Field("", max_length=500)


@router.get("", response=MemberPage, summary="Members in scope: search, filters, keyset pagination")
def member_list(request: HttpRequest, filters: Query[MemberFilters]) -> dict:
    user = request.user
    require_cap(user, Cap.MEMBER_VIEW)  # as the page: the sysadmin reads no member
    org = org_ref(user, filters.org, "org", Cap.MEMBER_VIEW) if filters.org.strip() else None
    flt = selectors.MemberFilter(
        q=check_text(filters.q.strip(), "q"),
        org=org,
        category=filters.category or "",
        status="" if filters.status == "all" else filters.status,
        standing=filters.standing,
    )
    after = None
    if filters.cursor:
        name, code = decode_cursor(filters.cursor, 2)
        after = (name, code)
    rows = selectors.member_search(user, flt).rows(limit=filters.limit + 1, after=after)
    more = len(rows) > filters.limit
    rows = rows[: filters.limit]
    labels = _labels()
    selectors.audit_list_read(
        user,
        rows,
        {"q": flt.q, "org": org.code if org else "", "status": filters.status, "via": "api"},
    )
    return {
        "items": [_item(m, labels) for m in rows],
        "next": encode_cursor([rows[-1].name_folded, rows[-1].member_code]) if more else None,
    }


@router.get(
    "/incoming",
    response=IncomingOut,
    summary="Members transferred to a cell you manage, not yet received",
)
def incoming(
    request: HttpRequest,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    cursor: str = Query("", max_length=500),
) -> dict:
    require_cap(request.user, Cap.MEMBER_CHANGE)
    waiting = selectors.incoming_transfers(request.user)
    rows, after = keyset_page(waiting, ("name_folded", "member_code"), limit, cursor)
    selectors.audit_list_read(request.user, rows, {"list": "incoming", "via": "api"})
    return {
        "items": [
            {
                "member_code": m.member_code,
                "full_name": m.full_name,
                "from_org_code": m.org.code,
                "from_org_name": m.org.name,
                "to_org_code": m.pending_org.code,
                "transferred_on": m.last_event_on,
                "version": m.version,
            }
            for m in rows
        ],
        "next": after,
    }


class BadgeOut(Schema):
    member_code: str
    full_name: str
    org: str = Field(description="The member's cell (code)")
    years: int = Field(description="The milestone: 30, 40, 45, 50 … years of seniority")
    reached_on: dt.date
    since: dt.date = Field(description="The (first) admission decision's date")
    out_days: int


class BadgesOut(Schema):
    year: int
    rule: str = Field(description="The milestones' rule and source")
    items: list[BadgeOut]
    next: str | None = Field(description="Cursor of the next page; null on the last")


def _badge_key(badge: Any) -> list[str]:
    """The list's order (date, folded name, code): the keyset of its pages."""
    return [badge.reached_on.isoformat(), badge.member.name_folded, badge.member.member_code]


@router.get(
    "/party-badges",
    response=BadgesOut,
    summary="Members who complete a Huy hiệu Đảng milestone in a year, by date, paged (audited)",
)
def party_badges(
    request: HttpRequest,
    year: int = Query(..., ge=1930, le=2100),
    org: str = "",
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    cursor: str = Query("", max_length=500),
) -> dict[str, Any]:
    from chibo.core.rules import rule_in_force

    require_cap(request.user, Cap.MEMBER_VIEW)
    root = org_ref(request.user, org, "org", Cap.MEMBER_VIEW) if org else None
    found = selectors.party_badges(request.user, year, root)
    badges, after = list_page(found, _badge_key, 3, limit, cursor)
    selectors.audit_list_read(
        request.user, [b.member for b in badges], {"list": "party_badges", "via": "api"}
    )
    rule = rule_in_force("seniority.badge_years", on=dt.date(year, 12, 31))
    return {
        "year": year,
        "rule": f"{rule.title} — {rule.citation}",
        "next": after,
        "items": [
            {
                "member_code": b.member.member_code,
                "full_name": b.member.full_name,
                "org": b.member.org.code,
                "years": b.years,
                "reached_on": b.reached_on,
                "since": b.seniority.since,
                "out_days": b.seniority.out_days,
            }
            for b in badges
        ],
    }


# --- admission and identity --------------------------------------------------


class IdentityIn(Schema):
    full_name: str = Field(..., min_length=1, max_length=120)
    date_of_birth: dt.date
    gender: GenderLiteral  # type: ignore[valid-type]
    category: CategoryLiteral  # type: ignore[valid-type]
    ethnicity: str = Field("Kinh", max_length=40)
    expected_graduation: dt.date | None = None
    party_card_number: str = Field("", max_length=32)
    citizen_id: str = Field("", max_length=16)
    phone: str = Field("", max_length=20)


class OutPeriodIn(Schema):
    start: dt.date = Field(alias="from")
    end: dt.date = Field(alias="to")


class PastAdmissionIn(IdentityIn):
    org: str = Field(..., max_length=32, description="The cell the member belongs to (code)")
    member_code: str = Field(..., min_length=1, max_length=32)
    admitted_on: dt.date = Field(description="Date of the admission decision")
    decision_number: str = Field(..., min_length=1, max_length=64)
    deciding_body: str = Field(..., min_length=1, max_length=255, description="Who decided it")
    ceremony_on: dt.date | None = Field(None, description="Default: the decision's date")
    recognition_decided_on: dt.date | None = Field(
        None,
        description="Recognized as full member: the decision's date (not before probation ends)",
    )
    recognition_decision_number: str = Field("", max_length=64)
    over_age_approval: str = Field(
        "",
        max_length=255,
        description="Over 60 at the decision: the provincial committee's approval",
    )
    note: str = Field("", max_length=2000)
    first_admitted_on: dt.date | None = Field(
        None, description="Re-admitted: the first admission decision (seniority counts from it)"
    )
    out_periods: list[OutPeriodIn] = Field(
        default_factory=list, description="Periods out of party activity, not counted"
    )


def _identity(payload: IdentityIn, member_code: str) -> services.Identity:
    return services.Identity(
        member_code=member_code,
        full_name=payload.full_name,
        date_of_birth=payload.date_of_birth,
        gender=payload.gender,
        category=payload.category,
        ethnicity=payload.ethnicity,
        expected_graduation=payload.expected_graduation,
        party_card_number=payload.party_card_number,
        citizen_id=payload.citizen_id,
        phone=payload.phone,
    )


@router.post(
    "",
    response={201: MemberDetail},
    summary="Not an admission: use the admission path or record a past admission",
    description=(
        "An admission made now goes through the admission path (`POST /api/v1/candidates`, "
        "then its steps; the decision needs `admission.decide`). An admission made before "
        "chibo is recorded with `POST /api/v1/members/past-admissions`. This route only "
        "explains that: 403 without `admission.decide`, else 422."
    ),
)
def member_admit(request: HttpRequest) -> Reply:
    if not has_cap(request.user, Cap.ADMISSION_DECIDE):
        raise PermissionDenied(
            _(
                "A member is admitted by the committee's decision on the admission path: "
                "register the candidate (POST /api/v1/candidates) and record its steps."
            )
        )
    raise ValidationError(
        _(
            "An admission made now goes through the admission path (POST /api/v1/candidates); "
            "an admission made before chibo is recorded with POST /api/v1/members/past-admissions."
        )
    )


@router.post(
    "/past-admissions",
    response={201: MemberDetail},
    summary="Record an admission made before chibo (historical; admission.decide)",
)
def member_past_admission(request: HttpRequest, payload: PastAdmissionIn) -> Reply:
    _clean(payload)
    require_cap(request.user, Cap.ADMISSION_DECIDE)
    org = org_ref(request.user, payload.org, "org", Cap.ORG_VIEW)
    member = services.member_record_past_admission(
        actor=request.user,
        org=org,
        identity=_identity(payload, payload.member_code),
        admitted_on=payload.admitted_on,
        decision_number=payload.decision_number,
        deciding_body=payload.deciding_body,
        ceremony_on=payload.ceremony_on,
        recognition_decided_on=payload.recognition_decided_on,
        recognition_decision_number=payload.recognition_decision_number,
        over_age_approval=payload.over_age_approval,
        note=payload.note,
        first_admitted_on=payload.first_admitted_on,
        out_periods=[(p.start, p.end) for p in payload.out_periods],
    )
    return created(_detail(request.user, member))


# Every write that changes an existing member names the version it was based on.
VERSION_HELP = "The member's `version` as you read it (required; a stale one is refused: 422)"


@router.get(
    "/{member_code}",
    response=MemberDetail,
    summary="One member's record (404 outside scope; audited)",
)
def member_detail(request: HttpRequest, member_code: str) -> dict:
    member = selectors.member_detail(request.user, path_code(member_code))
    return _detail(request.user, member)


@router.get(
    "/{member_code}/events",
    response=EventsOut,
    summary="The member's timeline, newest first (audited)",
)
def member_events(request: HttpRequest, member_code: str) -> dict:
    member = get_member_for(request.user, path_code(member_code))
    audit.record(
        actor=request.user,
        action="members.view",
        object_type="member",
        object_id=member.member_code,
        data={"part": "events", "via": "api"},
    )
    sensitive = selectors.can_view_sensitive(request.user, member)
    return {
        "member_code": member.member_code,
        "items": [_event(e, sensitive) for e in selectors.member_timeline(member)],
    }


class IdentityPatch(Schema):
    version: int = Field(..., ge=1, description=VERSION_HELP)
    full_name: str | None = Field(None, min_length=1, max_length=120)
    date_of_birth: dt.date | None = None
    gender: GenderLiteral | None = None  # type: ignore[valid-type]
    ethnicity: str | None = Field(None, min_length=1, max_length=40)
    expected_graduation: dt.date | None = None
    citizen_id: str | None = Field(None, max_length=16)
    phone: str | None = Field(None, max_length=20)


@router.patch(
    "/{member_code}", response=MemberDetail, summary="Correct identity fields (optimistic locking)"
)
def member_patch(request: HttpRequest, member_code: str, payload: IdentityPatch) -> dict:
    _clean(payload)
    member = get_member_for(request.user, path_code(member_code), write=True)
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version")
    nullable = {"expected_graduation"}
    for name, value in changes.items():
        if value is None and name not in nullable:
            raise not_empty(name)
    if set(changes) & set(services.SENSITIVE_FIELDS) and not selectors.can_view_sensitive(
        request.user, member
    ):
        raise sensitive_forbidden()
    updated = services.member_update_identity(
        actor=request.user, member=member, changes=changes, expected_version=version
    )
    return _detail(request.user, updated)


# --- lifecycle events --------------------------------------------------------


class EventCommonIn(Schema):
    decision_number: str = Field("", max_length=64)
    issuing_body: str = Field("", max_length=255)
    note: str = Field("", max_length=2000)
    version: int = Field(..., ge=1, description=VERSION_HELP)


class EventIn(EventCommonIn):
    effective_date: dt.date


def _describe(item: lifecycle.Input) -> str:
    with translation.override("en"):
        return str(item.label)


def _input_field(item: lifecycle.Input) -> tuple[Any, Any]:
    """The pydantic field of one of a kind's inputs (``lifecycle.Input``)."""
    about = _describe(item)
    if item.kind == lifecycle.InputType.DATE:
        if item.required:
            return dt.date, Field(description=about)
        return dt.date | None, Field(None, description=about)
    if item.kind == lifecycle.InputType.CHOICE:
        assert item.choices is not None
        # The kind's choices as a Literal built at run time, for pydantic (a type mypy cannot
        # see: it reads only Literals written out).
        choice: Any = Literal.__getitem__(tuple(item.choices.values))
        if item.required:
            return choice, Field(description=about)
        return choice | None, Field(None, description=about)
    max_length = 32 if item.kind in ORG_INPUTS else item.max_length
    if item.required:
        return str, Field(..., min_length=1, max_length=max_length, description=about)
    return str, Field("", max_length=max_length, description=about)


ORG_INPUTS = (lifecycle.InputType.ORG, lifecycle.InputType.OWN_CELL)


def event_schema(spec: lifecycle.EventSpec) -> type[Schema]:
    """The body of ``POST /members/{code}/events/{kind}``, from the kind's inputs."""
    base: type[Schema] = EventCommonIn if spec.dated is not None else EventIn
    if not spec.inputs:
        return base
    name = "Event" + "".join(part.title() for part in spec.kind.split("_")) + "In"
    # Keyword arguments of create_model: pydantic's (type, field) pair for each input.
    fields: dict[str, Any] = {item.name: _input_field(item) for item in spec.inputs}
    return create_model(name, __base__=base, **fields)


def _input_value(request: HttpRequest, item: lifecycle.Input, value: Any) -> Any:
    if item.kind == lifecycle.InputType.ORG:
        return org_by_exact_code(value, item.name) if value.strip() else None
    if item.kind == lifecycle.InputType.OWN_CELL:
        return org_ref(request.user, value, item.name, Cap.MEMBER_CHANGE)
    return value


def _record(request: HttpRequest, member: Member, spec: lifecycle.EventSpec, p: Any) -> Any:
    return lifecycle.record(
        spec.kind,
        actor=request.user,
        member=member,
        effective_date=getattr(p, "effective_date", None),
        decision=services.Decision(number=p.decision_number, issuing_body=p.issuing_body),
        note=p.note,
        expected_version=p.version,
        **{item.name: _input_value(request, item, getattr(p, item.name)) for item in spec.inputs},
    )


def _event_endpoint(spec: lifecycle.EventSpec) -> None:
    schema = event_schema(spec)

    def record_event(request: HttpRequest, member_code: str, payload: Schema) -> Reply:
        _clean(payload)
        member = get_member_for(request.user, path_code(member_code), write=True)
        event = _record(request, member, spec, payload)
        member.refresh_from_db()
        return created({"event": _event(event, True), "member": _detail(request.user, member)})

    # The body's schema differs per kind: annotate the real class (not a string).
    record_event.__annotations__ = {
        "request": HttpRequest,
        "member_code": str,
        "payload": schema,
        "return": Reply,
    }
    record_event.__name__ = f"member_event_{spec.kind}"
    router.post(
        f"/{{member_code}}/events/{spec.kind}",
        response={201: EventResult},
        operation_id=f"member_event_{spec.kind}",
        summary=f"Record the event {spec.kind!r}",
    )(record_event)


for _kind in lifecycle.RECORDABLE:
    _event_endpoint(lifecycle.SPECS[_kind])


# --- receiving a transfer ----------------------------------------------------


class ReceiveIn(Schema):
    org: str = Field(..., max_length=32, description="Your receiving cell (code)")
    effective_date: dt.date = Field(description="Date the member arrived")
    decision_number: str = Field("", max_length=64)
    version: int = Field(..., ge=1, description=VERSION_HELP)


@router.post(
    "/{member_code}/receive",
    response={201: EventResult},
    summary="Record the arrival of an incoming member",
)
def member_transfer_in(request: HttpRequest, member_code: str, payload: ReceiveIn) -> Reply:
    _clean(payload)
    require_cap(request.user, Cap.MEMBER_CHANGE)
    member = selectors.incoming_member_for(request.user, path_code(member_code))
    org = org_ref(request.user, payload.org, "org", Cap.MEMBER_CHANGE)
    event = services.member_transfer_in(
        actor=request.user,
        member=member,
        org=org,
        effective_date=payload.effective_date,
        decision=services.Decision(number=payload.decision_number),
        expected_version=payload.version,
    )
    member.refresh_from_db()
    return created({"event": _event(event, True), "member": _detail(request.user, member)})
