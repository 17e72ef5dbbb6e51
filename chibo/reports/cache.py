"""The dashboard's figures in the shared cache, keyed so that they are never stale nor shared.

An entry belongs to one dashboard: the report's org (id and path), the day,
the actor's scope (the path ranges of the capabilities the figures are
counted under, hashed: two users share an entry only when their scopes are
the same set of subtrees; the system, ``actor=None``, has its own) and the
org tree's version (the newest id of the org tables: a change of the tree
counts everything again). A write renews only the entries of the
dashboards whose subtree holds the written org, and only for the figures
that depend on it:

- **figures** (admissions and removals: six of the figures) and **events**
  (what they are folded from: this year's admissions per unit, the other
  periods per year), each with the newest event id they count (``upto``).
  Events are append-only: when newer events exist, only those (``id >
  upto``, read by the primary key) are read, and only the ones of this
  subtree are folded into the entry (``event_figures``). A member event
  elsewhere only moves ``upto`` on; one in the subtree adds its unit's
  counts and ranks that unit among the units shown (the others' counts
  did not change). A meeting, an attendance sheet, a dues payment or a
  directive report does not touch these entries.
- **activity** (cells, missing meetings, cells without data, open warnings,
  overdue tasks: cheap counts, ``activity_counts``), valid while:

  - no row was added to the tables it reads in the subtree (the newest id
    of each, and for a newer one the orgs of the rows added since, read by
    the primary key);
  - no row was changed in place in the subtree in a way the counts read
    (a meeting's org, type or month, a report's status, a cell's tracking
    start: ``apps.py`` compares the row before and after): the **tokens**
    of the org and of each of its ancestors are renewed after the commit,
    and an entry keeps the token of its own org. A daily warnings refresh
    renews the **generation** token that every entry keeps;
  - the subtree's cells with members on the rolls are the same set
    (``activity.selectors.populated_state``: kept up to date by probing
    only the cells the newer events' members have belonged to).

All versions are read in one query of index-only ``MAX(id)`` lookups, and a
dashboard's entries and tokens in one read of the cache. ``TTL`` is a safety
net: on PostgreSQL an event whose transaction took a lower id but committed
after a newer one was counted is missed by the increments until the entry
expires. Targets are not cached: the dashboard reads them from the primary
on every request.
"""

from __future__ import annotations

import hashlib
import heapq
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import connections, transaction

from chibo.activity.selectors import populated_key, populated_state
from chibo.core.dbrouter import reporting_alias
from chibo.core.roles import Cap
from chibo.core.scoping import scope_for
from chibo.orgs.models import STEP

TTL = 600  # seconds
PREFIX = "reports:dashboard:v5"  # v5: entries per subtree, renewed by writes in it
GENERATION_KEY = f"{PREFIX}:generation"
TOKEN_PREFIX = f"{PREFIX}:org"
EVENTS_TABLE = "members_memberevent"  # append-only: counted by increments
# The org tree: a change recounts everything.
TREE_TABLES = ("orgs_org", "orgs_orgevent", "orgs_orgperiod")
# Tables whose newest id versions the activity figures (meetings, warnings, directives'
# tasks and reports), each with the SQL of the paths of the orgs of its rows in an id
# range (None: the rows have no org, and a new one renews every entry). Rows of these are
# never deleted except warnings, which the refresh deletes and writes anew.
_ORG_OF = "SELECT DISTINCT o.path FROM {table} t JOIN orgs_org o ON o.id = t.org_id"
ACTIVITY_TABLES: dict[str, str | None] = {
    "activity_meeting": _ORG_OF,
    "activity_memberwarning": _ORG_OF,
    "directives_task": None,
    "directives_assignment": _ORG_OF,
    "directives_progressreport": (
        "SELECT DISTINCT o.path FROM {table} t"
        " JOIN directives_assignment a ON a.id = t.assignment_id"
        " JOIN orgs_org o ON o.id = a.org_id"
    ),
}
VERSIONED_TABLES = (EVENTS_TABLE, *TREE_TABLES, *ACTIVITY_TABLES)
# The capabilities the dashboard's figures are counted under.
SCOPE_CAPS = (Cap.MEMBER_VIEW, Cap.DIRECTIVE_VIEW)


@dataclass(frozen=True)
class Versions:
    events: int  # the newest event id (0: none)
    tree: str
    # The newest id of each activity table, then the oldest warning's (a refresh that
    # only deletes changes one or the other).
    activity: tuple[int, ...]


