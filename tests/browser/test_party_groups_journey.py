"""Party groups in real Chromium: the secretary of a 50-member cell creates two groups, puts
members in them and records a meeting by party group (issue 20, item 14).

Screenshots of the meeting form at 390 and 1366 px land in ``artifacts/``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from chibo.activity.models import Meeting
from chibo.core.roles import Role
from tests import factories
from tests.browser.helpers import login

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


def test_secretary_records_a_meeting_by_party_group(live_url: str, page: Any) -> None:
    tree = factories.tree()
    for i in range(50):
        factories.member(tree["cell_a"], full_name=f"Đảng viên số {i:02d}", code=f"TD{i:03d}")
    factories.user("bithu", Role.CELL_SECRETARY, tree["cell_a"])
    login(page, live_url, "bithu")

    page.goto(f"{live_url}/activity/party-groups/?org=BK-SV1")
    assert "HD 03-HD/TW (2022)" in page.inner_text("#group-rule")
    for name in ("Tổ 1", "Tổ 2"):
        page.fill("#id_group_name", name)
        with page.expect_navigation():
            page.click("#create-group")
    for i in range(50):
        page.select_option(f"#g-TD{i:03d}", label="Tổ 1" if i < 26 else "Tổ 2")
    with page.expect_navigation():
        page.click("#save-groups")
    assert "Đã lưu danh sách tổ đảng" in page.content()

    page.goto(f"{live_url}/activity/meetings/new/?org=BK-SV1")
    page.fill("#id_held_on", (dt.date.today() - dt.timedelta(days=1)).strftime("%d/%m/%Y"))
    page.select_option("#id_group", label="Tổ 2")
    page.fill("#id_place", "Phòng B4.01")
    ARTIFACTS.mkdir(exist_ok=True)
    for width, height in ((390, 844), (1366, 900)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(
            path=str(ARTIFACTS / f"party_group_meeting_form_{width}.png"), full_page=True
        )
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.click(".form-card form button[type=submit]")
    page.wait_for_selector("#sheet")
    assert "Tổ 2" in page.inner_text("h1")
    meeting = Meeting.objects.get()
    assert meeting.group is not None and meeting.group.name == "Tổ 2"
    assert meeting.attendance.count() == 24
