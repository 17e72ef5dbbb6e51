"""The ceremony's 30 working days count from the date the cell received the decision.

RULES.md (admission): "ceremony within 30 working days of *receiving* the
decision". Recorded with the decision or later; without it the deadline counts
from the decision's date, as before (tests/admissions/test_services.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from chibo.admissions import services
from chibo.admissions.models import Candidate, Stage
from chibo.core.models import AuditEntry
from chibo.core.rules import RuleViolation
from chibo.lib.workdays import add_working_days
from chibo.members.models import Member
from tests.admissions.conftest import decided_on_20_january_2025, walk

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _vietnamese() -> Iterator[None]:
    # Services speak the active language; another test may have left English active.
    with translation.override("vi"):
        yield


DECIDED = dt.date(2025, 1, 20)
RECEIVED = dt.date(2025, 2, 3)
# 30 working days after the receipt (Tết 27–31/01/2025 is before it; weekends off).
LAST = dt.date(2025, 3, 17)  # 30 working days after RECEIVED (no swap in between)


def _ceremony(c: Candidate, on: dt.date) -> None:
    services.candidate_record_step(actor=None, candidate=c, stage=Stage.CEREMONY, done_on=on)


def _unchanged(c: Candidate, member_events: int = 1) -> None:
    c.refresh_from_db()
    member = Member.objects.get(pk=c.member_id)
    assert c.stage == Stage.DECISION and member.ceremony_on is None
    assert member.events.count() == member_events


def test_the_last_ceremony_day_is_30_working_days_after_the_receipt() -> None:
    assert dt.date(2025, 3, 17) == LAST
    # Counted from the decision it would be 10/03/2025 (Tết inside): the receipt moves it.
    assert add_working_days(DECIDED, 30) == dt.date(2025, 3, 10)


def test_receipt_given_with_the_decision_moves_the_ceremony_deadline(world: dict) -> None:
    c = decided_on_20_january_2025(world, received_on=RECEIVED)
    assert c.decision_received_on == RECEIVED
    assert (c.next_due, c.next_due_for) == (LAST, Stage.CEREMONY)
    entry = AuditEntry.objects.filter(action="admissions.decision").last()
    assert entry.data["received_on"] == "2025-02-03"
    with pytest.raises(RuleViolation) as err:
        _ceremony(c, LAST + dt.timedelta(days=1))
    message = " ".join(err.value.messages)
    assert "17/03/2025" in message and "03/02/2025" in message and "QĐ 232-QĐ/TW" in message
    _unchanged(c)
    _ceremony(c, LAST)
    member = Member.objects.get(pk=c.member_id)
    assert member.ceremony_on == LAST and member.probation_ends_on == dt.date(2026, 3, 17)


def test_receipt_recorded_later_by_the_cell_secretary_is_audited(world: dict) -> None:
    c = decided_on_20_january_2025(world)
    assert c.next_due == dt.date(2025, 3, 10)  # from the decision while the receipt is unknown
    secretary = world["users"]["sec"]
    services.candidate_record_decision_receipt(actor=secretary, candidate=c, received_on=RECEIVED)
    assert c.decision_received_on == RECEIVED and c.next_due == LAST
    c.refresh_from_db()
    assert c.decision_received_on == RECEIVED and c.next_due == LAST
    entry = AuditEntry.objects.get(action="admissions.decision_received")
    assert entry.actor == secretary and entry.object_id == str(c.pk)
    assert entry.data == {"received_on": "2025-02-03", "previous": None, "next_due": "2025-03-17"}
    # A correction keeps the previous date in the audit log.
    services.candidate_record_decision_receipt(
        actor=world["users"]["uni"], candidate=c, received_on=dt.date(2025, 1, 22)
    )
    entry = AuditEntry.objects.filter(action="admissions.decision_received").last()
    assert entry.data["previous"] == "2025-02-03"
    assert c.next_due == add_working_days(dt.date(2025, 1, 22), 30)
    with pytest.raises(RuleViolation):
        _ceremony(c, LAST)  # the corrected receipt is the one that counts


def test_receipt_on_the_decision_day_is_accepted(world: dict) -> None:
    c = decided_on_20_january_2025(world)
    services.candidate_record_decision_receipt(actor=None, candidate=c, received_on=DECIDED)
    assert c.next_due == dt.date(2025, 3, 10)


@pytest.mark.parametrize(
    ("received_on", "words"),
    [
        (dt.date(2025, 1, 19), "không thể trước ngày ra quyết định (20/01/2025)"),
        (None, "không thể sau ngày hôm nay"),  # tomorrow
    ],
)
def test_receipt_before_the_decision_or_in_the_future_is_refused_and_changes_nothing(
    world: dict, received_on: dt.date | None, words: str
) -> None:
    day = received_on or timezone.localdate() + dt.timedelta(days=1)
    c = decided_on_20_january_2025(world)
    with pytest.raises(ValidationError) as err:
        services.candidate_record_decision_receipt(
            actor=world["users"]["sec"], candidate=c, received_on=day
        )
    assert words in " ".join(err.value.message_dict["received_on"])
    assert "Ngày chi bộ nhận quyết định" in err.value.message_dict["received_on"][0]
    c.refresh_from_db()
    assert c.decision_received_on is None and c.next_due == dt.date(2025, 3, 10)
    assert not AuditEntry.objects.filter(action="admissions.decision_received").exists()


def test_receipt_with_the_decision_before_it_is_refused_and_nobody_is_admitted(
    world: dict,
) -> None:
    before = Member.objects.count()
    with pytest.raises(ValidationError) as err:
        decided_on_20_january_2025(world, received_on=dt.date(2025, 1, 18))
    assert "không thể trước ngày ra quyết định" in " ".join(err.value.messages)
    c = Candidate.objects.get()
    assert c.stage == Stage.GRASSROOTS_RESOLUTION and c.decision_received_on is None
    assert Member.objects.count() == before and c.member_id is None


def test_receipt_with_the_decision_must_be_a_date(world: dict, cand: Candidate) -> None:
    walk(world, cand, Stage.GRASSROOTS_RESOLUTION)
    with pytest.raises(ValidationError) as err:
        services.candidate_record_step(
            actor=None,
            candidate=cand,
            stage=Stage.DECISION,
            done_on=dt.date(2025, 3, 10),
            document_number="09-QĐ/ĐU",
            data={"received_on": "14/03/2025"},
        )
    assert "yyyy-mm-dd" in err.value.message_dict["received_on"][0]
    cand.refresh_from_db()
    assert cand.stage == Stage.GRASSROOTS_RESOLUTION


def test_receipt_only_between_the_decision_and_the_ceremony(world: dict, cand: Candidate) -> None:
    walk(world, cand, Stage.GRASSROOTS_RESOLUTION)
    with pytest.raises(ValidationError) as err:
        services.candidate_record_decision_receipt(
            actor=None, candidate=cand, received_on=dt.date(2025, 3, 10)
        )
    assert "trước lễ kết nạp" in " ".join(err.value.messages)
    for stage, day, doc in [
        (Stage.DECISION, dt.date(2025, 3, 10), "09-QĐ/ĐU"),
        (Stage.CEREMONY, dt.date(2025, 3, 25), ""),
    ]:
        services.candidate_record_step(
            actor=None, candidate=cand, stage=stage, done_on=day, document_number=doc
        )
    with pytest.raises(ValidationError):
        services.candidate_record_decision_receipt(
            actor=None, candidate=cand, received_on=dt.date(2025, 3, 12)
        )
    cand.refresh_from_db()
    assert cand.decision_received_on is None


def test_ceremony_before_the_receipt_is_refused(world: dict) -> None:
    c = decided_on_20_january_2025(world, received_on=RECEIVED)
    with pytest.raises(ValidationError) as err:
        _ceremony(c, dt.date(2025, 1, 31))
    assert "Lễ kết nạp không thể trước ngày chi bộ nhận quyết định (03/02/2025)" in " ".join(
        err.value.messages
    )
    _unchanged(c)
    _ceremony(c, RECEIVED)


def test_receipt_needs_the_right_to_change_the_cell(world: dict) -> None:
    c = decided_on_20_january_2025(world)
    for user in (world["users"]["viewer"], world["users"]["sec_b"]):
        with pytest.raises(PermissionDenied):
            services.candidate_record_decision_receipt(
                actor=user, candidate=c, received_on=RECEIVED
            )
    c.refresh_from_db()
    assert c.decision_received_on is None
