"""Reads of candidates and probationary members, from the actor's scope, reads audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from chibo.admissions import checks
from chibo.admissions.models import CLOSED, COMMITTEE_STEPS, PATH, Candidate, CandidateStep, Stage
from chibo.admissions.path import allowed_stages, next_stage, youth_union_needed
from chibo.core import audit
from chibo.core.roles import Cap
from chibo.core.scoping import scope_for
from chibo.members.models import ON_ROLLS, Member
from chibo.members.selectors import members_for
from chibo.orgs.models import Org

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Certificate:
    number: str
    issuer: str
    issued_on: dt.date


def awareness_certificate_for(candidate: Candidate) -> Certificate | None:
    """The candidate's awareness-course certificate (bồi dưỡng nhận thức về Đảng).

    For now it is the one recorded on the course step; the training app will
    supply it from its own records later (keep this signature).
    """
    step = candidate.steps.filter(stage=Stage.COURSE).order_by("-done_on", "-id").first()
    if step is None:
        return None
    return Certificate(
        step.data.get("cert_number", ""), step.data.get("cert_issuer", ""), step.done_on
    )


def candidates_for(actor: Any, cap: str = Cap.MEMBER_VIEW) -> QuerySet[Candidate]:
    scope = scope_for(actor, cap)
    if scope.is_empty:
        return Candidate.objects.none()
    return Candidate.objects.filter(scope.q("org__"))


def get_candidate_for(actor: Any, pk: int, *, write: bool = False, stage: str = "") -> Candidate:
    """404 outside the actor's scope; 403 when the actor may see but not record this step."""
    candidate = (
        candidates_for(actor).select_related("org", "mentor", "member").filter(pk=pk).first()
    )
    if candidate is None:
        raise Http404(_("No such candidate in your scope."))
    if write:
        cap = (
            Cap.ADMISSION_DECIDE
            if stage in COMMITTEE_STEPS or stage == "override"
            else Cap.MEMBER_CHANGE
        )
        if not scope_for(actor, cap).covers(candidate.org):
            raise PermissionDenied(_("Your role may view this candidate but not record this step."))
    return candidate


def candidate_detail(actor: Any, pk: int) -> Candidate:
    candidate = get_candidate_for(actor, pk)
    audit.record(
        actor=actor, action="admissions.view", object_type="candidate", object_id=candidate.pk
    )
    return candidate


@dataclass
class BoardFilter:
    org: Org | None = None
    category: str = ""
    stage: str = ""
    overdue: bool = False
    include_closed: bool = False
    # Issue 20: personal histories past their deadline; cases sent to the upper committee.
    history_overdue: bool = False
    escalated: bool = False


def board(
    actor: Any, flt: BoardFilter, today: dt.date
) -> tuple[QuerySet[Candidate], dict[str, int], int]:
    """Candidates of the filter, counts per stage (of the org and category), overdue count."""
    qs = candidates_for(actor).select_related("org")
    if flt.org is not None:
        qs = qs.filter(flt.org.subtree_filter("org__"))
    if flt.category:
        qs = qs.filter(category=flt.category)
    counts = dict(qs.values_list("stage").annotate(n=Count("id")).order_by())
    overdue = qs.exclude(stage__in=CLOSED).filter(next_due__lt=today).count()
    if flt.stage:
        qs = qs.filter(stage=flt.stage)
    elif not flt.include_closed:
        qs = qs.exclude(stage__in=CLOSED)
    if flt.overdue:
        qs = qs.exclude(stage__in=CLOSED).filter(next_due__lt=today)
    if flt.history_overdue:
        qs = qs.exclude(stage__in=CLOSED).filter(
            history_declared_on__isnull=True, history_due_on__lt=today
        )
    if flt.escalated:
        qs = qs.exclude(stage__in=CLOSED).filter(escalated_on__isnull=False)
    return qs.order_by("next_due", "name_folded", "id"), counts, overdue


def board_flags(actor: Any, flt: BoardFilter, today: dt.date) -> dict[str, int]:
    """Open cases of the board's org and category with a personal history overdue, and
    those sent to the upper committee (issue 20): the board links to each."""
    qs = candidates_for(actor).exclude(stage__in=CLOSED)
    if flt.org is not None:
        qs = qs.filter(flt.org.subtree_filter("org__"))
    if flt.category:
        qs = qs.filter(category=flt.category)
    return {
        "history_overdue": qs.filter(
            history_declared_on__isnull=True, history_due_on__lt=today
        ).count(),
        "escalated": qs.filter(escalated_on__isnull=False).count(),
    }


