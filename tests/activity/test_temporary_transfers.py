"""Temporary transfers (issue 20, item 10): purpose, expected end, bounds, warnings, overdue.

Rule ``transfer.temporary_months`` (QĐ 294-QĐ/TW point 6.3.2 a), M): work or residence from
3 months to under 1 year, full-time study from 3 months to 2 years. A transfer starting on
01/10/2025 may end from 01/01/2026; for work or residence through 30/09/2026 (01/10/2026 is a
full year), for study through 01/10/2027. Listed as ending one month before its end.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from chibo.activity import transfers
from chibo.core.roles import Role
from chibo.home import work
from chibo.members.lifecycle import Decision, EventKind, record, temporary_span
from chibo.members.models import Member, Status
from tests import factories as f
from tests.api.conftest import api_for

D = dt.date
START = D(2025, 10, 1)


@pytest.fixture
def people(tree: dict) -> dict:
    return {
        "m": [f.member(tree["cell_a"], code=f"TT-{i}", full_name=f"Lê Văn {i}") for i in range(3)],
        "sec": f.user("sec", Role.CELL_SECRETARY, tree["cell_a"]),
        "staff": f.user("staff", Role.GRASSROOTS_STAFF, tree["uni"]),
        "tree": tree,
    }


def _temp(member: Member, until: dt.date, purpose: str = "work", start: dt.date = START):
    return record(
        EventKind.TEMP_OUT,
        actor=None,
        member=member,
        effective_date=start,
        decision=Decision(number="12-GGT/ĐU"),
        host="Đảng ủy phường Bến Thành",
        host_org=None,
        until=until,
        purpose=purpose,
    )


@pytest.mark.django_db
def test_the_span_of_each_purpose() -> None:
    first, last, rule = temporary_span("work", START)
    assert (first, last) == (D(2026, 1, 1), D(2026, 9, 30))
    assert rule.key == "transfer.temporary_months" and "QĐ 294-QĐ/TW" in rule.citation
    assert temporary_span("residence", START)[:2] == (D(2026, 1, 1), D(2026, 9, 30))
    assert temporary_span("study", START)[:2] == (D(2026, 1, 1), D(2027, 10, 1))
    assert "QĐ 232-QĐ/TW" in temporary_span("study", D(2025, 6, 30))[2].source


CASES = [
    ("work", D(2025, 12, 31), False),  # the day before 3 months
    ("work", D(2026, 1, 1), True),  # 3 months to the day
    ("work", D(2026, 1, 2), True),
    ("residence", D(2026, 9, 30), True),  # the last day under 1 year
    ("residence", D(2026, 10, 1), False),  # a full year: an official transfer
    ("residence", D(2026, 10, 2), False),
    ("study", D(2025, 12, 31), False),
    ("study", D(2026, 1, 1), True),
    ("study", D(2027, 9, 30), True),
    ("study", D(2027, 10, 1), True),  # 2 years to the day
    ("study", D(2027, 10, 2), False),
]


@pytest.mark.parametrize(("purpose", "until", "accepted"), CASES)
def test_bounds_through_the_service(
    people: dict, purpose: str, until: dt.date, accepted: bool
) -> None:
    member = people["m"][0]
    if accepted:
        event = _temp(member, until, purpose)
        assert event.data["purpose"] == purpose and event.data["until"] == until.isoformat()
        member.refresh_from_db()
        assert member.status == Status.TEMP_AWAY
        return
    with pytest.raises(ValidationError) as exc:
        _temp(member, until, purpose)
    assert list(exc.value.message_dict) == ["until"]
    text = " ".join(exc.value.messages)
    assert "QĐ 294-QĐ/TW" in text and "6.3.2" in text and "01/01/2026" in text
    member.refresh_from_db()
    assert member.status == Status.ACTIVE


@pytest.mark.parametrize(("purpose", "until", "accepted"), CASES)
def test_bounds_through_the_api(people: dict, purpose: str, until: dt.date, accepted: bool) -> None:
    member = people["m"][0]
    body = {
        "effective_date": START.isoformat(),
        "host": "Đảng ủy phường Bến Thành",
        "purpose": purpose,
        "until": until.isoformat(),
        "version": member.version,
    }
    r = api_for(people["sec"]).post(f"/members/{member.member_code}/events/temp_out", body)
    assert r.status_code == (201 if accepted else 422), r.content
    if not accepted:
        text = json.dumps(r.json(), ensure_ascii=False)
        assert "QĐ 294-QĐ/TW" in text and "6.3.2" in text


def test_purpose_and_end_are_required_in_the_api(people: dict) -> None:
    member = people["m"][0]
    body = {"effective_date": "2025-10-01", "host": "Phường 1", "version": member.version}
    r = api_for(people["sec"]).post(f"/members/{member.member_code}/events/temp_out", body)
    assert r.status_code == 422, r.content
    assert Member.objects.get(pk=member.pk).status == Status.ACTIVE


@pytest.mark.parametrize(
    ("today", "state"),
    [
        (D(2026, 2, 28), "away"),  # the day before the month's warning
        (D(2026, 3, 1), "ending"),  # one month before the end
        (D(2026, 4, 1), "ending"),  # the expected end
        (D(2026, 4, 2), "overdue"),  # the day after
    ],
)
def test_ending_and_overdue_at_their_boundaries(people: dict, today: dt.date, state: str) -> None:
    _temp(people["m"][0], D(2026, 4, 1))
    listed = transfers.temporary_away(people["sec"], people["tree"]["cell_a"], as_of=today)
    assert [t.member.member_code for t in listed] == ["TT-0"]
    t = listed[0]
    assert (t.until, t.warn_from, t.purpose) == (D(2026, 4, 1), D(2026, 3, 1), "work")
    assert t.state(today) == state
    # The home's "Việc cần làm" counts the same, for the cell and for its committee.
    for root in (people["tree"]["cell_a"], people["tree"]["uni"]):
        n = work.compute(root, today).total.n
        assert n["temporary_ending"] == (state == "ending")
        assert n["temporary_overdue"] == (state == "overdue")
    # API: the list, and only the overdue ones.
    api = api_for(people["sec"])
    r = api.get(f"/activity/temporary-transfers?org=BK-SV1&as_of={today.isoformat()}")
    assert r.status_code == 200, r.content
    assert [(x["member_code"], x["state"], x["until"]) for x in r.json()["items"]] == [
        ("TT-0", state, "2026-04-01")
    ]
    r = api_for(people["staff"]).get(
        f"/activity/temporary-transfers?org=BK&state=overdue&as_of={today.isoformat()}"
    )
    assert r.status_code == 200, r.content
    assert [x["member_code"] for x in r.json()["items"]] == (["TT-0"] if state == "overdue" else [])


def test_back_from_the_transfer_leaves_the_list(people: dict) -> None:
    member = people["m"][0]
    _temp(member, D(2026, 4, 1))
    record(EventKind.TEMP_BACK, actor=None, member=member, effective_date=D(2026, 4, 10))
    assert (
        transfers.temporary_away(people["sec"], people["tree"]["cell_a"], as_of=D(2026, 5, 1)) == []
    )
    assert work.compute(people["tree"]["cell_a"], D(2026, 5, 1)).total.n["temporary_overdue"] == 0


def test_the_page_and_the_home_warn(people: dict) -> None:
    today = timezone.localdate()
    _temp(people["m"][0], today - dt.timedelta(days=1), start=today - dt.timedelta(days=120))
    _temp(people["m"][1], today + dt.timedelta(days=10), start=today - dt.timedelta(days=100))
    client = Client()
    client.force_login(people["staff"])
    page = client.get("/activity/transfers/?org=BK").content.decode()
    assert 'id="temp-TT-0" class="state-overdue"' in page
    assert 'id="temp-TT-1" class="state-ending"' in page
    home = client.get("/").content.decode()
    assert "#temporary" in home
    client.force_login(people["sec"])
    home = client.get("/").content.decode()
    assert "#temporary" in home
