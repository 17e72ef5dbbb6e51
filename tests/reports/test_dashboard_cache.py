"""The dashboard's figures come from the shared cache, per scope, and are never stale."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone

from chibo.core.roles import Role
from chibo.members import services as member_services
from chibo.members.models import Category, RemovalReason
from chibo.reports import cache as dashboard_cache
from chibo.reports import selectors, services
from chibo.reports.models import Indicator
from tests import factories
from tests.reports import data

pytestmark = pytest.mark.django_db


@pytest.fixture
def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def users(tree, today):
    cache.clear()
    data.admissions(tree["cell_a"], 3, Category.STUDENT, [dt.date(today.year, 1, 1)])
    data.admissions(tree["school"], 2, Category.PUPIL, [dt.date(today.year, 1, 1)])
    return {
        "uni": factories.user("cosoviec", Role.GRASSROOTS_STAFF, tree["uni"]),
        "school": factories.user("truonghoc", Role.GRASSROOTS_STAFF, tree["school"]),
        "city": factories.user("vanphong", Role.CITY_OFFICE, tree["city"]),
    }


def _total(actor, root, today) -> int:
    return selectors.dashboard(actor, root, today)["admissions"]["total_admissions"]


def test_a_second_call_is_served_from_the_cache(tree, users, today) -> None:
    key = dashboard_cache.dashboard_key(users["uni"], tree["uni"], today)
    assert cache.get(key) is None
    first = selectors.dashboard(users["uni"], tree["uni"], today)
    assert cache.get(key)["admissions"] == first["admissions"]
    assert (
        selectors.dashboard(users["uni"], tree["uni"], today)["admissions"] == first["admissions"]
    )


def test_another_subtree_never_gets_the_cached_figures(tree, users, today) -> None:
    city = tree["city"]
    assert _total(users["city"], city, today) == 5  # cached for the city's scope
    # Same org, same day, same data: other scopes count only their own subtree.
    assert _total(users["uni"], city, today) == 3
    assert _total(users["school"], city, today) == 2
    assert _total(users["city"], city, today) == 5
    keys = {dashboard_cache.dashboard_key(users[u], city, today) for u in users}
    assert len(keys) == 3
    assert dashboard_cache.dashboard_key(None, city, today) not in keys


def test_a_member_event_shows_in_the_next_dashboard(tree, users, today) -> None:
    assert _total(users["uni"], tree["uni"], today) == 3
    member = factories.member(tree["cell_a"], admitted_on=dt.date(today.year, 1, 2))
    assert _total(users["uni"], tree["uni"], today) == 4
    before = selectors.dashboard(users["uni"], tree["uni"], today)["students_abandoned"]
    member_services.member_remove(
        actor=None,
        member=member,
        effective_date=today,
        decision=member_services.Decision("3-QĐ/ĐU"),
        reason=RemovalReason.ABANDONED_ACTIVITY,
    )
    after = selectors.dashboard(users["uni"], tree["uni"], today)["students_abandoned"]
    assert after == before + 1


def test_a_target_shows_at_once(tree, users, today) -> None:
    assert selectors.dashboard(users["uni"], tree["uni"], today)["target"] is None
    services.target_set(
        actor=factories.user("captren", Role.SUPERIOR_STAFF, tree["khoi"]),
        org=tree["uni"],
        year=today.year,
        indicator=Indicator.SCHOOL_STUDENT_PUPIL_ADMISSIONS,
        value=6,
    )
    context = selectors.dashboard(users["uni"], tree["uni"], today)
    assert context["target"].value == 6
    assert context["target_pct"] == 50  # 3 of 6


def test_a_row_changed_in_place_renews_the_generation(
    users, django_capture_on_commit_callbacks
) -> None:
    from chibo.reports.apps import CHANGED_IN_PLACE

    assert "activity.Meeting" in CHANGED_IN_PLACE
    before = dashboard_cache.generation()
    with django_capture_on_commit_callbacks(execute=True):
        dashboard_cache.bump_generation()  # after the commit
    assert dashboard_cache.generation() != before


def test_the_data_version_reads_each_table_by_its_newest_id(tree, users) -> None:
    version = dashboard_cache.data_version()
    factories.member(tree["cell_a"])
    assert dashboard_cache.data_version() != version


def test_a_warnings_refresh_renews_the_generation(
    tree, users, today, django_capture_on_commit_callbacks
) -> None:
    """A refresh that only deletes warnings leaves the ids alone: its signal renews the entry."""
    from chibo.activity.services import warnings_refresh

    before = dashboard_cache.generation()
    with django_capture_on_commit_callbacks(execute=True):
        warnings_refresh(actor=None, org=tree["uni"], as_of=today, send=False)
    assert dashboard_cache.generation() != before