def audit_list_read(actor: Any, candidates: list[Candidate], context: dict[str, Any]) -> None:
    if candidates:
        audit.record(
            actor=actor,
            action="admissions.list",
            object_type="candidate",
            object_id="",
            data={"candidates": [c.pk for c in candidates], **context},
        )


@dataclass
class PathRow:
    stage: str
    label: StrOrPromise
    step: CandidateStep | None
    state: str  # done | next | todo | skipped
    committee: bool


def path_rows(candidate: Candidate) -> list[PathRow]:
    """The whole path: what is done (date, document, who), what is next, what is missing."""
    steps = {s.stage: s for s in candidate.steps.select_related("actor").order_by("done_on", "id")}
    nxt = next_stage(candidate)
    skip_youth = not youth_union_needed(candidate)
    rows = []
    for stage in PATH:
        step = steps.get(stage)
        if step is not None:
            state = "done"
        elif stage == Stage.YOUTH_UNION and skip_youth:
            state = "skipped"
        elif stage == nxt:
            state = "next"
        else:
            state = "todo"
        rows.append(PathRow(stage, Stage(stage).label, step, state, stage in COMMITTEE_STEPS))
    for stage in (Stage.WITHDRAWN, Stage.REJECTED, Stage.NOT_RECOGNIZED):
        if stage in steps:
            rows.append(
                PathRow(stage, Stage(stage).label, steps[stage], "done", stage in COMMITTEE_STEPS)
            )
    return rows


def introducers_of(candidate: Candidate) -> list[Any]:
    """Everyone who introduced the candidate, replaced ones included, in the order recorded."""
    return list(
        candidate.introducers.select_related("member", "replaces__member", "assigned_by").order_by(
            "id"
        )
    )


def introducer_dict(i: Any) -> dict[str, Any]:
    return {
        "id": i.pk,
        "member": i.member.member_code if i.member_id else None,
        "full_name": i.member.full_name if i.member_id else None,
        "youth_union_body": i.youth_union_body,
        "months_together": i.months_together,
        "introduced_on": i.introduced_on.isoformat(),
        "active": i.replaced_on is None,
        "replaced_on": i.replaced_on.isoformat() if i.replaced_on else None,
        "replaces": i.replaces.member.member_code
        if i.replaces_id and i.replaces.member_id
        else None,
        "replacement_reason": i.replacement_reason or None,
        "replacement_note": i.replacement_note,
        "document_number": i.document_number,
    }


def to_dict(
    candidate: Candidate, *, today: dt.date, sensitive: bool = False, full: bool = False
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": candidate.pk,
        "full_name": candidate.full_name,
        "date_of_birth": candidate.date_of_birth.isoformat(),
        "gender": candidate.gender,
        "category": candidate.category,
        "org": candidate.org.code,
        "stage": candidate.stage,
        "stage_on": candidate.stage_on.isoformat(),
        "next_step": next_stage(candidate),
        "next_due": candidate.next_due.isoformat() if candidate.next_due else None,
        "overdue": bool(
            candidate.next_due and candidate.next_due < today and candidate.stage not in CLOSED
        ),
        "member_code": candidate.member.member_code if candidate.member is not None else None,
        "version": candidate.version,
        "education_level": candidate.education_level or None,
        "decision_received_on": (
            candidate.decision_received_on.isoformat() if candidate.decision_received_on else None
        ),
        "member_history": history_dict(candidate, today),
        "escalated_on": candidate.escalated_on.isoformat() if candidate.escalated_on else None,
    }
    if sensitive:
        out.update(citizen_id=candidate.citizen_id, phone=candidate.phone)
    if full:
        out["mentor"] = candidate.mentor.member_code if candidate.mentor is not None else None
        out["youth_union_exists"] = candidate.youth_union_exists
        out["introducers"] = [introducer_dict(i) for i in introducers_of(candidate)]
        out["member"] = _member_dict(candidate.member) if candidate.member is not None else None
        out["allowed_steps"] = allowed_stages(candidate)
        cert = awareness_certificate_for(candidate)
        out["certificate"] = (
            {
                "number": cert.number,
                "issuer": cert.issuer,
                "issued_on": cert.issued_on.isoformat(),
                "expires_on": checks.certificate_expires(cert.issued_on, today).isoformat(),
            }
            if cert
            else None
        )
        out["path"] = [
            {
                "stage": row.stage,
                "state": row.state,
                "done_on": row.step.done_on.isoformat() if row.step else None,
                "document_number": row.step.document_number if row.step else "",
                "recorded_by": (row.step.actor.username if row.step and row.step.actor else None),
                "data": row.step.data if row.step else {},
            }
            for row in path_rows(candidate)
        ]
        out["recognition_votes"] = [
            {
                "done_on": step.done_on.isoformat(),
                "passed": step.stage == Stage.RECOGNITION_VOTE,
                "document_number": step.document_number,
                "full_members": step.data.get("full_members"),
                "absent_excluded": step.data.get("absent_excluded"),
                "votes_for": step.data.get("votes_for"),
            }
            for step in recognition_votes(candidate)
        ]
        out["overrides"] = [
            {
                "stage": o.stage,
                "rule": o.rule_key,
                "reason": o.reason,
                "by": o.actor.username if o.actor else None,
            }
            for o in candidate.overrides.select_related("actor")
        ]
    return out


