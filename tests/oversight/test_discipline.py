"""Discipline rules at their boundaries (QĐ 296-QĐ/TW; QĐ 22-QĐ/TW before 30/5/2025)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chibo.core.rules import RuleViolation
from chibo.members.models import EventKind, Status
from chibo.oversight import selectors, services
from chibo.oversight.models import CaseStatus, HoldReason, Penalty

pytestmark = pytest.mark.django_db
D = dt.date


def _case(world: dict, member: Any = None, opened: dt.date | None = None) -> Any:
    return services.case_open(
        actor=world["sec"],
        member=member or world["members"][0],
        violation="Vi phạm quy định về những điều đảng viên không được làm",
        opened_on=opened or D(2026, 6, 1),
    )


def test_cell_reprimands_its_member_by_its_own_vote_effective_on_announcement(world: dict) -> None:
    case = _case(world)
    services.case_decide(
        actor=world["sec"],
        case=case,
        penalty=Penalty.REPRIMAND,
        deciding_org=world["cell_a"],
        decided_on=D(2026, 6, 10),
        by_cell_vote=True,
        votes_for=4,
        votes_total=6,
        effective_on=D(2026, 7, 1),
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.DECIDED and case.effective_on == D(2026, 6, 10)
    assert list(selectors.discipline_timeline(world["members"][0])) == [case]


def test_cell_vote_needs_more_than_half(world: dict) -> None:
    case = _case(world)
    with pytest.raises(RuleViolation, match="3"):
        services.case_decide(
            actor=world["sec"],
            case=case,
            penalty=Penalty.WARNING,
            deciding_org=world["cell_a"],
            decided_on=D(2026, 6, 10),
            by_cell_vote=True,
            votes_for=3,
            votes_total=6,
        )
    services.case_decide(
        actor=world["sec"],
        case=case,
        penalty=Penalty.WARNING,
        deciding_org=world["cell_a"],
        decided_on=D(2026, 6, 10),
        by_cell_vote=True,
        votes_for=4,
        votes_total=6,
    )


def test_cell_cannot_dismiss_or_expel_by_its_own_vote(world: dict) -> None:
    case = _case(world)
    with pytest.raises(RuleViolation) as exc:
        services.case_decide(
            actor=world["sec"],
            case=case,
            penalty=Penalty.DISMISSAL,
            deciding_org=world["cell_a"],
            decided_on=D(2026, 6, 10),
            by_cell_vote=True,
            votes_for=6,
            votes_total=6,
            post="x",
        )
    assert "QĐ 296-QĐ/TW" in str(exc.value)


def test_cell_secretary_cannot_decide_for_the_committee(world: dict) -> None:
    case = _case(world)
    with pytest.raises(PermissionDenied):
        services.case_decide(
            actor=world["sec"],
            case=case,
            penalty=Penalty.DISMISSAL,
            deciding_org=world["uni"],
            decided_on=D(2026, 6, 10),
            decision_number="15-QĐ/ĐU",
            post="Chi ủy viên",
        )


def test_decision_must_come_from_a_committee_above_the_member(world: dict) -> None:
    case = _case(world)
    with pytest.raises(ValidationError, match="committee above"):
        services.case_decide(
            actor=world["sup"],
            case=case,
            penalty=Penalty.WARNING,
            deciding_org=world["district"],
            decided_on=D(2026, 6, 10),
            decision_number="1-QĐ/QU",
        )


def test_probationary_member_reprimand_or_warning_only(world: dict) -> None:
    case = _case(world, world["probationary"])
    for penalty in (Penalty.DISMISSAL, Penalty.EXPULSION):
        with pytest.raises(RuleViolation, match="allowed"):
            services.case_decide(
                actor=world["staff"],
                case=case,
                penalty=penalty,
                deciding_org=world["uni"],
                decided_on=D(2026, 6, 10),
                decision_number="15-QĐ/ĐU",
                post="x",
            )
    services.case_decide(
        actor=world["staff"],
        case=case,
        penalty=Penalty.WARNING,
        deciding_org=world["uni"],
        decided_on=D(2026, 6, 10),
        decision_number="15-QĐ/ĐU",
    )


def test_full_member_from_recognition_day_may_be_dismissed(world: dict) -> None:
    member = world["members"][1]
    case = _case(world, member, opened=D(2026, 1, 5))
    services.case_decide(
        actor=world["staff"],
        case=case,
        penalty=Penalty.DISMISSAL,
        deciding_org=world["uni"],
        decided_on=D(2026, 1, 20),
        decision_number="16-QĐ/ĐU",
        post="Chi ủy viên",
    )
    assert case.was_full_member is True


def test_org_penalties_include_dissolution_but_not_expulsion(world: dict) -> None:
    case = services.case_open(
        actor=world["sup"],
        subject_org=world["cell_b"],
        violation="Mất đoàn kết kéo dài",
        opened_on=D(2026, 5, 1),
    )
    with pytest.raises(RuleViolation):
        services.case_decide(
            actor=world["sup"],
            case=case,
            penalty=Penalty.EXPULSION,
            deciding_org=world["uni"],
            decided_on=D(2026, 5, 20),
            decision_number="20-QĐ/ĐU",
        )
    with pytest.raises(ValidationError, match="committee above"):
        services.case_decide(
            actor=world["sup"],
            case=case,
            penalty=Penalty.DISSOLUTION,
            deciding_org=world["cell_b"],
            decided_on=D(2026, 5, 20),
            decision_number="20-QĐ/ĐU",
        )
    services.case_decide(
        actor=world["sup"],
        case=case,
        penalty=Penalty.DISSOLUTION,
        deciding_org=world["uni"],
        decided_on=D(2026, 5, 20),
        decision_number="20-QĐ/ĐU",
    )


def test_expulsion_creates_the_expelled_event(world: dict) -> None:
    member = world["members"][2]
    case = _case(world, member)
    services.case_decide(
        actor=world["staff"],
        case=case,
        penalty=Penalty.EXPULSION,
        deciding_org=world["uni"],
        decided_on=D(2026, 6, 15),
        decision_number="21-QĐ/ĐU",
    )
    member.refresh_from_db()
    event = member.events.order_by("-id").first()
    assert member.status == Status.EXPELLED
    assert (event.kind, event.decision_number, event.issuing_org) == (
        EventKind.EXPELLED,
        "21-QĐ/ĐU",
        world["uni"],
    )


def test_nursing_a_child_blocks_review_until_the_first_birthday(world: dict) -> None:
    case = _case(world, world["members"][1], opened=D(2025, 9, 1))
    services.case_hold(
        actor=world["sec"],
        case=case,
        reason=HoldReason.NURSING,
        since=D(2025, 9, 1),
        child_born_on=D(2025, 8, 10),
    )
    # 11 months 29 days old: still nursing a child under 12 months.
    with pytest.raises(RuleViolation, match="10/08/2026"):
        services.case_decide(
            actor=world["staff"],
            case=case,
            penalty=Penalty.WARNING,
            deciding_org=world["uni"],
            decided_on=D(2026, 8, 8),
            decision_number="30-QĐ/ĐU",
        )
    with pytest.raises(RuleViolation):
        services.case_decide(
            actor=world["staff"],
            case=case,
            penalty=Penalty.WARNING,
            deciding_org=world["uni"],
            decided_on=D(2026, 8, 9),
            decision_number="30-QĐ/ĐU",
        )
    # 12 months: the review may go ahead.
    services.case_decide(
        actor=world["staff"],
        case=case,
        penalty=Penalty.WARNING,
        deciding_org=world["uni"],
        decided_on=D(2026, 8, 10),
        decision_number="30-QĐ/ĐU",
    )


@pytest.mark.parametrize("reason", [HoldReason.PREGNANT, HoldReason.ILL])
def test_pregnancy_or_serious_illness_waits_until_released(world: dict, reason: str) -> None:
    case = _case(world)
    services.case_hold(actor=world["sec"], case=case, reason=reason, since=D(2026, 6, 2))
    with pytest.raises(RuleViolation) as exc:
        services.case_decide(
            actor=world["staff"],
            case=case,
            penalty=Penalty.WARNING,
            deciding_org=world["uni"],
            decided_on=D(2026, 9, 1),
            decision_number="31-QĐ/ĐU",
        )
    assert "HD 08-HD/TW" in str(exc.value)
    services.case_release(actor=world["sec"], case=case, on=D(2026, 9, 15))
    services.case_decide(
        actor=world["staff"],
        case=case,
        penalty=Penalty.WARNING,
        deciding_org=world["uni"],
        decided_on=D(2026, 9, 20),
        decision_number="31-QĐ/ĐU",
    )


def _decided(world: dict, received: dt.date) -> Any:
    case = _case(world)
    return services.case_decide(
        actor=world["staff"],
        case=case,
        penalty=Penalty.WARNING,
        deciding_org=world["uni"],
        decided_on=D(2026, 6, 10),
        decision_number="32-QĐ/ĐU",
        received_on=received,
    )


def test_appeal_on_day_30_is_accepted(world: dict) -> None:
    case = _decided(world, D(2026, 6, 12))
    services.case_appeal(
        actor=world["sec"], case=case, filed_on=D(2026, 7, 12), note="Đề nghị xem xét lại"
    )
    assert case.appeal_on == D(2026, 7, 12)


def test_appeal_on_day_31_is_refused(world: dict) -> None:
    case = _decided(world, D(2026, 6, 12))
    with pytest.raises(RuleViolation, match="31"):
        services.case_appeal(actor=world["sec"], case=case, filed_on=D(2026, 7, 13))


def test_rules_before_qd296_quote_qd22(world: dict) -> None:
    case = _case(world, world["members"][3], opened=D(2024, 3, 1))
    services.case_decide(
        actor=world["staff"],
        case=case,
        penalty=Penalty.REPRIMAND,
        deciding_org=world["uni"],
        decided_on=D(2024, 3, 20),
        decision_number="3-QĐ/ĐU",
        received_on=D(2024, 3, 21),
    )
    with pytest.raises(RuleViolation) as exc:
        services.case_appeal(actor=world["sec"], case=case, filed_on=D(2024, 4, 21))
    assert "QĐ 22-QĐ/TW" in str(exc.value)


def test_outsider_and_viewer_cannot_open_cases(world: dict) -> None:
    for user in (world["out"], world["view"]):
        with pytest.raises(PermissionDenied):
            services.case_open(
                actor=user, member=world["members"][0], violation="x", opened_on=D(2026, 6, 1)
            )


def test_case_reads_are_scoped_and_audited(world: dict) -> None:
    from django.http import Http404

    from chibo.core.models import AuditEntry

    case = _case(world)
    with pytest.raises(Http404):
        selectors.get_case_for(world["out"], case.pk)
    selectors.get_case_for(world["view"], case.pk)
    assert AuditEntry.objects.filter(action="oversight.case_view", object_id=str(case.pk)).exists()
    with pytest.raises(PermissionDenied):
        selectors.get_case_for(world["view"], case.pk, write=True)
