"""The year's evaluation rules: grades and scores, the grassroots unit, the cap on excellent grades
and its warning, members failed the year before.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from chibo.core.rules import Rule, RuleMissing, RuleViolation, rule_in_force
from chibo.orgs.models import Org, OrgKind
from chibo.oversight.models import Grade, MemberEvaluation

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
