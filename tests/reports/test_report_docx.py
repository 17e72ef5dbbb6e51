"""A report's DOCX is the issuing org's document: its superior line from the tree, its own
signature block with the signer chosen at export, "Nơi nhận" to the committee above and
"Lưu" its office — for a cell, a grassroots committee, the committee above and the city."""

from __future__ import annotations

import datetime as dt

import pytest

from chibo.core.roles import Role
from chibo.lib.partydoc import read_back
from chibo.members.models import Category
from tests import factories
from tests.reports import data

pytestmark = pytest.mark.django_db
QUERY = {"from": "2024-01-01", "to": "2024-12-31"}


@pytest.fixture
def office(client, tree):
    data.admissions(tree["cell_a"], 2, Category.STUDENT, [dt.date(2024, 5, 1)])
    user = factories.user("vp", Role.CITY_OFFICE, tree["city"])
    client.force_login(user)
    return client


def _docx(client, org: str, **signing: str):
    response = client.get("/reports/admissions/export/docx/", {**QUERY, "org": org, **signing})
    assert response.status_code == 200
    return read_back(response.content)


def test_grassroots_committee_report_reads_as_its_own(office) -> None:
    back = _docx(office, "BK", signer="Phạm Văn Bình", signer_title="PHÓ BÍ THƯ")
    assert back.issuer == ["ĐẢNG BỘ KHỐI ĐẠI HỌC, CAO ĐẲNG", "ĐẢNG ỦY TRƯỜNG ĐẠI HỌC BÁCH KHOA"]
    assert back.symbol_line == "Số      -BC/ĐU"  # numbered when entered in the register
    assert back.date_line.startswith("TP. Hồ Chí Minh, ngày ")
    assert back.signature == ["T/M ĐẢNG ỦY", "PHÓ BÍ THƯ", "Phạm Văn Bình"]
    assert back.to == []  # a report has no "Kính gửi"; "Như trên" would point at nothing
    assert back.recipients == [
        "- Ban Thường vụ Đảng ủy Khối Đại học, Cao đẳng,",
        "- Lưu Văn phòng Đảng ủy.",
    ]


def test_cell_committee_above_and_city(office) -> None:
    cell = _docx(office, "BK-SV1")
    assert cell.issuer == ["ĐẢNG BỘ TRƯỜNG ĐẠI HỌC BÁCH KHOA", "CHI BỘ SINH VIÊN 1"]
    assert cell.symbol_line == "Số      -BC/CB"
    # Not chosen at export: marked fields to fill in.
    assert cell.signature == ["T/M CHI BỘ", "[Chức vụ người ký]", "[Họ và tên người ký]"]
    assert cell.recipients == ["- Đảng ủy Trường Đại học Bách khoa,", "- Lưu Chi bộ."]
    khoi = _docx(office, "KDHCD", signer_title="BÍ THƯ", signer="Võ Văn Cường")
    assert khoi.issuer == ["ĐẢNG BỘ THÀNH PHỐ HỒ CHÍ MINH", "ĐẢNG ỦY KHỐI ĐẠI HỌC, CAO ĐẲNG"]
    assert khoi.signature == ["T/M BAN THƯỜNG VỤ", "BÍ THƯ", "Võ Văn Cường"]
    assert khoi.recipients[0] == "- Ban Thường vụ Thành ủy Thành phố Hồ Chí Minh,"
    city = _docx(office, "TU", recipients="Ban Tổ chức Trung ương\nThường trực Thành ủy")
    assert city.issuer == ["THÀNH ỦY THÀNH PHỐ HỒ CHÍ MINH"]
    assert city.recipients == [
        "- Ban Tổ chức Trung ương,",
        "- Thường trực Thành ủy,",
        "- Lưu Văn phòng Thành ủy.",
    ]


def test_a_wrong_title_for_the_block_is_refused_with_a_message(office) -> None:
    response = office.get(
        "/reports/admissions/export/docx/",
        {**QUERY, "org": "BK-SV1", "signer_title": "CHÁNH VĂN PHÒNG"},
    )
    assert response.status_code == 302
