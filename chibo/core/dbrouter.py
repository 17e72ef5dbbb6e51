"""Send the reads of reports to a PostgreSQL read replica, and nothing else.

``DATABASE_REPLICA_URL`` (settings) adds ``DATABASES["replica"]``; without it
everything stays on ``default`` and this module changes nothing.

Only code inside ``with reporting():`` reads from the replica. Interactive
pages, services and everything that writes stay on the primary, so a user
always sees what they have just saved (read-your-writes): a replica lags the
primary by a moment, which a city-wide report can afford and a form cannot.

    from chibo.core.dbrouter import reporting, reporting_alias

    with reporting():
        rows = list(Member.objects.filter(...))          # ORM reads -> replica
        with connections[reporting_alias()].cursor() as cur:  # raw SQL: ask for the alias
            ...

Writes are never routed to the replica (``db_for_write`` answers None ->
``default``), also inside ``reporting()``. Migrations run on ``default`` only:
a streaming replica gets the schema from the primary.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings

REPLICA = "replica"

_reporting: ContextVar[bool] = ContextVar("chibo_reporting", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def reporting() -> Iterator[None]:
    """Within this block, ORM reads go to the replica (when one is configured)."""
    token = _reporting.set(True)
    try:
        yield
    finally:
        _reporting.reset(token)


def in_reporting() -> bool:
    return _reporting.get()


def reporting_alias() -> str:
    """The database alias report reads use right now (for raw SQL cursors)."""
    return REPLICA if _reporting.get() and replica_configured() else "default"


class ReplicaRouter:
    """``DATABASE_ROUTERS`` entry: reads inside ``reporting()`` -> ``replica``."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        if _reporting.get() and replica_configured():
            return REPLICA
        return None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        # The replica holds the same rows as the primary.
        if {obj1._state.db, obj2._state.db} <= {"default", REPLICA}:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        # A real replica is read-only and follows the primary. A stand-in
        # replica (a second database on the same server, in tests) opts in
        # with DATABASES["replica"]["CHIBO_MIGRATE"] = True.
        if db == REPLICA:
            return bool(settings.DATABASES[REPLICA].get("CHIBO_MIGRATE", False))
        return None
