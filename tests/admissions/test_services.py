"""The admission path through the services: from registration to full member."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chibo.admissions import selectors, services
from chibo.admissions.models import Candidate, Stage
from chibo.core.models import AuditEntry
from chibo.core.rules import RuleViolation
from chibo.members.models import EventKind
from tests import factories as f
from tests.admissions.conftest import HAPPY, walk

pytestmark = pytest.mark.django_db


def test_student_goes_from_registration_to_full_member(world: dict, cand: Candidate) -> None:
    walk(world, cand, actor=None)
    assert cand.stage == Stage.RECOGNITION_DECISION and cand.is_closed
    member = cand.member
    member.refresh_from_db()
    events = list(member.events.order_by("effective_date", "id"))
    assert events[0].kind == EventKind.ADMITTED  # the member's log starts with the admission
    assert member.admitted_on == dt.date(2025, 3, 10)  # the decision's date
    assert member.ceremony_on == dt.date(2025, 3, 25)
    assert member.probation_ends_on == dt.date(2026, 3, 25)  # 12 months from the ceremony
    assert member.is_full and member.recognized_on == dt.date(
        2026, 3, 25
    )  # effective when probation ended
    assert member.category_at_admission == "student" and member.org == world["tree"]["cell_a"]
    assert events[0].decision_number == "09-QĐ/ĐU"
    actions = set(
        AuditEntry.objects.filter(object_type="candidate").values_list("action", flat=True)
    )
    assert {"admissions.register", "admissions.cell_resolution", "admissions.ceremony"} <= actions


def test_steps_follow_the_order(world: dict, cand: Candidate) -> None:
    with pytest.raises(ValidationError, match=r"Lý lịch|Học lớp bồi dưỡng"):
        services.candidate_record_step(
            actor=None, candidate=cand, stage=Stage.APPLICATION, done_on=dt.date(2024, 11, 1)
        )


def test_youth_union_step_is_skipped_where_no_youth_union_exists(world: dict) -> None:
    c = f.candidate(world["tree"]["cell_a"], world["full"][0], youth_union_exists=False)
    walk(world, c, Stage.BACKGROUND_CHECK)
    with pytest.raises(RuleViolation):  # one member is not enough without the Youth Union
        services.candidate_record_step(
            actor=None,
            candidate=c,
            stage=Stage.INTRODUCERS,
            done_on=dt.date(2025, 1, 6),
            introducers=[(world["full"][0], 24)],
        )
    services.candidate_record_step(
        actor=None,
        candidate=c,
        stage=Stage.INTRODUCERS,
        done_on=dt.date(2025, 1, 6),
        introducers=[(world["full"][0], 24), (world["full"][1], 12)],
    )
    assert services.next_stage(c) == Stage.OPINIONS
    assert [r.state for r in selectors.path_rows(c) if r.stage == Stage.YOUTH_UNION] == ["skipped"]


def test_cell_review_refuses_an_expired_certificate_naming_rule_and_source(world: dict) -> None:
    c = f.candidate(world["tree"]["cell_a"], world["full"][0], registered_on=dt.date(2019, 9, 1))
    steps = [(s, d, doc, dict(data)) for s, d, doc, data in HAPPY]
    steps[0] = (
        Stage.COURSE,
        dt.date(2020, 1, 2),
        "1/GCN",
        {"cert_number": "1/GCN", "cert_issuer": "TTCT"},
    )
    for stage, day, doc, data in steps[:7]:
        intro = [(world["full"][0], 24)] if stage == Stage.INTRODUCERS else None
        services.candidate_record_step(
            actor=None,
            candidate=c,
            stage=stage,
            done_on=day,
            document_number=doc,
            data=data,
            introducers=intro,
        )
    stage, day, doc, data = steps[7]
    with pytest.raises(RuleViolation) as err:
        services.candidate_record_step(actor=None, candidate=c, stage=stage, done_on=day, data=data)
    assert "HD 01-HD/TW" in err.value.messages[0]


def test_override_lets_a_failed_check_pass_and_is_audited(world: dict) -> None:
    c = f.candidate(world["tree"]["cell_a"], world["full"][0])
    walk(world, c, Stage.OPINIONS)
    vote = {"full_members": 3, "absent_excluded": 0, "votes_for": 1}
    with pytest.raises(RuleViolation):
        services.candidate_record_step(
            actor=None,
            candidate=c,
            stage=Stage.CELL_RESOLUTION,
            done_on=dt.date(2025, 2, 3),
            data=vote,
        )
    secretary = world["users"]["sec"]
    with pytest.raises(PermissionDenied):
        services.candidate_override(
            actor=secretary,
            candidate=c,
            stage=Stage.CELL_RESOLUTION,
            rule_key="admission.cell_vote_share",
            reason="x",
        )
    staff = world["users"]["uni"]
    with pytest.raises(ValidationError):
        services.candidate_override(
            actor=staff,
            candidate=c,
            stage=Stage.CELL_RESOLUTION,
            rule_key="admission.cell_vote_share",
            reason="  ",
        )
    with pytest.raises(ValidationError):  # not a rule of the admission path
        services.candidate_override(
            actor=staff, candidate=c, stage=Stage.CELL_RESOLUTION, rule_key="nope.rule", reason="x"
        )
    services.candidate_override(
        actor=staff,
        candidate=c,
        stage=Stage.CELL_RESOLUTION,
        rule_key="admission.cell_vote_share",
        reason="Công văn 12-CV/ĐU cho phép",
    )
    step = services.candidate_record_step(
        actor=None, candidate=c, stage=Stage.CELL_RESOLUTION, done_on=dt.date(2025, 2, 3), data=vote
    )
    assert step.data["overridden"] == ["admission.cell_vote_share"]
    entry = AuditEntry.objects.get(action="admissions.override")
    assert entry.actor_username == "uni" and entry.data["reason"] == "Công văn 12-CV/ĐU cho phép"


def test_committee_steps_need_a_committee_role(world: dict, cand: Candidate) -> None:
    walk(world, cand, Stage.CELL_RESOLUTION)
    with pytest.raises(PermissionDenied):
        services.candidate_record_step(
            actor=world["users"]["sec"],
            candidate=cand,
            stage=Stage.GRASSROOTS_RESOLUTION,
            done_on=dt.date(2025, 2, 20),
        )
    services.candidate_record_step(
        actor=world["users"]["uni"],
        candidate=cand,
        stage=Stage.GRASSROOTS_RESOLUTION,
        done_on=dt.date(2025, 2, 20),
    )


def test_recognition_vote_waits_for_the_end_of_probation(world: dict, cand: Candidate) -> None:
    walk(world, cand, Stage.CEREMONY)
    assert cand.next_due_for == Stage.RECOGNITION_VOTE
    with pytest.raises(RuleViolation, match="25/03/2026"):
        services.candidate_record_step(
            actor=None,
            candidate=cand,
            stage=Stage.RECOGNITION_VOTE,
            done_on=dt.date(2026, 3, 24),
            data={"full_members": 3, "absent_excluded": 0, "votes_for": 3},
        )


def test_not_recognized_closes_the_case(world: dict, cand: Candidate) -> None:
    walk(world, cand, Stage.CEREMONY)
    with pytest.raises(ValidationError):
        services.candidate_record_step(
            actor=None, candidate=cand, stage=Stage.NOT_RECOGNIZED, done_on=dt.date(2026, 4, 1)
        )
    services.candidate_record_step(
        actor=None,
        candidate=cand,
        stage=Stage.NOT_RECOGNIZED,
        done_on=dt.date(2026, 4, 1),
        note="Không đủ 2/3; đề nghị xóa tên",
    )
    assert cand.is_closed and services.allowed_stages(cand) == []


def test_withdrawal_before_admission(world: dict, cand: Candidate) -> None:
    assert Stage.NOT_RECOGNIZED not in services.allowed_stages(cand)
    services.candidate_record_step(
        actor=None,
        candidate=cand,
        stage=Stage.WITHDRAWN,
        done_on=dt.date(2024, 10, 1),
        note="Xin rút",
    )
    assert cand.stage == Stage.WITHDRAWN


def test_registration_needs_a_full_member_of_the_cell_as_mentor(world: dict) -> None:
    other = world["tree"]["cell_b"]
    with pytest.raises(ValidationError) as err:
        f.candidate(other, world["full"][0])
    assert "mentor" in err.value.message_dict


def test_awareness_certificate_selector(world: dict, cand: Candidate) -> None:
    assert selectors.awareness_certificate_for(cand) is None
    walk(world, cand, Stage.COURSE)
    cert = selectors.awareness_certificate_for(cand)
    assert cert is not None and cert.number == "123/GCN" and cert.issued_on == dt.date(2024, 10, 15)


def test_probation_watch_due_and_overdue(world: dict) -> None:
    t = world["tree"]
    due = f.member(t["cell_a"], code="DV-W1", admitted_on=dt.date(2025, 11, 20))  # ends 20/11/2026
    late = f.member(t["cell_a"], code="DV-W2", admitted_on=dt.date(2025, 6, 2))  # ends 02/06/2026
    rows = {
        r.member.member_code: r.state
        for r in selectors.probation_watch(world["users"]["sec"], dt.date(2026, 11, 28))
    }
    assert rows["DV-W1"] == "due" and rows["DV-W2"] == "overdue"
    assert selectors.probation_watch(world["users"]["sec_b"], dt.date(2026, 11, 28)) == []
    del due, late
