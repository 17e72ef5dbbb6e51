"""The dashboard's figures in the shared cache, keyed so that they are never stale nor shared.

The figures are kept in two entries, each with the versions it depends on,
so that a write renews only what it changes:

- **events** (admissions and removals: six of the figures, the costly part):
  the events grouped per unit and year (``figures.admission_rows`` and
  ``removal_rows``) and the newest event id they count. Events are
  append-only: when newer events exist, only those (``id > upto``, read by
  the primary key) are grouped and added to the entry, which is stored
  again. A member event anywhere costs the next dashboard a few index
  reads, not a recount; a meeting, an attendance sheet, a dues payment or a
  directive report does not touch this entry at all.
- **activity** (cells, missing meetings, cells without data, open warnings,
  overdue tasks: cheap counts): renewed by any new row of the tables they
  read and by the generation token (below). Who is on the rolls decides
  which cells are judged: the subtree's cells with members on the rolls are
  kept in a ``populated`` entry, brought up to date after newer events by
  probing only the cells those events' members have belonged to; the
  counts are renewed only if one of them was emptied or filled
  (``activity_counts``).

A key is made of:

- the report's org (id and path) and the day;
- the actor's scope: the path ranges of the capabilities the figures are
  counted under (hashed). Two users share an entry only when their scopes are
  the same set of subtrees; the system (``actor=None``) has its own entries;
- the org tree's version (the newest id of the org tables): a change of the
  tree recounts both entries;
- for the activity entry, the newest id of each table it reads (events
  excepted: see above) and a
  generation token renewed after a commit that changed a row in place (a
  meeting edited, a progress report submitted; see ``apps.py``).

All versions are read in one query of index-only ``MAX(id)`` lookups. ``TTL``
is a safety net: on PostgreSQL an event whose transaction took a lower id
but committed after a newer one was counted is missed by the increments
until the entry expires. Targets are not cached: the dashboard reads them
from the primary on every request.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import connections, transaction

from chibo.core.dbrouter import reporting_alias
from chibo.core.roles import Cap
from chibo.core.scoping import scope_for

TTL = 600  # seconds
PREFIX = "reports:dashboard:v3"  # v3: the activity entry keeps its events
GENERATION_KEY = f"{PREFIX}:generation"
EVENTS_TABLE = "members_memberevent"  # append-only: counted by increments
# The org tree: a change recounts everything.
TREE_TABLES = ("orgs_org", "orgs_orgevent", "orgs_orgperiod")
# Tables whose newest id versions the activity figures (meetings, warnings,
# directives' tasks and reports). Rows of these are never deleted except
# warnings, which the refresh deletes and writes anew.
ACTIVITY_TABLES = (
    "activity_meeting",
    "activity_memberwarning",
    "directives_task",
    "directives_assignment",
    "directives_progressreport",
)
VERSIONED_TABLES = (EVENTS_TABLE, *TREE_TABLES, *ACTIVITY_TABLES)
# The capabilities the dashboard's figures are counted under.
SCOPE_CAPS = (Cap.MEMBER_VIEW, Cap.DIRECTIVE_VIEW)


@dataclass(frozen=True)
class Versions:
    events: int  # the newest event id (0: none)
    tree: str
    activity: str


def versions() -> Versions:
    """The newest id of each versioned table (one query; each an index-only MAX on the primary key)."""
    # Warnings also by their oldest id: a refresh that only deletes changes one or the other.
    parts = [f"(SELECT MAX(id) FROM {table})" for table in VERSIONED_TABLES]  # noqa: S608
    parts.append("(SELECT MIN(id) FROM activity_memberwarning)")
    with connections[reporting_alias()].cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}")  # constant table names
        row = ["-" if v is None else str(v) for v in cursor.fetchone()]
    tree = 1 + len(TREE_TABLES)
    return Versions(
        events=int(row[0]) if row[0] != "-" else 0,
        tree=".".join(row[1:tree]),
        activity=".".join(row[tree:]),
    )


def data_version() -> str:
    """Every version as one string (changes with any new row of a versioned table)."""
    v = versions()
    return f"{v.events}.{v.tree}.{v.activity}"


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


def _key(kind: str, scope: str, root: Any, day: Any, *parts: Any) -> str:
    ident = [kind, root.pk, root.path, day.isoformat(), scope, *parts]
    return f"{PREFIX}:{hashlib.sha256(repr(ident).encode()).hexdigest()}"


@dataclass(frozen=True)
class Keys:
    """The entries of one dashboard: ``figures`` (the events' figures as shown, at the newest
    event), ``events`` (the grouped events, kept up to date by increments), ``activity``,
    and ``populated`` (the subtree's cells with members on the rolls, for any scope)."""

    figures: str
    events: str
    activity: str
    populated: str


def dashboard_keys(actor: Any, root: Any, day: Any, version: Versions | None = None) -> Keys:
    """The entries of ``root``'s figures on ``day`` for ``actor``'s scope, at the current versions."""
    version = version or versions()
    scope = scope_identity(actor)
    # Members on the rolls decide which cells are judged: the entry notes the events it
    # has seen and is renewed only when one of the newer events empties or fills a cell
    # (``activity_counts``).
    activity = _key("activity", scope, root, day, version.tree, version.activity, generation())
    events = _key("events", scope, root, day, version.tree)
    whole = hashlib.sha256(repr(["figures", events, version.events]).encode())
    populated = _key("populated", "any", root, day, version.tree)
    return Keys(
        figures=f"{PREFIX}:{whole.hexdigest()}",
        events=events,
        activity=activity,
        populated=populated,
    )


def dashboard_key(actor: Any, root: Any, day: Any) -> str:
    """The entry of ``root``'s event figures on ``day`` for ``actor``'s scope, at the current versions."""
    return dashboard_keys(actor, root, day).figures


def cached(key: str, compute: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """The value under ``key``, computed and stored when missing."""
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TTL)
    return value


Rows = dict[str, list[tuple[Any, ...]]]


def event_rows(
    key: str,
    upto: int,
    count: Callable[[tuple[int, int]], Rows],
    full: Callable[[int], tuple[Rows, int]] | None = None,
) -> Rows:
    """The grouped events with ids up to ``upto``, from the entry under ``key`` plus the newer ones.

    ``count((after, upto))`` groups the events with ``after < id <= upto``
    (``after=0``: all of them), as lists of rows whose last item is a count.
    ``full(upto)``, when given, counts them all instead (from the tallies) and
    returns the newest event id it counted (at least ``upto``).
    """
    entry = cache.get(key)
    if entry is not None and entry["upto"] == upto:
        return entry["rows"]
    if entry is None or entry["upto"] > upto:  # first call, or a replica behind the last one
        counted, upto = full(upto) if full is not None else (count((0, upto)), upto)
        rows = {name: _compact(r) for name, r in counted.items()}
    else:
        newer = count((entry["upto"], upto))
        rows = {name: _compact([*r, *newer.get(name, [])]) for name, r in entry["rows"].items()}
    cache.set(key, {"upto": upto, "rows": rows}, TTL)
    return rows


def _compact(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Rows with the same columns summed into one (the last item is the count)."""
    summed: dict[tuple[Any, ...], int] = {}
    for *columns, n in rows:
        summed[tuple(columns)] = summed.get(tuple(columns), 0) + n
    return [(*columns, n) for columns, n in summed.items()]


def activity_counts(
    keys: Keys,
    upto: int,
    compute: Callable[[set[int]], dict[str, Any]],
    populated: Callable[[set[int] | None], set[int]],
    touched: Callable[[tuple[int, int]], set[int]],
) -> dict[str, Any]:
    """The activity entry (``keys.activity``), valid at the newest event ``upto``;
    ``compute(cells)`` counts it given the populated cells.

    ``populated(None)``: the subtree's cells with members on the rolls now;
    ``populated(orgs)``: those among ``orgs``. ``touched((after, upto))``:
    every org the members of the events with ``after < id <= upto`` have
    belonged to (their events' orgs and their current org).

    The populated cells are kept in an entry of their own (``keys.populated``:
    per org and tree version, whatever the scope), brought up to date by
    probing only the touched orgs, with the newest event at which the set
    last changed. The activity entry is recomputed only when the set changed
    after the events it was computed at; a meeting edit recomputes it without
    probing the cells again.
    """
    state = cache.get(keys.populated)
    if state is None or state["upto"] > upto:  # unknown past: as if it changed now
        state = {"upto": upto, "cells": populated(None), "changed": upto}
        cache.set(keys.populated, state, TTL)
    elif state["upto"] < upto:
        orgs = touched((state["upto"], upto))
        cells = (state["cells"] - orgs) | (populated(orgs) if orgs else set())
        changed = upto if cells != state["cells"] else state["changed"]
        state = {"upto": upto, "cells": cells, "changed": changed}
        cache.set(keys.populated, state, TTL)
    entry = cache.get(keys.activity)
    if entry is None or not state["changed"] <= entry["upto"] <= upto:
        entry = {"upto": upto, "value": compute(state["cells"])}
        cache.set(keys.activity, entry, TTL)
    return entry["value"]
