"""/api/v1/candidates: the admission path, scoped, with the same services as the UI.

GET  /candidates                       list (filters: org, category, stage, overdue; keyset pages)
POST /candidates                       register a candidate
GET  /candidates/probation-watch       probationary members due/overdue for recognition
GET  /candidates/{id}                  detail with the whole path (read audited)
POST /candidates/{id}/steps/{stage}    record one step (checked against the rules in force)
POST /candidates/{id}/override         a committee override of one failed check (reason required)
POST /candidates/{id}/decision-received  the date the cell received the admission decision
POST /candidates/{id}/member-history   the new member's personal history declared (issue 20)
POST /candidates/{id}/education        record or correct the education level (before the cell's review)
POST /candidates/{id}/introducers/{introducer_id}/replace  the cell assigns another introducer
GET  /candidates/{id}/dossier          the admission dossier's five documents and where each stands
POST /candidates/{id}/dossier/{kind}   enter one in its issuing body's register (numbered)
GET  /candidates/{id}/dossier/{kind}/docx  one document as DOCX (HD 36-HD/VPTW)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import DateField, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import AliasChoices

from chibo.admissions import selectors, services
from chibo.admissions.models import Stage
from chibo.apitools import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    created,
    file_response,
    keyset_page,
    org_ref,
    require_cap,
)
from chibo.core.roles import Cap
from chibo.core.scoping import scope_for
from chibo.core.web import DOCX_TYPE
from chibo.members.selectors import audit_list_read as audit_members_read
from chibo.members.selectors import get_member_for

router = Router(tags=["admissions"])
NO_DEADLINE = Value(dt.date(9999, 12, 31), output_field=DateField())


class ListFilters(Schema):
    org: str = Field("", description="Org code: its whole subtree")
    category: str = ""
    stage: str = ""
    overdue: bool = False
    include_closed: bool = False
    history_overdue: bool = Field(False, description="Personal histories past their deadline")
    escalated: bool = Field(False, description="Recognition cases sent to the upper committee")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: str = Field("", max_length=500, description="`next` of the page before")


class RegisterIn(Schema):
    org: str
    full_name: str = Field(..., max_length=120)
    date_of_birth: dt.date
    gender: str
    category: str
    registered_on: dt.date
    mentor: str = Field(..., description="Member code of the mentor (a full member of the cell)")
    youth_union_exists: bool = True
    education_level: str = Field(
        "",
        description="below_primary, primary, lower_secondary, upper_secondary or higher; "
        "empty: not recorded yet (the cell's review refuses until it is)",
    )
    ethnicity: str = "Kinh"
    citizen_id: str = ""
    phone: str = ""
    note: str = ""
    confirm: bool = Field(
        False, description="Record an unusual value anyway (after a confirmation_required answer)"
    )


class IntroducerIn(Schema):
    member: str
    months_together: int = Field(..., ge=0)


# Every write that changes an existing candidate names the version it was based on
# (``expected_version``, its former name, is still read).
VERSION_HELP = "The candidate's `version` as you read it (required; a stale one is refused: 422)"


class StepIn(Schema):
    done_on: dt.date
    document_number: str = Field("", max_length=64)
    note: str = ""
    data: dict[str, Any] = Field(
        default_factory=dict, description="Figures the step needs (see docs/admissions.md)"
    )
    introducers: list[IntroducerIn] = Field(default_factory=list)
    version: int = Field(
        ...,
        ge=1,
        validation_alias=AliasChoices("version", "expected_version"),
        description=VERSION_HELP,
    )


class DecisionReceivedIn(Schema):
    received_on: dt.date = Field(..., description="The date the cell received the decision")
    version: int = Field(..., ge=1, description=VERSION_HELP)


class MemberHistoryIn(Schema):
    declared_on: dt.date = Field(
        ..., description="The date the new member declared the personal history (lý lịch đảng viên)"
    )
    late_reason: str = Field(
        "", max_length=2000, description="Required when the date is after the deadline"
    )
    version: int = Field(..., ge=1, description=VERSION_HELP)


class EducationIn(Schema):
    education_level: str = Field(
        ..., description="below_primary, primary, lower_secondary, upper_secondary or higher"
    )
    version: int = Field(..., ge=1, description=VERSION_HELP)


class ReplaceIntroducerIn(Schema):
    member: str = Field(
        ..., description="Member code of the new introducer (a full member of the cell)"
    )
    replaced_on: dt.date = Field(..., description="The day the cell assigned the new introducer")
    reason: str = Field(..., description="moved, disciplined or other")
    reason_text: str = Field("", max_length=1000, description="Required when reason is other")
    months_together: int = Field(0, ge=0, description="Not checked for a replacement")
    document_number: str = Field("", max_length=64, description="The cell's minutes or resolution")
    version: int = Field(..., ge=1, description=VERSION_HELP)


class OverrideIn(Schema):
    stage: str
    rule_key: str
    reason: str


# --- responses (every field a client receives is declared here) ----------------------


class MemberHistoryOut(Schema):
    due_on: str | None = Field(description="30 working days after the admission ceremony")
    declared_on: str | None
    late_reason: str
    overdue: bool


class RecognitionVoteOut(Schema):
    done_on: str
    passed: bool = Field(description="false: the vote did not reach 2/3")
    document_number: str
    full_members: int | None
    absent_excluded: int | None
    votes_for: int | None


class CandidateOut(Schema):
    id: int
    full_name: str
    date_of_birth: str
    gender: str
    category: str
    org: str = Field(description="Code of the candidate's cell")
    stage: str
    stage_on: str
    next_step: str | None
    next_due: str | None
    overdue: bool
    member_code: str | None = Field(description="Set once the candidate was admitted")
    version: int
    education_level: str | None = Field(description="Null until recorded")
    decision_received_on: str | None
    member_history: MemberHistoryOut | None = Field(
        description="The new member's personal history after the ceremony (null before it)"
    )
    escalated_on: str | None = Field(
        description="The third recognition vote without 2/3: the upper committee decides"
    )
    citizen_id: str | None = Field(None, description="Only for roles that see it")
    phone: str | None = Field(None, description="Only for roles that see it")


class CertificateOut(Schema):
    number: str
    issuer: str
    issued_on: str
    expires_on: str


class CandidateMemberOut(Schema):
    member_code: str
    admitted_on: str | None
    ceremony_on: str | None
    probation_ends_on: str | None
    recognized_on: str | None
    is_full: bool


class PathStepOut(Schema):
    stage: str
    state: str = Field(description="done, next, todo or skipped")
    done_on: str | None
    document_number: str
    recorded_by: str | None
    data: dict[str, Any]


class OverrideOut(Schema):
    stage: str
    rule: str
    reason: str
    by: str | None


class IntroducerOut(Schema):
    id: int
    member: str | None = Field(description="Member code; null for the Youth Union committee")
    full_name: str | None
    youth_union_body: str
    months_together: int
    introduced_on: str
    active: bool = Field(description="False once replaced")
    replaced_on: str | None
    replaces: str | None = Field(description="Member code of the introducer this one replaced")
    replacement_reason: str | None = Field(description="moved, disciplined or other")
    replacement_note: str
    document_number: str


class CandidateDetail(CandidateOut):
    mentor: str | None
    youth_union_exists: bool
    introducers: list[IntroducerOut]
    member: CandidateMemberOut | None
    allowed_steps: list[str]
    certificate: CertificateOut | None
    path: list[PathStepOut]
    recognition_votes: list[RecognitionVoteOut]
    overrides: list[OverrideOut]


class CandidatePage(Schema):
    items: list[CandidateOut]
    next: str | None = Field(description="Pass it as `cursor` for the next page; null: the last")
    total: int
    counts: dict[str, int]
    overdue: int


class ProbationItem(Schema):
    member_code: str
    full_name: str
    org: str
    ceremony_on: str
    probation_ends_on: str
    vote_due: str
    state: str = Field(description="upcoming, due or overdue")


class ProbationOut(Schema):
    items: list[ProbationItem]


class OverrideCreated(Schema):
    id: int
    stage: str
    rule_key: str
    reason: str


def _dict(request: HttpRequest, candidate: Any, *, full: bool = False) -> dict[str, Any]:
    return selectors.to_dict(
        candidate,
        today=timezone.localdate(),
        full=full,
        sensitive=scope_for(request.user, Cap.MEMBER_VIEW_SENSITIVE).covers(candidate.org),
    )


@router.get("", response=CandidatePage, exclude_unset=True, summary="List candidates in scope")
def candidate_list(request: HttpRequest, filters: Query[ListFilters]) -> dict[str, Any]:
    require_cap(request.user, Cap.MEMBER_VIEW)  # as the page: the sysadmin reads no candidate
    org = org_ref(request.user, filters.org, "org") if filters.org else None
    flt = selectors.BoardFilter(
        org=org,
        category=filters.category,
        stage=filters.stage,
        overdue=filters.overdue,
        include_closed=filters.include_closed,
        history_overdue=filters.history_overdue,
        escalated=filters.escalated,
    )
    qs, counts, overdue = selectors.board(request.user, flt, timezone.localdate())
    total = qs.count()
    # The board's order (next deadline first, then the name), the undated last on every database.
    qs = qs.select_related("member").annotate(due=Coalesce("next_due", NO_DEADLINE))
    rows, after = keyset_page(qs, ("due", "name_folded", "id"), filters.limit, filters.cursor)
    selectors.audit_list_read(
        request.user, rows, {"api": True, "org": filters.org, "stage": filters.stage}
    )
    return {
        "items": [_dict(request, c) for c in rows],
        "next": after,
        "total": total,
        "counts": counts,
        "overdue": overdue,
    }


@router.post(
    "",
    response={201: CandidateDetail},
    exclude_unset=True,
    summary="Register an outstanding candidate",
)
def candidate_register(request: HttpRequest, payload: RegisterIn) -> Status:
    org = org_ref(request.user, payload.org, "org")
    try:
        mentor = get_member_for(request.user, payload.mentor.strip())
    except Http404 as exc:  # a member outside scope: report it on the field
        raise ValidationError(
            {
                "mentor": [
                    _("No member with code %(code)s in your scope.") % {"code": payload.mentor}
                ]
            }
        ) from exc
    candidate = services.candidate_register(
        actor=request.user,
        org=org,
        full_name=payload.full_name,
        date_of_birth=payload.date_of_birth,
        gender=payload.gender,
        category=payload.category,
        registered_on=payload.registered_on,
        mentor=mentor,
        youth_union_exists=payload.youth_union_exists,
        education_level=payload.education_level.strip(),
        ethnicity=payload.ethnicity,
        citizen_id=payload.citizen_id,
        phone=payload.phone,
        note=payload.note,
        confirm=payload.confirm,
    )
    return created(_dict(request, candidate, full=True))


@router.get(
    "/probation-watch",
    response=ProbationOut,
    summary="Probationary members due or overdue for recognition",
)
def probation_watch(request: HttpRequest, org: str = "") -> dict[str, Any]:
    require_cap(request.user, Cap.MEMBER_VIEW)
    root = org_ref(request.user, org, "org") if org else None
    rows = selectors.probation_watch(request.user, timezone.localdate(), org=root)
    audit_members_read(
        request.user, [r.member for r in rows], {"view": "admissions.probation_watch", "api": True}
    )
    return {
        "items": [
            {
                "member_code": r.member.member_code,
                "full_name": r.member.full_name,
                "org": r.member.org.code,
                "ceremony_on": r.member.ceremony_on.isoformat(),
                "probation_ends_on": r.member.probation_ends_on.isoformat(),
                "vote_due": r.vote_due.isoformat(),
                "state": r.state,
            }
            for r in rows
        ]
    }


@router.get(
    "/{int:candidate_id}",
    response=CandidateDetail,
    exclude_unset=True,
    summary="A candidate with the whole path",
)
def candidate_detail(request: HttpRequest, candidate_id: int) -> dict[str, Any]:
    return _dict(request, selectors.candidate_detail(request.user, candidate_id), full=True)


@router.post(
    "/{int:candidate_id}/steps/{stage}",
    response=CandidateDetail,
    exclude_unset=True,
    summary="Record one step of the path",
)
def candidate_step(
    request: HttpRequest, candidate_id: int, stage: str, payload: StepIn
) -> dict[str, Any]:
    if stage not in Stage.values:
        raise ValidationError({"stage": [_("Unknown step.")]})
    candidate = selectors.get_candidate_for(request.user, candidate_id, write=True, stage=stage)
    introducers = []
    for item in payload.introducers:
        try:
            introducers.append(
                (get_member_for(request.user, item.member.strip()), item.months_together)
            )
        except Http404 as exc:
            raise ValidationError(
                {
                    "introducers": [
                        _("No member with code %(code)s in your scope.") % {"code": item.member}
                    ]
                }
            ) from exc
    services.candidate_record_step(
        actor=request.user,
        candidate=candidate,
        stage=stage,
        done_on=payload.done_on,
        document_number=payload.document_number,
        note=payload.note,
        data=payload.data,
        introducers=introducers,
        expected_version=payload.version,
    )
    return _dict(request, selectors.get_candidate_for(request.user, candidate_id), full=True)


@router.post(
    "/{int:candidate_id}/decision-received",
    response=CandidateDetail,
    exclude_unset=True,
    summary="Record the date the cell received the admission decision",
)
def candidate_decision_received(
    request: HttpRequest, candidate_id: int, payload: DecisionReceivedIn
) -> dict[str, Any]:
    candidate = selectors.get_candidate_for(
        request.user, candidate_id, write=True, stage=Stage.CEREMONY
    )
    services.candidate_record_decision_receipt(
        actor=request.user,
        candidate=candidate,
        received_on=payload.received_on,
        expected_version=payload.version,
    )
    return _dict(request, selectors.get_candidate_for(request.user, candidate_id), full=True)


@router.post(
    "/{int:candidate_id}/member-history",
    response=CandidateDetail,
    exclude_unset=True,
    summary="Record the date the new member declared the personal history",
)
def candidate_member_history(
    request: HttpRequest, candidate_id: int, payload: MemberHistoryIn
) -> dict[str, Any]:
    candidate = selectors.get_candidate_for(
        request.user, candidate_id, write=True, stage=Stage.CEREMONY
    )
    services.candidate_record_member_history(
        actor=request.user,
        candidate=candidate,
        declared_on=payload.declared_on,
        late_reason=payload.late_reason,
        expected_version=payload.version,
    )
    return _dict(request, selectors.get_candidate_for(request.user, candidate_id), full=True)


@router.post(
    "/{int:candidate_id}/education",
    response=CandidateDetail,
    exclude_unset=True,
    summary="Record or correct the candidate's education level",
)
def candidate_education(
    request: HttpRequest, candidate_id: int, payload: EducationIn
) -> dict[str, Any]:
    candidate = selectors.get_candidate_for(request.user, candidate_id, write=True)
    services.candidate_set_education(
        actor=request.user,
        candidate=candidate,
        education_level=payload.education_level.strip(),
        expected_version=payload.version,
    )
    return _dict(request, selectors.get_candidate_for(request.user, candidate_id), full=True)


@router.post(
    "/{int:candidate_id}/introducers/{int:introducer_id}/replace",
    response=CandidateDetail,
    exclude_unset=True,
    summary="The cell assigns another introducer (the former moved or was disciplined)",
)
def candidate_replace_introducer(
    request: HttpRequest, candidate_id: int, introducer_id: int, payload: ReplaceIntroducerIn
) -> dict[str, Any]:
    candidate = selectors.get_candidate_for(request.user, candidate_id, write=True)
    introducer = candidate.introducers.filter(pk=introducer_id).first()
    if introducer is None:
        raise Http404(_("No such introducer for this candidate."))
    try:
        member = get_member_for(request.user, payload.member.strip())
    except Http404 as exc:
        raise ValidationError(
            {
                "member": [
                    _("No member with code %(code)s in your scope.") % {"code": payload.member}
                ]
            }
        ) from exc
    services.candidate_replace_introducer(
        actor=request.user,
        candidate=candidate,
        introducer=introducer,
        member=member,
        replaced_on=payload.replaced_on,
        reason=payload.reason.strip(),
        reason_text=payload.reason_text,
        months_together=payload.months_together,
        document_number=payload.document_number,
        expected_version=payload.version,
    )
    return _dict(request, selectors.get_candidate_for(request.user, candidate_id), full=True)


@router.post(
    "/{int:candidate_id}/override",
    response={201: OverrideCreated},
    summary="Record a committee override of a failed check",
)
def candidate_override(request: HttpRequest, candidate_id: int, payload: OverrideIn) -> Status:
    candidate = selectors.get_candidate_for(
        request.user, candidate_id, write=True, stage="override"
    )
    override = services.candidate_override(
        actor=request.user,
        candidate=candidate,
        stage=payload.stage,
        rule_key=payload.rule_key,
        reason=payload.reason,
    )
    return created(
        {
            "id": override.pk,
            "stage": override.stage,
            "rule_key": override.rule_key,
            "reason": override.reason,
        }
    )


# --- the admission dossier -----------------------------------------------------------------


class DossierIssueIn(Schema):
    signer: str = Field("", max_length=120)
    signer_title: str = Field("", max_length=60)


def _entry(e: Any) -> dict[str, Any]:
    return {
        "kind": e.kind,
        "label": e.label,
        "step_done_on": e.step.done_on if e.step else None,
        "issuer": e.issuer.code if e.issuer else None,
        "applicable": e.applicable,
        "symbol": e.symbol,
        "document": e.document.pk if e.document else None,
        "may_issue": e.may_issue,
    }


class DossierEntryOut(Schema):
    kind: str
    label: str
    step_done_on: dt.date | None = Field(description="When the admission step was done")
    issuer: str | None = Field(description="Code of the org that issues the document")
    applicable: bool
    symbol: str = Field(description="Its number and symbol once entered in the register")
    document: int | None = Field(description="The document in the register")
    may_issue: bool = Field(description="The caller may enter it in the register now")


class DossierOut(Schema):
    items: list[DossierEntryOut]


@router.get(
    "/{int:candidate_id}/dossier",
    response=DossierOut,
    summary="The admission dossier's documents",
)
def candidate_dossier(request: HttpRequest, candidate_id: int) -> dict[str, Any]:
    from chibo.admissions import dossier

    candidate = selectors.get_candidate_for(request.user, candidate_id)
    return {"items": [_entry(e) for e in dossier.entries(request.user, candidate)]}


class DossierIssued(Schema):
    kind: str
    document: int
    symbol: str
    org: str


@router.post(
    "/{int:candidate_id}/dossier/{kind}",
    response={201: DossierIssued},
    summary="Enter one dossier document in its issuing body's register (numbered)",
)
def candidate_dossier_issue(
    request: HttpRequest, candidate_id: int, kind: str, payload: DossierIssueIn
) -> Status:
    from chibo.admissions import dossier

    candidate = selectors.get_candidate_for(request.user, candidate_id)
    if kind not in dossier.KINDS:
        raise Http404(_("No such document in the admission dossier."))
    document = dossier.dossier_issue(
        actor=request.user,
        candidate=candidate,
        kind=kind,
        signer=payload.signer,
        signer_title=payload.signer_title,
    )
    return created(
        {
            "kind": kind,
            "document": document.pk,
            "symbol": document.symbol,
            "org": document.org.code,
        }
    )


@router.get(
    "/{int:candidate_id}/dossier/{kind}/docx",
    summary="One dossier document as DOCX",
    openapi_extra=file_response(DOCX_TYPE),
)
def candidate_dossier_docx(request: HttpRequest, candidate_id: int, kind: str) -> HttpResponse:
    from chibo.admissions import dossier
    from chibo.admissions.views import dossier_download

    candidate = selectors.get_candidate_for(request.user, candidate_id)
    if kind not in dossier.KINDS:
        raise Http404(_("No such document in the admission dossier."))
    return dossier_download(request.user, candidate, kind)
