"""Each paged list in Chromium (members, admissions, directives, the members behind a report
figure): a filter, then "next page", shows the next page of the filtered rows.

Before the fix the pager links read ``??page=2``: "Trang sau ›" showed page 1
again, the stage chips and the overdue link on /admissions/ did nothing.
Pages are two rows long here (the views' PAGE_SIZE is patched; the live
server runs in this process).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from chibo.admissions import services as admission_services
from chibo.admissions.models import Candidate, Stage
from chibo.core.roles import Role
from chibo.members.models import Category
from tests import factories as f
from tests.browser.helpers import login

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _small_pages(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    for views in ("members.views", "admissions.views.lists", "directives.views.registry"):
        monkeypatch.setattr(f"chibo.{views}.PAGE_SIZE", 2)


def _texts(page: Any, selector: str) -> list[str]:
    return [t.strip() for t in page.locator(selector).all_inner_texts()]


def test_member_list_filter_then_next_page(page: Any, live_url: str) -> None:
    tree = f.tree()
    students = ["Nguyễn Văn An", "Nguyễn Văn Bình", "Nguyễn Văn Cường", "Nguyễn Văn Dũng"]
    for name in students:
        f.member(tree["cell_a"], full_name=name, category=Category.STUDENT)
    f.member(tree["cell_a"], full_name="Lê Thị Giảng", category=Category.LECTURER)
    f.user("captren", Role.SUPERIOR_STAFF, tree["city"])
    login(page, live_url, "captren")
    page.goto(f"{live_url}/members/")
    # Unfiltered, as the issue saw it: "Trang sau ›" showed page 1 again.
    assert _texts(page, "#results tbody td:first-child a") == ["Lê Thị Giảng", students[0]]
    page.click("#results .pager a:has-text('›')")
    page.wait_for_url(re.compile(r"page=2"))
    page.wait_for_function(
        "() => !document.querySelector('#results tbody').innerText.includes('Lê Thị Giảng')"
    )
    assert _texts(page, "#results tbody td:first-child a") == students[1:3]

    page.goto(f"{live_url}/members/")
    page.select_option("#id_category", Category.STUDENT)
    page.wait_for_url(re.compile(r"category=student"))
    first = _texts(page, "#results tbody td:first-child a")
    assert first == students[:2]
    page.click("#results .pager a:has-text('›')")
    page.wait_for_url(re.compile(r"page=2"))
    page.wait_for_function(
        "n => !document.querySelector('#results tbody').innerText.includes(n)", arg=students[0]
    )
    assert _texts(page, "#results tbody td:first-child a") == students[2:]
    page.reload()  # the pushed URL is a real address: page 2 of the students again
    assert _texts(page, "#results tbody td:first-child a") == students[2:]


def test_admissions_stage_chip_overdue_link_and_next_page(page: Any, live_url: str) -> None:
    from tests.admissions.conftest import full_member

    tree = f.tree()
    mentor = full_member(tree["cell_a"], "DV-M1", "Lê Văn Minh")
    names = ["Trần Thị An", "Trần Thị Bình", "Trần Thị Cúc", "Trần Thị Dung", "Trần Thị Em"]
    made = [f.candidate(tree["cell_a"], mentor, full_name=name) for name in names]
    for c in made[:3]:
        admission_services.candidate_record_step(
            actor=None,
            candidate=c,
            stage=Stage.COURSE,
            done_on=dt.date(2024, 10, 15),
            document_number="123/GCN",
            data={"cert_number": "123/GCN", "cert_issuer": "TTCT"},
        )
    Candidate.objects.filter(pk=made[4].pk).update(next_due=dt.date.today() - dt.timedelta(days=3))
    f.user("cosoviec", Role.GRASSROOTS_STAFF, tree["uni"])
    login(page, live_url, "cosoviec")
    page.goto(f"{live_url}/admissions/")

    page.click(f".stage-counts a[href*='stage={Stage.COURSE}']")
    page.wait_for_url(re.compile(f"stage={Stage.COURSE}"))
    first = _texts(page, "#board tbody td:first-child a")
    assert len(first) == 2 and set(first) <= set(names[:3])
    page.click("#board .pager a:has-text('›')")
    page.wait_for_url(re.compile(r"page=2"))
    second = _texts(page, "#board tbody td:first-child a")
    assert len(second) == 1 and set(first + second) == set(names[:3])

    page.goto(f"{live_url}/admissions/")
    page.click("#board a.overdue-note")
    page.wait_for_url(re.compile(r"overdue=on"))
    assert _texts(page, "#board tbody td:first-child a") == [names[4]]


def test_directive_register_search_then_next_page(page: Any, live_url: str) -> None:
    from chibo.directives import services

    tree = f.tree()
    titles = [
        "Về phát triển đảng viên là sinh viên",
        "Về sinh hoạt chi bộ sinh viên",
        "Về đảng phí của sinh viên",
        "Về công tác kiểm tra",
    ]
    for n, title in enumerate(titles, start=1):
        services.document_register_incoming(
            actor=None,
            org=tree["city"],
            symbol=f"{n}-CV/TU",
            title=title,
            issuing_body="Ban Thường vụ Thành ủy",
            issued_on=dt.date(2024, 1, n),
        )
    f.user("vanphong", Role.CITY_OFFICE, tree["city"])
    login(page, live_url, "vanphong")
    page.goto(f"{live_url}/directives/")
    page.fill("#id_q", "sinh vien")
    page.wait_for_url(re.compile(r"q=sinh(\+|%20)vien"))
    page.wait_for_function(
        "() => document.querySelectorAll('#results a.doc-symbol').length == 2"
        " && !document.querySelector('#results').innerText.includes('04-CV/TU')"
    )
    first = _texts(page, "#results a.doc-symbol")
    page.click("#results .pager a:has-text('›')")
    page.wait_for_url(re.compile(r"page=2"))
    second = _texts(page, "#results a.doc-symbol")
    assert first == ["03-CV/TU", "02-CV/TU"]  # newest first
    assert second == ["01-CV/TU"]


def test_report_figure_list_after_a_period_filter_then_next_page(
    page: Any, live_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fourth paged list: the members behind a report figure (/reports/<kind>/members/).
    The period typed on the report page travels into the figure's link, and "Trang sau"
    keeps both the period and the figure's filter."""
    from chibo.reports import record_views
    from tests.reports import data

    monkeypatch.setattr(record_views, "PAGE_SIZE", 2)
    tree = f.tree()
    year = dt.date.today().year - 1
    data.admissions(tree["cell_a"], 5, Category.STUDENT, [dt.date(year, 3, 1)])
    data.admissions(tree["cell_a"], 2, Category.STUDENT, [dt.date(year - 1, 3, 1)])  # before
    data.admissions(tree["cell_a"], 1, Category.LECTURER, [dt.date(year, 4, 1)])  # not a student
    f.user("captren", Role.SUPERIOR_STAFF, tree["city"])
    login(page, live_url, "captren")
    page.goto(f"{live_url}/reports/admissions/")
    page.fill("#id_start", f"01/01/{year}")
    page.fill("#id_end", f"31/12/{year}")
    page.click("form.filters button[type=submit]")
    page.wait_for_function(
        "y => document.querySelector('#report-body').innerText.includes('31/12/' + y)",
        arg=str(year),
    )
    # The summary's second row: students admitted at school orgs in that year, 5.
    row = page.locator(".report-table").first.locator("tbody tr").nth(1)
    assert row.locator("td").nth(1).inner_text().strip() == "5"
    row.locator("td.records-link a").click()
    page.wait_for_selector("#records-count")
    assert " 5 " in page.locator("#records-count").inner_text()
    first = _texts(page, "table tbody td:first-child a")
    assert len(first) == 2
    seen = list(first)
    for expected in (2, 1):
        page.click(".pager a:has-text('›')")
        page.wait_for_function(
            "n => !document.querySelector('table tbody').innerText.includes(n)", arg=seen[-1]
        )
        names = _texts(page, "table tbody td:first-child a")
        assert len(names) == expected and not set(names) & set(seen)
        seen += names
        assert f"from={year}-01-01" in page.url and "category=" in page.url
    assert page.locator(".pager a:has-text('›')").count() == 0
    assert len(seen) == 5
