"""Board, candidate page, step forms, override and probation watch: inside 200, outside 404, read-only 403."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from chibo.admissions.models import Candidate, Stage
from chibo.core.models import AuditEntry
from chibo.lib.workdays import add_working_days
from tests import factories as f
from tests.admissions.conftest import client_for, walk

pytestmark = pytest.mark.django_db


def test_board_inside_lists_counts_and_audits(world: dict, cand: Candidate) -> None:
    response = client_for(world["users"]["sec"]).get(reverse("admissions:board"))
    body = response.content.decode()
    assert response.status_code == 200 and cand.full_name in body
    assert AuditEntry.objects.filter(action="admissions.list").last().data["candidates"] == [
        cand.pk
    ]


def test_board_outside_does_not_show_the_candidate(world: dict, cand: Candidate) -> None:
    response = client_for(world["users"]["sec_b"]).get(reverse("admissions:board"))
    assert response.status_code == 200 and cand.full_name not in response.content.decode()


def test_board_filters_by_category_and_highlights_overdue(world: dict) -> None:
    late = f.candidate(world["tree"]["cell_a"], world["full"][0], full_name="Đỗ Văn Trễ")
    walk(world, late, Stage.DECISION)  # ceremony was due in March 2025: overdue now
    f.candidate(
        world["tree"]["cell_a"], world["full"][0], full_name="Học Sinh Giỏi", category="pupil"
    )
    client = client_for(world["users"]["uni"])
    body = client.get(reverse("admissions:board"), {"category": "student"}).content.decode()
    assert "Đỗ Văn Trễ" in body and "Học Sinh Giỏi" not in body and 'class="overdue"' in body
    body = client.get(reverse("admissions:board"), {"overdue": "on"}).content.decode()
    assert "Đỗ Văn Trễ" in body and "Học Sinh Giỏi" not in body
    partial = client.get(
        reverse("admissions:board"), headers={"HX-Request": "true", "HX-Target": "board"}
    )
    assert b"<html" not in partial.content


def test_detail_inside_shows_path_and_audits_the_read(world: dict, cand: Candidate) -> None:
    walk(world, cand, Stage.COURSE)
    response = client_for(world["users"]["sec"]).get(reverse("admissions:detail", args=[cand.pk]))
    body = response.content.decode()
    assert response.status_code == 200 and "123/GCN" in body
    assert AuditEntry.objects.filter(action="admissions.view", object_id=str(cand.pk)).exists()


def test_detail_outside_is_404_and_viewer_reads(world: dict, cand: Candidate) -> None:
    assert (
        client_for(world["users"]["sec_b"])
        .get(reverse("admissions:detail", args=[cand.pk]))
        .status_code
        == 404
    )
    assert (
        client_for(world["users"]["viewer"])
        .get(reverse("admissions:detail", args=[cand.pk]))
        .status_code
        == 200
    )


def test_step_form_records_and_refuses_with_rule_and_source(world: dict, cand: Candidate) -> None:
    client = client_for(world["users"]["sec"])
    url = reverse("admissions:step", args=[cand.pk, Stage.COURSE])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"done_on": "15/10/2024", "document_number": "77/GCN", "cert_issuer": "TTCT"}
    )
    assert response.status_code == 302
    cand.refresh_from_db()
    assert cand.stage == Stage.COURSE
    # Walk on to the cell's review with a vote under 2/3: refused, naming the rule and its source.
    from chibo.admissions import services

    for stage, day in [
        (Stage.APPLICATION, dt.date(2024, 11, 1)),
        (Stage.HISTORY, dt.date(2024, 11, 15)),
        (Stage.BACKGROUND_CHECK, dt.date(2024, 12, 10)),
    ]:
        services.candidate_record_step(actor=None, candidate=cand, stage=stage, done_on=day)
    url = reverse("admissions:step", args=[cand.pk, Stage.INTRODUCERS])
    response = client.post(
        url, {"done_on": "06/01/2025", "introducer_1": "DV-F1", "months_1": "11"}
    )
    assert response.status_code == 200
    assert "QĐ 24-QĐ/TW" in response.content.decode()
    response = client.post(
        url, {"done_on": "06/01/2025", "introducer_1": "DV-F1", "months_1": "12"}
    )
    assert response.status_code == 302


def test_step_outside_404_viewer_403_secretary_403_on_committee_step(
    world: dict, cand: Candidate
) -> None:
    url = reverse("admissions:step", args=[cand.pk, Stage.COURSE])
    assert client_for(world["users"]["sec_b"]).get(url).status_code == 404
    assert (
        client_for(world["users"]["viewer"]).post(url, {"done_on": "15/10/2024"}).status_code == 403
    )
    decision = reverse("admissions:step", args=[cand.pk, Stage.DECISION])
    assert client_for(world["users"]["sec"]).get(decision).status_code == 403
    assert client_for(world["users"]["uni"]).get(decision).status_code == 200


def test_register_inside_outside_readonly(world: dict) -> None:
    url = reverse("admissions:register")
    data = {
        "org": "BK-SV1",
        "full_name": "Ngô Thị Lan",
        "date_of_birth": "05/05/2005",
        "gender": "female",
        "category": "student",
        "mentor": "DV-F2",
        "registered_on": "01/09/2025",
        "youth_union_exists": "on",
    }
    sec = client_for(world["users"]["sec"])
    assert sec.get(url).status_code == 200
    response = sec.post(url, data)
    assert response.status_code == 302
    flashed = [str(message) for message in get_messages(response.wsgi_request)]
    assert len(flashed) == 1 and "Ngô Thị Lan" in flashed[0]
    assert Candidate.objects.filter(full_name="Ngô Thị Lan", mentor__member_code="DV-F2").exists()
    outside = client_for(world["users"]["sec_b"]).post(url, data)
    assert outside.status_code == 200 and not Candidate.objects.filter(org__code="BK-GV1").exists()
    assert client_for(world["users"]["viewer"]).post(url, data).status_code == 403


def test_override_only_for_committee(world: dict, cand: Candidate) -> None:
    url = reverse("admissions:override", args=[cand.pk])
    data = {
        "stage": Stage.CELL_RESOLUTION,
        "rule_key": "admission.age_max_months",
        "reason": "Tỉnh ủy đồng ý",
    }
    assert client_for(world["users"]["sec"]).post(url, data).status_code == 403
    assert client_for(world["users"]["viewer"]).post(url, data).status_code == 403
    assert client_for(world["users"]["sec_b"]).post(url, data).status_code == 404
    assert client_for(world["users"]["uni"]).post(url, data).status_code == 302
    assert cand.overrides.get().reason == "Tỉnh ủy đồng ý"


def test_probation_watch_page(world: dict) -> None:
    f.member(
        world["tree"]["cell_a"],
        code="DV-W1",
        full_name="Phan Văn Dự",
        admitted_on=dt.date(2025, 6, 2),
    )
    body = client_for(world["users"]["sec"]).get(reverse("admissions:probation")).content.decode()
    assert "Phan Văn Dự" in body
    body = client_for(world["users"]["sec_b"]).get(reverse("admissions:probation")).content.decode()
    assert "Phan Văn Dự" not in body


def test_pages_of_a_decided_member_before_the_ceremony(world: dict, cand: Candidate) -> None:
    walk(world, cand, Stage.DECISION)
    sec = client_for(world["users"]["sec"])
    body = sec.get(reverse("admissions:detail", args=[cand.pk])).content.decode()
    assert cand.member.member_code in body
    assert "admission ceremony not held yet" in body or "chưa tổ chức lễ kết nạp" in body
    page = sec.get(reverse("members:detail", args=[cand.member.member_code]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "not held yet" in text or "chưa tổ chức" in text
    assert f"/members/{cand.member.member_code}/events/recognized/" not in text
    walk_rest = {"done_on": "25/03/2025", "document_number": "BB-01"}
    response = sec.post(reverse("admissions:step", args=[cand.pk, Stage.CEREMONY]), walk_rest)
    assert response.status_code == 302
    text = sec.get(reverse("members:detail", args=[cand.member.member_code])).content.decode()
    assert "25/03/2025" in text and "25/03/2026" in text  # ceremony, probation end
    assert "Lễ kết nạp" in text or "Admission ceremony" in text  # in the timeline


def test_full_path_in_the_ui_to_full_member(world: dict, cand: Candidate) -> None:
    """Every step through the web forms, cell steps by the secretary and committee steps by staff."""
    sec, uni = client_for(world["users"]["sec"]), client_for(world["users"]["uni"])
    forms = {
        Stage.COURSE: {
            "done_on": "15/10/2024",
            "document_number": "123/GCN",
            "cert_issuer": "TTCT",
        },
        Stage.APPLICATION: {"done_on": "01/11/2024"},
        Stage.HISTORY: {"done_on": "15/11/2024"},
        Stage.BACKGROUND_CHECK: {"done_on": "10/12/2024"},
        Stage.INTRODUCERS: {"done_on": "06/01/2025", "introducer_1": "DV-F1", "months_1": "24"},
        Stage.YOUTH_UNION: {"done_on": "10/01/2025", "youth_union_body": "BCH Đoàn trường"},
        Stage.OPINIONS: {"done_on": "15/01/2025"},
        Stage.CELL_RESOLUTION: {
            "done_on": "03/02/2025",
            "full_members": "3",
            "absent_excluded": "0",
            "votes_for": "2",
        },
        Stage.GRASSROOTS_RESOLUTION: {"done_on": "20/02/2025"},
        Stage.DECISION: {
            "done_on": "10/03/2025",
            "document_number": "09-QĐ/ĐU",
            "member_code": "DV-NEW1",
        },
        Stage.CEREMONY: {"done_on": "25/03/2025", "document_number": "BB-01"},
        Stage.RECOGNITION_VOTE: {
            "done_on": "01/04/2026",
            "full_members": "3",
            "absent_excluded": "0",
            "votes_for": "3",
        },
        Stage.RECOGNITION_DECISION: {"done_on": "15/04/2026", "document_number": "11-QĐ/ĐU"},
    }
    committee = {Stage.GRASSROOTS_RESOLUTION, Stage.DECISION, Stage.RECOGNITION_DECISION}
    for stage, data in forms.items():
        client = uni if stage in committee else sec
        response = client.post(reverse("admissions:step", args=[cand.pk, stage]), data)
        assert response.status_code == 302, (stage, response.content.decode()[-2000:])
    cand.refresh_from_db()
    assert cand.member.member_code == "DV-NEW1" and cand.member.is_full


def test_candidate_page_says_which_date_the_ceremony_deadline_counts_from(
    world: dict, cand: Candidate
) -> None:
    walk(world, cand, Stage.DECISION)  # decided 10/03/2025, receipt not recorded
    detail = reverse("admissions:detail", args=[cand.pk])
    receipt = reverse("admissions:decision_receipt", args=[cand.pk])
    sec = client_for(world["users"]["sec"])
    body = sec.get(detail).content.decode()
    assert "tính từ ngày ra quyết định (chưa ghi ngày nhận): 10/03/2025" in body
    assert "22/04/2025" in body and f'action="{receipt}"' in body  # the small form
    viewer = client_for(world["users"]["viewer"])
    body = viewer.get(detail).content.decode()
    assert "chưa ghi ngày nhận" in body and f'action="{receipt}"' not in body
    assert viewer.post(receipt, {"received_on": "14/03/2025"}).status_code == 403
    assert (
        client_for(world["users"]["sec_b"]).post(receipt, {"received_on": "14/03/2025"}).status_code
        == 404
    )
    response = sec.post(receipt, {"received_on": "09/03/2025"})
    assert response.status_code == 200
    assert "không thể trước ngày ra quyết định (10/03/2025)" in response.content.decode()
    cand.refresh_from_db()
    assert cand.decision_received_on is None
    assert sec.post(receipt, {"received_on": "14/03/2025"}).status_code == 302
    cand.refresh_from_db()
    last = add_working_days(dt.date(2025, 3, 14), 30)
    assert cand.decision_received_on == dt.date(2025, 3, 14) and cand.next_due == last
    body = sec.get(detail).content.decode()
    assert "tính từ ngày chi bộ nhận quyết định: 14/03/2025" in body
    assert last.strftime("%d/%m/%Y") in body and "chưa ghi ngày nhận" not in body
    assert AuditEntry.objects.filter(
        action="admissions.decision_received", actor=world["users"]["sec"]
    ).exists()


def test_decision_form_takes_the_date_the_cell_received_it(world: dict, cand: Candidate) -> None:
    walk(world, cand, Stage.GRASSROOTS_RESOLUTION)
    client = client_for(world["users"]["uni"])
    url = reverse("admissions:step", args=[cand.pk, Stage.DECISION])
    assert "Ngày chi bộ nhận quyết định" in client.get(url).content.decode()
    data = {"done_on": "10/03/2025", "document_number": "09-QĐ/ĐU", "received_on": "07/03/2025"}
    response = client.post(url, data)
    assert response.status_code == 200 and "không thể trước" in response.content.decode()
    cand.refresh_from_db()
    assert cand.stage == Stage.GRASSROOTS_RESOLUTION
    assert client.post(url, {**data, "received_on": "14/03/2025"}).status_code == 302
    cand.refresh_from_db()
    assert cand.decision_received_on == dt.date(2025, 3, 14)
    assert cand.next_due == add_working_days(dt.date(2025, 3, 14), 30)


def test_after_the_course_the_certificate_expiry_is_not_called_the_next_deadline(
    world: dict, cand: Candidate
) -> None:
    """Issue 17: "Hạn tiếp theo: 15/10/2029" read as a deadline five years away."""
    walk(world, cand, Stage.COURSE)  # certificate of 15/10/2024, valid 60 months
    client = client_for(world["users"]["sec"])
    body = client.get(reverse("admissions:detail", args=[cand.pk])).content.decode()
    expiry = re.search(r'<p id="certificate-expiry"[^>]*>(.*?)</p>', body, re.S)
    assert expiry and "hết hạn ngày</strong> 15/10/2029" in expiry.group(1)
    nxt = re.search(r'<p id="next-deadline"[^>]*>(.*?)</p>', body, re.S).group(1)
    assert "15/10/2029" not in nxt
    assert "không có: quy định không đặt thời hạn cho bước tiếp theo" in nxt
    board = client.get(reverse("admissions:board")).content.decode()
    assert "15/10/2029 <small" in board and "giấy chứng nhận hết hạn" in board
    # After the cell's vote, the next deadline is the decision's: 60 working days on.
    other = f.candidate(world["tree"]["cell_a"], world["full"][0], full_name="Lý Thị Mai")
    walk(world, other, Stage.CELL_RESOLUTION)
    body = client.get(reverse("admissions:detail", args=[other.pk])).content.decode()
    nxt = re.search(r'<p id="next-deadline"[^>]*>(.*?)</p>', body, re.S).group(1)
    assert add_working_days(dt.date(2025, 2, 3), 60).strftime("%d/%m/%Y") in nxt
    assert 'id="certificate-expiry"' not in body


def test_candidate_page_names_who_recorded_each_step_by_full_name(
    world: dict, cand: Candidate
) -> None:
    sec = world["users"]["sec"]
    sec.first_name, sec.last_name = "Trần Thị", "Mai"  # as chibo stores names
    sec.save()
    walk(world, cand, Stage.COURSE, actor=sec)
    html = client_for(sec).get(reverse("admissions:detail", args=[cand.pk])).content.decode()
    main = html.split("<main", 1)[1]
    assert "Trần Thị Mai" in main and ">sec<" not in main and " sec " not in main
