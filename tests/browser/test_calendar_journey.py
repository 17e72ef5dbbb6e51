"""The working-day calendar and the admission pages of issue 20, in real Chromium.

The city office reads the 2026 calendar (24/11 stays a working day), adds a day off for
2027 and removes it; a cell secretary reads the calendar without a form. The "admit a
member" page points to the admission path; a committee user records a past admission.
Screenshots at 390 and 1366 px in artifacts/.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from chibo.core.roles import Role
from chibo.lib.workdays import is_working_day
from chibo.members.models import EventKind, Member
from tests import factories
from tests.browser.helpers import login

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "artifacts"


def _shots(page: Any, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    for width, height in ((390, 844), (1366, 900)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        if width == 390:
            wide = page.evaluate("document.documentElement.scrollWidth")
            assert wide <= 390, f"{name} is {wide}px wide on a phone"


def test_the_city_office_keeps_the_calendar(live_url: str, page: Any) -> None:
    tree = factories.tree()
    factories.user("vpthanhuy", Role.CITY_OFFICE, tree["city"])
    factories.user("bithu", Role.CELL_SECRETARY, tree["cell_a"])

    login(page, live_url, "vpthanhuy")
    page.click("a[href='/calendar/']")
    page.goto(f"{live_url}/calendar/?year=2026")
    row = page.locator("#day-2026-11-24").inner_text()
    assert "ngày làm việc" in row and "Ngày Văn hóa Việt Nam" in row
    _shots(page, "calendar-2026")
    page.fill("#id_day", "04/01/2027")
    page.select_option("#id_working", "0")
    page.fill("#id_name", "Nghỉ bù Tết Dương lịch")
    page.fill("#id_source", "TB 1/TB-BNV (thử)")
    page.select_option("#id_confidence", "H")
    page.click("main form button[type=submit]:has-text('Lưu')")
    page.wait_for_url("**/calendar/?year=2027")
    assert "04/01/2027" in page.locator("#day-2027-01-04").inner_text()
    assert not is_working_day(dt.date(2027, 1, 4))
    page.click("#day-2027-01-04 button[name=delete]")
    page.wait_for_url("**/calendar/?year=2027")
    assert page.locator("#day-2027-01-04").count() == 0
    assert is_working_day(dt.date(2027, 1, 4))

    page.context.clear_cookies()
    login(page, live_url, "bithu")
    page.goto(f"{live_url}/calendar/?year=2025")
    assert "26/04/2025" in page.locator("#day-2025-04-26").inner_text()
    assert page.locator("#id_source").count() == 0  # read only


def test_admit_points_to_the_path_and_the_committee_records_the_past(
    live_url: str, page: Any
) -> None:
    tree = factories.tree()
    factories.user("bithu", Role.CELL_SECRETARY, tree["cell_a"])
    factories.user("danguy", Role.GRASSROOTS_STAFF, tree["uni"])

    login(page, live_url, "bithu")
    page.goto(f"{live_url}/members/admit/")
    assert page.locator("a[href^='/admissions/new/']").count() == 1
    assert page.locator("a[href^='/members/past-admission/']").count() == 0
    _shots(page, "members-admit-cell")

    page.context.clear_cookies()
    login(page, live_url, "danguy")
    page.goto(f"{live_url}/members/admit/")
    page.click("a[href^='/members/past-admission/']")
    page.select_option("#id_org", "BK-SV1")
    page.fill("#id_member_code", "DV-XUA")
    page.fill("#id_full_name", "Hồ Thị Xưa")
    page.fill("#id_date_of_birth", "02/03/1988")
    page.select_option("#id_gender", "female")
    page.select_option("#id_category", "teacher")
    page.fill("#id_admitted_on", "15/09/2012")
    page.fill("#id_decision_number", "77-QĐ/QU")
    page.fill("#id_deciding_body", "Ban Thường vụ Quận ủy")
    page.fill("#id_recognition_decided_on", "16/09/2013")
    _shots(page, "members-past-admission")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/members/DV-XUA/")
    member = Member.objects.get(member_code="DV-XUA")
    assert member.is_full and member.events.get(kind=EventKind.ADMITTED).data["historical"]
