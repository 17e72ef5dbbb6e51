"""Every figure's link opens exactly the members it counts: same period, same filters, same tree.

Before, "116 admitted" on /reports/admissions/ linked to the member list of the
whole org (2,608 members). Each linked row of each report (and the dashboard)
is followed here and the page's members are compared with the figure.
"""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.test import Client
from django.utils import timezone

from chibo.core.models import AuditEntry
from chibo.core.roles import Role
from chibo.members import services as ms
from chibo.members.models import Category, Gender, Member, RemovalReason
from chibo.orgs import services as org_services
from chibo.orgs.models import OrgKind
from chibo.reports import build
from tests import factories
from tests.reports import data

pytestmark = pytest.mark.django_db
D = ms.Decision(number="9-QĐ/ĐU")
START, END = dt.date(2024, 1, 1), dt.date(2025, 12, 31)


@pytest.fixture
def city(tree) -> dict:
    """Admissions by school and non-school orgs over two years, a school moved mid-way, removals."""
    ward = factories.org("P-BN", "Đảng ủy Phường Bến Nghé", OrgKind.DIRECT_COMMITTEE, tree["city"])
    data.admissions(tree["cell_a"], 4, Category.STUDENT, [dt.date(2024, 3, 1), dt.date(2025, 3, 1)])
    data.admissions(tree["cell_b"], 2, Category.LECTURER, [dt.date(2024, 4, 1)])
    data.admissions(tree["school"], 3, Category.PUPIL, [dt.date(2024, 5, 1)])
    data.admissions(tree["ward"], 2, Category.STUDENT, [dt.date(2024, 6, 1)])  # not a school
    data.admissions(
        tree["cell_a"], 5, Category.STUDENT, [dt.date(2019, 9, 1)], gender=Gender.FEMALE
    )  # before the period: members of the org, not admitted in it
    org_services.org_move(
        actor=None, org=tree["school"], new_parent=ward, effective_date=dt.date(2025, 7, 1)
    )
    data.admissions(tree["school"], 2, Category.PUPIL, [dt.date(2025, 9, 1)])
    old = list(Member.objects.filter(admitted_on=dt.date(2019, 9, 1)).order_by("id"))
    for member, reason in zip(
        old[:3],
        [
            RemovalReason.ABANDONED_ACTIVITY,
            RemovalReason.ABANDONED_ACTIVITY,
            RemovalReason.UNPAID_DUES,
        ],
        strict=True,
    ):
        ms.member_remove(
            actor=None,
            member=member,
            effective_date=dt.date(2024, 10, 1),
            decision=D,
            reason=reason,
        )
    ms.member_expel(actor=None, member=old[3], effective_date=dt.date(2025, 2, 1), decision=D)
    ms.member_recognize(actor=None, member=old[4], decided_on=dt.date(2020, 9, 1), decision=D)
    return {**tree, "ward_committee": ward}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# Which cells of a linked row make its figure (the members it counts), per table.
FIGURE_CELLS = {
    "admissions": {0: [1], 1: [2], 2: [1], 3: [1]},  # summary, by unit, by level, by year
    "removals": {0: [1], 1: [1], 2: [1, 2], 3: [1, 2], 4: [2, 3]},
    "composition": {0: [1], 1: [1], 2: [1], 3: [1], 4: [1], 5: [1], 6: [2]},
}


def _listed(client: Client, url: str) -> tuple[int, list[str], int]:
    """(the figure the page states, the member codes listed on every page, hidden)."""
    codes: list[str] = []
    total = hidden = None
    while url:
        response = client.get(url)
        assert response.status_code == 200, url
        found = response.context["found"]
        total, hidden = found.total, found.hidden
        html = response.content.decode()
        codes += re.findall(r'href="/members/([^/"]+)/"', html.split('id="records-count"', 1)[1])
        nxt = re.search(r'<a href="(\?[^"]*)">[^<]*›</a>', html)
        url = url.split("?")[0] + unescape(nxt.group(1)) if nxt else ""
    return total, codes, hidden


@pytest.mark.parametrize(
    ("kind", "params"),
    [
        ("admissions", {"start": START, "end": END}),
        ("admissions", {"start": dt.date(2025, 7, 1), "end": END}),
        ("removals", {"start": START, "end": END}),
        ("composition", {"as_of": dt.date(2024, 12, 31)}),
        ("composition", {"as_of": timezone.localdate()}),
    ],
)
def test_each_linked_figure_lists_exactly_the_members_it_counts(city, kind, params) -> None:
    office = factories.user("vanphong", Role.CITY_OFFICE, city["city"])
    client = _client(office)
    _data, doc = build.build(kind, office, city["city"], **params)
    followed = 0
    for index, table in enumerate(doc.tables):
        assert len(table.links) == len(table.rows), table.title  # every row has its link
        for row, link in zip(table.rows, table.links, strict=True):
            figure = sum(row[i] for i in FIGURE_CELLS[kind][index])
            assert bool(link) == bool(figure), (table.title, row)  # none where nobody is counted
            if not link:
                continue
            total, codes, hidden = _listed(client, link)
            assert (total, len(codes), hidden) == (figure, figure, 0), (table.title, row, link)
            assert len(set(codes)) == len(codes)
            followed += 1
    assert followed >= len(doc.tables)


