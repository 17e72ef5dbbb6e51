"""The start page, the bell and the person picker in real Chromium (issue 19)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from chibo.activity.models import DuesPayment
from chibo.core.models import Notification
from chibo.core.notify import notify
from chibo.core.roles import Role
from tests import factories
from tests.browser.helpers import login

pytestmark = pytest.mark.browser


def _cell(tree: dict[str, Any]) -> Any:
    for code, name in (
        ("DV-A1", "Đặng Thu Trang"),
        ("DV-A2", "Đặng Văn Hùng"),
        ("DV-A3", "Lê Thị Ánh"),
    ):
        factories.member(tree["cell_a"], code=code, full_name=name, admitted_on=dt.date(2024, 3, 1))
    return factories.user("bithu", Role.CELL_SECRETARY, tree["cell_a"])


def test_the_secretary_starts_on_her_work_and_opens_it(live_url: str, page: Any) -> None:
    tree = factories.tree()
    _cell(tree)
    login(page, live_url, "bithu")
    assert page.url == f"{live_url}/"
    assert page.inner_text("h1") == "Việc cần làm"
    menu = page.inner_text("header.topbar nav")
    assert "Sinh hoạt" in menu and "Kiểm tra, giám sát" not in menu and "Bồi dưỡng" not in menu
    assert "Kiểm tra, giám sát" in page.inner_text("#other-title + .other-pages")
    page.click("li.todo-regular a")
    page.wait_for_url("**/activity/meetings/new/?org=BK-SV1")


def test_the_bell_counts_and_opens_a_notification(live_url: str, page: Any) -> None:
    tree = factories.tree()
    secretary = _cell(tree)
    notify(
        user=secretary,
        kind="activity.warning",
        message="Đặng Văn Hùng (DV-A2) vắng sinh hoạt: trao đổi sớm với đảng viên.",
        url="/activity/warnings/?org=BK-SV1",
    )
    notify(user=secretary, kind="x", message="Một thông báo khác")
    login(page, live_url, "bithu")
    assert page.inner_text("#bell .bell-count") == "2"
    page.click("#bell")
    page.wait_for_url("**/notifications/")
    page.click("li.notice:has-text('DV-A2') button:has-text('Mở')")
    page.wait_for_url("**/activity/warnings/?org=BK-SV1")
    assert page.inner_text("#bell .bell-count") == "1"
    page.click("#bell")
    page.click("#read-all")
    page.wait_for_selector("#bell:not(:has(.bell-count))")
    assert not Notification.objects.filter(user=secretary, read_at__isnull=True).exists()


def test_dues_pick_a_member_typed_without_diacritics(live_url: str, page: Any) -> None:
    tree = factories.tree()
    _cell(tree)
    login(page, live_url, "bithu")
    page.goto(f"{live_url}/activity/dues/?org=BK-SV1")
    page.click("details.pay-form summary")
    page.click("#id_member")  # on focus: the cell's roster
    page.wait_for_selector("#id_member-results .pick-option >> nth=2")
    with page.expect_response(lambda r: "member=dang" in r.url):
        page.fill("#id_member", "dang")
    page.wait_for_function(
        "() => document.querySelectorAll('#id_member-results .pick-option').length === 2"
    )
    options = page.inner_text("#id_member-results")
    assert "Đặng Thu Trang" in options and "Đặng Văn Hùng" in options
    assert "Lê Thị Ánh" not in options
    page.click("#id_member-results .pick-option:has-text('Đặng Văn Hùng')")
    assert page.input_value("#id_member") == "DV-A2"
    assert "Đặng Văn Hùng" in page.inner_text("#id_member-chosen")
    page.fill("#id_first", "01/2026")
    page.fill("#id_last", "02/2026")
    page.fill("#id_amount_vnd", "2000")  # a student's dues in 2026 (the rule in force)
    page.fill("#id_paid_on", "15/03/2026")
    page.click("details.pay-form form button[type=submit]")
    page.wait_for_selector(".flash-success")
    assert DuesPayment.objects.filter(member__member_code="DV-A2").count() == 2

    # A typo is a message on the form, with what was typed kept.
    page.click("details.pay-form summary")  # closed again after the saved payment
    page.fill("#id_member", "khong co ai")
    page.fill("#id_first", "03/2026")
    page.fill("#id_last", "")
    page.fill("#id_paid_on", "15/03/2026")
    page.click("details.pay-form form button[type=submit]")
    page.wait_for_selector("#id_member_error")
    assert "Không có đảng viên nào" in page.inner_text("#id_member_error")
    assert page.input_value("#id_member") == "khong co ai"
    assert page.input_value("#id_first") == "03/2026"
