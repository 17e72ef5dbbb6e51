"""The admissions report: the directive's footnote reproduced exactly, in every format."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection

from chibo.core.roles import Role
from chibo.members import services as member_services
from chibo.members.models import Category, RemovalReason
from chibo.orgs import services as org_services
from chibo.orgs.models import Org, OrgKind
from chibo.reports import figures
from tests import factories
from tests.reports import data

START, END = dt.date(2020, 1, 1), dt.date(2023, 6, 30)


def sql_count(
    start: dt.date, end: dt.date, category: str | None = None, school: bool | None = None
) -> int:
    """The second, independent path: a plain SQL count over the members table."""
    sql = (
        "SELECT COUNT(*) FROM members_member m JOIN orgs_org o ON o.id = m.admitting_org_id"
        " WHERE m.admitted_on >= %s AND m.admitted_on <= %s"
    )
    params: list = [start, end]
    if category:
        sql += " AND m.category_at_admission = %s"
        params.append(category)
    if school is True:
        sql += " AND o.school_level <> ''"
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()[0]


@pytest.fixture
def footnote(tree):
    """20,637 admissions 2020-01-01..2023-06-30: 1000 students and 65 pupils by school orgs.

    The footnote's three shares hold together only for a city total of
    20,635..20,639 (20,640 gives 1000 → 4.84%): see test_footnote_totals.
    """
    days = [START, dt.date(2021, 5, 5), dt.date(2022, 9, 1), END]  # both ends included
    data.admissions(tree["cell_a"], 1000, Category.STUDENT, days)
    data.admissions(tree["school"], 65, Category.PUPIL, days)
    data.admissions(tree["cell_b"], 575, Category.LECTURER, days)  # school org, not students
    data.admissions(tree["ward"], 200, Category.STUDENT, days)  # students, but not by a school org
    data.admissions(tree["ward"], 18_797, Category.OTHER, days)
    # Just outside the period: never counted.
    data.admissions(
        tree["cell_a"], 7, Category.STUDENT, [dt.date(2019, 12, 31), dt.date(2023, 7, 1)]
    )
    return tree


EXPECTED = {
    "org": "TU",
    "from": "2020-01-01",
    "to": "2023-06-30",
    "total_admissions": 20637,
    "school_students": 1000,
    "school_pupils": 65,
    "school_students_and_pupils": 1065,
    "school_students_share_pct": 4.85,
    "school_pupils_share_pct": 0.31,
    "school_students_and_pupils_share_pct": 5.16,
    # Issue 20: the past admissions entered as records, apart (none in this data set).
    "historical_admissions": 0,
    "admissions_in_chibo": 20637,
}


@pytest.mark.django_db
def test_footnote_figures_in_json_api_ui_xlsx_docx(footnote, client, tmp_path) -> None:
    # Second path first: the dataset really is the footnote's.
    assert sql_count(START, END) == 20637
    assert sql_count(START, END, Category.STUDENT, school=True) == 1000
    assert sql_count(START, END, Category.PUPIL, school=True) == 65

    out = tmp_path / "a.json"
    call_command(
        "report",
        "admissions",
        "--from",
        "2020-01-01",
        "--to",
        "2023-06-30",
        "--format",
        "json",
        "--output",
        str(out),
    )
    got = json.loads(out.read_text())
    assert got == EXPECTED
    assert list(got) == list(EXPECTED)  # exactly these keys, in this order

    stdout = io.StringIO()
    call_command(
        "report",
        "admissions",
        "--from",
        "2020-01-01",
        "--to",
        "2023-06-30",
        "--org",
        "TU",
        stdout=stdout,
    )
    assert json.loads(stdout.getvalue()) == EXPECTED

    office = factories.user("vanphong", Role.CITY_OFFICE, footnote["city"])
    client.force_login(office)
    api = client.get("/api/v1/reports/admissions", {"from": "2020-01-01", "to": "2023-06-30"})
    assert api.status_code == 200
    assert api.json() == EXPECTED

    page = client.get(
        "/reports/admissions/", {"from": "2020-01-01", "to": "2023-06-30", "org": "TU"}
    )
    assert page.status_code == 200
    html = page.content.decode()
    for text in ("20.637", "1.000", "1.065", "5,16%", "4,85%", "0,31%"):
        assert text in html

    xlsx = client.get(
        "/reports/admissions/export/xlsx/", {"from": "2020-01-01", "to": "2023-06-30"}
    )
    assert xlsx.status_code == 200
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(xlsx.content))
    ws = wb.worksheets[0]
    assert ws.title == "Kết nạp"
    assert [c.value for c in ws[3]] == ["Chỉ tiêu", "Số lượng", "Tỷ lệ so với tổng số kết nạp"]
    values = {
        ws.cell(row=r, column=1).value: (
            ws.cell(row=r, column=2).value,
            ws.cell(row=r, column=3).value,
        )
        for r in range(4, 8)
    }
    counts = [v[0] for v in values.values()]
    assert counts == [20637, 1000, 65, 1065]
    assert all(isinstance(c, int) for c in counts)
    shares = [v[1] for v in values.values()][1:]
    assert shares == pytest.approx([0.0485, 0.0031, 0.0516])
    assert ws.cell(row=5, column=3).number_format == "0.00%"

    docx_resp = client.get(
        "/reports/admissions/export/docx/", {"from": "2020-01-01", "to": "2023-06-30"}
    )
    assert docx_resp.status_code == 200
    import docx

    document = docx.Document(io.BytesIO(docx_resp.content))
    header = document.tables[0]
    right = header.rows[0].cells[1].text
    left = header.rows[0].cells[0].text
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in right
    party_run = next(
        r
        for p in header.rows[0].cells[1].paragraphs
        for r in p.runs
        if r.text == "ĐẢNG CỘNG SẢN VIỆT NAM"
    )
    assert party_run.underline and party_run.bold
    assert "THÀNH ỦY THÀNH PHỐ HỒ CHÍ MINH" in left and "*" in left and "-BC/TU" in left
    assert "TP. Hồ Chí Minh, ngày" in right
    body = "\n".join(p.text for p in document.paragraphs)
    assert "BÁO CÁO" in body and "01/01/2020" in body and "30/06/2023" in body
    summary = document.tables[1]
    rows = [[c.text for c in row.cells] for row in summary.rows]
    assert rows[1][1] == "20.637"
    assert rows[2][1:] == ["1.000", "4,85%"]
    assert rows[3][1:] == ["65", "0,31%"]
    assert rows[4][1:] == ["1.065", "5,16%"]


@pytest.mark.django_db
def test_xlsx_and_docx_from_the_command(footnote, tmp_path) -> None:
    for fmt in ("xlsx", "docx"):
        out = tmp_path / f"r.{fmt}"
        call_command(
            "report",
            "admissions",
            "--from",
            "2020-01-01",
            "--to",
            "2023-06-30",
            "--format",
            fmt,
            "--output",
            str(out),
        )
        assert out.stat().st_size > 1000


@pytest.mark.parametrize(
    ("part", "total", "expected"),
    [
        (1, 800, "0.13"),
        (3, 800, "0.38"),
        (1, 3, "33.33"),
        (2, 3, "66.67"),
        (0, 5, "0.00"),
        (5, 0, "0.00"),
        (1065, 20637, "5.16"),
        (1000, 20637, "4.85"),
        (65, 20637, "0.31"),
        (20640, 20640, "100.00"),
        (1000, 20639, "4.85"),
        (1000, 20640, "4.84"),
        (65, 20635, "0.31"),
        (65, 20634, "0.32"),
    ],
)
def test_share_rounds_half_up_to_two_decimals(part: int, total: int, expected: str) -> None:
    assert figures.share_pct(part, total) == Decimal(expected)


@pytest.mark.parametrize("total", [20635, 20637, 20639])
def test_footnote_totals(total: int) -> None:
    shares = [figures.share_pct(n, total) for n in (1000, 65, 1065)]
    assert shares == [Decimal("4.85"), Decimal("0.31"), Decimal("5.16")]


@pytest.mark.django_db
def test_period_includes_both_ends_and_nothing_outside(tree) -> None:
    data.admissions(tree["cell_a"], 1, Category.STUDENT, [dt.date(2024, 1, 1)])
    data.admissions(tree["cell_a"], 1, Category.STUDENT, [dt.date(2024, 1, 31)])
    data.admissions(tree["cell_a"], 1, Category.STUDENT, [dt.date(2023, 12, 31)])
    data.admissions(tree["cell_a"], 1, Category.STUDENT, [dt.date(2024, 2, 1)])
    report = figures.admissions(tree["city"], dt.date(2024, 1, 1), dt.date(2024, 1, 31))
    assert report.counts.total == 2 == sql_count(dt.date(2024, 1, 1), dt.date(2024, 1, 31))


@pytest.mark.django_db
def test_an_admitted_member_later_removed_still_counts(tree) -> None:
    member = factories.member(tree["cell_a"], admitted_on=dt.date(2024, 3, 1))
    member_services.member_remove(
        actor=None,
        member=member,
        effective_date=dt.date(2024, 9, 1),
        decision=member_services.Decision(number="5-QĐ/ĐU"),
        reason=RemovalReason.ABANDONED_ACTIVITY,
    )
    report = figures.admissions(tree["city"], dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert (report.counts.total, report.counts.school_students) == (1, 1)


@pytest.mark.django_db
def test_category_at_admission_counts_not_the_current_one(tree) -> None:
    member = factories.member(
        tree["cell_a"], admitted_on=dt.date(2024, 3, 1), category=Category.STUDENT
    )
    member_services.member_change_category(
        actor=None, member=member, category=Category.LECTURER, effective_date=dt.date(2024, 6, 1)
    )
    report = figures.admissions(tree["city"], dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert report.counts.school_students == 1


def _school_moved_to_a_ward_on_1_july_2025(tree) -> None:
    """3 pupils admitted by the school in 2024, the school moved under P-BN, 2 more in 2025."""
    ward_committee = factories.org(
        "P-BN", "Đảng ủy Phường Bến Nghé", OrgKind.DIRECT_COMMITTEE, tree["city"]
    )
    data.admissions(tree["school"], 3, Category.PUPIL, [dt.date(2024, 5, 1)])
    org_services.org_move(
        actor=None,
        org=tree["school"],
        new_parent=ward_committee,
        effective_date=dt.date(2025, 7, 1),
    )
    data.admissions(tree["school"], 2, Category.PUPIL, [dt.date(2025, 9, 1)])


@pytest.mark.django_db
def test_units_are_the_tree_as_it_stood_on_the_admission_date(tree) -> None:
    _school_moved_to_a_ward_on_1_july_2025(tree)
    report = figures.admissions(
        tree["city"], dt.date(2024, 1, 1), dt.date(2025, 12, 31)
    ).breakdown()
    by_unit = {row["org"]: row["school_pupils"] for row in report["by_unit"]}
    assert by_unit == {"Q1": 3, "P-BN": 2}
    assert {row["year"]: row["school_pupils"] for row in report["by_year"]} == {2024: 3, 2025: 2}
    assert {row["school_level"]: row["school_pupils"] for row in report["by_school_level"]} == {
        "thpt": 5
    }
    # The district's own report for 2024 still holds the school's 2024 admissions.
    district = figures.admissions(tree["district"], dt.date(2024, 1, 1), dt.date(2025, 12, 31))
    assert district.counts.school_pupils == 3


@pytest.mark.django_db
def test_a_period_after_a_move_is_counted_on_todays_paths_with_the_same_result(tree) -> None:
    _school_moved_to_a_ward_on_1_july_2025(tree)
    data.admissions(tree["cell_a"], 2, Category.STUDENT, [dt.date(2025, 9, 1)])
    member_services.member_remove(
        actor=None,
        member=factories.member(tree["school"], admitted_on=dt.date(2025, 8, 1)),
        effective_date=dt.date(2025, 10, 1),
        decision=member_services.Decision(number="7-QĐ/ĐU"),
        reason=RemovalReason.ABANDONED_ACTIVITY,
    )
    start, end = dt.date(2025, 7, 1), dt.date(2025, 12, 31)
    assert not figures.periods_elsewhere(start, end).exists()  # the fast path applies…
    assert figures.periods_elsewhere(dt.date(2024, 1, 1), end).exists()  # …not across the move
    every = set(Org.objects.values_list("id", flat=True))
    for report in (figures.admissions, figures.removals):
        by_path = report(tree["city"], start, end)  # today's paths, units in SQL
        by_tree = report(tree["city"], start, end, allowed=every)  # the dated tree
        as_dict = "breakdown" if report is figures.admissions else "as_dict"
        assert getattr(by_path, as_dict)() == getattr(by_tree, as_dict)()
    got = figures.admissions(tree["city"], start, end).breakdown()
    assert {row["org"]: row["total_admissions"] for row in got["by_unit"]}[
        "P-BN"
    ] == 3  # 2 pupils + 1 member later removed


@pytest.mark.django_db
def test_subtree_report_and_scope_restriction(tree) -> None:
    data.admissions(tree["cell_a"], 4, Category.STUDENT, [dt.date(2024, 5, 1)])
    data.admissions(tree["school"], 2, Category.PUPIL, [dt.date(2024, 5, 1)])
    khoi = figures.admissions(tree["khoi"], dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert (khoi.counts.total, khoi.counts.school_students, khoi.counts.school_pupils) == (4, 4, 0)
    only_uni = figures.admissions(
        tree["city"], dt.date(2024, 1, 1), dt.date(2024, 12, 31), allowed={tree["cell_b"].pk}
    )
    assert only_uni.counts.total == 0
