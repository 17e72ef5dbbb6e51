"""The production cache's ``set`` is one statement (``core.dbcache``), with Django's answers.

Django's database cache counted the table and read the key in a transaction on every ``set``:
six round trips, and the API's throttle sets a key on every request (issue 22).
"""

from __future__ import annotations

import time

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chibo import settings as chibo_settings
from chibo.core import dbcache

pytestmark = pytest.mark.django_db


@pytest.fixture
def db_cache(settings):
    settings.CACHES = {"default": chibo_settings._CACHE_BACKENDS["database"]}
    call_command("createcachetable")
    cache = caches["default"]
    cache.clear()
    yield cache
    cache.clear()


def test_production_uses_it():
    assert (
        chibo_settings._CACHE_BACKENDS["database"]["BACKEND"] == "chibo.core.dbcache.DatabaseCache"
    )


def test_a_set_is_one_statement_once_the_table_was_counted(db_cache):
    db_cache.set("first", 1)  # the process's first set counts the table
    with CaptureQueriesContext(connection) as seen:
        db_cache.set("throttle:user:7", [time.time()] * 600, 60)
        db_cache.set("throttle:user:7", [1.5, 2.5], 60)  # the key again: replaced
    statements = [q["sql"] for q in seen.captured_queries]
    assert len(statements) == 2, statements
    assert all("COUNT" not in s and "SAVEPOINT" not in s for s in statements), statements
    assert db_cache.get("throttle:user:7") == [1.5, 2.5]


def test_the_answers_are_djangos(db_cache):
    db_cache.set("a", {"x": [1, "hai"]}, 60)
    db_cache.set("none", None, 60)
    db_cache.set("forever", "v", None)
    assert db_cache.get("a") == {"x": [1, "hai"]}
    assert db_cache.get("none", "default") is None
    assert db_cache.get("forever") == "v"
    db_cache.set("gone", 1, -1)  # already expired
    assert db_cache.get("gone", "missing") == "missing"
    assert db_cache.add("a", 2) is False  # add, incr, delete: Django's own
    assert db_cache.add("new", 5, 60) is True
    assert db_cache.incr("new") == 6
    db_cache.delete("a")
    assert db_cache.get("a") is None
    db_cache.set("a", 3, 60)  # set after delete: inserted again
    assert db_cache.get("a") == 3


def test_the_table_is_culled_past_max_entries(db_cache, monkeypatch):
    monkeypatch.setattr(db_cache, "_max_entries", 10)
    monkeypatch.setattr(dbcache, "COUNT_EVERY", 5)
    for i in range(40):
        db_cache.set(f"k{i}", i, 60)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM chibo_cache")
        held = cursor.fetchone()[0]
    # Counted every 5th set, culled (Django's cull: a third of the entries) when over 10.
    assert held <= 10 + 5, held
    assert db_cache.get("k39") == 39  # the newest stays
