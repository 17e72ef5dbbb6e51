"""Optimistic locking is required on every API write that changes a member (review item 14).

Without `version` a lifecycle event was accepted, so two clients could
overwrite each other unseen. Now a write without it is a 422 naming the
field, a stale one is refused, and only the right one is applied.
(Candidates: tests/admissions/test_version_required.py; progress reports:
tests/directives/test_version_required.py.)
"""

from __future__ import annotations

import pytest

from chibo.members.models import Member, MemberEvent
from tests.api.conftest import api_for

pytestmark = pytest.mark.django_db

WRITES = [
    (
        "post",
        "/members/DV-AN/events/exempted",
        {"effective_date": "2025-02-01", "note": "Ốm", "criterion": "illness"},
    ),
    (
        "post",
        "/members/DV-AN/events/recognized",
        {"decided_on": "2025-03-01", "decision_number": "7"},
    ),
    (
        "post",
        "/members/DV-AN/events/category_changed",
        {"effective_date": "2025-02-01", "category": "other"},
    ),
    ("patch", "/members/DV-AN", {"full_name": "Nguyễn Văn Ân"}),
]


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_a_member_write_needs_the_version_it_was_based_on(world, method, path, body) -> None:
    api = api_for(world["users"]["sec"])
    events = MemberEvent.objects.count()
    missing = getattr(api, method)(path, body)
    assert missing.status_code == 422 and "version" in missing.json()["error"]["fields"]
    stale = getattr(api, method)(path, {**body, "version": 2})  # the member is at version 1
    assert stale.status_code == 422
    member = Member.objects.get(member_code="DV-AN")
    assert (member.version, MemberEvent.objects.count()) == (1, events)
    ok = getattr(api, method)(path, {**body, "version": 1})
    assert ok.status_code in (200, 201), ok.json()
    assert Member.objects.get(member_code="DV-AN").version == 2


def test_receiving_a_transfer_needs_the_version(world) -> None:
    u = world["users"]
    out = api_for(u["sec"]).post(
        "/members/DV-AN/events/transfer_out",
        {"effective_date": "2025-08-01", "destination_org": "Q1-THPT", "version": 1},
    )
    assert out.status_code == 201
    q1 = api_for(u["q1"])
    [incoming] = q1.get("/members/incoming").json()["items"]
    body = {"org": "Q1-THPT", "effective_date": "2025-08-10"}
    missing = q1.post("/members/DV-AN/receive", body)
    assert missing.status_code == 422 and "version" in missing.json()["error"]["fields"]
    assert q1.post("/members/DV-AN/receive", {**body, "version": 1}).status_code == 422
    ok = q1.post("/members/DV-AN/receive", {**body, "version": incoming["version"]})
    assert ok.status_code == 201 and ok.json()["member"]["org_code"] == "Q1-THPT"