def versions() -> Versions:
    """The newest id of each versioned table (one query; each an index-only MAX on the primary key)."""
    parts = [f"(SELECT MAX(id) FROM {table})" for table in VERSIONED_TABLES]  # noqa: S608
    parts.append("(SELECT MIN(id) FROM activity_memberwarning)")
    with connections[reporting_alias()].cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}")  # constant table names
        row = [v or 0 for v in cursor.fetchone()]
    tree = 1 + len(TREE_TABLES)
    return Versions(
        events=int(row[0]),
        tree=".".join(str(v) for v in row[1:tree]),
        activity=tuple(int(v) for v in row[tree:]),
    )


def data_version() -> str:
    """Every version as one string (changes with any new row of a versioned table)."""
    v = versions()
    return f"{v.events}.{v.tree}.{'.'.join(str(n) for n in v.activity)}"


def scope_identity(actor: Any) -> str:
    """A hash of the subtrees ``actor`` may see for each capability of the figures."""
    if actor is None:
        return "system"
    ranges = [(cap, scope_for(actor, cap).ranges) for cap in SCOPE_CAPS]
    return hashlib.sha256(repr(ranges).encode()).hexdigest()[:32]


def generation() -> str:
    return cache.get(GENERATION_KEY) or "0"


def bump_generation(**_kwargs: Any) -> None:
    """Renew the generation token (every entry) once the current transaction commits (a signal receiver)."""
    transaction.on_commit(lambda: cache.set(GENERATION_KEY, uuid.uuid4().hex, None))


def token_key(path: str) -> str:
    """The token of the org at ``path``: renewed by a change in its subtree."""
    return f"{TOKEN_PREFIX}:{path}"


def bump_orgs(paths: Iterable[str | None], using: str | None = None) -> None:
    """Rows of the orgs at ``paths`` changed in place: once the transaction commits, renew
    the tokens of those orgs and of each of their ancestors (the dashboards whose subtree
    holds them). ``None`` (a row without an org): every entry, through the generation."""
    paths = set(paths)
    if None in paths:
        bump_generation()
        paths.discard(None)
    keys = {token_key(p[:i]) for p in paths if p for i in range(STEP, len(p) + 1, STEP)}
    if keys:
        transaction.on_commit(
            lambda: cache.set_many(dict.fromkeys(keys, uuid.uuid4().hex), None), using=using
        )


def _key(kind: str, scope: str, root: Any, day: Any, *parts: Any) -> str:
    ident = [kind, root.pk, root.path, day.isoformat(), scope, *parts]
    return f"{PREFIX}:{hashlib.sha256(repr(ident).encode()).hexdigest()}"


@dataclass(frozen=True)
class Keys:
    """The entries of one dashboard: ``figures`` (the events' figures as shown, with the
    newest event they count), ``events`` (what they are folded from), ``activity``, and the
    ``tokens`` it depends on (the generation and its org's)."""

    figures: str
    events: str
    activity: str
    tokens: tuple[str, str]
    populated: str  # ``activity.selectors.populated_state``'s entry of the subtree


def dashboard_keys(actor: Any, root: Any, day: Any, version: Versions | None = None) -> Keys:
    """The entries of ``root``'s figures on ``day`` for ``actor``'s scope, at the tree's version."""
    version = version or versions()
    scope = scope_identity(actor)
    return Keys(
        figures=_key("figures", scope, root, day, version.tree),
        events=_key("events", scope, root, day, version.tree),
        activity=_key("activity", scope, root, day, version.tree),
        tokens=(GENERATION_KEY, token_key(root.path)),
        populated=populated_key(root, version.tree),
    )


def dashboard_key(actor: Any, root: Any, day: Any) -> str:
    """The entry of ``root``'s event figures on ``day`` for ``actor``'s scope."""
    return dashboard_keys(actor, root, day).figures


def read(keys: Keys) -> dict[str, Any]:
    """The dashboard's figures and activity entries, its tokens and where its populated
    cells stand, in one read."""
    return cache.get_many([keys.figures, keys.activity, *keys.tokens, keys.populated])


Rows = dict[str, list[tuple[Any, ...]]]


