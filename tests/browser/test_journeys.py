"""The foundation's main journeys in real Chromium against a live server.

Selectors are ids, URLs and data (names, codes), not UI wording, so the
journeys hold in both languages.
"""

from __future__ import annotations

from typing import Any

import pytest

from chibo.core.roles import Role
from chibo.members.models import Member, Status
from tests import factories
from tests.browser.helpers import login

pytestmark = pytest.mark.browser


@pytest.fixture
def people(live_url: str) -> dict[str, Any]:
    tree = factories.tree()
    factories.member(tree["cell_a"], full_name="Nguyễn Văn An", code="DV-AN")
    factories.member(tree["cell_a"], full_name="Trần Thị Bình", code="DV-BINH")
    factories.member(tree["cell_b"], full_name="Nguyễn Hữu Giảng", code="DV-GV")
    factories.member(tree["school"], full_name="Đặng Minh Học", code="DV-HS")
    return {
        "tree": tree,
        "sec": factories.user("bithu", Role.CELL_SECRETARY, tree["cell_a"]),
        "sup": factories.user("captren", Role.SUPERIOR_STAFF, tree["city"]),
    }


def test_cell_secretary_finds_a_member_without_diacritics_and_records_an_event(
    page: Any, live_url: str, people: dict
) -> None:
    login(page, live_url, "bithu")
    page.goto(f"{live_url}/members/")
    page.fill("#id_q", "nguyen van an")
    result = page.locator("#results a[href='/members/DV-AN/']")
    result.wait_for()
    assert page.locator("#results a[href='/members/DV-GV/']").count() == 0  # another cell
    result.click()
    page.wait_for_url("**/members/DV-AN/")
    timeline = page.locator("table.timeline tbody tr")
    assert timeline.count() == 1  # the admission
    page.click("a[href='/members/DV-AN/events/exempted/']")
    page.wait_for_url("**/members/DV-AN/events/exempted/")
    page.fill("#id_effective_date", "01/02/2025")
    page.fill("#id_note", "Điều trị bệnh dài ngày")
    page.select_option("#id_criterion", "illness")
    page.click("main form[method=post] button[type=submit]")
    page.wait_for_url("**/members/DV-AN/")
    assert page.locator("table.timeline tbody tr").count() == 2
    assert "Điều trị bệnh dài ngày" in page.locator("table.timeline").inner_text()
    assert Member.objects.get(member_code="DV-AN").status == Status.EXEMPTED


def test_committee_user_sees_the_whole_subtree(page: Any, live_url: str, people: dict) -> None:
    login(page, live_url, "captren")
    page.goto(f"{live_url}/orgs/")
    tree = page.locator(".tree-box")
    for code in ("TU", "KDHCD", "Q1"):
        tree.locator(f"a[href='/orgs/{code}/']").wait_for()
    # Open the branches (htmx loads each level) down to the cells.
    for code in ("KDHCD", "Q1", "BK"):
        tree.locator(f"details:has(> summary a[href='/orgs/{code}/']) > summary").click()
        tree.locator(f"details:has(> summary a[href='/orgs/{code}/']) .subtree a").first.wait_for()
    for code in ("BK-SV1", "BK-GV1", "Q1-THPT", "Q1-P1"):
        tree.locator(f"a[href='/orgs/{code}/']").wait_for()
    page.goto(f"{live_url}/members/?status=all")
    results = page.locator("#results")
    for code in ("DV-AN", "DV-BINH", "DV-GV", "DV-HS"):
        results.locator(f"a[href='/members/{code}/']").wait_for()


def test_a_wide_level_loads_its_next_pages_in_place(
    page: Any, live_url: str, people: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A level wider than a page (a city has thousands of units) shows a page, then a button
    that loads the next page where it stands, in the tree and on the org's page."""
    from chibo.orgs import views

    monkeypatch.setattr(views, "CHILDREN_PAGE", 2)
    city = people["tree"]["city"]
    for i in range(3):
        factories.org(f"TU-W{i}", f"Chi bộ Phường {i}", "grassroots_cell", city)
    login(page, live_url, "captren")
    page.goto(f"{live_url}/orgs/")
    tree = page.locator(".tree-box")
    codes = ["TU-W0", "TU-W1", "TU-W2", "KDHCD", "Q1"]  # in name order
    tree.locator("a[href='/orgs/TU-W1/']").wait_for()
    assert tree.locator("a[href='/orgs/TU-W2/']").count() == 0
    for start, last in ((2, "KDHCD"), (4, "Q1")):
        tree.locator(f"li.more button[hx-get$='?start={start}']").click()
        tree.locator(f"a[href='/orgs/{last}/']").wait_for()
    page.wait_for_function("() => !document.querySelector('li.more')")
    shown = tree.locator("ul.tree ul.tree > li > * a[href^='/orgs/']")
    assert [a.get_attribute("href") for a in shown.all()] == [f"/orgs/{c}/" for c in codes]
    # Opening a branch still works below the loaded pages.
    tree.locator("details:has(> summary a[href='/orgs/Q1/']) > summary").click()
    tree.locator("a[href='/orgs/Q1-P1/']").wait_for()
    page.goto(f"{live_url}/orgs/TU/")
    table = page.locator("table").first
    assert table.locator("a[href^='/orgs/TU-']").count() == 2
    rows = "document.querySelectorAll('table tbody tr:not(.more)').length"
    for shown in (2, 4):  # two more pages: 2 rows, then 1
        table.locator(f"tr.more button[hx-get$='?start={shown}']").click()
        page.wait_for_function(f"n => {rows} > n", arg=shown)
    page.wait_for_function("() => !document.querySelector('tr.more')")
    links = table.locator("tbody a[href^='/orgs/']")
    assert sorted(a.get_attribute("href") for a in links.all()) == sorted(
        f"/orgs/{c}/" for c in codes
    )


def test_out_of_scope_url_shows_the_404_page(page: Any, live_url: str, people: dict) -> None:
    login(page, live_url, "bithu")
    for url in ("/members/DV-HS/", "/orgs/Q1/", "/members/DV-GV/events/exempted/"):
        response = page.goto(f"{live_url}{url}")
        assert response is not None and response.status == 404, url
        assert page.locator("article.error-page").is_visible()
        assert "Đặng Minh Học" not in page.content()


def test_switch_the_language(page: Any, live_url: str, people: dict) -> None:
    login(page, live_url, "bithu")
    page.goto(f"{live_url}/members/")
    assert page.locator("html").get_attribute("lang") == "vi"  # Vietnamese by default
    page.click("form.lang button[value=en]")
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.url.endswith("/members/")  # stays on the same page
    page.click("form.lang button[value=vi]")
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("html").get_attribute("lang") == "vi"
