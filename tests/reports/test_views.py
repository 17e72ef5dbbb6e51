"""Dashboard, report pages, exports, targets and the API: inside 200, outside 404, read-only 403."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.utils import timezone

from chibo.core.models import AuditEntry
from chibo.core.roles import Role
from chibo.members.models import Category
from chibo.reports.models import Target
from tests import factories
from tests.reports import data

pytestmark = pytest.mark.django_db
THIS_YEAR = timezone.localdate().year


@pytest.fixture
def actors(tree):
    today = timezone.localdate()
    data.admissions(tree["cell_a"], 3, Category.STUDENT, [dt.date(today.year, 1, 1)])
    data.admissions(tree["school"], 2, Category.PUPIL, [dt.date(today.year, 1, 1)])
    data.admissions(tree["cell_a"], 1, Category.STUDENT, [dt.date(today.year - 1, 1, 1)])
    return {
        "inside": factories.user("cosoviec", Role.GRASSROOTS_STAFF, tree["uni"]),
        "superior": factories.user("captren", Role.SUPERIOR_STAFF, tree["khoi"]),
        "viewer": factories.user("xem", Role.VIEWER, tree["uni"]),
        "office": factories.user("vanphong", Role.CITY_OFFICE, tree["city"]),
        "admin": factories.user("quantri", Role.SYSADMIN, tree["city"]),
        "tree": tree,
    }


URLS = [
    "/reports/",
    "/reports/admissions/",
    "/reports/removals/",
    "/reports/composition/",
    "/reports/activity/",
    "/reports/admissions/export/print/",
    "/reports/targets/",
]


@pytest.mark.parametrize("url", URLS)
def test_pages_inside_outside_readonly(client, actors, url: str) -> None:
    client.force_login(actors["inside"])
    assert client.get(url).status_code == 200
    assert client.get(url, {"org": "BK-SV1"}).status_code == 200
    assert client.get(url, {"org": "Q1"}).status_code == 404  # outside the actor's subtree
    client.force_login(actors["viewer"])
    assert client.get(url).status_code == 200
    client.force_login(actors["admin"])
    assert client.get(url).status_code == 403  # no personal data, not even aggregates


def test_dashboard_shows_the_indicators_in_scope(client, actors) -> None:
    client.force_login(actors["inside"])
    html = client.get("/reports/").content.decode()
    assert 'id="dashboard-data"' in html and "chart.umd.min.js" in html
    assert "Bảng điều hành" in html and "Cảnh báo chưa xử lý" in html
    assert re.search(r'<p class="big"><a [^>]*>3</a></p>', html)  # BK's 3 students, not Q1's pupils
    client.force_login(actors["office"])
    html = client.get("/reports/").content.decode()
    assert re.search(r'<p class="big"><a [^>]*>5</a></p>', html)


def test_the_dashboard_lists_the_top_units_and_links_to_all(client, actors) -> None:
    """A city with more units than the dashboard lists: the units with the most admissions,
    how many there are, and a link to the admissions report of the same period, where every
    unit's row is."""
    from chibo.orgs.models import OrgKind
    from chibo.reports.selectors import DASHBOARD_UNITS

    tree = actors["tree"]
    today = timezone.localdate()
    for i in range(DASHBOARD_UNITS + 3):
        unit = factories.org(
            f"DV{i:02d}", f"Đảng bộ thử {i:02d}", OrgKind.DIRECT_COMMITTEE, tree["city"]
        )
        data.admissions(unit, 1 + i % 4, Category.CADRE, [dt.date(today.year, 1, 2)])
    client.force_login(actors["office"])
    html = client.get("/reports/").content.decode()
    section = html.split("chart-units")[1].split("</section>")[0]
    assert section.count('<tr><td><a href="?org=') == DASHBOARD_UNITS
    units = DASHBOARD_UNITS + 3 + 2  # and KDHCD, Q1 (the fixture's admissions)
    assert f"trong số {units} đơn vị" in section
    link = re.search(r'<a href="([^"]+)">Tất cả các đơn vị', section).group(1).replace("&amp;", "&")
    assert link == f"/reports/admissions/?org=TU&from={today.year}-01-01&to={today.isoformat()}"
    report = client.get(link).content.decode()
    assert all(f"DV{i:02d}" in report for i in range(DASHBOARD_UNITS + 3))
    # The most admissions first: every unit with 4 is listed, before those with 3.
    assert all(f"DV{i:02d}" in section for i in range(3, DASHBOARD_UNITS + 3, 4))


@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
@pytest.mark.parametrize("kind", ["admissions", "removals", "composition", "activity"])
def test_exports(client, actors, kind: str, fmt: str) -> None:
    client.force_login(actors["viewer"])
    resp = client.get(f"/reports/{kind}/export/{fmt}/")
    assert resp.status_code == 200
    assert resp["Content-Disposition"].endswith(f'.{fmt}"')
    assert client.get(f"/reports/{kind}/export/{fmt}/", {"org": "Q1"}).status_code == 404


def test_personal_list_export_is_audited_and_scoped(client, actors) -> None:
    client.force_login(actors["inside"])
    resp = client.get(
        "/reports/admissions/members.xlsx",
        {"from": f"{THIS_YEAR}-01-01", "to": f"{THIS_YEAR}-12-31"},
    )
    assert resp.status_code == 200
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(resp.content)).worksheets[0]
    assert ws.cell(row=3, column=1).value == "Mã đảng viên"
    assert ws.max_row - 3 == 3  # the 3 students of BK, none of Q1's pupils
    entry = AuditEntry.objects.filter(action="reports.export").latest("seq")
    assert len(entry.data["members"]) == 3 and entry.actor_username == "cosoviec"
    assert client.get("/reports/admissions/members.xlsx", {"org": "Q1"}).status_code == 404


