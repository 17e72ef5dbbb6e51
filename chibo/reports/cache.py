"""The dashboard's figures in the shared cache, keyed so that they are never stale nor shared.

A key is made of:

- the report's org (id and path) and the day;
- the actor's scope: the path ranges of the capabilities the figures are
  counted under (hashed). Two users share an entry only when their scopes are
  the same set of subtrees; the system (``actor=None``) has its own entries;
- the data version: the newest id of every table the figures read (each an
  index-only ``MAX(id)`` on the primary key, one round trip), and a generation
  token renewed after a commit that changed a row in place (a meeting edited,
  a progress report submitted; see ``apps.py``). Any new event, meeting,
  warning, org change or directive row gives new keys; old entries expire.

``TTL`` is only a safety net. Targets are not cached: the dashboard reads
them from the primary on every request.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import connections, transaction

from chibo.core.dbrouter import reporting_alias
from chibo.core.roles import Cap
from chibo.core.scoping import scope_for

TTL = 600  # seconds
PREFIX = "reports:dashboard:v1"
GENERATION_KEY = f"{PREFIX}:generation"
# Tables whose newest id versions the figures (events, the org tree, meetings,
# warnings, directives' tasks and reports). Rows of these are never deleted
# except warnings, which the refresh deletes and writes anew.
VERSIONED_TABLES = (
    "members_memberevent",
    "orgs_org",
    "orgs_orgevent",
    "orgs_orgperiod",
    "activity_meeting",
    "activity_memberwarning",
    "directives_task",
    "directives_assignment",
    "directives_progressreport",
)
# The capabilities the dashboard's figures are counted under.
SCOPE_CAPS = (Cap.MEMBER_VIEW, Cap.DIRECTIVE_VIEW)


def data_version() -> str:
    """The newest id of each versioned table (one query; each an index-only MAX on the primary key)."""
    # Warnings also by their oldest id: a refresh that only deletes changes one or the other.
    parts = [f"(SELECT MAX(id) FROM {table})" for table in VERSIONED_TABLES]  # noqa: S608
    parts.append("(SELECT MIN(id) FROM activity_memberwarning)")
    with connections[reporting_alias()].cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}")  # constant table names
        row = cursor.fetchone()
    return ".".join("-" if v is None else str(v) for v in row)


def scope_identity(actor: Any) -> str:
    """A hash of the subtrees ``actor`` may see for each capability of the figures."""
    if actor is None:
        return "system"
    ranges = [(cap, scope_for(actor, cap).ranges) for cap in SCOPE_CAPS]
    return hashlib.sha256(repr(ranges).encode()).hexdigest()[:32]


def generation() -> str:
    return cache.get(GENERATION_KEY) or "0"


def bump_generation(**_kwargs: Any) -> None:
    """Renew the generation token once the current transaction commits (a signal receiver)."""
    transaction.on_commit(lambda: cache.set(GENERATION_KEY, uuid.uuid4().hex, None))


def dashboard_key(actor: Any, root: Any, day: Any) -> str:
    """The entry of ``root``'s figures on ``day`` for ``actor``'s scope at the current data version."""
    parts = [
        root.pk,
        root.path,
        day.isoformat(),
        scope_identity(actor),
        data_version(),
        generation(),
    ]
    return f"{PREFIX}:{hashlib.sha256(repr(parts).encode()).hexdigest()}"


def cached(key: str, compute: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """The value under ``key``, computed and stored when missing."""
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TTL)
    return value
