"""Reads for oversight, always from the actor's scope; reads of a person's case are audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from chibo.core import audit
from chibo.core.roles import Cap
from chibo.core.scoping import scope_for
from chibo.members.models import Member
from chibo.orgs.models import Org
from chibo.oversight.evaluation import evaluation_summary  # noqa: F401  (re-exported for the reports app)
from chibo.oversight.models import CaseStatus, DisciplineCase, Inspection, InspectionStatus


def inspections_for(actor: Any) -> QuerySet[Inspection]:
    """Inspections run by a committee in scope, or of an org or member in scope."""
    scope = scope_for(actor, Cap.MEMBER_VIEW)
    if scope.is_empty:
        return Inspection.objects.none()
    return Inspection.objects.filter(
        scope.q("org__") | scope.q("target_org__") | scope.q("target_member__org__")
    ).select_related("org", "target_org", "target_member")


def get_inspection_for(actor: Any, pk: int, *, write: bool = False) -> Inspection:
    inspection = inspections_for(actor).filter(pk=pk).first()
    if inspection is None:
        raise Http404(_("No such inspection in your scope."))
    if write and not scope_for(actor, Cap.OVERSIGHT_MANAGE).covers(inspection.org):
        raise PermissionDenied(_("Your role may view this inspection but not change it."))
    return inspection


def cases_for(actor: Any) -> QuerySet[DisciplineCase]:
    scope = scope_for(actor, Cap.MEMBER_VIEW)
    if scope.is_empty:
        return DisciplineCase.objects.none()
    return DisciplineCase.objects.filter(scope.q("org__")).select_related(
        "member", "subject_org", "org", "deciding_org"
    )


def get_case_for(actor: Any, pk: int, *, write: bool = False) -> DisciplineCase:
    """The case (404 outside scope; 403 on write without the right); reading it is audited."""
    case = cases_for(actor).filter(pk=pk).first()
    if case is None:
        raise Http404(_("No such discipline case in your scope."))
    if write:
        cap = Cap.OVERSIGHT_PROPOSE if case.member_id else Cap.OVERSIGHT_MANAGE
        target = case.org if case.member_id else (case.org.parent or case.org)
        if not scope_for(actor, cap).covers(target):
            raise PermissionDenied(_("Your role may view this case but not change it."))
    else:
        audit.record(
            actor=actor,
            action="oversight.case_view",
            object_type="discipline_case",
            object_id=case.pk,
            data={"member": case.member.member_code if case.member else ""},
        )
    return case


def discipline_timeline(member: Member) -> QuerySet[DisciplineCase]:
    """The member's decided disciplines, newest first (part of the member's timeline)."""
    return (
        DisciplineCase.objects.filter(member=member, status=CaseStatus.DECIDED)
        .select_related("deciding_org")
        .order_by("-effective_on", "-id")
    )


@dataclass
class CoverageRow:
    org: Org
    in_period: int
    last_on: dt.date | None

    @property
    def never(self) -> bool:
        return self.last_on is None


def coverage(actor: Any, root: Org, date_from: dt.date, date_to: dt.date) -> list[CoverageRow]:
    """Every open school org under ``root``: inspections/supervisions in the period, and the last one ever.

    An inspection counts for an org when it targets the org, or a member of
    it, and is not cancelled; ``last_on`` None means never inspected.
    """
    if not scope_for(actor, Cap.MEMBER_VIEW).covers(root):
        raise Http404(_("No such party organization in your scope."))
    schools = list(
        Org.objects.filter(root.subtree_filter(), closed_on__isnull=True)
        .exclude(school_level="")
        .order_by("path")
    )
    base = Inspection.objects.filter(
        root.subtree_filter("target_org__") | root.subtree_filter("target_member__org__")
    )
    base = base.exclude(status=InspectionStatus.CANCELLED)
    hits: list[tuple[str, dt.date, dt.date]] = []
    for org_path, member_path, starts, ends in base.values_list(
        "target_org__path", "target_member__org__path", "starts_on", "ends_on"
    ):
        hits.append((org_path or member_path, starts, ends))
    rows = []
    for school in schools:
        mine = [(s, e) for path, s, e in hits if path and school.path <= path < school.path_bound]
        in_period = sum(1 for s, e in mine if s <= date_to and e >= date_from)
        last = max((s for s, _e in mine if s <= date_to), default=None)
        rows.append(CoverageRow(school, in_period, last))
    return rows


def overdue_followups(actor: Any, today: dt.date) -> Any:
    from chibo.oversight.models import FollowUp

    scope = scope_for(actor, Cap.MEMBER_VIEW)
    if scope.is_empty:
        return FollowUp.objects.none()
    return (
        FollowUp.objects.filter(
            scope.q("inspection__org__"), done_on__isnull=True, due_on__lt=today
        )
        .filter(~Q(inspection__status=InspectionStatus.CANCELLED))
        .select_related("inspection")
    )


def audit_case_list(user: Any, rows: list[Any]) -> None:
    """Audit a page of discipline cases read (page or API): the members whose cases it shows."""
    codes = [c.member.member_code for c in rows if c.member_id]
    if codes:
        audit.record(
            actor=user, action="oversight.case_list", object_type="member", data={"members": codes}
        )
