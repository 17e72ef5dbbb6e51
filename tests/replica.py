"""The stand-in read replica of the tests: a second database with the schema, other rows.

A second database on the same server (PostgreSQL) or a second SQLite file stands in for
the replica (``core.dbrouter``): it gets the same schema by running migrate on it, and
one row the primary never has (the group "on-replica"), so each read shows where it
went. It is made and migrated once for the whole run (the ``replica_db`` fixture of
tests/conftest.py, used by tests/scale/test_dbrouter.py and tests/reports/test_replica.py);
a test that asks for ``replica`` gets it configured as ``settings.DATABASES["replica"]``.
Tests read it only: a row written there would stay for the later tests.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connections
from django.db.utils import load_backend
from django.test import override_settings

from chibo.core.dbrouter import REPLICA


def install(cfg: dict) -> None:
    # A connection made by hand (not listed in connections.settings): Django's
    # test case allows such dynamically created connections.
    primary = connections["default"].settings_dict
    full = connections.configure_settings({"default": dict(primary), REPLICA: dict(cfg)})[REPLICA]
    connections[REPLICA] = load_backend(full["ENGINE"]).DatabaseWrapper(full, REPLICA)


def uninstall() -> None:
    connections[REPLICA].close()
    del connections[REPLICA]


@contextmanager
def stand_in(django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[dict]:
    """Create and migrate the stand-in replica; answer its settings; drop it after."""
    with django_db_blocker.unblock():
        primary = connections["default"].settings_dict
        cfg = {key: value for key, value in primary.items() if key != "TEST"}
        drop = None
        if connections["default"].vendor == "postgresql":
            import psycopg

            name = f"chibo_replica_{uuid.uuid4().hex[:8]}"
            params = {
                "host": primary["HOST"],
                "port": primary["PORT"] or 5432,
                "user": primary["USER"],
                "password": primary["PASSWORD"] or None,
                "dbname": primary["NAME"],
            }
            with psycopg.connect(**params, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')

            def drop() -> None:
                with psycopg.connect(**params, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

            cfg["NAME"] = name
        else:
            cfg["NAME"] = str(tmp_path_factory.mktemp("replica") / "replica.sqlite3")
            cfg["OPTIONS"] = {}
        cfg["CHIBO_MIGRATE"] = True  # a stand-in replica: give it the schema
        install(cfg)
        try:
            with override_settings(DATABASES={**django_settings.DATABASES, REPLICA: cfg}):
                call_command("migrate", database=REPLICA, verbosity=0)
            Group.objects.using(REPLICA).create(name="on-replica")
            uninstall()
            yield cfg
        finally:
            if REPLICA in connections.settings or hasattr(connections._connections, REPLICA):
                uninstall()
            if drop is not None:
                drop()
