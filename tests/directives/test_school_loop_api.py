"""The whole loop as a school's committee, through the API: register the incoming
1000-CV/TU, declare its term, forward it as its own letter with its own symbol, give the
section to its cells, collect their reports, compile its 6-monthly report — and every
document reads right at that level."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from chibo.core.roles import Role
from chibo.lib.partydoc import read_back
from chibo.orgs.models import Org
from tests.directives.conftest import login, quick_user

pytestmark = pytest.mark.django_db
API = "/api/v1/directives"


def post(client: Client, url: str, body: dict[str, Any]) -> Any:
    response = client.post(url, json.dumps(body), content_type="application/json")
    assert response.status_code in (200, 201), (url, response.content.decode())
    return response.json()


def test_a_school_committee_runs_the_loop(t: dict[str, Org]) -> None:
    school = login(quick_user("bk", Role.GRASSROOTS_STAFF, t["uni"]))
    cell_a = login(quick_user("sv1", Role.CELL_SECRETARY, t["cell_a"]))
    cell_b = login(quick_user("gv1", Role.CELL_SECRETARY, t["cell_b"]))

    # 1. Register the incoming 1000-CV/TU in the school's own register.
    incoming = post(
        school,
        f"{API}/documents/incoming",
        {
            "org": "BK",
            "symbol": "1000-CV/TU",
            "title": "Về tăng cường công tác xây dựng Đảng của tổ chức đảng trường học",
            "issuing_body": "Ban Thường vụ Thành ủy",
            "issued_on": "2023-06-16",
            "incoming_number": "87",
            "received_at": "2023-06-27T14:05:00+07:00",
        },
    )
    assert (incoming["direction"], incoming["org"], incoming["incoming_number"]) == (
        "in",
        "BK",
        "87",
    )

    # 2. Declare its term and forward the letter with its own symbol.
    post(
        school,
        f"{API}/terms",
        {"org": "BK", "name": "2020–2025", "starts_on": "2020-06-01", "ends_on": "2025-05-31"},
    )
    letter = post(
        school,
        f"{API}/documents/outgoing",
        {
            "org": "BK",
            "doc_type": "CV",
            "title": "Về triển khai Công văn số 1000-CV/TU đến các chi bộ",
            "issued_on": "2023-06-30",
            "signer": "Nguyễn Thị Thanh Hương",
            "signer_title": "BÍ THƯ",
            "recipients": [
                {"name": "Các chi bộ trực thuộc"},
                {"name": "Ban Thường vụ Đảng ủy Khối Đại học, Cao đẳng", "kind": "copy"},
            ],
            "forwards": ["1000-CV/TU"],
            "body": "Đảng ủy Trường đề nghị các chi bộ quán triệt và báo cáo định kỳ 06 tháng.",
        },
    )
    assert letter["symbol"] == "01-CV/ĐU" and letter["signature_for"] == "T/M ĐẢNG ỦY"
    assert letter["links_out"][0]["id"] == incoming["id"]  # its own copy
    back = read_back(school.get(f"{API}/documents/{letter['id']}/docx").content)
    assert back.issuer == ["ĐẢNG BỘ KHỐI ĐẠI HỌC, CAO ĐẲNG", "ĐẢNG ỦY TRƯỜNG ĐẠI HỌC BÁCH KHOA"]
    assert (
        back.symbol_line == "Số 01-CV/ĐU"
        and back.subject == "V/v triển khai Công văn số 1000-CV/TU đến các chi bộ"
    )
    assert back.date_line == "TP. Hồ Chí Minh, ngày 30 tháng 06 năm 2023"
    assert back.to == ["Các chi bộ trực thuộc"]
    assert back.signature == ["T/M ĐẢNG ỦY", "BÍ THƯ", "Nguyễn Thị Thanh Hương"]
    assert back.recipients == [
        "- Như trên,",
        "- Ban Thường vụ Đảng ủy Khối Đại học, Cao đẳng,",
        "- Lưu Văn phòng Đảng ủy.",
    ]

    # 3. Give the section to its cells (not to an org outside its subtree).
    task = post(
        school,
        f"{API}/documents/{incoming['id']}/tasks",
        {
            "section": "1",
            "title": "Phát triển đảng viên trong sinh viên",
            "recurrence": "semiannual",
            "starts_on": "2023-06-30",
            "report_due_days": 5,
            "orgs": ["BK-SV1", "BK-GV1"],
        },
    )
    outside = school.post(
        f"{API}/documents/{incoming['id']}/tasks",
        json.dumps({"section": "2", "title": "x", "recurrence": "semiannual", "orgs": ["Q1-THPT"]}),
        content_type="application/json",
    )
    assert outside.status_code == 422
    assignments = {a["org"]: a["id"] for a in task["assignments"]}

    # 4. The cells report; the school reviews.
    for client, code in ((cell_a, "BK-SV1"), (cell_b, "BK-GV1")):
        assert [a["org"] for a in client.get(f"{API}/assignments").json()["items"]] == [code]
        report = post(
            client,
            f"{API}/assignments/{assignments[code]}/reports",
            {
                "period": "2024-H1",
                "text": f"Chi bộ {code} đã quán triệt.",
                "figures": {"Sinh viên được kết nạp": 2.0},
                "submit": True,
                "version": 0,  # no report yet
            },
        )
        assert report["status"] == "submitted" and report["figures"] == {
            "Sinh viên được kết nạp": 2
        }
        post(
            school,
            f"{API}/reports/{report['id']}/review",
            {"accept": True, "version": report["version"]},
        )
    status = school.get(f"{API}/documents/{incoming['id']}/status/2024-H1").json()
    assert status[0]["reported"] == status[0]["total"] == 2

    # 5. Compile its own 6-monthly report.
    compiled = post(
        school,
        f"{API}/documents/{incoming['id']}/compile",
        {
            "period": "2024-H1",
            "issued_on": "2024-07-08",
            "signer": "Nguyễn Thị Thanh Hương",
            "signer_title": "BÍ THƯ",
        },
    )
    assert compiled["output"]["symbol"] == "01-BC/ĐU" and not compiled["draft"]
    back = read_back(school.get(f"{API}/compiled/{compiled['id']}/docx").content)
    assert back.issuer == ["ĐẢNG BỘ KHỐI ĐẠI HỌC, CAO ĐẲNG", "ĐẢNG ỦY TRƯỜNG ĐẠI HỌC BÁCH KHOA"]
    assert back.symbol_line == "Số 01-BC/ĐU"
    assert back.date_line == "TP. Hồ Chí Minh, ngày 08 tháng 07 năm 2024"
    assert back.signature == ["T/M ĐẢNG ỦY", "BÍ THƯ", "Nguyễn Thị Thanh Hương"]
    assert back.recipients == [
        "- Ban Thường vụ Đảng ủy Khối Đại học, Cao đẳng,",
        "- Lưu Văn phòng Đảng ủy.",
    ]
    assert (
        "Chi bộ BK-SV1 đã quán triệt." in back.text and "+ Sinh viên được kết nạp: 2" in back.text
    )
    # A cell sees the task but may not compile the school's report.
    refused = cell_a.post(
        f"{API}/documents/{incoming['id']}/compile",
        json.dumps({"period": "2024-H1"}),
        content_type="application/json",
    )
    assert refused.status_code == 403
