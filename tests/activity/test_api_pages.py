"""The /api/v1/activity lists over an org subtree answer one page at a time (docs/api.md,
"Pagination"): ``{"items", "next"}``, ``limit`` 1–200, ``cursor``; walking the pages gives the
whole list once, in its order; a forged cursor is a 422; only the page's members are audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from chibo.activity import tracking
from chibo.core.models import AuditEntry
from chibo.orgs.models import Org, OrgKind
from tests import factories
from tests.activity.conftest import hold, walk_pages
from tests.api.conftest import api_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy(tree: dict[str, Org]) -> dict[str, Any]:
    """Five members missing the September meeting in two cells; two more cells with a member
    each and no meeting at all."""
    a = [factories.member(tree["cell_a"], full_name=f"Sinh viên {i}") for i in range(3)]
    b = [factories.member(tree["cell_b"], full_name=f"Giảng viên {i}") for i in range(2)]
    hold(tree["cell_a"], dt.date(2026, 9, 5), dict.fromkeys(a, "unexcused"))
    hold(tree["cell_b"], dt.date(2026, 9, 5), dict.fromkeys(b, "unexcused"))
    for i in range(2):
        cell = factories.org(
            f"BK-SV{i + 2}", f"Chi bộ Sinh viên {i + 2}", OrgKind.SUBORDINATE_CELL, tree["uni"]
        )
        factories.member(cell)
    # Every cell of the school judged from July: the new cells missed every meeting since.
    tracking.tracking_set(actor=None, org=tree["uni"], set_on=dt.date(2026, 7, 1))
    return {
        "members": a + b,
        "staff": api_for(factories.user("staff", "grassroots_staff", tree["uni"])),
    }


def test_warnings_come_a_page_at_a_time_and_only_the_page_is_audited(busy: dict[str, Any]) -> None:
    staff = busy["staff"]
    whole = staff.get("/activity/warnings", org="BK", as_of="2026-10-20", limit=200).json()
    assert whole["next"] is None and len(whole["items"]) >= 7
    assert [(r["org_code"], r["member_code"]) for r in whole["items"]] == sorted(
        (r["org_code"], r["member_code"]) for r in whole["items"]
    )
    for limit in (1, 2, 4, len(whole["items"])):
        assert (
            walk_pages(staff, "/activity/warnings", limit, org="BK", as_of="2026-10-20")
            == whole["items"]
        )

    AuditEntry.objects.filter(action="activity.list").delete()
    first = staff.get("/activity/warnings", org="BK", as_of="2026-10-20", limit=2).json()
    seen = AuditEntry.objects.get(action="activity.list").data["members"]
    assert seen == [r["member_code"] for r in first["items"]]


def test_cells_missing_meetings_and_tracking_page_in_tree_order(
    tree: dict[str, Org], busy: dict[str, Any]
) -> None:
    staff = busy["staff"]
    missing = staff.get(
        "/activity/cells-missing-meetings", org="BK", as_of="2026-10-20", limit=200
    ).json()
    codes = [r["org_code"] for r in missing["items"]]
    paths = dict(Org.objects.values_list("code", "path"))
    assert sorted(codes) == ["BK-GV1", "BK-SV1", "BK-SV2", "BK-SV3"] and missing["next"] is None
    assert codes == sorted(codes, key=paths.__getitem__)
    assert (
        walk_pages(staff, "/activity/cells-missing-meetings", 1, org="BK", as_of="2026-10-20")
        == missing["items"]
    )

    tracked = staff.get("/activity/tracking", org="BK", limit=200).json()
    cells = [r["org_code"] for r in tracked["items"]]
    assert sorted(cells) == ["BK-GV1", "BK-SV1", "BK-SV2", "BK-SV3"]
    assert cells == sorted(cells, key=paths.__getitem__)
    for limit in (1, 3, 4):
        assert walk_pages(staff, "/activity/tracking", limit, org="BK") == tracked["items"]


@pytest.mark.parametrize(
    "path", ["/activity/warnings", "/activity/cells-missing-meetings", "/activity/tracking"]
)
@pytest.mark.parametrize("cursor", ["nonsense", "WyJhIiwiYiJd", "W10", "x" * 501])
def test_a_cursor_that_is_not_ours_is_a_422(busy: dict[str, Any], path: str, cursor: str) -> None:
    answer = busy["staff"].get(path, org="BK", cursor=cursor)
    assert answer.status_code == 422, (cursor, answer.content)


@pytest.mark.parametrize("limit", [0, 201])
def test_the_limit_is_one_to_two_hundred(busy: dict[str, Any], limit: int) -> None:
    for path in ("/activity/warnings", "/activity/cells-missing-meetings", "/activity/tracking"):
        assert busy["staff"].get(path, org="BK", limit=limit).status_code == 422
