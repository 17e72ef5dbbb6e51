"""Oversight in real Chromium: plan an inspection and record its conclusion; grade a cell's members with the cap warning.

Selectors are ids and URLs, so the journey holds in both languages.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from chibo.core.roles import Role
from chibo.oversight.models import Inspection, InspectionStatus, MemberEvaluation
from tests import factories as f
from tests.browser.helpers import login
from tests.oversight.conftest import full_member

pytestmark = pytest.mark.browser


@pytest.fixture
def people(live_url: str) -> dict[str, Any]:
    tree = f.tree()
    for i, name in enumerate(["Lê Văn Minh", "Phạm Thị Hoa", "Võ Văn Tâm", "Đặng Thu Hà"], start=1):
        full_member(tree["cell_a"], f"DV-A{i}", name)
    return {
        "sec": f.user("bithu", Role.CELL_SECRETARY, tree["cell_a"]),
        "uni": f.user("cosoviec", Role.GRASSROOTS_STAFF, tree["uni"]),
    }


def test_plan_an_inspection_and_record_its_conclusion(
    page: Any, live_url: str, people: dict
) -> None:
    login(page, live_url, "cosoviec")
    page.click("a[href='/oversight/']")
    page.click("#plan-inspection")
    page.wait_for_url("**/oversight/inspections/new/")
    page.fill("#id_org", "BK")
    page.fill("#id_year", "2026")
    page.select_option("#id_kind", "inspection")
    page.fill("#id_topic", "Chất lượng sinh hoạt chi bộ")
    page.fill("#id_target_org", "BK-SV1")
    page.fill("#id_team", "Đồng chí Phó Chủ nhiệm UBKT")
    page.fill("#id_starts_on", "02/03/2026")
    page.fill("#id_ends_on", "20/03/2026")
    page.click("main form[method=post] button[type=submit]")
    page.wait_for_url(re.compile(r".*/oversight/inspections/\d+/$"))
    pk = int(page.url.rstrip("/").rsplit("/", 1)[1])

    page.click("#record-conclusion")
    page.wait_for_url(f"**/oversight/inspections/{pk}/conclude/")
    page.fill("#id_findings", "Chi bộ sinh hoạt đều đặn, nội dung phong phú.")
    page.fill("#id_conclusion", "Đạt yêu cầu; tiếp tục phát huy.")
    page.fill("#id_concluded_on", "25/03/2026")
    page.fill("#id_conclusion_number", "07-KL/ĐU")
    page.click("main form[method=post] button[type=submit]")
    page.wait_for_url(f"**/oversight/inspections/{pk}/")
    assert page.inner_text("#conclusion-number") == "07-KL/ĐU"
    item = Inspection.objects.get(pk=pk)
    assert item.status == InspectionStatus.CONCLUDED and item.target_org.code == "BK-SV1"


def test_grade_a_cells_members_with_the_cap_warning(page: Any, live_url: str, people: dict) -> None:
    login(page, live_url, "bithu")
    page.click("a[href='/oversight/']")
    page.goto(f"{live_url}/oversight/evaluation/BK-SV1/2024/")
    page.select_option("#grade_DV-A1", "HTXSNV")
    page.select_option("#grade_DV-A2", "HTXSNV")
    page.select_option("#grade_DV-A3", "HTTNV")
    page.select_option("#grade_DV-A4", "HTNV")
    page.click("#save-grades")
    page.wait_for_selector("#evaluation-warnings")
    warning = page.inner_text("#evaluation-warnings")
    assert "QĐ 124-QĐ/TW" in warning and "HTXSNV" in warning
    assert MemberEvaluation.objects.filter(year=2024).count() == 4
    # The secretary lowers both to HTTNV: the warning goes away and the grades are saved.
    page.select_option("#grade_DV-A1", "HTTNV")
    page.select_option("#grade_DV-A2", "HTTNV")
    page.click("#save-grades")
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("#evaluation-warnings").count() == 0
