"""A late official transfer waits for the competent committee (issue 20, item 10).

QĐ 294-QĐ/TW point 6.3.1: after the 60 working days the member reports the reason and the
competent committee decides. Decision 01/10/2025: the paperwork is due by 24/12/2025; a
transfer on 23/12 or 24/12 goes on at once, one on 25/12 (with its reason) stays pending — no
transfer letter, no arrival — until a user deciding for the cell's superior committee
(``admission.decide`` over it) accepts or refuses it, audited.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import translation

from chibo.activity import services as activity_services
from chibo.activity import transfers
from chibo.core.models import AuditEntry
from chibo.core.roles import Role
from chibo.members.lifecycle import (
    Decision,
    EventKind,
    TransferGrounds,
    late_transfer_state,
    record,
)
from chibo.members.models import Member, Status
from chibo.members.services import late_transfer_decide
from tests import factories as f
from tests.api.conftest import api_for

D = dt.date
DECIDED = D(2025, 10, 1)
LATE = D(2025, 12, 25)


@pytest.fixture
def people(tree: dict) -> dict:
    return {
        "m": [f.member(tree["cell_a"], code=f"LT-{i}", full_name=f"Lê Văn {i}") for i in range(3)],
        "sec": f.user("sec", Role.CELL_SECRETARY, tree["cell_a"]),
        "staff": f.user("staff", Role.GRASSROOTS_STAFF, tree["uni"]),
        "other": f.user("other", Role.SUPERIOR_STAFF, tree["district"]),
        "receiver": f.user("receiver", Role.CELL_SECRETARY, tree["school"]),
        "tree": tree,
    }


def _transfer(people: dict, member: Member, day: dt.date, late_reason: str = ""):
    return record(
        EventKind.TRANSFER_OUT,
        actor=people["sec"],
        member=member,
        effective_date=day,
        decision=Decision(number="5-QĐ/ĐU"),
        destination="",
        destination_org=people["tree"]["school"],
        grounds=TransferGrounds.JOB_MOVE,
        grounds_on=DECIDED,
        late_reason=late_reason,
    )


def _letter(people: dict, event):
    return activity_services.transfer_letter_issue(
        actor=people["sec"], event=event, number="12-GGT/ĐU", issued_on=D(2025, 12, 29)
    )


def _arrive(people: dict, member: Member):
    member.refresh_from_db()
    return record(
        EventKind.TRANSFER_IN,
        actor=people["receiver"],
        member=member,
        effective_date=D(2025, 12, 30),
        org=people["tree"]["school"],
    )


@pytest.mark.parametrize(
    ("day", "late"), [(D(2025, 12, 23), False), (D(2025, 12, 24), False), (LATE, True)]
)
def test_the_late_one_waits_for_the_committee(people: dict, day: dt.date, late: bool) -> None:
    member = people["m"][0]
    event = _transfer(people, member, day, late_reason="Chờ quyết định nghỉ việc" if late else "")
    event.refresh_from_db()
    assert (event.late, bool(event.data.get("late"))) == (late, late)  # the column, with the JSON
    if not late:
        assert late_transfer_state(event) is None
        _letter(people, event)
        assert _arrive(people, member).kind == EventKind.TRANSFER_IN
        return
    assert late_transfer_state(event) == "pending"
    with pytest.raises(ValidationError) as exc:
        _letter(people, event)
    text = " ".join(exc.value.messages)
    assert "24/12/2025" in text and "QĐ 294-QĐ/TW" in text and "6.3.1" in text
    assert "Đảng ủy Trường Đại học Bách khoa" in text  # the committee that decides
    with pytest.raises(ValidationError) as exc:
        _arrive(people, member)
    assert "org" in exc.value.message_dict
    member.refresh_from_db()
    assert member.status == Status.TRANSFERRED_OUT
    # The superior committee accepts: the transfer goes on.
    late_transfer_decide(
        actor=people["staff"], event=event, accepted=True, decided_on=D(2025, 12, 26)
    )
    event.refresh_from_db()
    assert late_transfer_state(event) == "accepted"
    _letter(people, event)
    assert _arrive(people, member).kind == EventKind.TRANSFER_IN
    entry = AuditEntry.objects.get(action="members.late_transfer_decided")
    assert entry.object_id == "LT-0" and entry.data["accepted"] is True


def test_who_decides_and_a_refusal(people: dict) -> None:
    member = people["m"][1]
    event = _transfer(people, member, LATE, late_reason="Ốm dài ngày")
    for user in (people["sec"], people["other"]):  # the cell itself; another subtree
        with pytest.raises(PermissionDenied):
            late_transfer_decide(actor=user, event=event, accepted=True)
    with pytest.raises(ValidationError) as exc:
        late_transfer_decide(actor=people["staff"], event=event, accepted=False)
    assert "note" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        late_transfer_decide(
            actor=people["staff"], event=event, accepted=True, decided_on=D(2025, 12, 24)
        )
    assert "decided_on" in exc.value.message_dict  # before the transfer
    late_transfer_decide(
        actor=people["staff"], event=event, accepted=False, note="Lý do không chính đáng"
    )
    event.refresh_from_db()
    assert late_transfer_state(event) == "refused"
    with pytest.raises(ValidationError):
        late_transfer_decide(actor=people["staff"], event=event, accepted=True)  # decided once
    with translation.override("vi"), pytest.raises(ValidationError) as exc:
        _arrive(people, member)
    assert "từ chối" in " ".join(exc.value.messages)
    listed = transfers.late_transfers(people["sec"], people["tree"]["cell_a"])
    assert [(t.member.member_code, t.state) for t in listed] == [("LT-1", "refused")]


def test_an_on_time_transfer_has_nothing_to_decide(people: dict) -> None:
    event = _transfer(people, people["m"][2], D(2025, 12, 24))
    with pytest.raises(ValidationError):
        late_transfer_decide(actor=people["staff"], event=event, accepted=True)


@pytest.mark.parametrize(
    ("code", "day", "state"),
    [("LT-0", "2025-12-23", None), ("LT-1", "2025-12-24", None), ("LT-2", "2025-12-25", "pending")],
)
def test_through_the_api(people: dict, code: str, day: str, state: str | None) -> None:
    sec, staff = api_for(people["sec"]), api_for(people["staff"])
    body = {
        "effective_date": day,
        "destination_org": "Q1-THPT",
        "grounds": "job_move",
        "grounds_on": "2025-10-01",
        "late_reason": "Chờ quyết định nghỉ việc",
        "version": Member.objects.get(member_code=code).version,
    }
    r = sec.post(f"/members/{code}/events/transfer_out", body)
    assert r.status_code == 201, r.content
    sent = sec.get("/activity/transfers?org=BK-SV1&side=outgoing").json()["items"]
    paper = next(p for p in sent if p["member_code"] == code)
    assert paper["late_decision"] == state
    listed = staff.get("/activity/late-transfers?org=BK").json()["items"]
    assert [x["member_code"] for x in listed] == ([code] if state else [])
    if state is None:
        return
    assert listed[0]["state"] == "pending" and listed[0]["committee"] == "BK"
    assert listed[0]["late_reason"] == "Chờ quyết định nghỉ việc"
    event_id = paper["event_id"]
    r = sec.post(f"/activity/transfers/{event_id}/late-decision", {"accepted": True})
    assert r.status_code == 403, r.content
    r = staff.post(f"/activity/transfers/{event_id}/late-decision", {"accepted": False})
    assert r.status_code == 422 and "note" in json.dumps(r.json())
    r = staff.post(
        f"/activity/transfers/{event_id}/late-decision",
        {"accepted": True, "decided_on": "2025-12-26", "note": "Đồng ý"},
    )
    assert r.status_code == 201, r.content
    assert (r.json()["state"], r.json()["decided_on"]) == ("accepted", "2025-12-26")
    assert staff.get("/activity/late-transfers?org=BK&state=pending").json()["items"] == []


def test_the_page(people: dict) -> None:
    event = _transfer(people, people["m"][0], LATE, late_reason="Chờ quyết định nghỉ việc")
    secretary, staff = Client(), Client()
    secretary.force_login(people["sec"])
    staff.force_login(people["staff"])
    page = secretary.get("/activity/transfers/?org=BK-SV1").content.decode()
    assert f'id="late-{event.pk}" class="state-pending"' in page
    assert f"/activity/transfers/{event.pk}/late-decision/" not in page  # not the cell's to decide
    page = staff.get("/activity/transfers/?org=BK").content.decode()
    assert f"/activity/transfers/{event.pk}/late-decision/" in page
    r = secretary.post(f"/activity/transfers/{event.pk}/late-decision/", {"accepted": "1"})
    event.refresh_from_db()
    assert late_transfer_state(event) == "pending"
    r = staff.post(
        f"/activity/transfers/{event.pk}/late-decision/",
        {"accepted": "0", "note": "Không có lý do chính đáng", "decided_on": "26/12/2025"},
    )
    assert r.status_code == 302
    event.refresh_from_db()
    assert late_transfer_state(event) == "refused"
    page = staff.get("/activity/transfers/?org=BK").content.decode()
    assert f'id="late-{event.pk}" class="state-refused"' in page
    assert "Không có lý do chính đáng" in page
