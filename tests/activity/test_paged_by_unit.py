"""City-scale activity lists: dues paged by unit (one cell a page), the overview grouped by unit."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from chibo.core.roles import Role
from chibo.orgs.models import OrgKind
from tests import factories

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_dues_of_a_committee_show_one_cell_a_page(tree: dict[str, Any]) -> None:
    factories.member(tree["cell_a"], code="DV-A1", full_name="Lê Văn Minh")
    factories.member(tree["cell_b"], code="DV-B1", full_name="Phạm Thị Hoa")
    office = _client(factories.user("vanphong", Role.CITY_OFFICE, tree["city"]))
    first = office.get("/activity/dues/?org=TU&year=2026")
    html = first.content.decode()
    assert first.status_code == 200
    # Open cells of the city in tree order: BK-SV1, BK-GV1 (under BK), Q1-THPT, Q1-P1 (under Q1).
    assert "Chi bộ 1/4:" in html and "Chi bộ Sinh viên 1" in html
    assert "thuộc Đảng ủy Trường Đại học Bách khoa" in html
    assert "DV-A1" in html and "DV-B1" not in html
    assert 'href="?org=TU&amp;year=2026&amp;page=2" rel="next"' in html
    second = office.get("/activity/dues/?org=TU&year=2026&page=2").content.decode()
    assert "Chi bộ 2/4:" in second and "DV-B1" in second and "DV-A1" not in second
    assert 'href="?org=BK-GV1&amp;year=2026"' in second  # open this cell alone
    # Out of range or nonsense pages land on a real page.
    assert "Chi bộ 4/4:" in office.get("/activity/dues/?org=TU&page=99").content.decode()
    assert "Chi bộ 1/4:" in office.get("/activity/dues/?org=TU&page=x").content.decode()


def test_the_dues_page_jumps_to_any_cell_by_unit(tree: dict[str, Any]) -> None:
    factories.member(tree["cell_b"], code="DV-B1")
    office = _client(factories.user("vanphong", Role.CITY_OFFICE, tree["city"]))
    html = office.get("/activity/dues/?org=TU&year=2026").content.decode()
    jump = html[html.index('class="org-pick cell-jump"') :]
    jump = jump[: jump.index("</form>")]
    assert '<input type="hidden" name="org" value="TU">' in jump
    assert re.findall(r'<optgroup label="([^"]+)">', jump) == [
        "Đảng ủy Trường Đại học Bách khoa",
        "Quận ủy Quận 1",
    ]
    assert re.findall(r'<option value="(\d+)"( selected)?>', jump) == [
        ("1", " selected"),
        ("2", ""),
        ("3", ""),
        ("4", ""),
    ]
    # Named without "Chi bộ " (the list says "Chọn chi bộ"): the names fit a phone.
    assert '<option value="1" selected>Sinh viên 1</option>' in jump
    assert html.count('class="org-pick cell-jump"') == 1  # above the grid only
    # The form's answer is the chosen cell's page.
    second = office.get("/activity/dues/", {"org": "TU", "year": "2026", "page": "2"})
    assert "DV-B1" in second.content.decode()


def test_a_cells_dues_page_is_its_grid(tree: dict[str, Any]) -> None:
    factories.member(tree["cell_a"], code="DV-A1")
    secretary = _client(factories.user("bithu", Role.CELL_SECRETARY, tree["cell_a"]))
    html = secretary.get("/activity/dues/?org=BK-SV1").content.decode()
    assert "DV-A1" in html and "Chi bộ 1/" not in html and "Chi bộ sau" not in html


def test_the_overview_groups_cells_under_their_unit(tree: dict[str, Any]) -> None:
    # Two schools each with a "Chi bộ Sinh viên 1": the unit tells them apart.
    other = factories.org(
        "SP", "Đảng ủy Trường Đại học Sư phạm", OrgKind.GRASSROOTS_COMMITTEE, tree["khoi"]
    )
    factories.org("SP-SV1", "Chi bộ Sinh viên 1", OrgKind.SUBORDINATE_CELL, other)
    office = _client(factories.user("vanphong", Role.CITY_OFFICE, tree["city"]))
    html = office.get("/activity/?org=TU").content.decode()
    units = re.findall(r'<section class="cell-unit">\s*<h3><a href="[^"]+">([^<]+)</a>', html)
    assert units == [
        "Đảng ủy Trường Đại học Bách khoa",
        "Đảng ủy Trường Đại học Sư phạm",
        "Quận ủy Quận 1",
    ]
    sections = html.split('<section class="cell-unit">')[1:]
    assert "Chi bộ Sinh viên 1" in sections[0] and "Chi bộ Sinh viên 1" in sections[1]
    assert "Chi bộ Khu phố 1" in sections[2]


def test_the_overview_pages_units(tree: dict[str, Any]) -> None:
    for i in range(21):
        unit = factories.org(
            f"U{i:02d}", f"Đảng ủy đơn vị {i:02d}", OrgKind.DIRECT_COMMITTEE, tree["city"]
        )
        factories.org(f"U{i:02d}-C", f"Chi bộ {i:02d}", OrgKind.GRASSROOTS_CELL, unit)
    office = _client(factories.user("vanphong", Role.CITY_OFFICE, tree["city"]))
    first = office.get("/activity/?org=TU").content.decode()
    assert first.count('<section class="cell-unit">') == 20
    assert "1 / 2" in first and 'href="?org=TU&amp;page=2"' in first
    second = office.get("/activity/?org=TU&page=2").content.decode()
    assert second.count('<section class="cell-unit">') == 3