def test_the_admitted_figure_opens_the_admitted_members_not_the_whole_org(city) -> None:
    """The issue's case, from the page as a user sees it: "N admitted" → those N."""
    staff = factories.user("cosoviec", Role.GRASSROOTS_STAFF, city["uni"])
    client = _client(staff)
    page = client.get("/reports/admissions/", {"from": "2024-01-01", "to": "2025-12-31"})
    html = page.content.decode()
    first_row = html.split("<tbody>", 1)[1].split("</tr>", 1)[0]
    assert ">6<" in first_row  # BK admitted 4 students and 2 lecturers in the period
    link = unescape(re.search(r'href="([^"]+)"', first_row).group(1))
    total, codes, _hidden = _listed(client, link)
    assert total == len(codes) == 6  # not the 11 members of BK
    assert not Member.objects.filter(member_code__in=codes, admitted_on__year=2019).exists()


def test_members_who_left_the_scope_are_counted_but_not_listed(city) -> None:
    staff = factories.user("cosoviec", Role.GRASSROOTS_STAFF, city["uni"])
    moved = Member.objects.filter(org=city["cell_a"], admitted_on=dt.date(2024, 3, 1)).first()
    ms.member_transfer_out(
        actor=None,
        member=moved,
        effective_date=dt.date(2025, 1, 10),
        decision=D,
        destination_org=city["ward"],
    )
    ms.member_transfer_in(
        actor=None, member=moved, org=city["ward"], effective_date=dt.date(2025, 1, 20), decision=D
    )
    client = _client(staff)
    url = "/reports/admissions/members/?from=2024-01-01&to=2025-12-31&category=student"
    total, codes, hidden = _listed(client, url)
    assert (total, len(codes), hidden) == (4, 3, 1)
    assert moved.member_code not in codes
    assert "ngoài phạm vi" in client.get(url).content.decode()


def test_reading_and_downloading_the_list_is_audited(city) -> None:
    staff = factories.user("cosoviec", Role.GRASSROOTS_STAFF, city["uni"])
    client = _client(staff)
    query = "?from=2024-01-01&to=2025-12-31&category=student"
    _total, codes, _hidden = _listed(client, "/reports/admissions/members/" + query)
    entry = AuditEntry.objects.filter(action="members.list").latest("seq")
    assert sorted(entry.data["members"]) == sorted(codes) and entry.data["category"] == "student"
    response = client.get("/reports/admissions/members.xlsx" + query)
    assert response.status_code == 200
    export = AuditEntry.objects.filter(action="reports.export").latest("seq")
    assert sorted(export.data["members"]) == sorted(codes)
    import io

    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(response.content)).worksheets[0]
    listed = [ws.cell(row=r, column=1).value for r in range(4, ws.max_row + 1)]
    assert sorted(listed) == sorted(codes)


def test_wrong_facets_outside_orgs_and_roles_without_statistics(city) -> None:
    staff = _client(factories.user("cosoviec", Role.GRASSROOTS_STAFF, city["uni"]))
    assert staff.get("/reports/admissions/members/", {"category": "nobody"}).status_code == 404
    assert staff.get("/reports/composition/members/", {"kind": "removed"}).status_code == 200
    assert staff.get("/reports/activity/members/").status_code == 404
    assert staff.get("/reports/admissions/members/", {"org": "Q1"}).status_code == 404
    admin = _client(factories.user("quantri", Role.SYSADMIN, city["city"]))
    assert admin.get("/reports/admissions/members/").status_code == 403


def test_dashboard_links_open_the_members_behind_its_figures(city) -> None:
    today = timezone.localdate()
    data.admissions(city["cell_a"], 3, Category.STUDENT, [today])
    data.admissions(city["school"], 1, Category.PUPIL, [today])
    office = factories.user("vanphong", Role.CITY_OFFICE, city["city"])
    client = _client(office)
    html = client.get("/reports/").content.decode()
    links = [unescape(h) for h in re.findall(r'href="(/reports/[a-z]+/members/\?[^"]+)"', html)]
    assert links
    for link in links:
        total, codes, hidden = _listed(client, link)
        assert total == len(codes) and hidden == 0
    students = [link for link in links if "category=student" in link and "unit=" not in link]
    # The tile: this year's 3; under the trend table: since the trend's start, 4 more.
    assert [_listed(client, link)[0] for link in students] == [3, 7]


def test_a_figure_link_is_the_records_page_with_its_facets_encoded() -> None:
    """The link each table row carries (a city's thousands of units): the records page's
    path, reversed once per report, and the facets encoded as a form would send them."""
    import datetime as dt
    from urllib.parse import parse_qsl, urlsplit

    from django.urls import reverse

    from chibo.reports import records

    url = records.link(
        "admissions",
        "TU",
        {"start": dt.date(2026, 1, 1), "end": dt.date(2026, 12, 7)},
        unit="Q1-THPT",
        category="student",
        year=None,
        level="",
    )
    assert url == (
        f"{reverse('reports:records', args=['admissions'])}"
        "?org=TU&from=2026-01-01&to=2026-12-07&unit=Q1-THPT&category=student"
    )
    url = records.link("composition", "TU", {"as_of": dt.date(2026, 12, 7)}, unit="Chi bộ 1&2")
    parts = urlsplit(url)
    assert parts.path == reverse("reports:records", args=["composition"])
    assert parse_qsl(parts.query) == [
        ("org", "TU"),
        ("as_of", "2026-12-07"),
        ("unit", "Chi bộ 1&2"),
    ]
