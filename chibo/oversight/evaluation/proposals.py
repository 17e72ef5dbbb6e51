"""Writing evaluations: the cell proposes members' grades, the committee confirms them; the same
for an organization's own grade.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.core import audit
from chibo.core.roles import Cap
from chibo.core.rules import RuleViolation
from chibo.core.scoping import require_cap_on
from chibo.members.models import Member
from chibo.orgs.models import Org
from chibo.oversight.evaluation.rules import (
    CapStatus,
    cap_status,
    cap_warning,
    failed_before,
    grassroots_unit,
    resolve_grade,
    year_rules,
)
from chibo.oversight.models import EvalStatus, Grade, MemberEvaluation, OrgEvaluation


@dataclass
class Entry:
    member: Member
    grade: str = ""
    score: int | None = None
    note: str = ""


@dataclass
class ProposalResult:
    saved: list[MemberEvaluation] = field(default_factory=list)
    cap: CapStatus | None = None
    failed_twice: list[Member] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        out = []
        if self.cap is not None and not self.cap.ok:
            out.append(cap_warning(self.cap))
        for member in self.failed_twice:
            out.append(
                _(
                    "%(name)s is graded KHTNV two years running: a ground for removal from the rolls."
                )
                % {"name": member.full_name}
            )
        return out


def evaluations_propose(
    *, actor: Any, cell: Org, year: int, entries: list[Entry]
) -> ProposalResult:
    """The cell proposes grades for its members (upserts); returns the cap and two-year flags."""
    require_cap_on(actor, cell, Cap.OVERSIGHT_PROPOSE)
    scheme, _cap = year_rules(year)
    if year > timezone.localdate().year:
        raise ValidationError({"year": [_("The year has not started yet.")]})
    today = timezone.localdate()
    resolved: list[tuple[Entry, str, int | None]] = []
    errors: dict[str, list[str]] = {}
    for entry in entries:
        if entry.member.org_id != cell.pk:
            errors[entry.member.member_code] = [_("Not a member of this cell.")]
            continue
        if not entry.grade and entry.score is None:
            continue
        try:
            grade, score = resolve_grade(scheme, entry.grade, entry.score)
        except ValidationError as exc:
            errors[entry.member.member_code] = exc.messages
            continue
        resolved.append((entry, grade, score))
    if errors:
        raise ValidationError(errors)
    existing = {
        e.member_id: e
        for e in MemberEvaluation.objects.filter(
            year=year, member_id__in=[e.member.pk for e, _g, _s in resolved]
        )
    }
    locked = [
        e.member.full_name
        for e, _g, _s in resolved
        if e.member.pk in existing and existing[e.member.pk].status == EvalStatus.CONFIRMED
    ]
    if locked:
        raise ValidationError(
            _("Already confirmed by the committee: %(names)s.") % {"names": ", ".join(locked)}
        )
    result = ProposalResult()
    with transaction.atomic():
        for entry, grade, score in resolved:
            row = existing.get(entry.member.pk) or MemberEvaluation(member=entry.member, year=year)
            row.org = cell
            row.score = score
            row.proposed_grade = grade
            row.note = entry.note.strip()[:255]
            row.proposed_on = today
            row.save()
            result.saved.append(row)
        if result.saved:
            audit.record(
                actor=actor,
                action="oversight.evaluation_propose",
                object_type="org",
                object_id=cell.code,
                data={
                    "year": year,
                    "grades": {r.member.member_code: r.proposed_grade for r in result.saved},
                },
            )
    result.cap = cap_status(grassroots_unit(cell), year)
    failing = [r.member_id for r in result.saved if r.proposed_grade == Grade.FAILED]
    twice = failed_before(failing, year)
    result.failed_twice = [r.member for r in result.saved if r.member_id in twice]
    return result


def evaluations_confirm(
    *, actor: Any, unit: Org, year: int, overrides: dict[int, str] | None = None
) -> int:
    """The committee confirms its unit's proposals (optionally changing grades); refused if the cap breaks."""
    require_cap_on(actor, unit, Cap.OVERSIGHT_MANAGE)
    overrides = overrides or {}
    bad = [g for g in overrides.values() if g not in Grade.values]
    if bad:
        raise ValidationError({"grade": [_("Choose a grade.")]})
    rows = list(
        MemberEvaluation.objects.filter(unit.subtree_filter("org__"), year=year).select_related(
            "member"
        )
    )
    pending = {r.member_id: overrides.get(r.member_id, r.final_grade) for r in rows}
    cap = cap_status(unit, year, pending)
    if not cap.ok:
        raise RuleViolation(cap.rule, cap_warning(cap))
    today = timezone.localdate()
    changed = 0
    with transaction.atomic():
        for row in rows:
            grade = pending[row.member_id]
            if row.status == EvalStatus.CONFIRMED and row.grade == grade:
                continue
            row.grade = grade
            row.status = EvalStatus.CONFIRMED
            row.confirmed_on = today
            row.save(update_fields=["grade", "status", "confirmed_on"])
            changed += 1
        audit.record(
            actor=actor,
            action="oversight.evaluation_confirm",
            object_type="org",
            object_id=unit.code,
            data={
                "year": year,
                "confirmed": changed,
                "changed": {str(k): v for k, v in overrides.items()},
            },
        )
    return changed


def org_evaluation_propose(
    *, actor: Any, org: Org, year: int, grade: str = "", score: int | None = None, note: str = ""
) -> OrgEvaluation:
    require_cap_on(actor, org, Cap.OVERSIGHT_PROPOSE)
    scheme, _cap = year_rules(year)
    grade, score = resolve_grade(scheme, grade, score)
    row = OrgEvaluation.objects.filter(org=org, year=year).first() or OrgEvaluation(
        org=org, year=year
    )
    if row.status == EvalStatus.CONFIRMED:
        raise ValidationError(_("Already confirmed by the committee."))
    with transaction.atomic():
        row.score, row.proposed_grade, row.note = score, grade, note.strip()[:255]
        row.proposed_on = timezone.localdate()
        row.save()
        audit.record(
            actor=actor,
            action="oversight.org_evaluation_propose",
            object_type="org",
            object_id=org.code,
            data={"year": year, "grade": grade, "score": score},
        )
    return row


def org_evaluation_confirm(
    *, actor: Any, evaluation: OrgEvaluation, grade: str = ""
) -> OrgEvaluation:
    """The superior committee confirms an org's grade."""
    require_cap_on(actor, evaluation.org.parent or evaluation.org, Cap.OVERSIGHT_MANAGE)
    if actor is not None and evaluation.org.parent is None:
        raise ValidationError(_("The top organization is graded by the level above it."))
    final = grade or evaluation.proposed_grade
    if final not in Grade.values:
        raise ValidationError({"grade": [_("Choose a grade.")]})
    with transaction.atomic():
        evaluation.grade, evaluation.status = final, EvalStatus.CONFIRMED
        evaluation.confirmed_on = timezone.localdate()
        evaluation.save(update_fields=["grade", "status", "confirmed_on"])
        audit.record(
            actor=actor,
            action="oversight.org_evaluation_confirm",
            object_type="org",
            object_id=evaluation.org.code,
            data={"year": evaluation.year, "grade": final},
        )
    return evaluation
