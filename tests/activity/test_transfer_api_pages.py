"""The transfer lists of /api/v1/activity answer one page at a time (docs/api.md, "Pagination"),
as the warnings do: ``{"items", "next"}``, ``limit`` 1–200, ``cursor``. Walking the pages gives
the whole list once, in its order, whatever the page size and the filter; a forged cursor is a
422; only the page's members are audited. Their selectors no longer cut the list (they cut
silently at 1,000 / 2,000 / 5,000 / 500 rows): the page and the API read the same query."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from chibo.core.models import AuditEntry
from chibo.core.roles import Role
from chibo.members import services as member_services
from chibo.members.lifecycle import Decision, EventKind, TransferGrounds, record
from chibo.members.models import MemberEvent
from chibo.members.services import late_transfer_decide
from tests import factories as f
from tests.activity.conftest import walk_pages
from tests.api.conftest import api_for

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
START = TODAY - dt.timedelta(days=40)  # the temporary transfers
AS_OF = START + dt.timedelta(days=130)  # about a month before the first ones end


def _months(day: dt.date, n: int) -> dt.date:
    from chibo.lib.dates import add_months

    return add_months(day, n)


@pytest.fixture
def lists(tree: dict) -> dict[str, Any]:
    """Every list of the transfers page with a few rows of BK-SV1, ties included."""
    cell, school = tree["cell_a"], tree["school"]
    sec = f.user("sec", Role.CELL_SECRETARY, cell)
    staff = f.user("staff", Role.GRASSROOTS_STAFF, tree["uni"])
    # Official transfers to Q1-THPT: two on the same day (their order: the id).
    for i, back in enumerate((3, 3, 2, 1)):
        member = f.member(cell, code=f"CT{i}", full_name=f"Lê Văn {'DCBA'[i]}")
        member_services.member_transfer_out(
            actor=None,
            member=member,
            effective_date=TODAY - dt.timedelta(days=back),
            destination_org=school,
            decision=member_services.Decision(number=f"{i}-QĐ/ĐU"),
        )
    # Late official transfers: one pending, one accepted, one refused.
    for i in range(3):
        member = f.member(cell, code=f"LT{i}", full_name=f"Phạm Thị {i}")
        event = record(
            EventKind.TRANSFER_OUT,
            actor=sec,
            member=member,
            effective_date=TODAY - dt.timedelta(days=5 + i),
            decision=Decision(number="5-QĐ/ĐU"),
            destination="",
            destination_org=school,
            grounds=TransferGrounds.JOB_MOVE,
            grounds_on=dt.date(2025, 10, 1),
            late_reason="Chờ quyết định nghỉ việc",
        )
        if i:
            late_transfer_decide(
                actor=staff, event=event, accepted=i == 1, note="" if i == 1 else "Thiếu hồ sơ"
            )
    # Temporary transfers: ends 4, 5, 5 and 6 months on; one without an end; one back.
    for i, months in enumerate((6, 5, 5, 4, None, 4)):
        member = f.member(cell, code=f"TT{i}", full_name=f"Trần Văn {i}")
        event = record(
            EventKind.TEMP_OUT,
            actor=None,
            member=member,
            effective_date=START,
            decision=Decision(number="12-GGT/ĐU"),
            host="Đảng ủy phường Bến Thành",
            host_org=None,
            until=_months(START, months or 4),
            purpose="work",
        )
        if months is None:  # entered before the end was asked (issue 20)
            MemberEvent.objects.filter(pk=event.pk).update(data={**event.data, "until": None})
        if i == 5:
            record(EventKind.TEMP_BACK, actor=None, member=member, effective_date=TODAY)
    # Graduating students: overdue, ending, may stay, upcoming (two on the same day).
    for i, back in enumerate((-400, -330, -100, -100, 30)):
        member = f.member(cell, code=f"SV{i}", full_name=f"Sinh viên {'EDCBA'[i]}")
        member.expected_graduation = AS_OF + dt.timedelta(days=back)
        member.save(update_fields=["expected_graduation"])
    return {
        "staff": api_for(staff),
        "receiver": api_for(f.user("receiver", Role.GRASSROOTS_STAFF, tree["district"])),
    }


CASES = [
    ("/activity/transfers", {"org": "BK", "side": "outgoing"}),
    ("/activity/transfers", {"org": "BK", "side": "outgoing", "open_only": "true"}),
    ("/activity/transfers", {"org": "Q1", "side": "incoming"}),
    ("/activity/graduates", {"org": "BK", "as_of": AS_OF.isoformat()}),
    ("/activity/temporary-transfers", {"org": "BK", "as_of": AS_OF.isoformat()}),
    ("/activity/late-transfers", {"org": "BK"}),
]


def _api(lists: dict[str, Any], params: dict[str, str]) -> Any:
    return lists["receiver"] if params["org"] == "Q1" else lists["staff"]


FORGED = ["nonsense", "WyJhIl0", "WyJhIiwiYiIsImMiLCJkIl0", "W10", "x" * 501]


@pytest.mark.parametrize(("path", "params"), CASES)
def test_every_page_size_walks_the_whole_list_once_in_order(
    lists: dict[str, Any], path: str, params: dict[str, str]
) -> None:
    api = _api(lists, params)
    whole = api.get(path, limit=200, **params).json()
    assert whole["next"] is None and len(whole["items"]) >= 3
    for limit in (1, 2, 3, len(whole["items"]) - 1, len(whole["items"])):
        assert walk_pages(api, path, limit, **params) == whole["items"]
    # Only the page's members are audited.
    AuditEntry.objects.filter(action="activity.list").delete()
    page = api.get(path, limit=2, **params).json()
    seen = AuditEntry.objects.get(action="activity.list").data["members"]
    assert seen == [r["member_code"] for r in page["items"]] and len(seen) == 2
    # A cursor that is not one of ours, a limit out of 1–200: 422.
    for cursor in FORGED:
        answer = api.get(path, cursor=cursor, **params)
        assert answer.status_code == 422, (cursor, answer.content)
    for limit in (0, 201):
        assert api.get(path, limit=limit, **params).status_code == 422


def test_the_orders(lists: dict[str, Any]) -> None:
    staff = lists["staff"]

    def codes(path: str, **params: Any) -> list[str]:
        return [r["member_code"] for r in staff.get(path, limit=200, **params).json()["items"]]

    sent = codes("/activity/transfers", org="BK", side="outgoing")
    # Newest first; the two of the same day, the later recorded first.
    assert [c for c in sent if c.startswith("CT")] == ["CT3", "CT2", "CT1", "CT0"]
    assert sent.index("CT0") < sent.index("LT0") and "TT0" in sent
    still = codes("/activity/transfers", org="BK", side="outgoing", open_only="true")
    assert "TT5" in sent and "TT5" not in still  # back from the temporary transfer
    arriving = lists["receiver"].get("/activity/transfers", org="Q1", side="incoming").json()
    assert [r["full_name"] for r in arriving["items"]][:4] == [
        "Lê Văn A",
        "Lê Văn B",
        "Lê Văn C",
        "Lê Văn D",
    ]
    assert codes("/activity/graduates", org="BK", as_of=AS_OF.isoformat()) == [
        "SV0",
        "SV1",
        "SV3",
        "SV2",
        "SV4",
    ]
    assert codes("/activity/temporary-transfers", org="BK", as_of=AS_OF.isoformat()) == [
        "TT3",
        "TT1",
        "TT2",
        "TT0",
        "TT4",
    ]
    assert codes("/activity/late-transfers", org="BK") == ["LT0", "LT1", "LT2"]


@pytest.mark.parametrize(
    ("path", "states"),
    [
        ("/activity/graduates", ("overdue", "ending", "may_stay", "upcoming")),
        ("/activity/temporary-transfers", ("away", "ending", "overdue", "no_end")),
        ("/activity/late-transfers", ("pending", "accepted", "refused")),
    ],
)
def test_a_state_filter_pages_the_filtered_list(
    lists: dict[str, Any], path: str, states: tuple[str, ...]
) -> None:
    staff = lists["staff"]
    whole = staff.get(path, org="BK", as_of=AS_OF.isoformat(), limit=200).json()["items"]
    for state in states:
        wanted = [r for r in whole if r["state"] == state]
        for limit in (1, 2):
            got = walk_pages(staff, path, limit, org="BK", as_of=AS_OF.isoformat(), state=state)
            assert got == wanted, state
    assert len({r["state"] for r in whole}) >= 3


def test_a_state_filter_is_exact_on_the_day_the_state_turns(lists: dict[str, Any]) -> None:
    """A temporary transfer ending 4 months on is "ending" from a month before, not sooner."""
    staff = lists["staff"]
    end = _months(START, 4)
    for day, state in ((_months(end, -1) - dt.timedelta(days=1), "away"), (end, "ending")):
        rows = staff.get(
            "/activity/temporary-transfers", org="BK", as_of=day.isoformat(), state=state, limit=1
        ).json()
        assert rows["items"][0]["member_code"] == "TT3", (day, state)