def compact(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Rows with the same columns summed into one (the last item is the count)."""
    summed: dict[tuple[Any, ...], int] = {}
    for *columns, n in rows:
        summed[tuple(columns)] = summed.get(tuple(columns), 0) + n
    return [(*columns, n) for columns, n in summed.items()]


@dataclass
class Ranked:
    """Counts per unit (``[total, school students, school pupils]``) kept with the first
    ``limit`` units in the order shown (most admissions, then by code) and their labels.

    Counts only grow (events are append-only): after an increment the first units are
    among the first before and the units whose counts grew, so only those are ranked
    again (``add``)."""

    by_unit: dict[int, list[int]]
    top: list[int]
    labels: dict[int, tuple[str, str]]

    @classmethod
    def of(
        cls,
        by_unit: dict[int, list[int]],
        limit: int,
        labels: Callable[[Iterable[int]], dict[int, tuple[str, str]]],
    ) -> Ranked:
        names = labels(by_unit)
        top = _first(by_unit, by_unit, names, limit)
        return cls(by_unit, top, {u: names[u] for u in top})

    def add(
        self,
        grown: dict[int, list[int]],
        limit: int,
        labels: Callable[[Iterable[int]], dict[int, tuple[str, str]]],
    ) -> None:
        for unit, (n, students, pupils) in grown.items():
            acc = self.by_unit.setdefault(unit, [0, 0, 0])
            acc[0] += n
            acc[1] += students
            acc[2] += pupils
        unknown = [u for u in grown if u not in self.labels]
        names = {**self.labels, **(labels(unknown) if unknown else {})}
        self.top = _first(self.by_unit, {*self.top, *grown}, names, limit)
        self.labels = {u: names[u] for u in self.top}

    def summary(self) -> dict[str, Any]:
        """What the figures show of it: the first units with their counts and labels, and
        how many units have any."""
        return {
            "top": [(u, tuple(self.by_unit[u])) for u in self.top],
            "labels": dict(self.labels),
            "units": len(self.by_unit),
        }


def _first(
    by_unit: dict[int, list[int]],
    units: Iterable[int],
    names: dict[int, tuple[str, str]],
    limit: int,
) -> list[int]:
    return heapq.nsmallest(limit, units, key=lambda u: (-by_unit[u][0], names[u][0]))


def event_figures(
    keys: Keys,
    entries: dict[str, Any],
    upto: int,
    newer: Callable[[tuple[int, int]], Rows],
    counted: Callable[[int], dict[str, Any]],
    add: Callable[[dict[str, Any], Rows], None],
    shown: Callable[[dict[str, Any]], dict[str, Any]],
    ranked_rows: str = "admissions_now",
) -> dict[str, Any]:
    """The figures shown, counting the events with ids up to ``upto``.

    ``entries``: what ``read`` found. ``newer((after, upto))``: the events of the subtree
    with ``after < id <= upto``, grouped (empty lists: none of them is in the subtree).
    ``counted(upto)``: the state the figures are folded from, counted whole: ``"upto"``
    (the newest event id it counts, at least ``upto``), ``"ranked"`` (a ``Ranked``: the
    counts per unit of the rows ``ranked_rows``), and small plain values; ``add(state,
    rows)`` folds newer rows into it (``state["ranked"]`` is loaded only when they include
    ``ranked_rows``, else None); ``shown(state)``: the figures, from the plain values and
    ``state["summary"]`` (``Ranked.summary``).

    The figures entry holds the figures, the plain values and the summary, with the newest
    event it counts; the counts per unit (a city: thousands) are stored apart, once under
    the event they count up to (``"ranked_at"``), never changed: an increment that adds to
    them stores a new entry and drops the old, so two processes adding the same events at
    once cannot mix them. A removal, or an admission in another subtree, reads none of them.
    """
    entry = entries.get(keys.figures)
    if entry is not None and entry["upto"] == upto:
        return entry["value"]
    state: dict[str, Any] | None = None
    ranked_at = entry["ranked_at"] if entry is not None else None
    if entry is not None and entry["upto"] < upto:
        rows = newer((entry["upto"], upto))
        if not any(rows.values()):  # none in this subtree: the figures stand
            cache.set(keys.figures, {**entry, "upto": upto}, TTL)
            return entry["value"]
        state = {**entry["state"], "upto": upto, "ranked": None}
        if rows.get(ranked_rows):
            state["ranked"] = cache.get(f"{keys.events}:{ranked_at}")
            if state["ranked"] is None:  # expired: counted again below
                state = None
        if state is not None:
            add(state, rows)
            if state["ranked"] is not None:
                state["summary"] = state["ranked"].summary()
    if state is None:  # first call, a replica behind the last one, or an entry expired
        state = counted(upto)
        state["summary"] = state["ranked"].summary()
    ranked = state.pop("ranked")
    value = shown(state)
    stored: dict[str, Any] = {}
    if ranked is not None:
        stored[f"{keys.events}:{state['upto']}"] = ranked
    kept_at = state["upto"] if ranked is not None else ranked_at
    stored[keys.figures] = {
        "upto": state["upto"],
        "value": value,
        "state": state,
        "ranked_at": kept_at,
    }
    cache.set_many(stored, TTL)
    if ranked_at is not None and ranked_at != kept_at:
        cache.delete(f"{keys.events}:{ranked_at}")
    return value


def _rows_paths(table: str, after: int, upto: int) -> set[str] | None:
    """The paths of the orgs of ``table``'s rows with ``after < id <= upto`` (None: no org)."""
    sql = ACTIVITY_TABLES[table]
    if sql is None:
        return None
    with connections[reporting_alias()].cursor() as cursor:
        cursor.execute(f"{sql.format(table=table)} WHERE t.id > %s AND t.id <= %s", [after, upto])
        return {path for (path,) in cursor.fetchall()}


def _added_elsewhere(root: Any, before: tuple[int, ...], now: tuple[int, ...]) -> bool:
    """Whether every row added to the activity tables between the versions ``before`` and
    ``now`` belongs to an org outside ``root``'s subtree (and no warning was deleted)."""
    if len(before) != len(now) or before[-1] != now[-1]:  # the oldest warning: deleted
        return False
    for table, old, new in zip(ACTIVITY_TABLES, before, now, strict=False):
        if new == old:
            continue
        if new < old:
            return False
        paths = _rows_paths(table, old, new)
        if paths is None or any(root.path <= p < root.path_bound for p in paths):
            return False
    return True


def activity_counts(
    keys: Keys,
    entries: dict[str, Any],
    root: Any,
    version: Versions,
    changed: Callable[[], int],
    compute: Callable[[], dict[str, Any]],
) -> dict[str, Any]:
    """The activity entry (``keys.activity``), valid at ``version``.

    ``changed()``: the newest event at which the subtree's set of cells with members on
    the rolls last changed (``activity.selectors.populated_state``); ``compute()``: the
    counts. The entry is kept while its tokens stand, the rows added since to the tables
    it reads belong to other subtrees (then it is stored again at the new versions, so
    the next read compares nothing), and the set of populated cells has not changed
    since the events it was counted at (read with the entry: nothing to store).
    """
    tokens = tuple(entries.get(k) or "0" for k in keys.tokens)
    entry = entries.get(keys.activity)
    if entry is not None and entry["tokens"] == tokens and entry["upto"] <= version.events:
        same = entry["versions"] == version.activity
        if (same or _added_elsewhere(root, entry["versions"], version.activity)) and (
            entry["upto"] == version.events or changed() <= entry["upto"]
        ):
            if not same:  # stored at the new versions: the next read compares nothing
                cache.set(keys.activity, {**entry, "versions": version.activity}, TTL)
            return entry["value"]
    # The events counted are those up to the versions read before the counts.
    value = compute()
    entry = {
        "tokens": tokens,
        "versions": version.activity,
        "upto": version.events,
        "value": value,
    }
    cache.set(keys.activity, entry, TTL)
    return value


def overview_counts(
    actor: Any, root: Any, day: Any, compute: Callable[[], dict[str, Any]]
) -> dict[str, Any]:
    """The activity overview's counts of ``root`` (``activity.selectors.overview_counts``:
    the cells that skipped meetings, the cells without data, the warnings per level), kept
    like the dashboard's activity entry and renewed by the same writes (``activity_counts``:
    a new meeting or warning in the subtree, a meeting or tracking start changed in place,
    a warnings refresh, a change of the populated cells or of the tree). An attendance
    sheet or a dues payment, which the counts do not read, keeps it. Set as
    ``activity.signals.overview_keeper`` by ``ReportsConfig.ready``."""
    version = versions()
    keys = dashboard_keys(actor, root, day, version)
    keys = Keys(
        figures=keys.figures,
        events=keys.events,
        activity=f"{keys.activity}:overview",
        tokens=keys.tokens,
        populated=keys.populated,
    )
    entries = cache.get_many([keys.activity, *keys.tokens, keys.populated])

    def changed() -> int:
        stored = entries.get(keys.populated)
        return populated_state(root, (version.events, version.tree), stored).changed

    return activity_counts(keys, entries, root, version, changed, compute)
