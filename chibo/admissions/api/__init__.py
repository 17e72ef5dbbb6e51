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

The routes are here (their operation ids name this module); what they take and answer is in
``schemas``, the conversions from the models in ``convert``.
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
from ninja import Query, Router, Status

from chibo.admissions import selectors, services
from chibo.admissions.api.convert import _dict, _entry, _probation_item
from chibo.admissions.api.schemas import (
    CandidateDetail,
    CandidatePage,
    DecisionReceivedIn,
    DossierIssued,
    DossierIssueIn,
    DossierOut,
    EducationIn,
    ListFilters,
    MemberHistoryIn,
    OverrideCreated,
    OverrideIn,
    ProbationOut,
    RegisterIn,
    ReplaceIntroducerIn,
    StepIn,
)
from chibo.admissions.models import Stage
from chibo.apitools import (
    created,
    file_response,
    keyset_page,
    org_ref,
    require_cap,
)
from chibo.core.roles import Cap
from chibo.core.web import DOCX_TYPE
from chibo.members.selectors import audit_list_read as audit_members_read
from chibo.members.selectors import get_member_for

router = Router(tags=["admissions"])


NO_DEADLINE = Value(dt.date(9999, 12, 31), output_field=DateField())


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
    return {"items": [_probation_item(r) for r in rows]}


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


@router.get(
    "/{int:candidate_id}/dossier",
    response=DossierOut,
    summary="The admission dossier's documents",
)
def candidate_dossier(request: HttpRequest, candidate_id: int) -> dict[str, Any]:
    from chibo.admissions import dossier

    candidate = selectors.get_candidate_for(request.user, candidate_id)
    return {"items": [_entry(e) for e in dossier.entries(request.user, candidate)]}


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
