"""The attendance sheet in one hand: a cell secretary on a 390 × 844 touch screen.

Everyone is present by default. Each member is a card with three big toggles; tapping
"excused" opens the reason chooser right under the toggles and sends nothing until a
reason is chosen; the row's "✓ Saved" and its error show inside the card, on screen.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from chibo.activity import services
from chibo.activity.models import AbsenceReason, Attendance
from chibo.core.roles import Role
from tests import factories
from tests.browser.helpers import login

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 390, 844
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "phone"


@pytest.fixture
def hand(_browser: Any, live_url: str) -> Any:
    context = _browser.new_context(
        locale="vi-VN",
        viewport={"width": WIDTH, "height": HEIGHT},
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def _on_screen(page: Any, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= HEIGHT


def test_secretary_marks_attendance_with_one_thumb(live_url: str, hand: Any) -> None:
    tree = factories.tree()
    names = [
        "Lê Văn Minh", "Phạm Thị Hoa", "Võ Văn Tâm", "Đặng Thu Trang", "Ngô Bảo Châu",
        "Trần Quốc Huy", "Bùi Thị Lan", "Hồ Minh Khang", "Đỗ Thị Yến", "Lý Gia Bảo",
    ]  # fmt: skip
    people = [
        factories.member(
            tree["cell_a"], full_name=n, code=f"DV-P{i}", admitted_on=dt.date(2024, 3, 1)
        )
        for i, n in enumerate(names)
    ]
    yesterday = dt.date.today() - dt.timedelta(days=1)
    meeting = services.meeting_create(
        actor=None, org=tree["cell_a"], kind="regular", held_on=yesterday, place="Phòng B4.01"
    )
    factories.user("bithu", Role.CELL_SECRETARY, tree["cell_a"])
    page = hand
    login(page, live_url, "bithu")
    page.goto(f"{live_url}/activity/meetings/{meeting.pk}/")

    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    rows = page.locator("tr.sheet-row")
    assert rows.count() == len(people)
    assert page.locator("tr.sheet-row input[value=present]:checked").count() == len(people)
    # three toggles side by side in each card, each a big target; no reason chooser yet
    card = page.locator("#row-DV-P8")
    toggles = [
        card.locator(f"label.choice-{v}").bounding_box()
        for v in ("present", "excused", "unexcused")
    ]
    assert all(t["height"] >= 44 and t["width"] >= 80 for t in toggles)
    assert toggles[0]["y"] == toggles[1]["y"] == toggles[2]["y"]
    assert toggles[2]["x"] + toggles[2]["width"] <= WIDTH
    assert not card.locator("select").is_visible()

    # Excused, far down the list: the reason chooser opens right under the toggles, and
    # the row waits for the reason (nothing sent, nothing refused).
    card.locator("label.choice-excused").scroll_into_view_if_needed()
    card.locator("label.choice-excused").tap()
    select = card.locator("select")
    select.wait_for(state="visible")
    below = select.bounding_box()
    toggle = card.locator("label.choice-excused").bounding_box()
    assert 0 <= below["y"] - (toggle["y"] + toggle["height"]) <= 16
    assert _on_screen(page, "#row-DV-P8 select")
    assert _on_screen(page, "#row-DV-P8 .row-state .pending")
    assert Attendance.objects.get(meeting=meeting, member=people[8]).status == "present"
    select.select_option("illness")
    page.wait_for_selector("#row-DV-P8 .saved")
    assert _on_screen(page, "#row-DV-P8 .saved")
    row = Attendance.objects.select_related("reason").get(meeting=meeting, member=people[8])
    assert (row.status, row.reason.code) == ("excused", "illness")

    # Unexcused: one tap, saved in place.
    page.locator("#row-DV-P9 label.choice-unexcused").tap()
    page.wait_for_selector("#row-DV-P9 .saved")
    assert _on_screen(page, "#row-DV-P9 .saved")
    assert Attendance.objects.get(meeting=meeting, member=people[9]).status == "unexcused"

    # A refused row: the reason was withdrawn meanwhile. The message is in the card, on screen.
    AbsenceReason.objects.filter(code="illness").update(active=False)
    page.locator("#row-DV-P7 label.choice-excused").tap()
    page.locator("#row-DV-P7 select").select_option("illness")
    page.wait_for_selector("#row-DV-P7 .field-error")
    assert _on_screen(page, "#row-DV-P7 .field-error")
    assert page.locator("#row-DV-P7 input[value=excused]").is_checked()  # the choice is kept
    assert Attendance.objects.get(meeting=meeting, member=people[7]).status == "present"

    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "attendance-sheet-one-hand.png"))
