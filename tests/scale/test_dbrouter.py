"""The read-replica router: only reads inside ``reporting()`` leave the primary.

A second database on the same server (PostgreSQL) or a second SQLite file
stands in for the replica (tests/replica.py, the ``replica`` fixture of
tests/conftest.py): it has the same schema, and different rows than the
primary, so each read shows where it went.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.db import connections

from chibo.core.dbrouter import REPLICA, ReplicaRouter, in_reporting, reporting, reporting_alias
from chibo.members.models import Member
from tests import factories
from tests.test_settings import output, production_env, run_chibo


def _names() -> list[str]:
    return sorted(Group.objects.values_list("name", flat=True))


@pytest.mark.django_db
def test_reads_go_to_the_replica_only_inside_reporting(replica):
    Group.objects.create(name="on-primary")
    assert _names() == ["on-primary"]
    assert reporting_alias() == "default"
    with reporting():
        assert in_reporting()
        assert reporting_alias() == REPLICA
        assert _names() == ["on-replica"]
        with connections[reporting_alias()].cursor() as cursor:  # raw SQL of a report
            cursor.execute("SELECT name FROM auth_group")
            assert [row[0] for row in cursor.fetchall()] == ["on-replica"]
        assert Member.objects.count() == 0  # the replica's (empty) members table
    assert not in_reporting()
    assert _names() == ["on-primary"]  # read-your-writes outside reports


@pytest.mark.django_db
def test_writes_stay_on_the_primary_inside_reporting(replica):
    with reporting():
        Group.objects.create(name="written-in-report")
    assert Group.objects.using("default").filter(name="written-in-report").exists()
    assert not Group.objects.using(REPLICA).filter(name="written-in-report").exists()


@pytest.mark.django_db
def test_report_read_of_members_uses_the_replica(replica):
    tree = factories.tree()
    factories.member(tree["cell_a"])
    on_primary = Member.objects.count()
    with reporting():
        assert Member.objects.count() == 0
    assert Member.objects.count() == on_primary


@pytest.mark.django_db
def test_reporting_is_per_thread(replica):
    seen: list[str] = []
    with reporting():
        worker = threading.Thread(target=lambda: seen.append(reporting_alias()))
        worker.start()
        worker.join()
    assert seen == ["default"]


@pytest.mark.django_db
def test_without_a_replica_reporting_reads_the_primary():
    Group.objects.create(name="only")
    with reporting():
        assert reporting_alias() == "default"
        assert _names() == ["only"]


@pytest.mark.database_free
def test_a_real_replica_is_never_migrated(settings):
    settings.DATABASES = {**settings.DATABASES, REPLICA: {"ENGINE": "x"}}
    router = ReplicaRouter()
    assert router.allow_migrate(REPLICA, "members") is False
    assert router.allow_migrate("default", "members") is None
    assert router.db_for_write(Member) is None


def _env(tmp_path: Path) -> dict[str, str]:
    return {"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}", "CACHE_BACKEND": "database"}


@pytest.mark.database_free
def test_production_defaults_to_the_shared_database_cache(tmp_path):
    result = run_chibo(
        tmp_path,
        "shell",
        "-c",
        "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])",
        **production_env(tmp_path),
    )
    if "must be set when CHIBO_ENV=production" in output(result):
        pytest.skip("production needs a setting this test does not know: " + output(result)[-200:])
    assert result.returncode == 0, output(result)
    assert "DatabaseCache" in result.stdout


@pytest.mark.database_free
def test_replica_url_must_be_postgresql(tmp_path):
    env = _env(tmp_path)
    result = run_chibo(tmp_path, "check", DATABASE_REPLICA_URL=f"sqlite:///{tmp_path}/r.db", **env)
    assert result.returncode != 0
    assert "DATABASE_REPLICA_URL must point to PostgreSQL" in output(result)


@pytest.mark.database_free
def test_replica_url_configures_the_replica(tmp_path):
    env = _env(tmp_path)
    result = run_chibo(
        tmp_path,
        "shell",
        "-c",
        "from django.conf import settings; print(settings.DATABASES['replica']['NAME'], "
        "settings.CACHES['default']['BACKEND'])",
        DATABASE_REPLICA_URL="postgres://u@db2.internal:5432/chibo",
        **env,
    )
    assert result.returncode == 0, output(result)
    assert "chibo chibo.core.dbcache.DatabaseCache" in result.stdout
