"""Browser journey: the city office registers a directive, assigns a section, a unit reports, the office exports the DOCX."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from docx import Document as Docx

from chibo.core.roles import Role
from chibo.directives.models import CommitteeTerm
from tests import factories as f
from tests.browser.helpers import login

pytestmark = pytest.mark.browser


def test_register_assign_report_compile(live_url: str, page: Any) -> None:
    tree = f.tree()
    CommitteeTerm.objects.create(
        org=tree["city"], name="2025–2030", starts_on=dt.date(2025, 10, 16)
    )
    f.user("vanphong", Role.CITY_OFFICE, tree["city"])
    f.user("khoi", Role.SUPERIOR_STAFF, tree["khoi"])
    issued = dt.date.today() - dt.timedelta(days=2)

    # The city office registers the incoming directive.
    login(page, live_url, "vanphong")
    page.click("a[href='/directives/']")
    page.click("a[href='/directives/incoming/']")
    page.fill("#id_symbol", "Số 1000 -CV/TU")
    page.fill("#id_title", "Về tăng cường công tác xây dựng Đảng của tổ chức đảng trường học")
    page.fill("#id_issuing_body", "Ban Thường vụ Thành ủy")
    page.fill("#id_issued_on", issued.strftime("%d/%m/%Y"))
    page.fill("#id_incoming_number", "398")
    page.fill("#id_recipients", "KDHCD | 2")
    page.fill("#id_body", "Tiếp tục thực hiện Nghị quyết số 29-NQ/TW và Chỉ thị số 14-CT/TU.")
    page.click("main form button[type=submit]")
    page.wait_for_selector("h1:has-text('1000-CV/TU')")
    assert page.locator("text=29-NQ/TW").count() >= 1

    # … and assigns section 1 to the university sector committee, every 6 months.
    page.click("a[href$='/tasks/new/']")
    page.fill("#id_section", "1")
    page.fill("#id_title", "Lãnh đạo công tác phát triển đảng viên trong sinh viên")
    page.select_option("#id_recurrence", "semiannual")
    page.fill("#id_units", "KDHCD")
    page.click("main form button[type=submit]")
    page.wait_for_selector(".flash-success")
    assert page.locator("td a:has-text('Khối Đại học')").count() == 1

    # A unit user reports on the task.
    page.context.clear_cookies()
    login(page, live_url, "khoi")
    page.goto(f"{live_url}/directives/tasks/")
    page.click("td a[href^='/directives/assignments/']")
    page.click("a[href*='/report/']")
    page.fill("#id_text", "Đã quán triệt Công văn đến toàn bộ chi bộ sinh viên.")
    page.fill("#id_figures", "Sinh viên được kết nạp = 1065")
    page.click("button[name=submit]")
    page.wait_for_selector(".badge.state-submitted")

    # The office sees the report, compiles and downloads the DOCX.
    page.context.clear_cookies()
    login(page, live_url, "vanphong")
    page.goto(f"{live_url}/directives/")
    page.click("a.doc-symbol:has-text('1000-CV/TU')")
    page.click("a[href*='/status/']")
    assert page.locator(".badge.state-submitted").count() == 1
    page.fill("#id_signer", "Nguyễn Văn A")
    # The period has not ended: the button prepares a draft (dự thảo), without a number.
    assert "dự thảo" in page.locator(".compile-form button[type=submit]").inner_text().lower()
    page.click(".compile-form button[type=submit]")
    page.wait_for_selector(".flash-success")
    with page.expect_download() as info:
        page.click("a[href$='/docx/']")
    data = open(info.value.path(), "rb").read()  # noqa: SIM115
    doc = Docx(io.BytesIO(data))
    head = doc.tables[0].rows[0].cells
    assert head[1].paragraphs[0].text == "ĐẢNG CỘNG SẢN VIỆT NAM"
    assert "Số      -BC/TU" in [p.text for p in head[0].paragraphs]
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "DỰ THẢO" in text
    assert "Sinh viên được kết nạp: 1.065" in text and "1000-CV/TU" in text
