"""/api/v1/oversight: inspections, coverage, discipline, evaluation — the same services as the UI.

GET  /oversight/inspections?year=&limit=&cursor=   inspections in scope (keyset pages)
POST /oversight/inspections                 plan one
GET  /oversight/inspections/{id}            detail (follow-ups, attachments)
POST /oversight/inspections/{id}/conclusion record findings and conclusion (issue_number: number it in the register)
POST /oversight/inspections/{id}/followups  add a follow-up action with its deadline
GET  /oversight/coverage?org=&date_from=&date_to=   school orgs inspected in the period / never
GET  /oversight/discipline?status=&limit=&cursor=  cases in scope (keyset pages)
POST /oversight/discipline                  open a case
GET  /oversight/discipline/{id}             one case (read audited)
POST /oversight/discipline/{id}/hold|release|decide|appeal
GET  /oversight/members/{code}/discipline   a member's discipline timeline
POST /oversight/evaluations                 the cell proposes grades (returns warnings)
POST /oversight/evaluations/confirm         the committee confirms a unit's grades
GET  /oversight/evaluations/summary?org=&year=   per-org/year statistics

The routes are here, in the order they are matched (their operation ids name this
module); what they take and answer is in ``schemas``, the conversions between rows
and answers in ``convert``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from chibo.apitools import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    check_text,
    created,
    keyset_page,
    org_ref,
    path_code,
    require_cap,
)
from chibo.core.roles import Cap
from chibo.orgs.selectors import get_org_for
from chibo.oversight import evaluation as ev
from chibo.oversight import selectors, services
from chibo.oversight.api.convert import _case, _date, _inspection, selectors_member
from chibo.oversight.api.schemas import (
    AppealIn,
    CaseIn,
    CaseOut,
    CasePage,
    ConclusionIn,
    ConfirmIn,
    ConfirmOut,
    CoverageOut,
    DecideIn,
    EvaluationSummaryOut,
    FollowUpIn,
    HoldIn,
    InspectionDetail,
    InspectionIn,
    InspectionPage,
    MemberDisciplineOut,
    ProposalOut,
    ProposeIn,
    ReleaseIn,
)

router = Router(tags=["oversight"])


@router.get(
    "/inspections", response=InspectionPage, summary="Inspections and supervisions in scope"
)
def inspection_list(
    request: HttpRequest,
    year: int | None = Query(None, ge=2000, le=2100),
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    cursor: str = Query("", max_length=500, description="`next` of the page before"),
) -> dict[str, Any]:
    require_cap(request.user, Cap.MEMBER_VIEW)
    qs = selectors.inspections_for(request.user).select_related(
        "org", "target_org", "target_member"
    )
    if year:
        qs = qs.filter(year=year)
    rows, after = keyset_page(qs, ("-year", "starts_on", "id"), limit, cursor)
    return {"items": [_inspection(i) for i in rows], "next": after}


@router.post(
    "/inspections", response={201: InspectionDetail}, summary="Plan an inspection or supervision"
)
def inspection_create(request: HttpRequest, payload: InspectionIn) -> Status:
    require_cap(request.user, Cap.OVERSIGHT_MANAGE)
    org = org_ref(request.user, payload.org, "org")
    target_org = (
        org_ref(request.user, payload.target_org, "target_org") if payload.target_org else None
    )
    target_member = None
    if payload.target_member:
        check_text(payload.target_member, "target_member")
        target_member = selectors_member(request.user, payload.target_member)
    item = services.inspection_plan(
        actor=request.user,
        org=org,
        year=payload.year,
        kind=payload.kind,
        topic=check_text(payload.topic, "topic"),
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        target_org=target_org,
        target_member=target_member,
        team=check_text(payload.team, "team"),
    )
    return created(_inspection(item, full=True))


@router.get(
    "/inspections/{int:inspection_id}",
    response=InspectionDetail,
    summary="One inspection with follow-ups and documents",
)
def inspection_detail(request: HttpRequest, inspection_id: int) -> dict[str, Any]:
    return _inspection(selectors.get_inspection_for(request.user, inspection_id), full=True)


@router.post(
    "/inspections/{int:inspection_id}/conclusion",
    response=InspectionDetail,
    summary="Record findings and the conclusion",
)
def inspection_conclusion(
    request: HttpRequest, inspection_id: int, payload: ConclusionIn
) -> dict[str, Any]:
    item = selectors.get_inspection_for(request.user, inspection_id, write=True)
    services.inspection_conclude(
        actor=request.user,
        inspection=item,
        findings=check_text(payload.findings, "findings"),
        conclusion=check_text(payload.conclusion, "conclusion"),
        concluded_on=payload.concluded_on,
        conclusion_number=check_text(payload.conclusion_number, "conclusion_number"),
        issue_number=payload.issue_number,
    )
    return _inspection(item, full=True)


@router.post(
    "/inspections/{int:inspection_id}/followups",
    response={201: InspectionDetail},
    summary="Add a follow-up action",
)
def followup_create(request: HttpRequest, inspection_id: int, payload: FollowUpIn) -> Status:
    item = selectors.get_inspection_for(request.user, inspection_id, write=True)
    services.followup_add(
        actor=request.user,
        inspection=item,
        action=check_text(payload.action, "action"),
        responsible=check_text(payload.responsible, "responsible"),
        due_on=payload.due_on,
    )
    return created(_inspection(item, full=True))


@router.get(
    "/coverage",
    response=CoverageOut,
    summary="School orgs inspected or supervised in a period, and those never",
)
def coverage(
    request: HttpRequest, org: str, date_from: dt.date, date_to: dt.date
) -> dict[str, Any]:
    require_cap(request.user, Cap.MEMBER_VIEW)  # as the page: 403 before the org is looked up
    root = get_org_for(request.user, path_code(org), cap=Cap.MEMBER_VIEW)
    rows = selectors.coverage(request.user, root, date_from, date_to)
    return {
        "org": root.code,
        "date_from": date_from.isoformat(),
        "date_to": date_to.isoformat(),
        "schools": [
            {
                "org": r.org.code,
                "name": r.org.name,
                "in_period": r.in_period,
                "last_on": _date(r.last_on),
                "never": r.never,
            }
            for r in rows
        ],
        "covered": sum(1 for r in rows if r.in_period),
        "never": sum(1 for r in rows if r.never),
    }


@router.get("/discipline", response=CasePage, summary="Discipline cases in scope")
def case_list(
    request: HttpRequest,
    status: str = "",
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    cursor: str = Query("", max_length=500, description="`next` of the page before"),
) -> dict[str, Any]:
    require_cap(request.user, Cap.MEMBER_VIEW)
    qs = selectors.cases_for(request.user)
    if status:
        qs = qs.filter(status=status)
    rows, after = keyset_page(qs, ("-opened_on", "-id"), limit, cursor)
    selectors.audit_case_list(request.user, rows)
    return {"items": [_case(c) for c in rows], "next": after}


@router.post("/discipline", response={201: CaseOut}, summary="Open a discipline case")
def case_create(request: HttpRequest, payload: CaseIn) -> Status:
    require_cap(request.user, Cap.OVERSIGHT_PROPOSE)
    member = selectors_member(request.user, payload.member) if payload.member else None
    org = org_ref(request.user, payload.org, "org") if payload.org else None
    case = services.case_open(
        actor=request.user,
        member=member,
        subject_org=org,
        violation=check_text(payload.violation, "violation"),
        opened_on=payload.opened_on,
    )
    return created(_case(case))


@router.get(
    "/discipline/{int:case_id}",
    response=CaseOut,
    summary="One discipline case (the read is audited)",
)
def case_detail(request: HttpRequest, case_id: int) -> dict[str, Any]:
    return _case(selectors.get_case_for(request.user, case_id))


@router.post(
    "/discipline/{int:case_id}/hold",
    response=CaseOut,
    summary="The case waits (pregnancy, nursing, serious illness)",
)
def case_hold(request: HttpRequest, case_id: int, payload: HoldIn) -> dict[str, Any]:
    case = selectors.get_case_for(request.user, case_id, write=True)
    services.case_hold(
        actor=request.user,
        case=case,
        reason=payload.reason,
        since=payload.since,
        child_born_on=payload.child_born_on,
        note=check_text(payload.note, "note"),
    )
    return _case(case)


@router.post("/discipline/{int:case_id}/release", response=CaseOut, summary="Resume the review")
def case_release(request: HttpRequest, case_id: int, payload: ReleaseIn) -> dict[str, Any]:
    case = selectors.get_case_for(request.user, case_id, write=True)
    services.case_release(actor=request.user, case=case, on=payload.on)
    return _case(case)


@router.post(
    "/discipline/{int:case_id}/decide",
    response=CaseOut,
    summary="Decide (an expulsion records the expelled event)",
)
def case_decide(request: HttpRequest, case_id: int, payload: DecideIn) -> dict[str, Any]:
    case = selectors.get_case_for(request.user, case_id, write=True)
    deciding = org_ref(request.user, payload.deciding_org, "deciding_org")
    services.case_decide(
        actor=request.user,
        case=case,
        penalty=payload.penalty,
        deciding_org=deciding,
        decided_on=payload.decided_on,
        decision_number=check_text(payload.decision_number, "decision_number"),
        effective_on=payload.effective_on,
        received_on=payload.received_on,
        by_cell_vote=payload.by_cell_vote,
        votes_for=payload.votes_for,
        votes_total=payload.votes_total,
        post=check_text(payload.post, "post"),
    )
    return _case(case)


@router.post(
    "/discipline/{int:case_id}/appeal",
    response=CaseOut,
    summary="Record an appeal (within 30 days of receipt)",
)
def case_appeal(request: HttpRequest, case_id: int, payload: AppealIn) -> dict[str, Any]:
    case = selectors.get_case_for(request.user, case_id, write=True)
    services.case_appeal(
        actor=request.user,
        case=case,
        filed_on=payload.filed_on,
        received_on=payload.received_on,
        note=check_text(payload.note, "note"),
    )
    return _case(case)


@router.get(
    "/members/{code}/discipline",
    response=MemberDisciplineOut,
    summary="A member's discipline timeline",
)
def member_discipline(request: HttpRequest, code: str) -> dict[str, Any]:
    from chibo.members.selectors import member_detail

    member = member_detail(request.user, path_code(code))
    return {
        "member": member.member_code,
        "discipline": [_case(c) for c in selectors.discipline_timeline(member)],
    }


@router.post(
    "/evaluations",
    response=ProposalOut,
    summary="The cell proposes its members' grades (warnings: cap, KHTNV twice)",
)
def evaluations_propose(request: HttpRequest, payload: ProposeIn) -> dict[str, Any]:
    require_cap(request.user, Cap.OVERSIGHT_PROPOSE)
    cell = org_ref(request.user, payload.cell, "cell")
    members = {m.member_code: m for m in ev.evaluable_members(cell, payload.year)}
    unknown = [g.member for g in payload.grades if g.member not in members]
    if unknown:
        raise ValidationError(
            {"grades": [_("Not members of this cell: %(codes)s.") % {"codes": ", ".join(unknown)}]}
        )
    entries = [ev.Entry(members[g.member], g.grade, g.score, g.note) for g in payload.grades]
    result = ev.evaluations_propose(
        actor=request.user, cell=cell, year=payload.year, entries=entries
    )
    cap = result.cap
    return {
        "saved": [
            {
                "member": r.member.member_code,
                "grade": r.proposed_grade,
                "score": r.score,
                "status": r.status,
            }
            for r in result.saved
        ],
        "cap": None
        if cap is None
        else {"excellent": cap.excellent, "good": cap.good, "limit": cap.limit, "ok": cap.ok},
        "failed_twice": [m.member_code for m in result.failed_twice],
        "warnings": result.warnings,
    }


@router.post(
    "/evaluations/confirm",
    response=ConfirmOut,
    summary="The committee confirms a grassroots unit's grades",
)
def evaluations_confirm(request: HttpRequest, payload: ConfirmIn) -> dict[str, Any]:
    require_cap(request.user, Cap.OVERSIGHT_MANAGE)
    unit = org_ref(request.user, payload.unit, "unit")
    codes = dict(
        ev.MemberEvaluation.objects.filter(
            unit.subtree_filter("org__"),
            year=payload.year,
            member__member_code__in=list(payload.overrides),
        ).values_list("member__member_code", "member_id")
    )
    overrides = {codes[c]: g for c, g in payload.overrides.items() if c in codes}
    n = ev.evaluations_confirm(
        actor=request.user, unit=ev.require_unit(unit), year=payload.year, overrides=overrides
    )
    return {"confirmed": n, "summary": ev.evaluation_summary(request.user, unit, payload.year)}


@router.get(
    "/evaluations/summary",
    response=EvaluationSummaryOut,
    summary="Grades per org and year (aggregates)",
)
def evaluations_summary(
    request: HttpRequest, org: str, year: int | None = Query(None, ge=2000, le=2100)
) -> dict[str, Any]:
    require_cap(request.user, Cap.MEMBER_VIEW)  # as the page: 403 before the org is looked up
    root = get_org_for(request.user, path_code(org), cap=Cap.MEMBER_VIEW)
    return ev.evaluation_summary(request.user, root, year or timezone.localdate().year - 1)
