"""The annual quality evaluation (đánh giá, xếp loại chất lượng): the cell proposes, the committee confirms.

The rules for year Y are those in force on 31/12/Y: QĐ 124-QĐ/TW (2023) for
2023–2024 (grades chosen directly; HTXSNV ≤ 20% of HTTNV per grassroots
unit), QĐ 366-QĐ/TW (2025) from 2025 (a 100-point score sets the grade; the
cap kept as configuration). A proposal that breaks the cap and a member
graded KHTNV two years running are flagged, not refused; confirming a set
that breaks the cap is refused.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.core import audit
from chibo.core.roles import Cap
from chibo.core.rules import Rule, RuleMissing, RuleViolation, rule_in_force
from chibo.core.scoping import require_cap_on
from chibo.members.models import Member, Status
from chibo.orgs.models import Org, OrgKind
from chibo.orgs.selectors import get_org_for
from chibo.oversight.models import EvalStatus, Grade, MemberEvaluation, OrgEvaluation

GRADES = [Grade.EXCELLENT, Grade.GOOD, Grade.FULFILLED, Grade.FAILED]
UNIT_KINDS = (OrgKind.GRASSROOTS_COMMITTEE, OrgKind.GRASSROOTS_CELL)


def year_rules(year: int) -> tuple[Rule, Rule]:
    """(scheme, excellent cap) for the evaluation of ``year`` (the rules in force on 31/12)."""
    on = dt.date(year, 12, 31)
    try:
        return rule_in_force("evaluation.scheme", on=on), rule_in_force(
            "evaluation.excellent_cap", on=on
        )
    except RuleMissing as exc:
        raise ValidationError(
            {"year": [_("No evaluation rules are recorded for %(year)s.") % {"year": year}]}
        ) from exc


def grade_for_score(scheme: Rule, score: int) -> str:
    bands = scheme.value["bands"]
    for grade in (Grade.EXCELLENT, Grade.GOOD, Grade.FULFILLED):
        if score >= int(bands[grade]):
            return grade
    return Grade.FAILED


def resolve_grade(scheme: Rule, grade: str, score: int | None) -> tuple[str, int | None]:
    """The grade a proposal gets: from the score under QĐ 366, as chosen under QĐ 124."""
    if scheme.value.get("method") == "score":
        if score is None:
            raise RuleViolation(scheme, _("Enter the score (0–100)."), field="score")
        if not 0 <= score <= 100:
            raise ValidationError({"score": [_("The score is between 0 and 100.")]})
        derived = grade_for_score(scheme, score)
        if grade and grade != derived:
            raise RuleViolation(
                scheme,
                _("A score of %(score)s gives %(grade)s.") % {"score": score, "grade": derived},
                field="grade",
            )
        return derived, score
    if grade not in Grade.values:
        raise ValidationError({"grade": [_("Choose a grade.")]})
    if score is not None and not 0 <= score <= 100:
        raise ValidationError({"score": [_("The score is between 0 and 100.")]})
    return grade, score


def grassroots_unit(org: Org) -> Org | None:
    """The grassroots committee or grassroots cell ``org`` belongs to (itself if it is one)."""
    if org.kind in UNIT_KINDS:
        return org
    return org.ancestors().filter(kind__in=UNIT_KINDS).order_by("-path").first()


@dataclass
class CapStatus:
    unit: Org | None
    excellent: int
    good: int
    limit: int
    enabled: bool
    rule: Rule

    @property
    def ok(self) -> bool:
        return not self.enabled or self.excellent <= self.limit


def cap_status(unit: Org | None, year: int, pending: dict[int, str] | None = None) -> CapStatus:
    """HTXSNV against the cap in ``unit`` for ``year``; ``pending`` (member id → grade) overrides stored grades."""
    _scheme, rule = year_rules(year)
    grades: dict[int, str] = {}
    if unit is not None:
        rows = MemberEvaluation.objects.filter(unit.subtree_filter("org__"), year=year)
        grades = {
            mid: final
            for mid, final in (
                (r.member_id, r.final_grade)
                for r in rows.only("member_id", "grade", "proposed_grade")
            )
        }
    grades.update(pending or {})
    excellent = sum(1 for g in grades.values() if g == Grade.EXCELLENT)
    good = sum(1 for g in grades.values() if g == Grade.GOOD)
    limit = math.floor(good * float(rule.value["share_of_good"]) + 1e-9)
    return CapStatus(unit, excellent, good, limit, bool(rule.value.get("enabled", True)), rule)


def failed_before(member_ids: list[int], year: int) -> set[int]:
    """Members whose final grade for the previous year(s) was KHTNV (the removal rule's span)."""
    years = int(rule_in_force("evaluation.removal_failed_years", on=dt.date(year, 12, 31)).value)
    if years <= 1:
        return set(member_ids)
    earlier = range(year - years + 1, year)
    rows = MemberEvaluation.objects.filter(member_id__in=member_ids, year__in=earlier).filter(
        Q(grade=Grade.FAILED) | Q(grade="", proposed_grade=Grade.FAILED)
    )
    counts = rows.values("member_id").annotate(n=Count("id"))
    return {row["member_id"] for row in counts if row["n"] == len(earlier)}


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


def cap_warning(cap: CapStatus) -> str:
    return _(
        "%(excellent)s members proposed HTXSNV, but the cap allows %(limit)s (%(share)s of %(good)s HTTNV) in "
        "%(unit)s — %(citation)s."
    ) % {
        "excellent": cap.excellent,
        "limit": cap.limit,
        "share": f"{float(cap.rule.value['share_of_good']):.0%}",
        "good": cap.good,
        "unit": cap.unit.name if cap.unit else "",
        "citation": cap.rule.citation,
    }


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


# --- reads -----------------------------------------------------------------------


def evaluable_members(cell: Org, year: int) -> list[Member]:
    """Members of the cell who are evaluated for ``year``: active, admitted by the year's end."""
    return list(
        Member.objects.filter(
            org=cell, status=Status.ACTIVE, admitted_on__lte=dt.date(year, 12, 31)
        ).order_by("name_folded", "member_code")
    )


@dataclass
class GridRow:
    member: Member
    evaluation: MemberEvaluation | None
    previous: str
    failed_twice: bool


def cell_grid(cell: Org, year: int) -> list[GridRow]:
    members = evaluable_members(cell, year)
    ids = [m.pk for m in members]
    current = {
        e.member_id: e for e in MemberEvaluation.objects.filter(member_id__in=ids, year=year)
    }
    previous = {
        e.member_id: e.final_grade
        for e in MemberEvaluation.objects.filter(member_id__in=ids, year=year - 1)
    }
    failing = [mid for mid, e in current.items() if e.final_grade == Grade.FAILED]
    twice = failed_before(failing, year)
    return [GridRow(m, current.get(m.pk), previous.get(m.pk, ""), m.pk in twice) for m in members]


def evaluation_summary(actor: Any, org: Org | str, year: int) -> dict[str, Any]:
    """Grades of members and orgs in ``org``'s subtree for ``year`` (aggregates only; for the reports app).

    ``{"org", "year", "source", "members": {"HTXSNV", "HTTNV", "HTNV", "KHTNV", "proposed", "confirmed",
    "evaluated"}, "orgs": {...same grade keys..., "evaluated"}, "cap": {"excellent", "good", "limit", "ok"} |
    None, "failed_twice": n}``. 404 when ``org`` is outside the actor's scope.
    """
    if isinstance(org, str) or actor is not None:
        org = get_org_for(actor, org if isinstance(org, str) else org.code, cap=Cap.MEMBER_VIEW)
    scheme, _cap = year_rules(year)
    rows = MemberEvaluation.objects.filter(org.subtree_filter("org__"), year=year)
    members: dict[str, int] = {g: 0 for g in Grade.values}
    proposed = confirmed = 0
    failing: list[int] = []
    for member_id, grade, proposed_grade, status in rows.values_list(
        "member_id", "grade", "proposed_grade", "status"
    ):
        final = grade or proposed_grade
        members[final] += 1
        if status == EvalStatus.CONFIRMED:
            confirmed += 1
        else:
            proposed += 1
        if final == Grade.FAILED:
            failing.append(member_id)
    orgs: dict[str, int] = {g: 0 for g in Grade.values}
    for grade, proposed_grade in OrgEvaluation.objects.filter(
        org.subtree_filter("org__"), year=year
    ).values_list("grade", "proposed_grade"):
        orgs[grade or proposed_grade] += 1
    unit = org if org.kind in UNIT_KINDS else None
    cap = cap_status(unit, year) if unit is not None else None
    return {
        "org": org.code,
        "year": year,
        "source": scheme.citation,
        "members": {
            **members,
            "proposed": proposed,
            "confirmed": confirmed,
            "evaluated": proposed + confirmed,
        },
        "orgs": {**orgs, "evaluated": sum(orgs.values())},
        "cap": None
        if cap is None
        else {"excellent": cap.excellent, "good": cap.good, "limit": cap.limit, "ok": cap.ok},
        "failed_twice": len(failed_before(failing, year)),
    }


def removal_grounds(actor: Any, org: Org, year: int) -> list[Member]:
    """Members under ``org`` graded KHTNV in ``year`` and the year(s) before (RULES.md, Removal)."""
    rows = MemberEvaluation.objects.filter(org.subtree_filter("org__"), year=year).filter(
        Q(grade=Grade.FAILED) | Q(grade="", proposed_grade=Grade.FAILED)
    )
    ids = list(rows.values_list("member_id", flat=True))
    twice = failed_before(ids, year)
    return list(Member.objects.filter(pk__in=twice).select_related("org").order_by("name_folded"))


def require_unit(org: Org) -> Org:
    unit = grassroots_unit(org)
    if unit is None:
        raise Http404(_("This organization is not in a grassroots unit."))
    return unit
