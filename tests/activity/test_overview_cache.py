"""The activity overview's counts and its units kept in the shared cache (issue 24): a second
overview reads no meeting, member or cell count again, and after each kind of write the page
is the one counted afresh."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chibo.activity import dues, periods, selectors, services, tracking
from chibo.activity.models import MeetingKind, WarningLevel
from chibo.activity.services import warnings_refresh
from chibo.core.roles import Role
from chibo.orgs import services as org_services
from chibo.orgs.models import OrgKind
from tests import factories
from tests.activity.writes import activity_writes

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


def _counting(sql: str) -> bool:
    """A statement that counts meetings or warnings, probes members, reads the cells' tracking
    or counts cells."""
    tables = ('"activity_meeting"', '"members_member"', '"activity_tracking"')
    return any(table in sql for table in (*tables, '"activity_memberwarning"')) or (
        "COUNT(" in sql and 'FROM "orgs_org"' in sql
    )


@pytest.fixture
def city(tree: dict[str, Any]) -> dict[str, Any]:
    """Members in four cells; two cells record a first meeting months ago (tracked from
    then, missing the meetings since), the others have no data."""
    today = timezone.localdate()
    members = {
        name: factories.member(tree[name]) for name in ("cell_a", "cell_b", "school", "ward")
    }
    factories.member(tree["cell_a"], full_name="Trần Thị Bình")
    long_ago = periods.shift(periods.month_of(today), -5)
    meetings = {
        name: services.meeting_create(
            actor=None, org=tree[name], kind=MeetingKind.REGULAR, held_on=long_ago, confirm=True
        )
        for name in ("cell_a", "school")
    }
    office = factories.user("vanphong24", Role.CITY_OFFICE, tree["city"])
    return {"tree": tree, "members": members, "meetings": meetings, "office": office}


def test_a_second_overview_counts_nothing_again(city: dict[str, Any]) -> None:
    client = _client(city["office"])
    first = _page(client, "/activity/?org=TU")
    with CaptureQueriesContext(connection) as queries:
        second = _page(client, "/activity/?org=TU")
    assert second == first
    counting = [q["sql"][:160] for q in queries if _counting(q["sql"])]
    assert counting == []
    assert len(queries) <= 12, [q["sql"][:120] for q in queries]


def test_the_counts_read_the_cells_without_data_from_the_populated_set(
    city: dict[str, Any],
) -> None:
    tree, office = city["tree"], city["office"]
    today = timezone.localdate()
    staff = factories.user("captren24", Role.SUPERIOR_STAFF, tree["khoi"])
    for actor, org in ((office, tree["city"]), (office, tree["district"]), (staff, tree["khoi"])):
        counts = selectors.overview_counts(actor, org, today)
        assert counts["without_data"] == tracking.cells_without_data(actor, under=org).count()
        assert counts["missing"] == selectors.missing_meetings(actor, today, under=org).found
        assert counts["warnings"] == selectors.warning_counts(actor, org)
    assert selectors.overview_counts(office, tree["city"], today)["without_data"] == 2


def test_after_each_kind_of_write_the_overview_is_the_one_counted_afresh(
    city: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    tree, members, meetings = city["tree"], city["members"], city["meetings"]
    today = timezone.localdate()
    client = _client(city["office"])
    urls = ["/activity/?org=TU", "/activity/?org=Q1", "/activity/?org=BK"]
    pages = {url: _page(client, url) for url in urls}

    w = activity_writes(tree, members, meetings, today)

    def refresh() -> None:
        warnings_refresh(actor=None, org=tree["city"], as_of=today, send=False)

    def new_cell() -> None:
        org_services.org_create(
            actor=None,
            code="Q1-P2",
            name="Chi bộ Khu phố 2",
            kind=OrgKind.GRASSROOTS_CELL,
            parent=tree["district"],
            opened_on=today - dt.timedelta(days=30),
        )

    def payment() -> None:
        dues.dues_pay(
            actor=None,
            member=members["school"],
            months=[periods.month_of(today)],
            amount_vnd=10000,
            paid_on=today,
            confirm=True,
        )

    writes = [
        ("attendance", w["attendance"], False),
        ("meeting created", w["meeting_new"], True),
        ("meeting's kind changed", w["meeting_kind"], True),
        ("tracking start set", w["tracking_start"], True),
        ("cell emptied", w["cell_emptied"], True),
        ("warnings refreshed", refresh, None),
        ("cell opened", new_cell, True),
        ("dues payment", payment, False),
    ]
    for name, write, changes in writes:
        with django_capture_on_commit_callbacks(execute=True):
            write()
        kept, sql = {}, []
        for url in urls:  # each request empties the statements' log: read after each
            with CaptureQueriesContext(connection) as queries:
                kept[url] = _page(client, url)
            sql += [q["sql"] for q in queries]
        cache.clear()
        fresh = {url: _page(client, url) for url in urls}
        assert kept == fresh, name
        if changes is not None:
            assert (kept["/activity/?org=TU"] != pages["/activity/?org=TU"]) == changes, name
            recounted = any(_counting(q) for q in sql)
            assert recounted == changes, (name, [q[:120] for q in sql])
        pages = fresh
    # What changed is on the page: the meeting counted, the start set, the ward emptied.
    counts = selectors.overview_counts(city["office"], tree["city"], today)
    assert (
        counts["without_data"]
        == tracking.cells_without_data(city["office"], under=tree["city"]).count()
    )
    assert set(counts["warnings"]) == {WarningLevel.WARNING, WarningLevel.REMOVAL_REVIEW}
