"""``chibo docs-preview`` writes one document of each kind from the demo; each opens back and
reads as its issuing body's (LibreOffice renders them in ``make docs-preview``)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from chibo.lib.partydoc import read_back


@pytest.mark.django_db
def test_a_sample_of_every_document(tmp_path: Path) -> None:
    call_command("seed-demo", "--members", "300", stdout=io.StringIO())
    out = io.StringIO()
    call_command("docs-preview", "--output", str(tmp_path), stdout=out)
    names = sorted(p.name for p in tmp_path.glob("*.docx"))
    assert len(names) >= 12, names
    docs = {
        name.split("-", 1)[1].rsplit(".", 1)[0]: read_back(p.read_bytes())
        for name, p in ((p.name, p) for p in tmp_path.glob("*.docx"))
    }
    city = docs["thanh-uy-cong-van-1000-CV-TU"]
    assert city.issuer == ["THÀNH ỦY THÀNH PHỐ HỒ CHÍ MINH"] and city.symbol_line == "Số 1000-CV/TU"
    notes = [p for p in city.paragraphs if p.startswith("¹ ")]
    assert notes and city.paragraphs.index(notes[0]) > city.paragraphs.index(
        next(p for p in city.paragraphs if p.startswith("8. "))
    )
    office = docs["van-phong-thanh-uy-bao-cao-6-thang"]
    assert office.issuer[1] == "VĂN PHÒNG" and office.signature[0] == "CHÁNH VĂN PHÒNG"
    assert docs["bao-cao-du-thao-ky-chua-ket-thuc"].symbol_line.startswith("Số      -BC/")
    decision = docs["ho-so-ket-nap-decision"]
    assert decision.signature[0] == "T/M BAN THƯỜNG VỤ" and "QUYẾT ĐỊNH:" in decision.paragraphs
    letter = docs["giay-gioi-thieu-sinh-hoat-dang"]
    title = letter.paragraphs.index("GIẤY GIỚI THIỆU")
    assert any(p.startswith("Kính gửi:") for p in letter.paragraphs[title:])  # under the title
    assert "Đã ghi" in out.getvalue()
