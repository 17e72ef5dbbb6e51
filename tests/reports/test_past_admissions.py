"""Reports show the past admissions entered as records apart (issue 20, item 2).

An admission recorded through ``/members/past-admission/``, ``POST
/api/v1/members/past-admissions`` or an import is flagged ``historical`` on its ``admitted``
event; the admissions report (``report admissions``, ``/api/v1/reports/admissions`` and its
breakdown, the page, XLSX and DOCX) and the directive's 6-monthly compiled report count them
as ``historical_admissions`` beside ``admissions_in_chibo``.

Period 01/01/2025–30/06/2025: past admissions decided on 31/12/2024 (the day before),
01/01/2025 (the first day), 02/01/2025, 30/06/2025 (the last day) and 01/07/2025 (the day
after); two admissions made in chibo in the period.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from openpyxl import load_workbook

from chibo.accounts.tokens import token_create
from chibo.core.roles import Role
from chibo.directives.export import figure_lines
from chibo.directives.figures import system_figures
from chibo.members import services
from tests import factories as f

pytestmark = pytest.mark.django_db
D = dt.date
START, END = D(2025, 1, 1), D(2025, 6, 30)
PERIOD = {"from": "2025-01-01", "to": "2025-06-30"}


def _identity(code: str) -> Any:
    return services.Identity(
        member_code=code,
        full_name=f"Phan Văn {code}",
        date_of_birth=D(1990, 3, 4),
        gender="male",
        category="lecturer",
    )


def _headers(user: Any) -> dict[str, str]:
    _t, raw = token_create(actor=None, user=user)
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def data(tree: dict) -> dict[str, Any]:
    staff = f.user("uni", Role.GRASSROOTS_STAFF, tree["uni"])
    # Through the service: the day before, the first day, the day after the period.
    for code, day in (("PA-1", D(2024, 12, 31)), ("PA-2", START), ("PA-5", D(2025, 7, 1))):
        services.member_record_past_admission(
            actor=staff,
            org=tree["cell_a"],
            identity=_identity(code),
            admitted_on=day,
            decision_number="1-QĐ/ĐU",
            deciding_body="Ban Thường vụ Đảng ủy Khối",
        )
    # Through the API: the day after the start, the last day.
    client = Client()
    for code, day in (("PA-3", "2025-01-02"), ("PA-4", "2025-06-30")):
        body = {
            "org": "BK-SV1",
            "member_code": code,
            "full_name": f"Lê Thị {code}",
            "date_of_birth": "1995-05-05",
            "gender": "female",
            "category": "teacher",
            "admitted_on": day,
            "decision_number": "2-QĐ/ĐU",
            "deciding_body": "Ban Thường vụ Đảng ủy Khối",
        }
        r = client.post(
            "/api/v1/members/past-admissions",
            body,
            content_type="application/json",
            headers=_headers(staff),
        )
        assert r.status_code == 201, r.content
    # Admissions made in chibo (the admission path's member_admit, not flagged).
    f.member(tree["cell_a"], code="KN-1", admitted_on=D(2025, 3, 4), category="student")
    f.member(tree["school"], code="KN-2", admitted_on=END, category="pupil")
    office = f.user("vanphong", Role.CITY_OFFICE, tree["city"])
    return {"staff": staff, "office": office, "tree": tree}


def test_the_report_json_counts_them_apart(data: dict) -> None:
    out = io.StringIO()
    call_command(
        "report", "admissions", "--from", "2025-01-01", "--to", "2025-06-30", "--org", "TU",
        stdout=out,
    )  # fmt: skip
    got = json.loads(out.getvalue())
    assert got["total_admissions"] == 5
    assert (got["historical_admissions"], got["admissions_in_chibo"]) == (3, 2)
    # Added at the end: the earlier keys keep their order (tests/reports/test_api_shapes.py).
    assert list(got)[-2:] == ["historical_admissions", "admissions_in_chibo"]
    # The day before and the day after the period are out.
    out = io.StringIO()
    call_command(
        "report", "admissions", "--from", "2024-12-31", "--to", "2025-07-01", "--org", "TU",
        stdout=out,
    )  # fmt: skip
    wider = json.loads(out.getvalue())
    assert (wider["historical_admissions"], wider["admissions_in_chibo"]) == (5, 2)


def test_the_api_and_its_breakdown(data: dict) -> None:
    client = Client()
    headers = _headers(data["office"])
    r = client.get("/api/v1/reports/admissions", PERIOD, headers=headers)
    assert r.status_code == 200, r.content
    assert (r.json()["historical_admissions"], r.json()["admissions_in_chibo"]) == (3, 2)
    r = client.get("/api/v1/reports/admissions/breakdown", PERIOD, headers=headers)
    body = r.json()
    by_unit = {row["org"]: row for row in body["by_unit"]}
    assert (by_unit["KDHCD"]["historical_admissions"], by_unit["KDHCD"]["admissions_in_chibo"]) == (
        3,
        1,
    )
    assert (by_unit["Q1"]["historical_admissions"], by_unit["Q1"]["admissions_in_chibo"]) == (0, 1)
    assert [(y["year"], y["historical_admissions"]) for y in body["by_year"]] == [(2025, 3)]
    assert sum(row["historical_admissions"] for row in body["by_school_level"]) == 3


def test_the_page_and_the_xlsx(data: dict) -> None:
    client = Client()
    client.force_login(data["office"])
    page = client.get("/reports/admissions/", {**PERIOD, "org": "TU"}).content.decode()
    assert "Kết nạp trước khi dùng chibo, nhập lại thành hồ sơ" in page
    xlsx = client.get("/reports/admissions/export/xlsx/", PERIOD)
    assert xlsx.status_code == 200
    ws = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    rows = {r[0]: r[1:3] for r in ws.iter_rows(values_only=True) if r and r[0]}
    assert rows["Kết nạp qua quy trình kết nạp trong chibo"][0] == 2
    assert rows["Kết nạp trước khi dùng chibo, nhập lại thành hồ sơ"][0] == 3
    assert abs(rows["Kết nạp trước khi dùng chibo, nhập lại thành hồ sơ"][1] - 0.6) < 1e-9
    # Each figure links to exactly the members it counts.
    from chibo.reports import build

    _data, doc = build.build(
        "admissions", data["office"], data["tree"]["city"], start=START, end=END
    )
    summary = doc.tables[0]
    links = dict(zip([r[0] for r in summary.rows], summary.links, strict=True))
    past = client.get(links["Kết nạp trước khi dùng chibo, nhập lại thành hồ sơ"]).content.decode()
    assert "PA-2" in past and "PA-3" in past and "PA-4" in past
    assert "PA-1" not in past and "PA-5" not in past and "KN-1" not in past
    made = client.get(links["Kết nạp qua quy trình kết nạp trong chibo"]).content.decode()
    assert "KN-1" in made and "KN-2" in made and "PA-2" not in made


def test_the_six_monthly_compiled_report(data: dict) -> None:
    figures = system_figures(root=data["tree"]["city"], start=START, end=END).as_dict()
    assert figures["admissions_total"] == 5
    assert (figures["admissions_historical"], figures["admissions_in_chibo"]) == (3, 2)
    lines = {label: shown for label, shown, _raw, _fmt in figure_lines(figures)}
    assert lines["trong đó: kết nạp qua quy trình kết nạp trong chibo"] == "2"
    assert lines["trong đó: kết nạp trước khi dùng chibo, nhập lại thành hồ sơ"] == "3"
    # A report compiled before these were counted shows no such line (never a made-up 0).
    old = {
        k: v
        for k, v in figures.items()
        if k not in ("admissions_historical", "admissions_in_chibo")
    }
    labels = [label for label, *_rest in figure_lines(old)]
    assert not any("chibo" in label for label in labels)