def history_dict(candidate: Candidate, today: dt.date) -> dict[str, Any] | None:
    """The new member's personal history: its deadline, when declared, overdue (item 8)."""
    if candidate.history_due_on is None and candidate.history_declared_on is None:
        return None
    return {
        "due_on": candidate.history_due_on.isoformat() if candidate.history_due_on else None,
        "declared_on": (
            candidate.history_declared_on.isoformat() if candidate.history_declared_on else None
        ),
        "late_reason": candidate.history_late_reason,
        "overdue": candidate.history_overdue_on(today),
    }


def recognition_votes(candidate: Candidate) -> list[CandidateStep]:
    """The cell's recognition votes, those without 2/3 and the one that passed, oldest first."""
    return list(
        candidate.steps.filter(stage__in=(Stage.RECOGNITION_VOTE_FAILED, Stage.RECOGNITION_VOTE))
        .select_related("actor")
        .order_by("done_on", "id")
    )


def _member_dict(member: Member) -> dict[str, Any]:
    """The party member the decision created (ceremony and probation empty until the ceremony)."""

    def day(value: dt.date | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "member_code": member.member_code,
        "admitted_on": day(member.admitted_on),
        "ceremony_on": day(member.ceremony_on),
        "probation_ends_on": day(member.probation_ends_on),
        "recognized_on": day(member.recognized_on),
        "is_full": member.is_full,
    }


@dataclass
class WatchRow:
    member: Member
    vote_due: dt.date
    state: str  # upcoming | due | overdue


def probation_watch(
    actor: Any, today: dt.date, *, org: Org | None = None, horizon_days: int = 45
) -> list[WatchRow]:
    """Probationary members whose recognition is coming, due or overdue.

    Due: probation has ended and the cell's vote is within its 30 working
    days (recognition.vote_working_days); overdue: past them; upcoming:
    probation ends within ``horizon_days``. Members admitted whose ceremony
    is still to be held have no probation yet and are not listed (the board
    follows their ceremony deadline).
    """
    qs = members_for(actor).filter(
        is_full=False,
        status__in=ON_ROLLS,
        probation_ends_on__isnull=False,
        probation_ends_on__lte=today + dt.timedelta(days=horizon_days),
    )
    if org is not None:
        qs = qs.filter(org.subtree_filter("org__"))
    rows = []
    for member in qs.select_related("org").order_by("probation_ends_on", "name_folded"):
        ends_on = member.probation_ends_on
        assert ends_on is not None  # filtered above
        due = checks.deadline("recognition.vote_working_days", ends_on)
        if ends_on > today:
            state = "upcoming"
        elif today <= due:
            state = "due"
        else:
            state = "overdue"
        rows.append(WatchRow(member, due, state))
    return rows


def can_record(actor: Any, candidate: Candidate, stage: str) -> bool:
    cap = Cap.ADMISSION_DECIDE if stage in COMMITTEE_STEPS else Cap.MEMBER_CHANGE
    return scope_for(actor, cap).covers(candidate.org)


def mentor_choices(org: Org) -> QuerySet[Member]:
    return Member.objects.filter(org=org, status__in=ON_ROLLS, is_full=True).order_by("name_folded")
