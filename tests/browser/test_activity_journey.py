"""Activity in real Chromium: a cell secretary records a meeting and fills the attendance sheet.

Everyone is present by default; the secretary marks one member unexcused
with the keyboard shortcut and one excused (choosing the reason), each row
saved by htmx without a page reload; the minutes summary follows; the
warning for the absent member then shows on the warnings page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from chibo.activity.models import Attendance, Meeting
from chibo.core.roles import Role
from tests import factories
from tests.browser.helpers import login

pytestmark = pytest.mark.browser


def test_secretary_fills_an_attendance_sheet(live_url: str, page: Any) -> None:
    tree = factories.tree()
    names = ["Lê Văn Minh", "Phạm Thị Hoa", "Võ Văn Tâm", "Đặng Thu Trang"]
    people = [
        factories.member(
            tree["cell_a"], full_name=n, code=f"DV-A{i}", admitted_on=dt.date(2024, 3, 1)
        )
        for i, n in enumerate(names)
    ]
    factories.user("bithu", Role.CELL_SECRETARY, tree["cell_a"])
    login(page, live_url, "bithu")

    page.goto(f"{live_url}/activity/meetings/?org=BK-SV1")
    page.click("#new-meeting")
    day = (dt.date.today() - dt.timedelta(days=1)).strftime("%d/%m/%Y")
    page.fill("#id_held_on", day)
    page.fill("#id_place", "Phòng B4.01")
    page.fill("#id_agenda", "Quán triệt nghị quyết; phân công nhiệm vụ")
    page.click(".form-card form button[type=submit]")
    page.wait_for_selector("#sheet")
    meeting = Meeting.objects.get(org=tree["cell_a"])
    assert (
        Attendance.objects.filter(meeting=meeting, status="present").count() == 4
    )  # present by default
    url_before = page.url

    # Keyboard: focus Võ Văn Tâm's row and press 3 (unexcused).
    page.focus("#row-DV-A2 input[value=present]")
    page.keyboard.press("3")
    page.wait_for_selector("#row-DV-A2 .saved")
    # Mouse: Phạm Thị Hoa excused. Without a reason the row is not sent (it would be
    # refused): the row asks for the reason and the reason chooser gets the focus.
    page.check("#row-DV-A1 input[value=excused]")
    page.wait_for_selector("#row-DV-A1 .row-state .pending")
    assert page.evaluate("document.activeElement.name") == "reason-DV-A1"
    assert Attendance.objects.get(meeting=meeting, member=people[1]).status == "present"
    page.select_option("#row-DV-A1 select", "illness")
    page.wait_for_selector("#row-DV-A1 .saved")

    assert page.url == url_before  # saved without a page reload
    summary = page.inner_text("#summary")
    assert "Phạm Thị Hoa" in summary and "Võ Văn Tâm" in summary
    assert "2 / 4" in summary or "2 trên 4" in summary or "2 of 4" in summary
    rows = {
        a.member.member_code: (a.status, a.reason.code if a.reason else "")
        for a in Attendance.objects.filter(meeting=meeting).select_related("member", "reason")
    }
    assert rows == {
        "DV-A0": ("present", ""),
        "DV-A1": ("excused", "illness"),
        "DV-A2": ("unexcused", ""),
        "DV-A3": ("present", ""),
    }
    assert people

    # The daily run (here: "Recompute now" by the secretary) shows the warning.
    page.goto(f"{live_url}/activity/warnings/?org=BK-SV1")
    page.click("form[action$='/activity/warnings/refresh/'] button")
    page.wait_for_selector("#warnings")
    assert "Võ Văn Tâm" in page.inner_text("#warnings")
