"""Browser journey: the whole loop as a school's committee — register the incoming
1000-CV/TU (a second registration is caught), forward it as its own letter (the missing
term leads to the terms page), give section 1 to its cells, the cells report, the school
accepts and compiles its 6-monthly report; the documents read right at that level.

With CHIBO_SHOTS=1 the pages are also saved at 390x844 and 1366x900 in artifacts/.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest

from chibo.core.roles import Role
from chibo.lib.partydoc import read_back
from tests import factories as f
from tests.browser.helpers import login

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "school-loop"


def shot(page: Any, name: str) -> None:
    if os.environ.get("CHIBO_SHOTS") != "1":
        return
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((390, 844), (1366, 900)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= width, f"{name}: {wide}px wide at {width}px"
    page.set_viewport_size({"width": 1280, "height": 900})


def download(page: Any, selector: str) -> bytes:
    with page.expect_download() as info:
        page.click(selector)
    return Path(info.value.path()).read_bytes()


def last_half(today: dt.date) -> str:
    return f"{today.year - 1}-H2" if today.month <= 6 else f"{today.year}-H1"


def test_a_school_committee_runs_the_loop(live_url: str, page: Any) -> None:
    tree = f.tree()
    f.user("cosoviec", Role.GRASSROOTS_STAFF, tree["uni"])
    f.user("bithu", Role.CELL_SECRETARY, tree["cell_a"])
    f.user("bithu2", Role.CELL_SECRETARY, tree["cell_b"])
    period = last_half(dt.date.today())

    # 1. The school's committee registers the incoming 1000-CV/TU.
    login(page, live_url, "cosoviec")
    incoming = {
        "#id_symbol": "1000-CV/TU",
        "#id_title": "Về tăng cường công tác xây dựng Đảng của tổ chức đảng trường học",
        "#id_issuing_body": "Ban Thường vụ Thành ủy",
        "#id_issued_on": "16/06/2023",
        "#id_incoming_number": "87",
        "#id_received_at": "27/06/2023 14:05",
    }
    page.goto(f"{live_url}/directives/incoming/")
    for field, value in incoming.items():
        page.fill(field, value)
    shot(page, "incoming-form")
    page.click("main form button[type=submit]")
    page.wait_for_selector("h1:has-text('1000-CV/TU')")
    directive_url = page.url
    # The same letter again: caught, nothing registered.
    page.goto(f"{live_url}/directives/incoming/")
    for field, value in incoming.items():
        page.fill(field, value)
    page.click("main form button[type=submit]")
    page.wait_for_selector(".flash-warning:not(#pending-marks)")
    assert "87" in page.locator(".field-error").first.inner_text()
    shot(page, "incoming-duplicate")

    # 2. It forwards it as its own letter; no term yet: the form leads to the terms page.
    page.goto(f"{live_url}/directives/outgoing/")
    letter = {
        "#id_title": "Về triển khai Công văn số 1000-CV/TU đến các chi bộ",
        "#id_issued_on": "30/06/2023",
        "#id_signer": "Nguyễn Thị Thanh Hương",
        "#id_recipients": "Các chi bộ trực thuộc",
        "#id_copies_to": "Ban Thường vụ Đảng ủy Khối Đại học, Cao đẳng",
        "#id_forwards": "1000-CV/TU",
        "#id_body": "Đảng ủy Trường đề nghị các chi bộ quán triệt và báo cáo định kỳ 06 tháng.",
    }
    page.select_option("#id_doc_type", "CV")
    for field, value in letter.items():
        page.fill(field, value)
    page.click("main form button[type=submit]")
    page.wait_for_selector(".flash-warning a[href*='/directives/terms/']")
    shot(page, "outgoing-no-term")
    page.click(".flash-warning a[href*='/directives/terms/']")
    assert page.input_value("#id_org") == "BK"
    for start, end in (("01/06/2020", "31/05/2025"), ("01/06/2025", "")):
        page.fill("#id_org", "BK")
        page.fill("#id_name", "")
        page.fill("#id_starts_on", start)
        page.fill("#id_ends_on", end)
        page.click("main form button[type=submit]")
        page.wait_for_selector(".flash-success")
    assert page.locator("table td:has-text('2020–2025')").count() == 1
    shot(page, "terms")
    page.goto(f"{live_url}/directives/outgoing/")
    page.select_option("#id_doc_type", "CV")
    for field, value in letter.items():
        page.fill(field, value)
    page.click("main form button[type=submit]")
    page.wait_for_selector("h1:has-text('01-CV/ĐU')")
    shot(page, "letter")
    back = read_back(download(page, "a[href$='/docx/']"))
    assert back.issuer == ["ĐẢNG BỘ KHỐI ĐẠI HỌC, CAO ĐẲNG", "ĐẢNG ỦY TRƯỜNG ĐẠI HỌC BÁCH KHOA"]
    assert back.symbol_line == "Số 01-CV/ĐU"
    assert back.date_line == "TP. Hồ Chí Minh, ngày 30 tháng 06 năm 2023"
    assert back.to == ["Các chi bộ trực thuộc"]
    assert back.signature == ["T/M ĐẢNG ỦY", "BÍ THƯ", "Nguyễn Thị Thanh Hương"]
    assert back.recipients[-1] == "- Lưu Văn phòng Đảng ủy."

    # 3. It gives section 1 to its cells.
    page.goto(directive_url)
    page.click("a[href$='/tasks/new/']")
    page.fill("#id_section", "1")
    page.fill("#id_title", "Phát triển đảng viên trong sinh viên")
    page.select_option("#id_recurrence", "semiannual")
    page.fill("#id_units", "BK-SV1, BK-GV1")
    page.click("main form button[type=submit]")
    page.wait_for_selector(".flash-success")

    # 4. Each cell reports.
    for user, text in (
        ("bithu", "Chi bộ Sinh viên 1 đã quán triệt."),
        ("bithu2", "Chi bộ Giảng viên 1 đã quán triệt."),
    ):
        page.context.clear_cookies()
        login(page, live_url, user)
        page.goto(f"{live_url}/directives/tasks/")
        page.click("td a[href^='/directives/assignments/']")
        page.click(f"a[href$='/report/{period}/']")
        page.fill("#id_text", text)
        page.fill("#id_figures", "Sinh viên được kết nạp = 2")
        if user == "bithu":
            shot(page, "cell-report")
        page.click("button[name=submit]")
        page.wait_for_selector(".badge.state-submitted")

    # 5. The school accepts and compiles its 6-monthly report.
    page.context.clear_cookies()
    login(page, live_url, "cosoviec")
    page.goto(f"{directive_url}status/{period}/")
    for _i in range(2):
        page.click("button[name=decision][value=accept] >> nth=0")
        page.wait_for_selector(".flash-success")
    assert page.locator(".badge.state-accepted").count() == 2
    page.fill("#id_signer", "Nguyễn Thị Thanh Hương")
    shot(page, "status-compile")
    page.click(".compile-form button[type=submit]")
    page.wait_for_selector(".flash-success")
    back = read_back(download(page, "a[href*='/compiled/'][href$='/docx/']"))
    assert back.issuer == ["ĐẢNG BỘ KHỐI ĐẠI HỌC, CAO ĐẲNG", "ĐẢNG ỦY TRƯỜNG ĐẠI HỌC BÁCH KHOA"]
    assert back.symbol_line == "Số 01-BC/ĐU"
    assert back.date_line.startswith("TP. Hồ Chí Minh, ngày ")
    assert back.signature == ["T/M ĐẢNG ỦY", "BÍ THƯ", "Nguyễn Thị Thanh Hương"]
    assert back.recipients == [
        "- Ban Thường vụ Đảng ủy Khối Đại học, Cao đẳng,",
        "- Lưu Văn phòng Đảng ủy.",
    ]
    assert "Chi bộ Sinh viên 1 đã quán triệt." in back.text
    page.goto(directive_url)
    shot(page, "directive-page")
