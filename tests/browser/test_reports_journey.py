"""The dashboard in a real browser: tiles, charts drawn by the vendored Chart.js, a screenshot."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from chibo.core.roles import Role
from chibo.members.models import Category
from tests import factories
from tests.browser.helpers import login
from tests.reports import data

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


@pytest.mark.browser
def test_dashboard_draws_its_charts_and_links_to_reports(page, live_url) -> None:
    tree = factories.tree()
    today = dt.date.today()
    data.admissions(tree["cell_a"], 12, Category.STUDENT, [dt.date(today.year, 1, 1)])
    data.admissions(tree["school"], 3, Category.PUPIL, [dt.date(today.year - 1, 3, 1)])
    data.admissions(tree["ward"], 40, Category.OTHER, [dt.date(today.year - 2, 3, 1)])
    factories.user("vanphong", Role.CITY_OFFICE, tree["city"])
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    login(page, live_url, "vanphong")
    page.goto(f"{live_url}/reports/")
    assert page.locator("h1").inner_text().startswith("Bảng điều hành")
    page.wait_for_selector("#chart-trend[data-ready='1']")
    page.wait_for_selector("#chart-units[data-ready='1']")
    page.wait_for_selector("#chart-removals[data-ready='1']")
    # Each chart has its table beneath it (the same figures, readable without the chart).
    blocks = page.locator(".chart-block")
    assert blocks.count() == 3
    for i in range(3):
        below = blocks.nth(i).locator("canvas ~ .table-wrap table, .chart-box ~ .table-wrap table")
        assert below.count() == 1
    trend_rows = blocks.nth(0).locator("tbody tr").all_inner_texts()
    assert any(row.startswith(str(today.year)) and "12" in row for row in trend_rows)
    assert page.locator("#tile-admissions .big").inner_text() == "12"
    # Open warnings come from the activity app's daily refresh (none stored here).
    assert page.locator("#tile-warnings").inner_text().strip().endswith("0")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "reports_dashboard.png"), full_page=True)
    assert not [e for e in errors if "Content Security Policy" in e], errors
    page.click("text=Báo cáo và xuất tệp")
    page.wait_for_selector("#report-body table")
    assert "Kết nạp" in page.locator("#report-body").inner_text()


@pytest.mark.browser
def test_charts_count_in_whole_numbers_with_straight_lines(page, live_url) -> None:
    """Issue 17: counts had ticks 0,1 … 0,9 members and the admissions chart a smoothed curve."""
    tree = factories.tree()
    today = dt.date.today()
    data.admissions(tree["cell_a"], 1, Category.STUDENT, [dt.date(today.year, 1, 1)])
    data.admissions(tree["school"], 2, Category.PUPIL, [dt.date(today.year - 1, 3, 1)])
    factories.user("vanphong", Role.CITY_OFFICE, tree["city"])
    login(page, live_url, "vanphong")
    page.goto(f"{live_url}/reports/")
    for chart in ("trend", "units", "removals"):
        page.wait_for_selector(f"#chart-{chart}[data-ready='1']")
    charts = page.evaluate(
        """() => ["chart-trend", "chart-units", "chart-removals"].map((id) => {
            const chart = window.Chart.getChart(document.getElementById(id));
            return {
              id: id,
              type: chart.config.type,
              ticks: chart.scales.y.ticks.map((t) => t.value),
              labels: chart.scales.y.ticks.map((t) => t.label),
              tension: chart.data.datasets.map((d) => d.tension),
            };
        })"""
    )
    for chart in charts:
        assert len(chart["ticks"]) >= 2, chart
        assert all(float(v).is_integer() for v in chart["ticks"]), chart
        assert not any("," in str(label) for label in chart["labels"]), chart
        if chart["type"] == "line":
            assert all(t == 0 for t in chart["tension"]), chart


@pytest.mark.browser
def test_report_period_in_dd_mm_yyyy_and_every_list_link_on_a_laptop_screen(page, live_url) -> None:
    """The period fields showed 12/07/2026 for 7 December (the browser's picker), and on a
    1366 px laptop the unit table ran off the screen: its "danh sách" links were out of sight,
    the unit names one word per line (the long column heads did not wrap)."""
    tree = factories.tree()
    year = dt.date.today().year
    data.admissions(tree["cell_a"], 3, Category.STUDENT, [dt.date(year - 1, 3, 1)])
    data.admissions(tree["school"], 2, Category.PUPIL, [dt.date(year - 1, 5, 1)])
    data.admissions(tree["ward"], 1, Category.OTHER, [dt.date(year - 1, 6, 1)])
    factories.user("vanphong", Role.CITY_OFFICE, tree["city"])
    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, live_url, "vanphong")
    page.goto(f"{live_url}/reports/admissions/")
    assert page.get_attribute("#id_start", "type") == "text"
    assert page.input_value("#id_start") == f"01/01/{year}"
    assert page.input_value("#id_end") == dt.date.today().strftime("%d/%m/%Y")
    page.fill("#id_start", f"01/01/{year - 1}")
    page.fill("#id_end", f"31/12/{year - 1}")
    page.click("form.filters button[type=submit]")
    page.wait_for_function(
        "y => document.querySelector('#report-body').innerText.includes('31/12/' + y)",
        arg=str(year - 1),
    )
    assert page.input_value("#id_end") == f"31/12/{year - 1}"
    page.wait_for_url(lambda url: f"to=31%2F12%2F{year - 1}" in url)
    overflow = page.evaluate(
        """() => [...document.querySelectorAll('.report-table .table-wrap')]
            .filter((w) => w.scrollWidth > w.clientWidth + 1)
            .map((w) => w.previousElementSibling ? w.previousElementSibling.innerText : '?')"""
    )
    assert overflow == []
    links = page.locator("#report-body td.records-link a")
    assert links.count() >= 4
    for i in range(links.count()):
        box = links.nth(i).bounding_box()
        assert box and box["x"] + box["width"] <= 1366 and box["height"] < 30, box
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "reports_admissions_1366.png"), full_page=True)
    # The unit row's link lists the unit's admitted members of that period.
    row = page.locator(".report-table").nth(1).locator("tbody tr").first
    admitted = row.locator("td").nth(2).inner_text().strip()
    row.locator("td.records-link a").click()
    page.wait_for_selector("#records-count")
    assert f" {admitted} " in page.locator("#records-count").inner_text()
    assert page.locator("#records-count ~ .table-wrap tbody tr").count() == int(admitted)