def test_targets_are_set_by_the_superior_only(client, actors) -> None:
    post = {
        "org": "BK",
        "year": THIS_YEAR,
        "indicator": "school_students_and_pupils",
        "value": 10,
        "note": "",
    }
    client.force_login(actors["viewer"])
    assert client.post("/reports/targets/", post).status_code == 403
    client.force_login(actors["inside"])  # BK itself may not set its own target
    assert client.post("/reports/targets/", post).status_code == 403
    client.force_login(actors["superior"])
    resp = client.post("/reports/targets/?org=KDHCD", post)
    assert resp.status_code == 302
    assert Target.objects.get(org__code="BK", year=THIS_YEAR).value == 10
    assert AuditEntry.objects.filter(action="reports.target_set", object_id="BK").exists()
    assert client.post("/reports/targets/", {**post, "org": "Q1"}).status_code == 404
    client.force_login(actors["inside"])
    html = client.get("/reports/").content.decode()
    assert "<strong>10</strong>" in html and "30,00%" in html  # 3 of 10


def test_api_scoped_and_readonly(client, actors) -> None:
    client.force_login(actors["inside"])
    q = {"from": f"{THIS_YEAR}-01-01", "to": f"{THIS_YEAR}-12-31"}
    got = client.get("/api/v1/reports/admissions", q).json()
    assert got["org"] == "BK" and got["school_students"] == 3 and got["school_pupils"] == 0
    assert client.get("/api/v1/reports/admissions", {**q, "org": "Q1"}).status_code == 404
    assert (
        client.get(
            "/api/v1/reports/admissions", {"from": "2024-02-01", "to": "2024-01-01"}
        ).status_code
        == 422
    )
    breakdown = client.get("/api/v1/reports/admissions/breakdown", q).json()
    assert breakdown["by_year"][0]["school_students"] == 3
    assert client.get("/api/v1/reports/removals", q).json()["total_removals"] == 0
    assert client.get("/api/v1/reports/composition").json()["total_members"] == 4
    assert client.get("/api/v1/reports/activity").json()["cells"] == 2
    client.force_login(actors["viewer"])
    body = {"org": "BK", "year": THIS_YEAR, "indicator": "total_admissions", "value": 5}
    assert (
        client.put("/api/v1/reports/targets", body, content_type="application/json").status_code
        == 403
    )
    client.force_login(actors["superior"])
    assert (
        client.put("/api/v1/reports/targets", body, content_type="application/json").status_code
        == 200
    )
    assert client.get("/api/v1/reports/targets").json()[0]["value"] == 5


def _download_name(resp) -> str:
    import re

    return re.search(r'filename="([^"]+)"', resp["Content-Disposition"]).group(1)


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        ("admissions", "ket-nap"),
        ("removals", "xoa-ten-khai-tru"),
        ("composition", "co-cau-dang-vien"),
        ("activity", "sinh-hoat"),
    ],
)
def test_export_file_names_are_vietnamese_without_diacritics(client, actors, kind, words) -> None:
    client.force_login(actors["inside"])
    year = timezone.localdate().year
    for fmt in ("xlsx", "docx"):
        name = _download_name(client.get(f"/reports/{kind}/export/{fmt}/"))
        if kind in ("admissions", "removals"):  # a period: the year to date
            assert name == f"bao-cao-{words}-BK-{year}.{fmt}"
        else:  # a day
            assert name == f"bao-cao-{words}-BK-{timezone.localdate():%d-%m-%Y}.{fmt}"
    half = client.get(
        "/reports/admissions/export/xlsx/",
        {"org": "BK-SV1", "from": f"{year - 1}-01-01", "to": f"{year - 1}-06-30"},
    )
    assert (
        _download_name(half) == f"bao-cao-ket-nap-BK-SV1-01-01-{year - 1}-den-30-06-{year - 1}.xlsx"
    )
    whole = client.get(
        "/reports/admissions/export/xlsx/", {"from": f"{year - 1}-01-01", "to": f"{year - 1}-12-31"}
    )
    assert _download_name(whole) == f"bao-cao-ket-nap-BK-{year - 1}.xlsx"
    admitted = client.get("/reports/admissions/members.xlsx")
    assert _download_name(admitted) == f"danh-sach-ket-nap-BK-{year}.xlsx"


def test_report_period_fields_read_and_take_dd_mm_yyyy(client, actors) -> None:
    """The period fields were the browser's date picker: "12/07/2026" for 7 December on an
    English browser. They read dd/mm/yyyy as every other date field, and take it typed."""
    client.force_login(actors["inside"])
    year = THIS_YEAR - 1
    html = client.get("/reports/admissions/", {"from": f"01/02/{year}", "to": f"31/12/{year}"})
    html = html.content.decode()
    assert 'type="date"' not in html
    assert f'value="01/02/{year}"' in html and f'value="31/12/{year}"' in html
    assert f"01/02/{year}" in html.split('id="report-body"', 1)[1]  # the report is of that period
    assert html.count('placeholder="dd/mm/yyyy"') == 2
    # The links in the page (ISO in the URL) fill the fields the same way.
    iso = client.get("/reports/admissions/", {"from": f"{year}-02-01", "to": f"{year}-12-31"})
    assert f'value="01/02/{year}"' in iso.content.decode()
    day = client.get("/reports/composition/", {"as_of": f"{year}-12-31"}).content.decode()
    assert 'type="date"' not in day and f'value="31/12/{year}"' in day
    # A day that does not exist says so and keeps what was typed.
    bad = client.get("/reports/admissions/", {"from": "31/02/2024"}).content.decode()
    assert "không tồn tại" in bad and 'value="31/02/2024"' in bad
