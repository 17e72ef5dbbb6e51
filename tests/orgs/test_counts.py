"""Subtree member counts: exact for ordinary subtrees, cached for big ones (docs/performance.md)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache

from chibo.orgs import selectors
from chibo.orgs.selectors import subtree_member_counts
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clean_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()  # the next test's orgs may reuse these primary keys


def test_small_subtrees_are_always_counted(tree) -> None:
    f.member(tree["cell_a"])
    assert subtree_member_counts([tree["city"]])[tree["city"].pk] == 1
    f.member(tree["cell_a"], full_name="Trần Thị Mai")
    assert subtree_member_counts([tree["city"]])[tree["city"].pk] == 2


def test_big_subtree_counts_are_cached_for_a_while(tree, monkeypatch) -> None:
    monkeypatch.setattr(selectors, "BIG_SUBTREE", 3)
    city, cell_b = tree["city"], tree["cell_b"]
    f.member(tree["cell_a"])
    f.member(tree["cell_a"], full_name="Trần Thị Mai")
    assert subtree_member_counts([city, cell_b]) == {city.pk: 2, cell_b.pk: 0}  # read 2: exact
    f.member(tree["cell_a"], full_name="Lê Văn Tư")
    assert subtree_member_counts([city, cell_b]) == {city.pk: 3, cell_b.pk: 0}  # read 3: cached
    f.member(cell_b, category="lecturer")
    # Both came out of one query over a big subtree: both are served from the cache.
    assert subtree_member_counts([city, cell_b]) == {city.pk: 3, cell_b.pk: 0}
    assert subtree_member_counts([city, cell_b], cached=False) == {city.pk: 4, cell_b.pk: 1}


def test_nested_orgs_are_counted_in_one_range(tree, django_assert_num_queries) -> None:
    f.member(tree["cell_a"])
    with django_assert_num_queries(2):  # members grouped by org, the orgs' paths
        counts = subtree_member_counts([tree["uni"], tree["cell_a"], tree["city"]])
    assert counts == {tree["uni"].pk: 1, tree["cell_a"].pk: 1, tree["city"].pk: 1}
    with django_assert_num_queries(1):  # one org: a plain count
        assert subtree_member_counts([tree["cell_b"]]) == {tree["cell_b"].pk: 0}


def test_a_city_tree_keeps_its_counts_in_one_entry_of_the_production_cache(
    tree, monkeypatch, settings, django_assert_num_queries
) -> None:
    """The city's tree asks for the root and its thousands of children at once (4,127 at
    400,000 members). One entry per org overflowed the database cache (Django keeps 300 by
    default and then deletes a third), so every tree page counted the city again and wrote
    thousands of entries: 15-35 s a page in the load test. Now one entry for the whole set."""
    from django.core.cache import caches
    from django.core.management import call_command
    from django.db import connection

    from chibo import settings as chibo_settings

    settings.CACHES = {"default": chibo_settings._CACHE_BACKENDS["database"]}
    assert settings.CACHES["default"]["OPTIONS"]["MAX_ENTRIES"] >= 10_000
    call_command("createcachetable")
    monkeypatch.setattr(selectors, "BIG_SUBTREE", 1)
    city = tree["city"]
    kids = [
        f.org(f"K{i:03d}", f"Chi bộ {i}", "grassroots_cell", city, opened_on=city.opened_on)
        for i in range(310)
    ]
    f.member(kids[7])
    f.member(tree["cell_a"])
    counts = subtree_member_counts([city, *kids])
    assert counts[city.pk] == 2 and counts[kids[7].pk] == 1 and counts[kids[8].pk] == 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM chibo_cache")
        assert cursor.fetchone()[0] == 1
    with django_assert_num_queries(1):  # the entry, nothing counted
        assert subtree_member_counts([city, *kids]) == counts
    caches["default"].clear()
