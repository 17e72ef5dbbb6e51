"""Small polish from issue 17, as a user sees it on a laptop and on a phone.

- The organization picker's "Mở" button is as tall as its field and on its line
  (it was a thin bar, wider than the field, lower than it).
- Dropdowns show their whole chosen text ("Có tên trong dan…" was cut).
- The favicon: no request of a page fails (it gave one 404 per page).
"""

from __future__ import annotations

from typing import Any

import pytest

from chibo.core.roles import Role
from tests import factories
from tests.browser.crawl import CHECKS_JS, phone_context
from tests.browser.helpers import login

pytestmark = pytest.mark.browser


@pytest.fixture
def staff(live_url: str) -> str:
    tree = factories.tree()
    factories.member(tree["cell_a"], full_name="Nguyễn Văn An", code="DV-AN")
    factories.user("captren", Role.SUPERIOR_STAFF, tree["city"])
    return live_url


def _picker(page: Any) -> tuple[dict, dict]:
    field = page.locator("form.org-pick input[name=org]").bounding_box()
    button = page.locator("form.org-pick button[type=submit]").bounding_box()
    return field, button


@pytest.mark.parametrize("url", ["/activity/?org=BK", "/activity/dues/?org=BK-SV1"])
def test_org_picker_button_lines_up_with_its_field(page: Any, staff: str, url: str) -> None:
    login(page, staff, "captren")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(staff + url)
    field, button = _picker(page)
    assert abs(button["height"] - field["height"]) <= 2, (field, button)
    assert abs(button["y"] - field["y"]) <= 2, (field, button)
    assert button["width"] < 8 * 16 and button["x"] > field["x"] + field["width"], (field, button)


def test_org_picker_on_a_phone(_browser: Any, staff: str) -> None:
    context = phone_context(_browser)
    try:
        page = context.new_page()
        login(page, staff, "captren")
        page.goto(staff + "/activity/?org=BK")
        field, button = _picker(page)
        assert button["height"] >= 44 and abs(button["y"] - field["y"]) <= 2, (field, button)
        assert button["x"] + button["width"] <= 390
    finally:
        context.close()


@pytest.mark.parametrize("url", ["/members/", "/admissions/", "/directives/"])
def test_dropdowns_show_their_whole_text_on_a_laptop(page: Any, staff: str, url: str) -> None:
    failed: list[str] = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    login(page, staff, "captren")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(staff + url)
    page.wait_for_load_state("networkidle")
    assert page.locator("main select").count() >= 1
    assert page.evaluate(CHECKS_JS)["cut"] == []
    assert failed == []  # the favicon included
