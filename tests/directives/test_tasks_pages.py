"""The units' tasks grow with the org tree: the page counts them, then pages them (25 rows,
``?page=N``); ``GET /api/v1/directives/assignments`` pages with ``limit`` and ``cursor``
(``{"items", "next"}``) in the page's order."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from chibo.directives import selectors, services
from chibo.directives.models import Document, Recurrence
from chibo.orgs.models import Org
from tests.api.conftest import api_for
from tests.directives.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(t: dict[str, Org], directive: Document) -> list[int]:
    """31 tasks, each assigned to the khối and two schools: 62 rows for the khối's staff."""
    for n in range(31):
        services.task_create(
            actor=None,
            document=directive,
            section=str(n + 1),
            title=f"Nhiệm vụ {n + 1}",
            recurrence=Recurrence.SEMIANNUAL,
            report_due_days=10,
            orgs=[t["khoi"], t["uni"], t["district"]],
            named_units=[],
        )
    return []


def _rows(html: str) -> int:
    body = html.split('id="my-tasks"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return len(re.findall(r"<tr>", body))


def test_the_tasks_page_counts_then_pages(many: list[int], unit_user: Any) -> None:
    web = login(unit_user)
    url = reverse("directives:my_tasks")
    total = selectors.my_assignments(unit_user).count()
    assert total == 62
    first = web.get(url).content.decode()
    assert "62 nhiệm vụ" in first and _rows(first) == 25
    assert "Trang 1 / 3" in first and 'href="?page=2"' in first
    last = web.get(url + "?page=3").content.decode()
    assert _rows(last) == 12 and "Trang 3 / 3" in last
    assert web.get(url + "?page=x").status_code == 200  # a bad page is the first one


def test_the_assignments_api_pages_with_a_cursor(many: list[int], unit_user: Any) -> None:
    api = api_for(unit_user)
    expected = list(selectors.my_assignments(unit_user).values_list("id", flat=True))
    seen: list[int] = []
    cursor = ""
    sizes = []
    while True:
        params: dict[str, Any] = {"limit": 25}
        if cursor:
            params["cursor"] = cursor
        response = api.get("/directives/assignments", **params)
        assert response.status_code == 200, response.content
        body = response.json()
        seen += [row["id"] for row in body["items"]]
        sizes.append(len(body["items"]))
        if not body["next"]:
            break
        cursor = body["next"]
    assert seen == expected and sizes == [25, 25, 12]
    row = api.get("/directives/assignments", limit=1).json()["items"][0]
    assert set(row) >= {"id", "org", "unit", "task", "document"}
    assert api.get("/directives/assignments", cursor="nonsense").status_code == 422
    assert api.get("/directives/assignments", limit=201).status_code == 422


@pytest.fixture
def terms(t: dict[str, Org]) -> int:
    """Terms of 30 cells under the university (the city's page listed every org's terms)."""
    import datetime as dt

    from chibo.directives.models import CommitteeTerm
    from tests import factories as f

    for n in range(30):
        cell = f.org(f"BK-C{n:02d}", f"Chi bộ {n:02d}", "subordinate_cell", t["uni"])
        CommitteeTerm.objects.create(org=cell, name="2025–2027", starts_on=dt.date(2025, 6, 1))
    return CommitteeTerm.objects.count()


def test_the_terms_page_counts_then_pages(terms: int, office_user: Any) -> None:
    web = login(office_user)
    first = web.get(reverse("directives:terms")).content.decode()
    assert f"{terms} nhiệm kỳ" in first and _rows_of(first, "terms") == 25
    assert 'href="?page=2"' in first and 'name="congress"' in first  # the form is still there
    last = web.get(reverse("directives:terms") + "?page=2").content.decode()
    assert _rows_of(last, "terms") == terms - 25


def test_the_terms_api_pages_with_a_cursor(terms: int, office_user: Any) -> None:
    api = api_for(office_user)
    expected = list(selectors.terms_for(office_user).values_list("id", flat=True))
    first = api.get("/directives/terms", limit=25).json()
    assert len(first["items"]) == 25 and first["next"]
    rest = api.get("/directives/terms", limit=25, cursor=first["next"]).json()
    assert [r["id"] for r in first["items"] + rest["items"]] == expected and rest["next"] is None


def _rows_of(html: str, table: str) -> int:
    body = html.split(f'id="{table}"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return len(re.findall(r"<tr>", body))
