"""The admission path through the services: from registration to full member."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chibo.admissions import selectors, services
from chibo.admissions.models import Candidate, CandidateStep, Stage
from chibo.core.models import AuditEntry
from chibo.core.rules import RuleViolation
from chibo.members import services as member_services
from chibo.members.lifecycle import allowed_events
from chibo.members.models import EventKind, Member
from tests import factories as f
from tests.admissions.conftest import HAPPY, decided_on_20_january_2025, walk

pytestmark = pytest.mark.django_db


def test_student_goes_from_registration_to_full_member(world: dict, cand: Candidate) -> None:
    walk(world, cand, actor=None)
    assert cand.stage == Stage.RECOGNITION_DECISION and cand.is_closed
    member = cand.member
    member.refresh_from_db()
    events = list(member.events.order_by("effective_date", "id"))
    assert events[0].kind == EventKind.ADMITTED  # the member's log starts with the admission
    assert [e.kind for e in events] == ["admitted", "ceremony", "recognized"]
    assert member.admitted_on == dt.date(2025, 3, 10)  # the decision's date
    assert member.ceremony_on == dt.date(2025, 3, 25)
    # 12 months from the ceremony (probation.months), not from the decision (10/03/2026).
    assert member.probation_ends_on == dt.date(2026, 3, 25)
    # Recognition decided 15/04/2026 takes effect the day probation ended.
    assert member.is_full and member.recognized_on == dt.date(2026, 3, 25)
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
    c = f.candidate(
        world["tree"]["cell_a"],
        world["full"][0],
        registered_on=dt.date(2019, 9, 1),
        date_of_birth=dt.date(2001, 2, 10),  # a student at registration (18), not a 15-year-old
    )
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


# --- the decision admits, the ceremony starts probation ------------------------------------

VOTE = {"full_members": 3, "absent_excluded": 0, "votes_for": 3}


def _replays(member: Member) -> bool:
    member.refresh_from_db()
    state = member_services.replay(member)
    return {name: getattr(member, name) for name in state} == state


def test_decision_creates_a_probationary_member_whose_first_event_is_the_admission(
    world: dict, cand: Candidate
) -> None:
    walk(world, cand, Stage.GRASSROOTS_RESOLUTION)
    assert cand.member is None
    staff = world["users"]["uni"]
    services.candidate_record_step(
        actor=staff,
        candidate=cand,
        stage=Stage.DECISION,
        done_on=dt.date(2025, 3, 10),
        document_number="09-QĐ/ĐU",
        data={"deciding_body": "Đảng ủy Khối ĐH-CĐ", "member_code": "DV-KN1"},
    )
    member = Member.objects.get(candidacy=cand)
    assert member.member_code == "DV-KN1" and cand.member_id == member.pk
    assert member.admitted_on == dt.date(2025, 3, 10) and member.admitting_org == cand.org
    assert member.org == world["tree"]["cell_a"] and member.category_at_admission == "student"
    assert not member.is_full and member.ceremony_on is None and member.probation_ends_on is None
    event = member.events.get()
    assert event.kind == EventKind.ADMITTED and event.effective_date == dt.date(2025, 3, 10)
    assert (event.decision_number, event.issuing_body) == ("09-QĐ/ĐU", "Đảng ủy Khối ĐH-CĐ")
    assert event.actor == staff and _replays(member)
    assert AuditEntry.objects.filter(action="members.admitted", object_id="DV-KN1").exists()
    step = cand.steps.get(stage=Stage.DECISION)
    assert step.data["member_code"] == "DV-KN1"
    # Next: the ceremony within 30 working days; closing now is a removal proposal.
    assert cand.next_due_for == Stage.CEREMONY
    assert services.allowed_stages(cand) == [Stage.CEREMONY, Stage.NOT_RECOGNIZED]


def test_decision_refused_changes_nothing_in_members(world: dict, cand: Candidate) -> None:
    walk(world, cand, Stage.GRASSROOTS_RESOLUTION)
    before = Member.objects.count()
    with pytest.raises(ValidationError):  # the decision's number is required
        services.candidate_record_step(
            actor=None, candidate=cand, stage=Stage.DECISION, done_on=dt.date(2025, 3, 10)
        )
    with pytest.raises(ValidationError):  # a member code already in use
        services.candidate_record_step(
            actor=None,
            candidate=cand,
            stage=Stage.DECISION,
            done_on=dt.date(2025, 3, 10),
            document_number="09-QĐ/ĐU",
            data={"member_code": world["full"][0].member_code},
        )
    cand.refresh_from_db()
    assert Member.objects.count() == before and cand.stage == Stage.GRASSROOTS_RESOLUTION


def test_ceremony_appends_the_ceremony_event_and_sets_probation_end(
    world: dict, cand: Candidate
) -> None:
    walk(world, cand, Stage.DECISION)
    member = cand.member
    secretary = world["users"]["sec"]
    services.candidate_record_step(
        actor=secretary,
        candidate=cand,
        stage=Stage.CEREMONY,
        done_on=dt.date(2025, 3, 25),
        document_number="BB-01",
    )
    member.refresh_from_db()
    kinds = list(member.events.values_list("kind", "effective_date"))
    assert kinds == [("admitted", dt.date(2025, 3, 10)), ("ceremony", dt.date(2025, 3, 25))]
    assert member.ceremony_on == dt.date(2025, 3, 25)
    assert member.probation_ends_on == dt.date(2026, 3, 25)
    assert _replays(member)  # replay equals the stored state, ceremony included
    step = cand.steps.get(stage=Stage.CEREMONY)
    assert step.data["probation_ends_on"] == "2026-03-25" and step.actor == secretary
    assert cand.next_due_for == Stage.RECOGNITION_VOTE
    assert AuditEntry.objects.filter(action="members.ceremony", object_id=member.member_code)


def test_ceremony_past_30_working_days_across_tet_is_blocked(world: dict) -> None:
    c = decided_on_20_january_2025(world)
    assert c.next_due == dt.date(2025, 3, 10)  # 03/03 in weekdays; Tết (27–31/01) adds a week
    with pytest.raises(RuleViolation) as err:
        services.candidate_record_step(
            actor=None, candidate=c, stage=Stage.CEREMONY, done_on=dt.date(2025, 3, 11)
        )
    message = " ".join(err.value.messages)
    assert "10/03/2025" in message and "QĐ 232-QĐ/TW" in message
    c.member.refresh_from_db()
    assert c.member.ceremony_on is None and c.member.events.count() == 1
    services.candidate_record_step(
        actor=None, candidate=c, stage=Stage.CEREMONY, done_on=dt.date(2025, 3, 10)
    )
    c.member.refresh_from_db()
    assert c.member.ceremony_on == dt.date(2025, 3, 10)


def test_late_ceremony_passes_with_an_audited_override(world: dict) -> None:
    c = decided_on_20_january_2025(world)
    services.candidate_override(
        actor=world["users"]["uni"],
        candidate=c,
        stage=Stage.CEREMONY,
        rule_key="admission.ceremony_working_days",
        reason="Công văn 7-CV/ĐU: lễ dời vì thi học kỳ",
    )
    step = services.candidate_record_step(
        actor=None, candidate=c, stage=Stage.CEREMONY, done_on=dt.date(2025, 3, 11)
    )
    assert step.data["overridden"] == ["admission.ceremony_working_days"]
    entry = AuditEntry.objects.get(action="admissions.override")
    assert entry.data["reason"].startswith("Công văn 7-CV/ĐU")
    assert "QĐ 24-QĐ/TW" in entry.data["citation"] or "QĐ 294-QĐ/TW" in entry.data["citation"]
    c.member.refresh_from_db()
    assert c.member.probation_ends_on == dt.date(2026, 3, 11)


def test_a_member_decided_but_without_ceremony_is_not_late_for_recognition(
    world: dict, cand: Candidate
) -> None:
    walk(world, cand, Stage.DECISION)  # decided 10/03/2025; 12 months and more have gone by
    member = cand.member
    today = dt.date(2026, 11, 28)
    assert member.pk not in [
        r.member.pk for r in selectors.probation_watch(world["users"]["sec"], today)
    ]
    assert EventKind.RECOGNIZED not in allowed_events(member)
    with pytest.raises(ValidationError):
        member_services.member_recognize(
            actor=None, member=member, decided_on=today, decision=member_services.Decision("1")
        )
    # What is late is the ceremony, and the board says so.
    assert cand.next_due_for == Stage.CEREMONY and cand.next_due < today


def test_ceremony_of_a_case_decided_before_the_decision_admitted(world: dict) -> None:
    """Cases decided before the decision created the member: the ceremony admits them."""
    c = f.candidate(world["tree"]["cell_a"], world["full"][0])
    walk(world, c, Stage.GRASSROOTS_RESOLUTION)
    CandidateStep.objects.create(
        candidate=c,
        stage=Stage.DECISION,
        done_on=dt.date(2025, 3, 10),
        document_number="09-QĐ/ĐU",
        data={"deciding_body": "Đảng ủy", "extension": False},
    )
    Candidate.objects.filter(pk=c.pk).update(stage=Stage.DECISION, stage_on=dt.date(2025, 3, 10))
    c.refresh_from_db()
    services.candidate_record_step(
        actor=None, candidate=c, stage=Stage.CEREMONY, done_on=dt.date(2025, 3, 25)
    )
    member = Member.objects.get(candidacy=c)
    assert member.admitted_on == dt.date(2025, 3, 10)
    assert member.ceremony_on == dt.date(2025, 3, 25)
    assert [e.kind for e in member.events.all()] == ["admitted", "ceremony"]
    assert _replays(member)


def test_recognition_vote_quotes_the_probation_rule_of_the_ceremony_date(
    world: dict, cand: Candidate
) -> None:
    walk(world, cand, Stage.CEREMONY)  # ceremony 25/03/2025: before 1/7/2025
    with pytest.raises(RuleViolation) as err:
        services.candidate_record_step(
            actor=None,
            candidate=cand,
            stage=Stage.RECOGNITION_VOTE,
            done_on=dt.date(2026, 3, 24),
            data=VOTE,
        )
    assert "QĐ 232-QĐ/TW" in " ".join(err.value.messages)
    services.candidate_record_step(
        actor=None,
        candidate=cand,
        stage=Stage.RECOGNITION_VOTE,
        done_on=dt.date(2026, 3, 25),  # the day probation ended: accepted
        data=VOTE,
    )
