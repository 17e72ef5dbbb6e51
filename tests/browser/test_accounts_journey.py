"""Sysadmin separation in the browser (issues 16.9, 17): one administrator creates a user
with a role, the role waits; a second administrator approves it on the roles page."""

from __future__ import annotations

from typing import Any

import pytest

from chibo.accounts.models import RoleAssignment
from chibo.core.roles import Role
from tests import factories
from tests.browser.helpers import login

pytestmark = pytest.mark.browser


def test_create_a_user_then_another_admin_approves_the_role(page: Any, live_url: str) -> None:
    tree = factories.tree()
    factories.user("quantri", Role.SYSADMIN, tree["khoi"])
    factories.user("quantri2", Role.SYSADMIN, tree["city"])
    login(page, live_url, "quantri")
    page.goto(f"{live_url}/accounts/roles/")
    page.click("a[href='/accounts/users/new/']")
    page.fill("#id_username", "bithu-moi")
    page.fill("#id_full_name", "Lê Thị Hồng")
    page.fill("#id_password", "mot-mat-khau-rat-dai")
    page.select_option("#id_role", Role.CELL_SECRETARY)
    page.fill("#id_org_code", "BK-SV1")
    page.click("#user-form button[type=submit]")
    page.wait_for_load_state("domcontentloaded")
    assert "Đã tạo người dùng bithu-moi" in page.content()
    assert not RoleAssignment.objects.filter(user__username="bithu-moi").exists()
    page.goto(f"{live_url}/accounts/roles/")
    assert (
        page.locator("#request-table").get_by_text("Chờ một quản trị viên khác duyệt.").count() == 1
    )
    assert (
        page.locator("#request-table button", has_text="Duyệt").count() == 0
    )  # not mine to approve
    page.context.clear_cookies()
    login(page, live_url, "quantri2")
    page.goto(f"{live_url}/accounts/roles/")
    page.locator("#request-table button", has_text="Duyệt").click()
    page.wait_for_load_state("domcontentloaded")
    assert "Đã duyệt" in page.content()
    assert RoleAssignment.objects.filter(
        user__username="bithu-moi", role=Role.CELL_SECRETARY, org__code="BK-SV1"
    ).exists()
