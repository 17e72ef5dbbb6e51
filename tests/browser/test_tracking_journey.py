"""A school loads its roster (orgs and members, no meetings, no dues): nobody is proposed for removal.

In real Chromium: the committee recomputes the warnings, sees its cells listed as
"chưa có dữ liệu sinh hoạt" (to follow up) and no member at risk, sets the day one cell
started recording, and the cell's secretary sees from which month her cell is tracked.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from chibo.activity.models import MemberWarning, Tracking
from chibo.core.roles import Role
from chibo.orgs.models import Org
from tests import factories
from tests.browser.helpers import login
from tests.interchange.helpers import import_roster

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "artifacts"


def test_imported_roster_proposes_nobody_for_removal(
    live_url: str, page: Any, tmp_path: Path
) -> None:
    import_roster(tmp_path, members=12)
    factories.user("dang-uy", Role.GRASSROOTS_STAFF, Org.objects.get(code="DH1"))
    factories.user("bithu", Role.CELL_SECRETARY, Org.objects.get(code="DH1-SV"))

    login(page, live_url, "dang-uy")
    page.goto(f"{live_url}/activity/warnings/?org=DH1")
    page.click("form[action$='/activity/warnings/refresh/'] button[type=submit]")
    page.wait_for_load_state("domcontentloaded")
    assert MemberWarning.objects.count() == 0
    note = page.inner_text("#tracking-note")
    assert "2 chi bộ chưa có dữ liệu sinh hoạt" in note
    assert "Chi bộ Sinh viên" in note and "Chi bộ Giảng viên" in note
    assert page.locator("#warnings").count() == 0  # no member listed
    assert "Đảng viên 1" not in page.content()
    SHOTS.mkdir(exist_ok=True)
    for width, height in ((390, 844), (1366, 900)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SHOTS / f"tracking-warnings-{width}.png"), full_page=True)

    # The committee says the student cell started recording on 01/09 this year.
    start = dt.date(dt.date.today().year, 9, 1)
    if start > dt.date.today():
        start = start.replace(year=start.year - 1)
    page.click("#tracking-note a[href*='/activity/tracking/']")
    page.click(".tracking-form summary")
    page.fill("#id_org", "DH1-SV")
    page.fill("#id_set_on", start.strftime("%d/%m/%Y"))
    page.fill("#id_note", "Bắt đầu ghi sinh hoạt trên chibo")
    page.click(".tracking-form button[type=submit]")
    page.wait_for_load_state("domcontentloaded")
    assert Tracking.objects.get(org__code="DH1-SV").set_on == start
    row = page.inner_text("#tracking tbody tr:first-child")
    assert start.strftime("%d/%m/%Y") in row and "do cấp ủy xác định" in row
    for width, height in ((390, 844), (1366, 900)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SHOTS / f"tracking-page-{width}.png"), full_page=True)

    page.context.clear_cookies()
    login(page, live_url, "bithu")
    page.goto(f"{live_url}/activity/warnings/?org=DH1-SV")
    note = page.inner_text("#tracking-note")
    assert f"theo dõi từ ngày {start:%d/%m/%Y}" in note and f"tháng {start:%m/%Y}" in note
