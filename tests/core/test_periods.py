"""Months and periods as people read them: one formatter (core.periods) on every page."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.test import Client
from django.utils import translation

from chibo.core import periods
from chibo.directives import demo as directives_demo
from chibo.directives.models import Document
from chibo.directives.periods import parse_period
from tests import factories
from tests.activity.conftest import AS_OF, hold


@pytest.mark.parametrize(
    ("value", "vi", "en"),
    [
        ("2026-04", "04/2026", "04/2026"),
        (dt.date(2026, 4, 1), "04/2026", "04/2026"),
        ("2026-Q3", "quý III/2026", "quarter III/2026"),
        ("2026-Q1", "quý I/2026", "quarter I/2026"),
        ("2026-H1", "6 tháng đầu năm 2026", "first half of 2026"),
        ("2026-H2", "6 tháng cuối năm 2026", "second half of 2026"),
        ("2026", "năm 2026", "year 2026"),
        ("once", "một lần", "one-off"),
        ("2026-13", "2026-13", "2026-13"),  # not a month: shown as it is
    ],
)
def test_labels(value: object, vi: str, en: str) -> None:
    with translation.override("vi"):
        assert periods.label(value) == vi
    with translation.override("en"):
        assert periods.label(value) == en


def test_directive_periods_use_the_same_words() -> None:
    with translation.override("vi"):
        assert parse_period("2026-Q3").label == "quý III/2026"
        assert parse_period("2026-H1").label == "6 tháng đầu năm 2026"
        assert [periods.labels(["2026-04", "2026-06"])] == ["04/2026, 06/2026"]


@pytest.mark.django_db
def test_activity_overview_shows_months_and_quarters_as_read(client: Client) -> None:
    tree = factories.tree()
    m = factories.member(tree["cell_a"])
    hold(tree["cell_a"], dt.date(2025, 3, 5), {m: "unexcused"})  # tracked since then
    client.force_login(factories.user("dang-uy", "grassroots_staff", tree["uni"]))
    page = client.get("/activity/", {"org": "BK"}).content.decode()
    today = dt.date.today()
    last = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    assert periods.month_label(last) in page and f"{last:%Y-%m}" not in page
    assert "quý " in page and "-Q" not in page


@pytest.mark.django_db
def test_directive_page_names_compiled_periods_as_read(client: Client) -> None:
    tree = factories.tree()
    factories.org("SGDDT", "Đảng ủy Sở Giáo dục và Đào tạo", "direct_committee", tree["city"])
    directives_demo.seed_demo(rng=random.Random(7), today=dt.date(2026, 1, 20), scale=0.1)
    client.force_login(factories.user("vanphong", "city_office", tree["city"]))
    doc = Document.objects.get(symbol="1000-CV/TU", org=tree["city"])  # the city's own letter
    page = client.get(f"/directives/{doc.pk}/").content.decode()
    assert "6 tháng cuối năm 2025" in page and "2025-H2" not in page.replace("/2025-H2/", "")


@pytest.mark.django_db
def test_activity_report_names_its_quarter_as_read(client: Client) -> None:
    tree = factories.tree()
    factories.member(tree["cell_a"])
    hold(tree["cell_a"], dt.date(2026, 7, 3))
    client.force_login(factories.user("vanphong", "city_office", tree["city"]))
    page = client.get("/reports/activity/", {"as_of": AS_OF.isoformat()}).content.decode()
    assert "quý III/2026" in page and "2026-Q3" not in page
