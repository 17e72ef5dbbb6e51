"""Official transfers, first step (issue 20, item 10): the paperwork within 60 working days of
the decision (job move, retirement …) or of the long-term change of residence; a late one
carries its reason, kept for the competent committee (QĐ 294-QĐ/TW point 6.3.1, rule
``transfer.official_paperwork_working_days``).

Decision 01/10/2025 (Wednesday; no holiday until the end of the year): the 60th working day
after it is Wednesday 24/12/2025.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError

from chibo.core.roles import Role
from chibo.core.rules import rule_in_force
from chibo.members.lifecycle import Decision, EventKind, TransferGrounds, paperwork_due, record
from chibo.members.models import Member, Status
from tests import factories as f
from tests.api.conftest import api_for

D = dt.date
DECIDED = D(2025, 10, 1)


@pytest.fixture
def people(tree: dict) -> dict:
    return {
        "a": f.member(tree["cell_a"], code="CT-A", full_name="Lê Văn A"),
        "b": f.member(tree["cell_a"], code="CT-B", full_name="Lê Văn B"),
        "c": f.member(tree["cell_a"], code="CT-C", full_name="Lê Văn C"),
        "sec": f.user("sec", Role.CELL_SECRETARY, tree["cell_a"]),
    }


@pytest.mark.django_db
def test_paperwork_due_and_the_rule_of_each_window() -> None:
    due, rule = paperwork_due(DECIDED)
    assert due == D(2025, 12, 24)
    assert rule.value == 60 and "QĐ 294-QĐ/TW" in rule.citation and rule.confidence == "H"
    assert (
        "QĐ 232-QĐ/TW"
        in rule_in_force("transfer.official_paperwork_working_days", on=D(2025, 6, 30)).source
    )
    assert (
        "QĐ 24-QĐ/TW"
        in rule_in_force("transfer.official_paperwork_working_days", on=D(2025, 1, 19)).source
    )
    assert paperwork_due(D(2021, 7, 29)) is None  # before every version: no check


def _transfer(member, day: dt.date, late_reason: str = "", actor=None):
    return record(
        EventKind.TRANSFER_OUT,
        actor=actor,
        member=member,
        effective_date=day,
        decision=Decision(number="5-QĐ/ĐU"),
        destination="Đảng ủy phường Bến Thành",
        destination_org=None,
        grounds=TransferGrounds.JOB_MOVE,
        grounds_on=DECIDED,
        late_reason=late_reason,
    )


@pytest.mark.parametrize(
    ("day", "accepted"),
    [(D(2025, 12, 23), True), (D(2025, 12, 24), True), (D(2025, 12, 25), False)],
)
def test_sixty_working_days_through_the_service(people: dict, day: dt.date, accepted: bool) -> None:
    member = people["a"]
    if not accepted:
        with pytest.raises(ValidationError) as exc:
            _transfer(member, day)
        text = " ".join(exc.value.messages)
        assert "24/12/2025" in text and "QĐ 294-QĐ/TW" in text and "6.3.1" in text
        assert "late_reason" in exc.value.message_dict
        member.refresh_from_db()
        assert member.status == Status.ACTIVE
        # With the reason it goes through, flagged late, the reason kept for the committee.
        event = _transfer(member, day, late_reason="Chờ quyết định nghỉ việc của trường")
        assert event.data["late"] is True
        assert event.data["late_reason"] == "Chờ quyết định nghỉ việc của trường"
        return
    event = _transfer(member, day)
    assert event.data["grounds"] == "job_move"
    assert event.data["grounds_on"] == "2025-10-01"
    assert event.data["paperwork_due"] == "2025-12-24"
    assert "late" not in event.data


def test_the_grounds_date_cannot_follow_the_transfer(people: dict) -> None:
    with pytest.raises(ValidationError) as exc:
        _transfer(people["a"], D(2025, 9, 30))
    assert "grounds_on" in exc.value.message_dict


@pytest.mark.parametrize(
    ("code", "day", "status"),
    [("CT-A", "2025-12-23", 201), ("CT-B", "2025-12-24", 201), ("CT-C", "2025-12-25", 422)],
)
def test_sixty_working_days_through_the_api(people: dict, code: str, day: str, status: int) -> None:
    api = api_for(people["sec"])
    body = {
        "effective_date": day,
        "destination": "Đảng ủy phường Bến Thành",
        "grounds": "retirement",
        "grounds_on": "2025-10-01",
        "version": Member.objects.get(member_code=code).version,  # required on writes (issue 16)
    }
    r = api.post(f"/members/{code}/events/transfer_out", body)
    assert r.status_code == status, r.content
    if status == 422:
        text = json.dumps(r.json(), ensure_ascii=False)
        assert "24/12/2025" in text and "QĐ 294-QĐ/TW" in text
        r = api.post(f"/members/{code}/events/transfer_out", {**body, "late_reason": "Ốm dài ngày"})
        assert r.status_code == 201, r.content
