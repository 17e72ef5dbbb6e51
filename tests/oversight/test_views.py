"""Oversight pages: inside actor 200, outside actor 404, read-only viewer 403 on writes; the flows end to end."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chibo.oversight import services
from chibo.oversight.models import CaseStatus, Inspection, InspectionStatus, MemberEvaluation
from tests.oversight.conftest import client_for

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def planned(world: dict) -> Inspection:
    return services.inspection_plan(
        actor=world["staff"],
        org=world["uni"],
        year=2026,
        kind="inspection",
        topic="Sinh hoạt chi bộ",
        starts_on=D(2026, 3, 1),
        ends_on=D(2026, 3, 31),
        target_org=world["cell_a"],
        team="Nguyễn Văn Tổ trưởng",
    )


def test_plan_inspection_and_record_conclusion_through_the_ui(world: dict) -> None:
    client = client_for(world["staff"])
    assert client.get("/oversight/").status_code == 200
    response = client.post(
        "/oversight/inspections/new/",
        {
            "org": "BK",
            "year": "2026",
            "kind": "supervision",
            "topic": "Thực hiện Chỉ thị 1000",
            "target_org": "BK-SV1",
            "starts_on": "01/04/2026",
            "ends_on": "30/04/2026",
            "team": "Tổ giám sát",
        },
    )
    assert response.status_code == 302
    item = Inspection.objects.get(topic="Thực hiện Chỉ thị 1000")
    assert client.get(f"/oversight/inspections/{item.pk}/").status_code == 200
    response = client.post(
        f"/oversight/inspections/{item.pk}/conclude/",
        {
            "findings": "Chi bộ sinh hoạt đều",
            "conclusion": "Đạt yêu cầu",
            "concluded_on": "05/05/2026",
            "conclusion_number": "12-KL/ĐU",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.conclusion_number) == (InspectionStatus.CONCLUDED, "12-KL/ĐU")
    assert (
        client.post(
            f"/oversight/inspections/{item.pk}/followups/new/",
            {"action": "Bổ sung biên bản", "due_on": "30/06/2026"},
        ).status_code
        == 302
    )
    upload = SimpleUploadedFile("ket-luan.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    assert (
        client.post(f"/oversight/inspections/{item.pk}/attach/", {"file": upload}).status_code
        == 302
    )
    attachment = item.attachments.get()
    download = client.get(f"/oversight/inspections/{item.pk}/files/{attachment.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 test"


def test_inspection_page_inside_outside_viewer(world: dict, planned: Inspection) -> None:
    url = f"/oversight/inspections/{planned.pk}/"
    assert client_for(world["sup"]).get(url).status_code == 200
    assert client_for(world["sec"]).get(url).status_code == 200  # the inspected cell sees it
    assert client_for(world["out"]).get(url).status_code == 404
    viewer = client_for(world["view"])
    assert viewer.get(url).status_code == 200
    assert viewer.get(f"{url}conclude/").status_code == 403
    assert (
        viewer.post(
            f"{url}conclude/", {"conclusion": "x", "concluded_on": "01/04/2026"}
        ).status_code
        == 403
    )
    assert viewer.get("/oversight/inspections/new/").status_code == 403
    assert client_for(world["out"]).get(f"{url}conclude/").status_code == 404


def test_conclusion_numbered_through_the_directives_register(
    world: dict, planned: Inspection
) -> None:
    from django.core.exceptions import ValidationError

    from chibo.directives import services as directives

    with pytest.raises(
        ValidationError, match="number"
    ):  # grassroots staff do not number in the register
        services.inspection_conclude(
            actor=world["staff"],
            inspection=planned,
            findings="",
            conclusion="Tốt",
            concluded_on=D(2026, 4, 2),
            issue_number=True,
        )
    planned = services.inspection_plan(
        actor=world["sup"],
        org=world["khoi"],
        year=2026,
        kind="inspection",
        topic="Công tác kết nạp",
        starts_on=D(2026, 3, 1),
        ends_on=D(2026, 3, 31),
        target_org=world["uni"],
    )
    directives.term_create(actor=None, org=world["khoi"], name="2025–2030", starts_on=D(2025, 1, 1))
    services.inspection_conclude(
        actor=world["sup"],
        inspection=planned,
        findings="",
        conclusion="Tốt",
        concluded_on=D(2026, 4, 2),
        issue_number=True,
    )
    assert planned.conclusion_number.startswith("01-KL/") or planned.conclusion_number.startswith(
        "1-KL/"
    )
    assert planned.conclusion_document_id is not None


def test_coverage_shows_inspected_and_never_inspected_schools(
    world: dict, planned: Inspection
) -> None:
    response = client_for(world["sup"]).get(
        "/oversight/coverage/", {"org": "KDHCD", "date_from": "01/01/2026", "date_to": "31/12/2026"}
    )
    rows = {r.org.code: r for r in response.context["rows"]}
    assert rows["BK-SV1"].in_period == 1 and rows["BK"].in_period == 1
    assert rows["BK-GV1"].never
    assert client_for(world["out"]).get("/oversight/coverage/", {"org": "KDHCD"}).status_code == 404


def test_discipline_pages_inside_outside_viewer(world: dict) -> None:
    sec = client_for(world["sec"])
    response = sec.post(
        "/oversight/discipline/new/",
        {"member": "DV-A1", "violation": "Vi phạm", "opened_on": "01/06/2026"},
    )
    assert response.status_code == 302
    case = world["members"][0].discipline_cases.get()
    assert sec.get(f"/oversight/discipline/{case.pk}/").status_code == 200
    assert sec.get("/oversight/discipline/").status_code == 200
    assert client_for(world["out"]).get(f"/oversight/discipline/{case.pk}/").status_code == 404
    viewer = client_for(world["view"])
    assert viewer.get(f"/oversight/discipline/{case.pk}/").status_code == 200
    assert viewer.get(f"/oversight/discipline/{case.pk}/decide/").status_code == 403
    assert viewer.get("/oversight/discipline/new/").status_code == 403
    response = sec.post(
        f"/oversight/discipline/{case.pk}/decide/",
        {
            "penalty": "khien_trach",
            "by_cell_vote": "on",
            "deciding_org": "BK-SV1",
            "votes_for": "5",
            "votes_total": "6",
            "decided_on": "10/06/2026",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.DECIDED
    page = sec.get("/oversight/members/DV-A1/")
    assert page.status_code == 200 and "khien_trach" not in page.content.decode()
    assert client_for(world["out"]).get("/oversight/members/DV-A1/").status_code == 404


def test_refusal_shows_the_rule_on_the_form(world: dict) -> None:
    case = services.case_open(
        actor=world["sec"], member=world["probationary"], violation="x", opened_on=D(2026, 6, 1)
    )
    response = client_for(world["staff"]).post(
        f"/oversight/discipline/{case.pk}/decide/",
        {
            "penalty": "cach_chuc",
            "deciding_org": "BK",
            "decided_on": "10/06/2026",
            "decision_number": "1-QĐ/ĐU",
            "post": "Chi ủy viên",
        },
    )
    assert response.status_code == 200
    assert "QĐ 296-QĐ/TW" in response.content.decode()


def test_grade_a_cell_with_the_cap_warning_then_confirm(world: dict) -> None:
    sec = client_for(world["sec"])
    url = "/oversight/evaluation/BK-SV1/2024/"
    assert sec.get(url).status_code == 200
    grades = {
        "grade_DV-A1": "HTXSNV",
        "grade_DV-A2": "HTXSNV",
        "grade_DV-A3": "HTTNV",
        "grade_DV-A4": "HTNV",
    }
    response = sec.post(url, grades)
    assert response.status_code == 200
    assert "QĐ 124-QĐ/TW" in response.content.decode() and response.context["warnings"]
    assert MemberEvaluation.objects.filter(year=2024).count() == 4
    staff = client_for(world["staff"])
    staff.post("/oversight/evaluation/BK-SV1/2024/confirm/")
    assert not MemberEvaluation.objects.filter(status="confirmed").exists()  # refused: over the cap
    sec.post(url, {**grades, "grade_DV-A1": "HTTNV", "grade_DV-A2": "HTTNV"})
    assert staff.post("/oversight/evaluation/BK-SV1/2024/confirm/").status_code == 302
    assert MemberEvaluation.objects.filter(status="confirmed").count() == 4
    summary = client_for(world["sup"]).get("/oversight/evaluation/", {"org": "BK", "year": "2024"})
    assert summary.status_code == 200 and summary.context["summary"]["members"]["HTTNV"] == 3


def test_grading_inside_outside_viewer(world: dict) -> None:
    url = "/oversight/evaluation/BK-SV1/2025/"
    assert client_for(world["out"]).get(url).status_code == 404
    viewer = client_for(world["view"])
    assert viewer.get(url).status_code == 200
    assert viewer.post(url, {"score_DV-A1": "95"}).status_code == 403
    assert viewer.post("/oversight/evaluation/BK-SV1/2025/confirm/").status_code == 403
    assert (
        client_for(world["sec"]).post("/oversight/evaluation/BK-SV1/2025/confirm/").status_code
        == 403
    )
    response = client_for(world["sec"]).post(url, {"score_DV-A1": "90", "score_DV-A2": "89"})
    assert response.status_code == 200  # 1 HTXSNV with 1 HTTNV: over the cap, flagged
    assert {e.proposed_grade for e in MemberEvaluation.objects.filter(year=2025)} == {
        "HTXSNV",
        "HTTNV",
    }


def test_pages_need_a_role_with_member_view(world: dict) -> None:
    from tests import factories as f

    admin = client_for(f.user("quantri", "sysadmin", world["city"]))
    assert admin.get("/oversight/").status_code == 403
    assert admin.get("/oversight/evaluation/").status_code == 403
