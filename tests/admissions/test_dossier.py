"""The admission dossier, generated as DOCX in the Party's format, numbered in each issuing
body's register and term; unknowns are marked fields. Every file is opened back."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse

from chibo.admissions import dossier
from chibo.admissions.models import Candidate
from chibo.core.models import AuditEntry
from chibo.core.roles import Role
from chibo.directives.models import CommitteeTerm, Document
from chibo.lib.partydoc import read_back
from tests import factories as f
from tests.admissions.conftest import client_for, full_member, walk

pytestmark = pytest.mark.django_db


@pytest.fixture
def admitted(world: dict, cand: Candidate) -> dict:
    tree = world["tree"]
    for key in ("cell_a", "uni", "khoi"):
        CommitteeTerm.objects.create(org=tree[key], name="2020–2025", starts_on=dt.date(2020, 6, 1))
    walk(world, cand)
    cand.refresh_from_db()
    world["khoi_user"] = f.user("khoi", Role.SUPERIOR_STAFF, tree["khoi"])
    return {**world, "cand": cand}


def _docx(client, cand: Candidate, kind: str):
    response = client.get(reverse("admissions:dossier", args=[cand.pk, kind]))
    assert response.status_code == 200, response.content[:300]
    return read_back(response.content)


def test_the_cells_resolution_with_the_vote(admitted: dict) -> None:
    cand, sec = admitted["cand"], client_for(admitted["users"]["sec"])
    page = sec.get(reverse("admissions:detail", args=[cand.pk])).content.decode()
    assert "Hồ sơ kết nạp" in page
    response = sec.post(
        reverse("admissions:dossier", args=[cand.pk, "cell_resolution"]),
        {"signer": "Lê Văn Minh", "signer_title": "BÍ THƯ"},
    )
    assert response.status_code == 302
    entry = Document.objects.get(source=f"admissions.candidate:{cand.pk}:cell_resolution")
    assert entry.symbol == "06-NQ/CB"  # the number recorded on the step, in the cell's register
    back = _docx(sec, cand, "cell_resolution")
    assert back.issuer == ["ĐẢNG BỘ TRƯỜNG ĐẠI HỌC BÁCH KHOA", "CHI BỘ SINH VIÊN 1"]
    assert back.symbol_line == "Số 06-NQ/CB"
    assert back.date_line == "TP. Hồ Chí Minh, ngày 03 tháng 02 năm 2025"
    assert "NGHỊ QUYẾT" in back.paragraphs and "Đề nghị kết nạp đảng viên" in back.paragraphs
    assert back.signature == ["T/M CHI BỘ", "BÍ THƯ", "Lê Văn Minh"]
    assert back.recipients == ["- Đảng ủy Trường Đại học Bách khoa,", "- Lưu Chi bộ."]
    assert "3/3 đồng chí, đạt 100,00%" in back.text
    assert "[Ưu điểm, khuyết điểm do chi bộ nhận xét]" in back.text  # a marked field
    assert AuditEntry.objects.filter(action="admissions.dossier", object_id=str(cand.pk)).exists()
    # Once only: the entry stays.
    sec.post(reverse("admissions:dossier", args=[cand.pk, "cell_resolution"]))
    assert Document.objects.filter(source__endswith=":cell_resolution").count() == 1


def test_the_grassroots_resolution_and_the_decisions(admitted: dict) -> None:
    cand = admitted["cand"]
    uni, khoi = client_for(admitted["users"]["uni"]), client_for(admitted["khoi_user"])
    sec = client_for(admitted["users"]["sec"])
    # The cell may not number the committee's decision; it downloads it unnumbered.
    denied = sec.post(reverse("admissions:dossier", args=[cand.pk, "decision"]))
    assert denied.status_code == 403 and not Document.objects.filter(doc_type="QĐ").exists()
    unnumbered = _docx(sec, cand, "decision")
    assert unnumbered.symbol_line == "Số      -QĐ/ĐUK"

    uni.post(
        reverse("admissions:dossier", args=[cand.pk, "grassroots_resolution"]),
        {"signer": "Phạm Văn Bình"},
    )
    back = _docx(uni, cand, "grassroots_resolution")
    assert back.issuer == ["ĐẢNG BỘ KHỐI ĐẠI HỌC, CAO ĐẲNG", "ĐẢNG ỦY TRƯỜNG ĐẠI HỌC BÁCH KHOA"]
    assert back.symbol_line == "Số 08-NQ/ĐU" and back.signature[0] == "T/M ĐẢNG ỦY"
    assert "Tổng số cấp ủy viên: [  ] đồng chí" in back.text
    assert back.recipients[-1] == "- Lưu Văn phòng Đảng ủy."

    for kind in ("decision", "recognition_decision"):
        khoi.post(
            reverse("admissions:dossier", args=[cand.pk, kind]),
            {"signer": "Võ Văn Cường", "signer_title": "PHÓ BÍ THƯ"},
        )
    decision = _docx(khoi, cand, "decision")
    assert decision.issuer == ["ĐẢNG BỘ THÀNH PHỐ HỒ CHÍ MINH", "ĐẢNG ỦY KHỐI ĐẠI HỌC, CAO ĐẲNG"]
    assert decision.symbol_line == "Số 01-QĐ/ĐUK"  # 09-QĐ/ĐU on the step is not the Khối's number
    assert decision.date_line == "TP. Hồ Chí Minh, ngày 10 tháng 03 năm 2025"
    assert decision.signature == ["T/M BAN THƯỜNG VỤ", "PHÓ BÍ THƯ", "Võ Văn Cường"]
    assert "Điều 1. Kết nạp quần chúng Trần Thị Cúc" in decision.text
    # the rules of 10/03/2025 (QĐ 232-QĐ/TW from 20/1/2025, issue 20)
    assert "QĐ 232-QĐ/TW" in decision.text and "12 tháng" in decision.text
    assert decision.recipients == [
        "- Đảng ủy Trường Đại học Bách khoa,",
        "- Chi bộ Sinh viên 1,",
        "- Đồng chí Trần Thị Cúc,",
        "- Lưu Văn phòng Đảng ủy Khối.",
    ]
    recognition = _docx(khoi, cand, "recognition_decision")
    assert recognition.symbol_line == "Số 02-QĐ/ĐUK"
    assert "QĐ 294-QĐ/TW" in recognition.text  # 15/04/2026: the regulation in force then
    assert "là đảng viên chính thức kể từ ngày" in recognition.text

    resolution = _docx(sec, cand, "recognition_resolution")
    assert "theo Quyết định số 01-QĐ/ĐUK ngày 10/03/2025" in resolution.text  # the register's
    assert (
        resolution.signature[0] == "T/M CHI BỘ" and "3/3 đồng chí, đạt 100,00%" in resolution.text
    )


def test_a_grassroots_cell_has_no_committee_resolution(world: dict) -> None:
    tree = world["tree"]
    mentor = full_member(tree["school"], "GV-T", "Ngô Thị Lan")
    candidate = f.candidate(tree["school"], mentor)
    rows = {e.kind: e for e in dossier.entries(None, candidate)}
    assert not rows["grassroots_resolution"].applicable
    assert rows["decision"].issuer == tree["district"]


def test_api_lists_issues_and_downloads(admitted: dict) -> None:
    cand = admitted["cand"]
    sec = client_for(admitted["users"]["sec"])
    listing = sec.get(f"/api/v1/candidates/{cand.pk}/dossier").json()["items"]
    assert [i["kind"] for i in listing] == list(dossier.KINDS)
    assert {i["kind"]: i["may_issue"] for i in listing}["cell_resolution"] is True
    assert {i["kind"]: i["may_issue"] for i in listing}["decision"] is False
    made = sec.post(
        f"/api/v1/candidates/{cand.pk}/dossier/recognition_resolution",
        json.dumps({"signer": "Lê Văn Minh", "signer_title": "BÍ THƯ"}),
        content_type="application/json",
    )
    assert made.status_code == 201 and made.json()["symbol"] == "10-NQ/CB"
    docx = sec.get(f"/api/v1/candidates/{cand.pk}/dossier/recognition_resolution/docx")
    assert docx.status_code == 200 and read_back(docx.content).symbol_line == "Số 10-NQ/CB"
    outsider = client_for(f.user("q1", Role.SUPERIOR_STAFF, admitted["tree"]["district"]))
    assert outsider.get(f"/api/v1/candidates/{cand.pk}/dossier").status_code == 404
    assert (
        outsider.get(reverse("admissions:dossier", args=[cand.pk, "decision"])).status_code == 404
    )


def test_a_typed_number_that_breaks_the_order_gives_way_to_the_registers(admitted: dict) -> None:
    """06-NQ/CB typed on the step (03/02/2025), but the cell's register has 07 of 01/02/2025."""
    from chibo.directives import services as register

    cand, tree = admitted["cand"], admitted["tree"]
    register.document_issue(
        actor=None,
        org=tree["cell_a"],
        doc_type="NQ",
        title="Nghị quyết sinh hoạt chi bộ tháng 2",
        issued_on=dt.date(2025, 2, 1),
        number=7,
    )
    entry = dossier.dossier_issue(actor=None, candidate=cand, kind="cell_resolution")
    assert entry.symbol == "08-NQ/CB"  # not 06, dated after the 07
    issued = AuditEntry.objects.get(action="admissions.dossier_issue")
    assert issued.data["recorded_number"] == "06-NQ/CB" and issued.data["symbol"] == "08-NQ/CB"
