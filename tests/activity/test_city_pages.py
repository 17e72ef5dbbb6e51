"""City-scale activity pages (issue 24): the same answers from cheaper queries, summaries and pages.

The cells that skipped meetings are compared with the reading they replaced (kept here as
``_missing_before``) on a seeded demo city with meetings removed at random, cells closed and
tracking starts moved: every scope, several days.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import defaultdict
from typing import Any

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef
from django.test import Client
from django.test.utils import CaptureQueriesContext

from chibo.activity import periods, selectors, tracking
from chibo.activity.models import Meeting, MeetingKind, Tracking
from chibo.core.roles import Cap, Role
from chibo.members.models import ON_ROLLS, Member
from chibo.orgs.models import CELL_KINDS, Org, OrgKind
from chibo.orgs.selectors import orgs_for
from tests import factories

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 11, 20)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _missing_before(
    actor: Any, as_of: dt.date, *, months: int = 3, under: Org | None = None
) -> list[tuple[str, list[str], list[str]]]:
    """``selectors.cells_missing_meetings`` as it read before issue 24 (every meeting row of
    the judged cells, one Org with its parent per judged cell)."""
    current = periods.month_of(as_of)
    checked = [periods.shift(current, -i) for i in range(months, 0, -1)]
    quarters = sorted(
        {
            periods.quarter_of(m)
            for m in checked
            if periods.quarter_months(*periods.quarter_of(m))[-1] < current
        }
    )
    first = min([checked[0], *[periods.quarter_months(*q)[0] for q in quarters]])
    visible = Org.objects.all() if actor is None else orgs_for(actor, Cap.MEMBER_VIEW)
    cells = visible.filter(kind__in=CELL_KINDS)
    if under is not None:
        cells = cells.filter(under.subtree_filter())
    tracked = cells.filter(
        Exists(Tracking.objects.filter(org=OuterRef("pk"), start__isnull=False))
    ).filter(Exists(Member.objects.filter(org=OuterRef("pk"), status__in=ON_ROLLS)))
    judged = list(tracked.select_related("parent").order_by("path"))
    held: dict[int, set[tuple[str, dt.date]]] = defaultdict(set)
    for org_id, kind, month in Meeting.objects.filter(
        org__in=tracked, month__gte=first, month__lt=current
    ).values_list("org_id", "kind", "month"):
        held[org_id].add((kind, month))
    out = []
    starts = tracking.starts({cell.pk for cell in judged})
    for cell in judged:
        if cell.pk not in starts:
            continue

        def alive(month: dt.date, cell: Org = cell) -> bool:
            return (
                cell.opened_on <= month
                and (cell.closed_on is None or cell.closed_on > periods.month_end(month))
                and starts[cell.pk].month <= month
            )

        missing_months = [
            periods.label(m)
            for m in checked
            if alive(m) and (MeetingKind.REGULAR, m) not in held[cell.pk]
        ]
        missing_quarters = []
        for year, q in quarters:
            qmonths = periods.quarter_months(year, q)
            if all(alive(m) for m in qmonths) and not any(
                (MeetingKind.THEMATIC, m) in held[cell.pk] for m in qmonths
            ):
                missing_quarters.append(periods.quarter_label(year, q))
        if missing_months or missing_quarters:
            out.append((cell.code, missing_months, missing_quarters))
    return out


@pytest.fixture
def city() -> Org:
    """A seeded demo city (members and five years of meetings), then disorder: a third of
    the last year's meetings deleted, a few cells closed, some tracking starts moved late."""
    from chibo.activity import demo
    from chibo.members.demo.generate import build_plan
    from chibo.members.demo.writer import write_plan

    write_plan(build_plan(members=300, seed=11, as_of=AS_OF))
    demo.seed(rng=random.Random(5), today=AS_OF)
    rng = random.Random(24)
    recent = list(
        Meeting.objects.filter(held_on__gte=dt.date(2025, 11, 1)).values_list("pk", flat=True)
    )
    Meeting.objects.filter(pk__in=rng.sample(recent, len(recent) // 3)).delete()
    cells = list(Org.objects.filter(kind__in=CELL_KINDS).order_by("path"))
    for cell in rng.sample(cells, 4):
        Org.objects.filter(pk=cell.pk).update(closed_on=dt.date(2026, rng.randint(8, 10), 15))
    for cell in rng.sample(cells, 6):
        day = dt.date(2026, rng.randint(6, 10), rng.randint(1, 28))
        Tracking.objects.filter(org=cell).update(start=day, month=day.replace(day=1))
    return Org.objects.get(parent__isnull=True)


def test_the_cells_that_skipped_meetings_are_the_same_as_before(city: Org) -> None:
    assert Meeting.objects.exists()
    committees = list(
        Org.objects.filter(
            kind__in=[OrgKind.GRASSROOTS_COMMITTEE, OrgKind.DIRECT_COMMITTEE]
        ).order_by("path")[:3]
    )
    staff = factories.user("captren24", Role.SUPERIOR_STAFF, committees[0])
    compared = 0
    for as_of in (AS_OF, dt.date(2026, 10, 3), dt.date(2026, 7, 1), dt.date(2026, 1, 15)):
        for actor, under in (
            (None, None),
            (None, city),
            (staff, None),
            *((None, c) for c in committees),
        ):
            new = [
                (m.org.code, m.months, m.quarters)
                for m in selectors.cells_missing_meetings(actor, as_of, under=under)
            ]
            assert new == _missing_before(actor, as_of, under=under), (as_of, actor, under)
            compared += len(new)
    assert compared > 20  # the disorder made cells skip meetings
    # A fixed number of queries whatever the number of cells (no read per cell).
    with CaptureQueriesContext(connection) as queries:
        selectors.cells_missing_meetings(None, AS_OF, under=city)
    assert len(queries) <= 5, [q["sql"][:200] for q in queries]


def _unit_with_cells(tree: dict[str, Any], n: int) -> Org:
    unit = factories.org("DK", "Đảng ủy Khối Doanh nghiệp", OrgKind.DIRECT_COMMITTEE, tree["city"])
    for i in range(n):
        factories.org(f"DK-{i:03d}", f"Chi bộ Doanh nghiệp {i:03d}", OrgKind.GRASSROOTS_CELL, unit)
    return unit


def test_the_overview_names_twelve_cells_a_unit_and_links_the_rest(tree: dict[str, Any]) -> None:
    _unit_with_cells(tree, 130)
    viewer = _client(factories.user("xem24", Role.VIEWER, tree["city"]))
    html = viewer.get("/activity/?org=TU").content.decode()
    section = next(s for s in html.split('<section class="cell-unit">') if "Khối Doanh nghiệp" in s)
    section = section[: section.index("</section>")]
    assert re.findall(r"Chi bộ Doanh nghiệp (\d+)", section) == [f"{i:03d}" for i in range(12)]
    assert 'href="/activity/?org=TU&amp;unit=DK">Tất cả 130 chi bộ ›</a>' in section
    # A unit with few cells names them all, without the link.
    assert "unit=BK" not in html
    # The unit's page: all its cells, 100 a page.
    first = viewer.get("/activity/?org=TU&unit=DK").content.decode()
    assert first.count('href="/activity/meetings/?org=DK-') == 100
    assert "1–100 / 130" in first and 'href="?org=TU&amp;unit=DK&amp;page=2"' in first
    second = viewer.get("/activity/?org=TU&unit=DK&page=2").content.decode()
    assert second.count('href="/activity/meetings/?org=DK-') == 30
    assert "Chi bộ Doanh nghiệp 129" in second and "Chi bộ Doanh nghiệp 000" not in second


def test_a_unit_outside_the_page_org_or_the_scope_is_not_found(tree: dict[str, Any]) -> None:
    _unit_with_cells(tree, 2)
    staff = _client(factories.user("captren24", Role.SUPERIOR_STAFF, tree["khoi"]))
    assert staff.get("/activity/?org=BK&unit=DK").status_code == 404  # DK outside its scope
    office = _client(factories.user("vanphong24", Role.CITY_OFFICE, tree["city"]))
    assert office.get("/activity/?org=BK&unit=DK").status_code == 404  # DK outside BK
    assert office.get("/activity/?org=TU&unit=DK").status_code == 200


def test_the_overview_pages_the_cells_that_skipped_meetings(tree: dict[str, Any]) -> None:
    unit = _unit_with_cells(tree, 60)
    cells = list(Org.objects.filter(parent=unit).order_by("path"))
    for cell in cells:
        factories.member(cell)
        Tracking.objects.update_or_create(
            org=cell, defaults={"start": dt.date(2025, 1, 1), "month": dt.date(2025, 1, 1)}
        )
    Org.objects.filter(parent=unit).update(opened_on=dt.date(2020, 1, 1))
    office = _client(factories.user("vanphong24", Role.CITY_OFFICE, tree["city"]))
    html = office.get("/activity/?org=DK").content.decode()
    table = html[html.index('id="missing-meetings"') : html.index("</table>")]
    assert table.count("<tr><td>") == 50
    assert "1–50 / 60" in html and 'href="?org=DK&amp;missing=2#missing-meetings"' in html
    second = office.get("/activity/?org=DK&missing=2").content.decode()
    table = second[second.index('id="missing-meetings"') : second.index("</table>")]
    assert table.count("<tr><td>") == 10 and "DK-059" in table and "DK-000" not in table
