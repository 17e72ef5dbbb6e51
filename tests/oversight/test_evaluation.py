"""Annual evaluation: the scheme per year, score bands, the 20% cap and KHTNV two years running."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chibo.core.models import RuleVersion
from chibo.core.rules import RuleViolation
from chibo.oversight import evaluation as ev
from chibo.oversight.evaluation import Entry
from chibo.oversight.models import EvalStatus, Grade, MemberEvaluation

pytestmark = pytest.mark.django_db


def _propose(
    world: dict, year: int, grades: list[str], scores: list[int | None] | None = None
) -> ev.ProposalResult:
    scores = scores or [None] * len(grades)
    entries = [Entry(m, g, s) for m, g, s in zip(world["members"], grades, scores, strict=False)]
    return ev.evaluations_propose(
        actor=world["sec"], cell=world["cell_a"], year=year, entries=entries
    )


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        (100, "HTXSNV"),
        (90, "HTXSNV"),
        (89, "HTTNV"),
        (70, "HTTNV"),
        (69, "HTNV"),
        (50, "HTNV"),
        (49, "KHTNV"),
        (0, "KHTNV"),
    ],
)
def test_qd366_score_bands_from_2025(world: dict, score: int, grade: str) -> None:
    result = _propose(world, 2025, [""], [score])
    assert result.saved[0].proposed_grade == grade


def test_2024_uses_qd124_grades_without_a_score(world: dict) -> None:
    scheme, _cap = ev.year_rules(2024)
    assert "QĐ 124" in scheme.source and scheme.value["method"] == "grades"
    assert _propose(world, 2024, ["HTTNV"]).saved[0].proposed_grade == Grade.GOOD
    assert "QĐ 366" in ev.year_rules(2025)[0].source


def test_2025_needs_a_score_and_it_decides_the_grade(world: dict) -> None:
    with pytest.raises(ValidationError, match="QĐ 366"):
        _propose(world, 2025, ["HTXSNV"])
    with pytest.raises(ValidationError):
        _propose(world, 2025, ["HTXSNV"], [75])


def test_a_year_without_rules_is_refused(world: dict) -> None:
    with pytest.raises(ValidationError, match="2020"):
        _propose(world, 2020, ["HTTNV"])


def test_cap_boundary_one_excellent_per_five_good(world: dict) -> None:
    # 1 HTXSNV with 5 HTTNV in the unit: exactly 20% — allowed.
    world["members"].append(world["probationary"])
    ok = _propose(world, 2024, ["HTXSNV", "HTTNV", "HTTNV", "HTTNV", "HTTNV", "HTTNV"])
    assert ok.cap.ok and ok.cap.limit == 1 and ok.warnings == []
    # 1 HTXSNV with 4 HTTNV: over the cap — flagged, with the source.
    over = _propose(world, 2024, ["HTXSNV", "HTTNV", "HTTNV", "HTTNV", "HTTNV", "HTNV"])
    assert not over.cap.ok and over.cap.limit == 0
    assert "QĐ 124-QĐ/TW" in over.warnings[0]


def test_committee_cannot_confirm_a_set_over_the_cap_but_can_fix_it(world: dict) -> None:
    _propose(world, 2024, ["HTXSNV", "HTXSNV", "HTTNV", "HTTNV", "HTTNV"])
    with pytest.raises(RuleViolation, match="HTXSNV"):
        ev.evaluations_confirm(actor=world["staff"], unit=world["uni"], year=2024)
    first, second = world["members"][:2]
    assert (
        ev.evaluations_confirm(
            actor=world["staff"],
            unit=world["uni"],
            year=2024,
            overrides={first.pk: Grade.GOOD, second.pk: Grade.GOOD},
        )
        == 5
    )
    assert set(MemberEvaluation.objects.values_list("status", flat=True)) == {EvalStatus.CONFIRMED}
    with pytest.raises(ValidationError, match="confirmed"):
        _propose(world, 2024, ["HTNV"])


def test_cap_is_configurable(world: dict) -> None:
    RuleVersion.objects.filter(key="evaluation.excellent_cap", source__contains="366").update(
        value={"enabled": False, "share_of_good": 0.2}
    )
    from chibo.core import rules

    rules.clear_cache()
    assert _propose(world, 2025, [""] * 2, [95, 95]).cap.ok


def test_khtnv_two_years_running_is_flagged_as_a_removal_ground(world: dict) -> None:
    _propose(world, 2024, ["KHTNV", "KHTNV"])
    ev.evaluations_confirm(actor=world["staff"], unit=world["uni"], year=2024, overrides={})
    result = _propose(world, 2025, [""], [40])
    assert [m.member_code for m in result.failed_twice] == ["DV-A1"]
    assert "two years running" in result.warnings[0]
    assert [m.member_code for m in ev.removal_grounds(world["staff"], world["uni"], 2025)] == [
        "DV-A1"
    ]
    one_year = _propose(world, 2025, ["", "", ""], [80, 80, 30])
    assert [m.member_code for m in one_year.failed_twice] == []


def test_only_the_cell_and_committees_propose(world: dict) -> None:
    for user in (world["view"], world["out"]):
        with pytest.raises(PermissionDenied):
            ev.evaluations_propose(actor=user, cell=world["cell_a"], year=2024, entries=[])
    with pytest.raises(PermissionDenied):
        ev.evaluations_confirm(actor=world["sec"], unit=world["uni"], year=2024)


def test_summary_per_org_and_year(world: dict) -> None:
    _propose(world, 2024, ["HTXSNV", "HTTNV", "HTTNV", "HTTNV", "HTTNV"])
    ev.org_evaluation_propose(actor=world["sec"], org=world["cell_a"], year=2024, grade=Grade.GOOD)
    summary = ev.evaluation_summary(world["sup"], world["uni"], 2024)
    assert summary["members"]["HTXSNV"] == 1 and summary["members"]["HTTNV"] == 4
    assert summary["members"]["evaluated"] == 5 and summary["orgs"]["HTTNV"] == 1
    assert summary["cap"] == {"excellent": 1, "good": 4, "limit": 0, "ok": False}
    from django.http import Http404

    with pytest.raises(Http404):
        ev.evaluation_summary(world["out"], world["uni"], 2024)


def test_org_grade_confirmed_by_the_superior(world: dict) -> None:
    row = ev.org_evaluation_propose(actor=world["sec"], org=world["cell_a"], year=2025, score=92)
    assert row.proposed_grade == Grade.EXCELLENT
    with pytest.raises(PermissionDenied):
        ev.org_evaluation_confirm(actor=world["sec"], evaluation=row)
    ev.org_evaluation_confirm(actor=world["staff"], evaluation=row, grade=Grade.GOOD)
    assert row.grade == Grade.GOOD and row.status == EvalStatus.CONFIRMED
