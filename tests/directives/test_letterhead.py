"""Documents read right at every level: header lines from the tree as of the document's date,
the symbol with the issuer's abbreviation, the date line, the issuer's signature block and
"Kính gửi" / "Nơi nhận" from the recipients — for a cell, a grassroots committee, the
committee above it, the city and the city's office. Every DOCX is opened back."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from chibo.directives import documents, services
from chibo.directives.models import CommitteeTerm, Document
from chibo.lib.partydoc import read_back
from chibo.orgs import letterhead
from chibo.orgs import services as org_services
from chibo.orgs.models import Org, OrgKind
from tests import factories as f

pytestmark = pytest.mark.django_db
DAY = dt.date(2024, 3, 10)
PLACE_DATE = "TP. Hồ Chí Minh, ngày 10 tháng 03 năm 2024"


@pytest.fixture
def orgs(t: dict[str, Org]) -> dict[str, Org]:
    for key in ("khoi", "uni", "cell_a", "district", "school"):
        CommitteeTerm.objects.create(org=t[key], name="2020–2025", starts_on=dt.date(2020, 8, 1))
    return t


def _issue(org: Org, doc_type: str, **extra: object) -> Document:
    extra.setdefault("title", "Về công tác phát triển đảng viên trong sinh viên")
    return services.document_issue(actor=None, org=org, doc_type=doc_type, issued_on=DAY, **extra)


def test_default_abbreviations_by_type(orgs: dict[str, Org]) -> None:
    got = {k: orgs[k].abbreviation for k in ("city", "khoi", "uni", "cell_a", "district", "school")}
    assert got == {
        "city": "TU",
        "khoi": "ĐUK",
        "uni": "ĐU",
        "cell_a": "CB",
        "district": "QU",
        "school": "CB",
    }


def test_a_cell_resolution(orgs: dict[str, Org]) -> None:
    doc = _issue(
        orgs["cell_a"],
        "NQ",
        title="Về đề nghị kết nạp đảng viên",
        signer="Lê Thị Hoa",
        signer_title="Bí thư",
        recipients=[
            services.RecipientIn(orgs["uni"].name, kind="copy", org=orgs["uni"]),
            services.RecipientIn("Quần chúng Trần Thị Cúc", kind="copy"),
        ],
    )
    assert doc.symbol == "01-NQ/CB"
    back = read_back(documents.document_docx(doc))
    assert back.issuer == ["ĐẢNG BỘ TRƯỜNG ĐẠI HỌC BÁCH KHOA", "CHI BỘ SINH VIÊN 1"]
    assert back.issuer_bold == [False, True]
    assert back.symbol_line == "Số 01-NQ/CB"
    assert back.party == "ĐẢNG CỘNG SẢN VIỆT NAM" and back.party_underlined
    assert back.date_line == PLACE_DATE and back.date_italic
    assert "NGHỊ QUYẾT" in back.paragraphs and back.to == []
    assert back.signature == ["T/M CHI BỘ", "BÍ THƯ", "Lê Thị Hoa"]
    assert back.recipients == [
        "- Đảng ủy Trường Đại học Bách khoa,",
        "- Quần chúng Trần Thị Cúc,",
        "- Lưu Chi bộ.",
    ]


def test_a_grassroots_committee_letter(orgs: dict[str, Org]) -> None:
    doc = _issue(
        orgs["uni"],
        "CV",
        title="Về triển khai Công văn số 1000-CV/TU",
        signer="Phạm Văn Bình",
        signer_title="Phó Bí thư",
        recipients=[
            services.RecipientIn("Các chi bộ trực thuộc"),
            services.RecipientIn("Ban Thường vụ Đảng ủy Khối Đại học, Cao đẳng", kind="copy"),
        ],
    )
    assert doc.symbol == "01-CV/ĐU"
    back = read_back(documents.document_docx(doc))
    assert back.issuer == ["ĐẢNG BỘ KHỐI ĐẠI HỌC, CAO ĐẲNG", "ĐẢNG ỦY TRƯỜNG ĐẠI HỌC BÁCH KHOA"]
    assert back.symbol_line == "Số 01-CV/ĐU"
    assert back.subject == "V/v triển khai Công văn số 1000-CV/TU"
    assert back.date_line == PLACE_DATE
    assert back.to == ["Các chi bộ trực thuộc"]
    assert back.signature == ["T/M ĐẢNG ỦY", "PHÓ BÍ THƯ", "Phạm Văn Bình"]
    assert back.recipients == [
        "- Như trên,",
        "- Ban Thường vụ Đảng ủy Khối Đại học, Cao đẳng,",
        "- Lưu Văn phòng Đảng ủy.",
    ]


def test_the_committee_above_it(orgs: dict[str, Org]) -> None:
    doc = _issue(
        orgs["khoi"],
        "CV",
        signer="Võ Văn Cường",
        signer_title="Phó Bí thư",
        recipients=[services.RecipientIn(orgs["uni"].name, org=orgs["uni"])],
    )
    back = read_back(documents.document_docx(doc))
    assert back.issuer == ["ĐẢNG BỘ THÀNH PHỐ HỒ CHÍ MINH", "ĐẢNG ỦY KHỐI ĐẠI HỌC, CAO ĐẲNG"]
    assert back.symbol_line == "Số 01-CV/ĐUK"
    assert back.signature == ["T/M BAN THƯỜNG VỤ", "PHÓ BÍ THƯ", "Võ Văn Cường"]
    assert back.to == ["Đảng ủy Trường Đại học Bách khoa"]
    assert back.recipients == ["- Như trên,", "- Lưu Văn phòng Đảng ủy Khối."]


def test_the_city_and_its_office(orgs: dict[str, Org]) -> None:
    city = _issue(
        orgs["city"],
        "CV",
        title="Về tăng cường công tác xây dựng Đảng của tổ chức đảng trường học",
        signer="Nguyễn Hồ Hải",
        signer_title="Phó Bí thư",
        recipients=[services.RecipientIn(orgs["khoi"].name, org=orgs["khoi"])],
    )
    back = read_back(documents.document_docx(city))
    assert back.issuer == ["THÀNH ỦY THÀNH PHỐ HỒ CHÍ MINH"] and back.symbol_line == "Số 01-CV/TU"
    assert back.signature == ["T/M BAN THƯỜNG VỤ", "PHÓ BÍ THƯ", "Nguyễn Hồ Hải"]
    assert back.recipients == ["- Như trên,", "- Lưu Văn phòng Thành ủy."]

    office = _issue(
        orgs["city"],
        "BC",
        issuing_unit="office",
        signature_for="K/T CHÁNH VĂN PHÒNG",
        signer="Trần Văn Dũng",
        signer_title="Phó Chánh Văn phòng",
        recipients=[services.RecipientIn("Thường trực Thành ủy", kind="copy")],
    )
    assert office.symbol == "01-BC/VPTU" and office.issuing_body == "Văn phòng Thành ủy"
    back = read_back(documents.document_docx(office))
    assert back.issuer == ["THÀNH ỦY THÀNH PHỐ HỒ CHÍ MINH", "VĂN PHÒNG"]
    assert back.issuer_bold == [False, True]
    assert back.signature == ["K/T CHÁNH VĂN PHÒNG", "PHÓ CHÁNH VĂN PHÒNG", "Trần Văn Dũng"]
    assert back.recipients == ["- Thường trực Thành ủy,", "- Lưu Văn phòng Thành ủy."]
    # The office numbers apart from the committee; its head signs in their own right.
    head = _issue(
        orgs["city"], "BC", issuing_unit="office", signature_for="", signer_title="Chánh Văn phòng"
    )
    assert head.symbol == "02-BC/VPTU"
    assert read_back(documents.document_docx(head)).signature[0] == "CHÁNH VĂN PHÒNG"
    assert _issue(orgs["city"], "BC").symbol == "01-BC/TU"


def test_a_signature_block_of_another_level_is_refused(orgs: dict[str, Org]) -> None:
    with pytest.raises(ValidationError) as err:
        _issue(orgs["cell_a"], "NQ", signature_for="T/M BAN THƯỜNG VỤ")
    assert "T/M CHI BỘ" in str(err.value)
    with pytest.raises(ValidationError):
        _issue(orgs["khoi"], "CV", signature_for="K/T BÍ THƯ", signer_title="Bí thư")


def test_the_header_follows_the_tree_of_the_documents_date(orgs: dict[str, Org]) -> None:
    """A school cell moved from a district to a ward committee on 1/7/2025."""
    ward = f.org("P-BN", "Đảng ủy Phường Bến Nghé", OrgKind.DIRECT_COMMITTEE, orgs["city"])
    org_services.org_move(
        actor=None, org=orgs["school"], new_parent=ward, effective_date=dt.date(2025, 7, 1)
    )
    school = Org.objects.get(pk=orgs["school"].pk)
    before = letterhead.header_lines(school, dt.date(2025, 6, 30))
    after = letterhead.header_lines(school, dt.date(2025, 7, 1))
    assert [line.text for line in before] == ["ĐẢNG BỘ QUẬN 1", "CHI BỘ TRƯỜNG THPT TRƯNG VƯƠNG"]
    assert [line.text for line in after] == [
        "ĐẢNG BỘ PHƯỜNG BẾN NGHÉ",
        "CHI BỘ TRƯỜNG THPT TRƯNG VƯƠNG",
    ]
    with pytest.raises(ValidationError):
        letterhead.header_lines(school, dt.date(2014, 12, 31))  # before it existed


def test_abbreviation_is_editable_and_used_in_new_symbols(orgs: dict[str, Org]) -> None:
    org_services.org_set_abbreviation(actor=None, org=orgs["khoi"], abbreviation="ĐUKĐH")
    assert _issue(orgs["khoi"], "BC").symbol == "01-BC/ĐUKĐH"
    with pytest.raises(ValidationError):
        org_services.org_set_abbreviation(actor=None, org=orgs["khoi"], abbreviation="01/X")
