"""Report reads go to the read replica (``core.dbrouter.reporting()``) when one is configured.

The stand-in replica (tests/replica.py, the ``replica`` fixture of tests/conftest.py:
a second database with the schema and none of the primary's rows) shows where each
read went: the primary holds 3 admissions, the replica none, so a report that reads
the replica says 0 — through the ORM parts and the raw SQL alike.
"""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from chibo.core.dbrouter import REPLICA, reporting, reporting_alias
from chibo.core.roles import Role
from chibo.members.models import Category
from chibo.reports import figures, selectors
from tests import factories
from tests.reports import data

pytestmark = pytest.mark.django_db
DAY = dt.date(2024, 5, 1)
PERIOD = {"from": "2024-01-01", "to": "2024-12-31"}


@pytest.fixture
def admitted(tree):
    data.admissions(tree["cell_a"], 3, Category.STUDENT, [DAY])
    return tree


def test_figures_read_the_replica_only_under_reporting(replica, admitted) -> None:
    city = admitted["city"]
    start, end = dt.date(2024, 1, 1), dt.date(2024, 12, 31)
    assert figures.admissions(city, start, end).counts.total == 3  # the primary
    assert figures.composition(city, DAY).total == 3
    with reporting():
        assert reporting_alias() == REPLICA
        assert figures.admissions(city, start, end).counts.total == 0  # the (empty) replica
        assert figures.removals(city, start, end).removed == 0
        assert figures.composition(city, DAY).total == 0
    assert figures.admissions(city, start, end).counts.total == 3


def test_command_api_page_and_exports_read_the_replica(replica, admitted, client) -> None:
    out = io.StringIO()
    call_command("report", "admissions", "--from", PERIOD["from"], "--to", PERIOD["to"], stdout=out)
    assert json.loads(out.getvalue())["total_admissions"] == 0

    office = factories.user("vanphong", Role.CITY_OFFICE, admitted["city"])
    client.force_login(office)
    api = client.get("/api/v1/reports/admissions", PERIOD)
    assert api.status_code == 200 and api.json()["total_admissions"] == 0
    xlsx = client.get("/reports/admissions/export/xlsx/", PERIOD)
    summary = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    assert summary.cell(row=4, column=2).value == 0
    page = client.get("/reports/composition/", {"as_of": "2024-05-01"})
    assert page.status_code == 200
    assert page.context["data"]["total_members"] == 0
    dashboard = selectors.dashboard(office, admitted["city"], dt.date(2024, 12, 31))
    assert dashboard["admissions"]["total_admissions"] == 0


def test_without_a_replica_reports_read_the_primary(admitted, client) -> None:
    office = factories.user("vanphong", Role.CITY_OFFICE, admitted["city"])
    client.force_login(office)
    assert client.get("/api/v1/reports/admissions", PERIOD).json()["total_admissions"] == 3
