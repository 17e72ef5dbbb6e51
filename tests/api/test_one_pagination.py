"""One pagination (issue 18, "one API style"): every paged list of the API is cut by
``chibo.apitools.keyset_page`` (a query) or ``list_page`` (a list computed in Python); no router
decodes a cursor or slices a list itself. ``GET /members/incoming`` was a bare list cut
silently at 1,000 rows: it answers ``{"items", "next"}`` with ``limit`` and ``cursor``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from chibo.core.roles import Role
from chibo.members import services as member_services
from tests import factories as f
from tests.api.conftest import api_for

ROOT = Path(__file__).resolve().parents[2] / "chibo"

# Keysets read by their own selector, which takes the decoded key (both are one query):
# the member search (`MemberSearch.rows(after=...)`, its contract fixed by issue 3) and the
# cells' tracking starts (`tracking.cells_tracking(after=...)`, one query by tree path).
OWN_KEYSET = {"members/api.py": 1, "activity/api/starts.py": 1}


def _api_modules() -> list[Path]:
    return sorted([*ROOT.glob("*/api.py"), *ROOT.glob("*/api/*.py")])


def test_no_router_cuts_its_own_pages() -> None:
    found: dict[str, int] = {}
    slices = []
    for path in _api_modules():
        text = path.read_text()
        name = str(path.relative_to(ROOT))
        calls = len(re.findall(r"\bdecode_cursor\(", text))
        if calls:
            found[name] = calls
        # A bare cut of a list or a query at a fixed number of rows (`[:500]`, `[: 1000]`).
        slices += [f"{name}: {m}" for m in re.findall(r"\[:\s*\d+\]", text)]
    assert found == OWN_KEYSET
    assert slices == []


@pytest.mark.django_db
def test_members_addressed_to_a_cell_come_a_page_at_a_time(tree: dict) -> None:
    for i in range(5):
        member = f.member(tree["cell_a"], code=f"IN{i}", full_name=f"Lê Văn {'EDCBA'[i]}")
        member_services.member_transfer_out(
            actor=None,
            member=member,
            effective_date=timezone.localdate(),
            destination_org=tree["school"],
            decision=member_services.Decision(number=f"{i}-QĐ/ĐU"),
        )
    q1 = api_for(f.user("q1sec", Role.CELL_SECRETARY, tree["school"]))
    whole = q1.get("/members/incoming", limit=200).json()
    assert whole["next"] is None
    assert [r["member_code"] for r in whole["items"]] == ["IN4", "IN3", "IN2", "IN1", "IN0"]
    for limit in (1, 2, 4):
        items: list[dict[str, Any]] = []
        cursor = ""
        while True:
            body = q1.get("/members/incoming", limit=limit, cursor=cursor).json()
            assert len(body["items"]) <= limit
            items += body["items"]
            if body["next"] is None:
                break
            cursor = body["next"]
        assert items == whole["items"]
    for cursor in ("nonsense", "WyJhIl0", "W10", "x" * 501):
        assert q1.get("/members/incoming", cursor=cursor).status_code == 422
    for limit in (0, 201):
        assert q1.get("/members/incoming", limit=limit).status_code == 422
