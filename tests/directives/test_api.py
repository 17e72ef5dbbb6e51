"""/api/v1/directives: documents, tasks, reports, status and compilation, with the UI's scoping."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import pytest
from django.test import Client
from docx import Document as Docx

from chibo.directives.models import Document, Task
from chibo.orgs.models import Org
from tests.directives.conftest import login

pytestmark = pytest.mark.django_db
API = "/api/v1/directives"


def post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def test_documents_register_issue_search_and_detail(
    t: dict[str, Org], office_user: Any, viewer_user: Any, outside_user: Any
) -> None:
    office = login(office_user)
    incoming = {
        "org": "TU",
        "symbol": "1000-CV/TU",
        "title": "Về tăng cường công tác xây dựng Đảng",
        "issuing_body": "Ban Thường vụ Thành ủy",
        "issued_on": "2023-06-16",
        "incoming_number": "398",
        "received_at": "2023-06-17T08:56:00+07:00",
        "cites": ["29-NQ/TW"],
        "recipients": [{"org": "KDHCD", "copies": 2}, {"name": "Ban Thường vụ Thành Đoàn"}],
        "attachment": {
            "name": "1000.txt",
            "content_type": "text/plain",
            "data_base64": base64.b64encode("Kính gửi".encode()).decode(),
        },
    }
    response = post(office, f"{API}/documents/incoming", incoming)
    assert response.status_code == 201, response.content
    doc = response.json()
    assert (doc["number"], doc["doc_type"], doc["issuer"], doc["has_attachment"]) == (
        1000,
        "CV",
        "TU",
        True,
    )
    assert doc["recipients"][0] == {
        "name": t["khoi"].name,
        "org": "KDHCD",
        "kind": "to",
        "copies": 2,
    }
    assert doc["links_out"] == [
        {"kind": "cites", "symbol": "29-NQ/TW", "id": None, "date": None, "ambiguous": False}
    ]
    assert (
        post(
            login(viewer_user), f"{API}/documents/incoming", {**incoming, "symbol": "1-CV/TU"}
        ).status_code
        == 403
    )
    assert (
        post(office, f"{API}/documents/incoming", {**incoming, "symbol": "CV/TU"}).status_code
        == 422
    )

    out = post(
        office,
        f"{API}/documents/outgoing",
        {"org": "TU", "doc_type": "BC", "title": "Báo cáo", "issued_on": "2024-03-01"},
    )
    assert out.status_code == 201 and out.json()["symbol"] == "01-BC/TU"

    found = office.get(f"{API}/documents", {"q": "xay dung dang"}).json()
    assert [d["symbol"] for d in found["items"]] == ["1000-CV/TU"] and found["next"] is None
    assert office.get(f"{API}/documents/{doc['id']}").status_code == 200
    assert login(outside_user).get(f"{API}/documents/{doc['id']}").status_code == 404
    assert login(outside_user).get(f"{API}/documents").json() == {"items": [], "next": None}


def test_tasks_reports_status_compile(
    task: Task,
    office_user: Any,
    unit_user: Any,
    viewer_user: Any,
    outside_user: Any,
    t: dict[str, Org],
) -> None:
    office, unit = login(office_user), login(unit_user)
    doc_id = task.document_id
    created = post(
        office,
        f"{API}/documents/{doc_id}/tasks",
        {
            "section": "5",
            "title": "Rà soát quy chế phối hợp",
            "recurrence": "semiannual",
            "orgs": ["KDHCD"],
        },
    )
    assert created.status_code == 201 and created.json()["assignments"][0]["org"] == "KDHCD"
    assert (
        post(
            login(viewer_user),
            f"{API}/documents/{doc_id}/tasks",
            {"section": "6", "title": "x", "recurrence": "semiannual", "orgs": ["KDHCD"]},
        ).status_code
        == 403
    )
    assert len(office.get(f"{API}/documents/{doc_id}/tasks").json()) == 2
    assert office.get(f"{API}/tasks/{task.pk}").status_code == 200

    mine = unit.get(f"{API}/assignments").json()["items"]
    assert {a["org"] for a in mine} == {"KDHCD"} and len(mine) == 2
    a_id = task.assignments.get(org=t["khoi"]).pk
    saved = post(
        unit,
        f"{API}/assignments/{a_id}/reports",
        {
            "period": "2024-H1",
            "text": "Đã quán triệt",
            "figures": {"Sinh viên được kết nạp": 12},
            "version": 0,
        },
    )
    assert saved.status_code == 200 and saved.json()["status"] == "draft"
    assert (
        post(
            login(outside_user),
            f"{API}/assignments/{a_id}/reports",
            {"period": "2024-H1", "text": "x", "version": 1},
        ).status_code
        == 404
    )
    assert (
        post(
            login(viewer_user),
            f"{API}/assignments/{a_id}/reports",
            {"period": "2024-H1", "text": "x", "version": 1},
        ).status_code
        == 403
    )
    assert (
        post(
            unit,
            f"{API}/assignments/{a_id}/reports",
            {"period": "2031-H9", "text": "x", "version": 1},
        ).status_code
        == 422
    )
    report_id = saved.json()["id"]
    submitted = post(unit, f"{API}/reports/{report_id}/submit", {"version": 1})
    assert submitted.json()["status"] == "submitted" and submitted.json()["version"] == 2
    review = {"accept": True, "version": 2}
    assert post(unit, f"{API}/reports/{report_id}/review", review).status_code == 403
    assert post(office, f"{API}/reports/{report_id}/review", review).json()["status"] == "accepted"

    boards = office.get(f"{API}/documents/{doc_id}/status/2024-H1").json()
    section1 = next(b for b in boards if b["section"] == "1")
    states = {r["org"]: (r["state"], r["overdue"]) for r in section1["rows"]}
    assert states["KDHCD"] == ("accepted", False) and states["Q1"] == ("missing", True)
    assert states[None] == ("outside", False)

    compiled = post(
        office,
        f"{API}/documents/{doc_id}/compile",
        {"period": "2024-H1", "issued_on": "2024-07-20"},
    )
    assert compiled.status_code == 201, compiled.content
    body = compiled.json()
    assert body["output"]["symbol"] == "01-BC/TU" and "admissions_total" in body["figures"]
    assert post(unit, f"{API}/documents/{doc_id}/compile", {"period": "2024-H1"}).status_code == 403
    docx = office.get(f"{API}/compiled/{body['id']}/docx")
    assert docx.status_code == 200
    assert (
        Docx(io.BytesIO(docx.content)).tables[0].rows[0].cells[1].paragraphs[0].text
        == "ĐẢNG CỘNG SẢN VIỆT NAM"
    )
    assert office.get(f"{API}/compiled/{body['id']}/xlsx").status_code == 200
    assert office.get(f"{API}/compiled/{body['id']}/pdf").status_code == 404
    assert Document.objects.filter(direction="out").count() == 1
