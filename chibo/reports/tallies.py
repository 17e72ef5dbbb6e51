"""Monthly tallies of the dashboard's member events, kept by the database in the writing transaction.

The dashboard counts admissions, removals and expulsions over five years for
any org's subtree. Grouped per leaf org and month they barely compress (at
400k members: 897k groups for 940k events), so the tallies are kept per
**ancestor** instead: an event of org O on day D adds one to the row
``(ancestor A, month of D, unit U, kind, school level, category)`` for every
org A on O's path (O included), where U is the child of A on that path (A
itself for A's own events), and one to the same row with U = 0 (every unit:
what the trends read). A dashboard of org R reads only R's rows: per
unit for this year, per year for the trends — a few thousand rows for the
city, whatever the number of events.

Only what the dashboard shows is kept: ``kind`` is ``admitted``, ``removed``
or ``expelled``; for an admission ``school_level`` is the admitting org's
school level and ``category`` is ``student`` or ``pupil`` at a school org
(else ""); for a removal ``category`` is ``student`` for a student removed
for abandoning activity (else "") and ``school_level`` is "".

Who keeps them: triggers on ``members_memberevent`` (insert, delete, and an
update of the org, day, kind, reason or category; on PostgreSQL once per
statement, over its transition tables, so that a bulk insert groups its
events once), created by migration
``reports.0002_event_tally`` on SQLite and PostgreSQL, so that every way an
event is written — the services, imports' bulk insert, a deletion — updates
the tallies in the same transaction. A move of an org (``orgs.services.org_move``,
also inside a merge) rewrites its subtree's paths: ``moved`` (connected to
the ``OrgEvent`` saved by the move, in the same transaction) takes the
subtree's events off the old ancestors and adds them to the new ones.

The tallies place each event by *today's* tree; the reports place it by the
tree of the event's day. The dashboard reads a period from the tallies only
where both agree (``usable``): no org stood elsewhere than today during the
period, or the report's org is the only root and the figure is not split by
unit. Other periods are counted from the events as before.

``chibo tallies --verify`` recounts every tally from the events and names
the rows that differ; ``--rebuild`` recounts them (also the migration's
backfill).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connections, transaction

from chibo.orgs.models import STEP

TABLE = "reports_eventtally"
KINDS = ("admitted", "removed", "expelled")
# Ancestors are found by the prefixes of an org's path: up to this many levels.
MAX_DEPTH = 12
COLUMNS = "ancestor, ym, unit, kind, school_level, category"


def _kinds_sql() -> str:
    return ", ".join(f"'{k}'" for k in KINDS)


def _ym_sql(vendor: str, day: str) -> str:
    """Months since year 0 (year * 12 + month - 1) of a date expression."""
    if vendor == "postgresql":
        return f"(CAST(EXTRACT(YEAR FROM {day}) AS INTEGER) * 12 + CAST(EXTRACT(MONTH FROM {day}) AS INTEGER) - 1)"
    return f"(CAST(substr({day}, 1, 4) AS INTEGER) * 12 + CAST(substr({day}, 6, 2) AS INTEGER) - 1)"


def _level_sql(ev: str) -> str:
    return f"CASE WHEN {ev}.kind = 'admitted' THEN o.school_level ELSE '' END"


def _category_sql(ev: str) -> str:
    return (
        f"CASE WHEN {ev}.kind = 'admitted' AND o.school_level <> ''"
        f" AND {ev}.category_after IN ('student', 'pupil') THEN {ev}.category_after"
        f" WHEN {ev}.kind = 'removed' AND {ev}.reason = 'abandoned_activity'"
        f" AND {ev}.category_after = 'student' THEN 'student' ELSE '' END"
    )


def _keys_sql(vendor: str, ev: str, unit: str = "u.id") -> str:
    """The SELECT list of the tally keys of event ``ev`` (NEW or OLD in a row trigger), with
    ``o`` its org, ``a`` the ancestor and ``unit`` the unit (``u.id``, or ``0``: every unit)."""
    ym = _ym_sql(vendor, f"{ev}.effective_date")
    return f"a.id, {ym}, {unit}, {ev}.kind, {_level_sql(ev)}, {_category_sql(ev)}"


def _ancestors_sql(org: str) -> str:
    """Join ``a`` (every org on the path of ``o``, ``o`` included) and ``u`` (the child of ``a``
    on that path; ``a`` itself when ``a`` is ``o``)."""
    prefixes = ", ".join(f"substr({org}.path, 1, {STEP * i})" for i in range(1, MAX_DEPTH + 1))
    return (
        f" JOIN orgs_org a ON a.path IN ({prefixes})"
        f" JOIN orgs_org u ON u.path = substr({org}.path, 1, length(a.path) + {STEP})"
    )


def _upsert(vendor: str, select: str) -> str:
    return (
        f"INSERT INTO {TABLE} ({COLUMNS}, n) {select}"
        f" ON CONFLICT ({COLUMNS}) DO UPDATE SET n = {TABLE}.n + excluded.n"
    )


def _event_upsert(vendor: str, ev: str, sign: int) -> str:
    """Add ``sign`` to every tally of the event ``ev`` (NEW or OLD in a trigger): per unit, and
    for every unit (``unit = 0``: what the trends read)."""
    statements = []
    for unit in ("u.id", "0"):
        select = (
            f"SELECT {_keys_sql(vendor, ev, unit)}, {sign} FROM orgs_org o{_ancestors_sql('o')}"  # noqa: S608
            f" WHERE o.id = {ev}.org_id AND {ev}.kind IN ({_kinds_sql()})"
        )
        statements.append(_upsert(vendor, select))
    return "; ".join(statements)


def _grouped_upsert(vendor: str, events: str, where: str = "TRUE", sign: int = 1) -> str:
    """One statement adding ``sign`` times the tallies of the events of ``events`` (a table or a
    transition table, aliased ``e``) matching ``where``.

    Set-based in two steps: the events are first grouped per org and keys (``g``), then
    each group is added to the org's ancestors (``c``: found once per org, not once per
    event), per unit and for every unit (``unit = 0``).
    """
    ym = _ym_sql(vendor, "e.effective_date")
    groups = (
        f"SELECT e.org_id AS org, {ym} AS ym, e.kind AS kind, {_level_sql('e')} AS level,"  # noqa: S608
        f" {_category_sql('e')} AS category, COUNT(*) AS n"
        f" FROM {events} e JOIN orgs_org o ON o.id = e.org_id"
        f" WHERE e.kind IN ({_kinds_sql()}) AND {where} GROUP BY 1, 2, 3, 4, 5"
    )
    paths = (
        f"SELECT o.id AS org, a.id AS ancestor, u.id AS unit FROM orgs_org o{_ancestors_sql('o')}"  # noqa: S608
        " WHERE o.id IN (SELECT org FROM g)"
    )
    added = " UNION ALL ".join(
        f"SELECT c.ancestor, g.ym, {unit} AS unit, g.kind, g.level, g.category, SUM(g.n) AS n"  # noqa: S608
        f" FROM g JOIN c ON c.org = g.org GROUP BY c.ancestor, g.ym, {group}g.kind, g.level,"
        " g.category"
        for unit, group in (("c.unit", "c.unit, "), ("0", ""))
    )
    # (SQLite: a WHERE before ON CONFLICT, or the parser reads ON as a join's.)
    return (
        f"WITH g AS ({groups}), c AS ({paths}) INSERT INTO {TABLE} ({COLUMNS}, n)"  # noqa: S608
        f" SELECT ancestor, ym, unit, kind, level, category, {sign} * n FROM ({added}) AS t"
        f" WHERE TRUE ON CONFLICT ({COLUMNS}) DO UPDATE SET n = {TABLE}.n + excluded.n"
    )


def add_events_after(cursor: Any, vendor: str, after_id: int) -> None:
    """Add the events with ids above ``after_id`` to the tallies, in one statement: what a
    first import does instead of the triggers (``chibo.core.bulk.triggers_replaced``)."""
    cursor.execute(_grouped_upsert(vendor, "members_memberevent", "e.id > %s"), [after_id])


def _rows_upsert(vendor: str, rows: str, sign: int) -> str:
    """Add ``sign`` times the events of the table ``rows`` (a transition table) to their
    tallies, grouped (PostgreSQL's statement-level triggers)."""
    return _grouped_upsert(vendor, rows, sign=sign)


TRIGGERS = ("reports_tally_insert", "reports_tally_delete", "reports_tally_update")
_WATCHED = "org_id, effective_date, kind, reason, category_after"


def install_sql(vendor: str) -> list[str]:
    """The statements that (re)create the triggers keeping the tallies (idempotent)."""
    if vendor == "postgresql":
        # Statement-level triggers over the transition tables: a bulk insert of thousands of
        # events (an import, a seed) groups them once instead of running once per row.
        return [
            *(f"DROP TRIGGER IF EXISTS {t} ON members_memberevent" for t in TRIGGERS),
            f"""CREATE OR REPLACE FUNCTION reports_tally_event() RETURNS trigger
                LANGUAGE plpgsql AS $$
                BEGIN
                  IF TG_OP IN ('DELETE', 'UPDATE') THEN {_rows_upsert(vendor, "old_rows", -1)}; END IF;
                  IF TG_OP IN ('INSERT', 'UPDATE') THEN {_rows_upsert(vendor, "new_rows", 1)}; END IF;
                  RETURN NULL;
                END $$""",
            "CREATE TRIGGER reports_tally_insert AFTER INSERT ON members_memberevent"
            " REFERENCING NEW TABLE AS new_rows"
            " FOR EACH STATEMENT EXECUTE FUNCTION reports_tally_event()",
            "CREATE TRIGGER reports_tally_delete AFTER DELETE ON members_memberevent"
            " REFERENCING OLD TABLE AS old_rows"
            " FOR EACH STATEMENT EXECUTE FUNCTION reports_tally_event()",
            # (A trigger with transition tables takes no column list: every update statement;
            # rows whose keys did not change add and take away the same counts.)
            "CREATE TRIGGER reports_tally_update AFTER UPDATE ON members_memberevent"
            " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"
            " FOR EACH STATEMENT EXECUTE FUNCTION reports_tally_event()",
        ]
    return [
        *(f"DROP TRIGGER IF EXISTS {t}" for t in TRIGGERS),
        f"""CREATE TRIGGER reports_tally_insert AFTER INSERT ON members_memberevent
            BEGIN {_event_upsert(vendor, "NEW", 1)}; END""",
        f"""CREATE TRIGGER reports_tally_delete AFTER DELETE ON members_memberevent
            BEGIN {_event_upsert(vendor, "OLD", -1)}; END""",
        f"""CREATE TRIGGER reports_tally_update AFTER UPDATE OF {_WATCHED} ON members_memberevent
            BEGIN {_event_upsert(vendor, "OLD", -1)}; {_event_upsert(vendor, "NEW", 1)}; END""",
    ]


def uninstall_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [
            *(f"DROP TRIGGER IF EXISTS {t} ON members_memberevent" for t in TRIGGERS),
            "DROP FUNCTION IF EXISTS reports_tally_event()",
        ]
    return [f"DROP TRIGGER IF EXISTS {t}" for t in TRIGGERS]


def _recount_sql(vendor: str) -> str:
    """Every tally recounted from the events (rows: the keys, then n)."""
    return " UNION ALL ".join(
        f"SELECT {_keys_sql(vendor, 'e', unit)}, COUNT(*) FROM members_memberevent e"  # noqa: S608
        f" JOIN orgs_org o ON o.id = e.org_id{_ancestors_sql('o')}"
        f" WHERE e.kind IN ({_kinds_sql()})"
        f" GROUP BY {_keys_sql(vendor, 'e', unit).replace(', 0,', ',')}"
        for unit in ("u.id", "0")
    )


def install(connection: Any) -> None:
    """Create the triggers on ``connection`` (the migration; tests of the command)."""
    with connection.cursor() as cursor:
        for sql in install_sql(connection.vendor):
            cursor.execute(sql)


def rebuild(using: str = "default") -> int:
    """Recount every tally from the events (in one transaction; writers of events wait). The
    number of rows."""
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Event writers' triggers wait until the recount commits, then add their own.
            cursor.execute(f"LOCK TABLE {TABLE} IN EXCLUSIVE MODE")
        cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608 (constant)
        cursor.execute(_grouped_upsert(connection.vendor, "members_memberevent"))
        cursor.execute(f"SELECT COUNT(*) FROM {TABLE}")  # noqa: S608 (constant)
        return int(cursor.fetchone()[0])


def differences(using: str = "default") -> list[tuple[tuple[Any, ...], int, int]]:
    """Tallies that differ from a recount of the events: (keys, kept, recounted); [] when right."""
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute(f"SELECT {COLUMNS}, n FROM {TABLE} WHERE n <> 0")  # noqa: S608
        kept = {tuple(row[:-1]): row[-1] for row in cursor.fetchall()}
        cursor.execute(_recount_sql(connection.vendor))
        recounted = {tuple(row[:-1]): row[-1] for row in cursor.fetchall()}
    return [
        (keys, kept.get(keys, 0), recounted.get(keys, 0))
        for keys in sorted(set(kept) | set(recounted), key=repr)
        if kept.get(keys, 0) != recounted.get(keys, 0)
    ]


# --- an org moved: its subtree's events change ancestors ---------------------------


def moved(org: Any, old_parent: Any, using: str = "default") -> None:
    """``org`` (paths already rewritten) was under ``old_parent``: take its subtree's events off
    the old ancestors (``old_parent`` and above) and add them to the new ones.

    The ancestors inside the subtree are unchanged (the tallies key orgs by id).
    """
    connection = connections[using]
    # The subtree's events per month and keys: the tallies of the org itself as an ancestor.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT ym, kind, school_level, category, n FROM {TABLE}"  # noqa: S608
            " WHERE ancestor = %s AND unit = 0",
            [org.pk],
        )
        grouped = {tuple(keys): int(n) for *keys, n in cursor.fetchall() if n}
    if not grouped:
        return
    old = _path_units(old_parent.path, org.pk)
    new = _path_units(org.path[:-STEP], org.pk)
    rows = [
        (ancestor, ym, each, kind, level, category, sign * n)
        for sign, pairs in ((-1, old), (1, new))
        for ancestor, unit in pairs
        for each in (unit, 0)
        for (ym, kind, level, category), n in grouped.items()
    ]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {TABLE} ({COLUMNS}, n) VALUES (%s, %s, %s, %s, %s, %s, %s)"  # noqa: S608
            f" ON CONFLICT ({COLUMNS}) DO UPDATE SET n = {TABLE}.n + excluded.n",
            rows,
        )


def _path_units(parent_path: str, org_id: int) -> list[tuple[int, int]]:
    """(ancestor, unit) for every org on ``parent_path`` (the org's parent and above) with the
    unit leading down to ``org_id``."""
    from chibo.orgs.models import Org

    paths = [parent_path[:i] for i in range(STEP, len(parent_path) + 1, STEP)]
    ids = dict(Org.objects.filter(path__in=paths).values_list("path", "id"))
    out = []
    for i, path in enumerate(paths):
        below = paths[i + 1] if i + 1 < len(paths) else None
        out.append((ids[path], ids[below] if below else org_id))
    return out


# --- reading ------------------------------------------------------------------------


def ym(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def read(
    root_id: int, spans: dict[str, tuple[int, int, bool]], using: str
) -> tuple[dict[str, list[tuple[Any, ...]]], int]:
    """The tallies of ``root_id`` for each span ``name -> (first_ym, end_ym, by_unit)``
    (months ``first_ym <= ym < end_ym``), and the newest event id, in ONE statement (one
    snapshot: the tallies hold exactly the events up to that id).

    Rows per span: ``(unit or root_id, school_level, year, kind, category, n)``.
    """
    parts: list[str] = []
    params: list[Any] = []
    for name, (first, end, by_unit) in spans.items():
        if not name.isalpha():
            raise ValueError(name)
        unit, units = ("unit", "unit <> 0") if by_unit else ("ancestor", "unit = 0")
        parts.append(
            f"SELECT '{name}', {unit}, school_level, ym / 12, kind, category, SUM(n) FROM {TABLE}"  # noqa: S608
            f" WHERE ancestor = %s AND ym >= %s AND ym < %s AND {units}"
            f" GROUP BY {unit}, school_level, ym / 12, kind, category"
        )
        params += [root_id, first, end]
    parts.append("SELECT '', MAX(id), '', 0, '', '', 0 FROM members_memberevent")
    sql = " UNION ALL ".join(f"SELECT * FROM ({p}) t{i}" for i, p in enumerate(parts))  # noqa: S608
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    out: dict[str, list[tuple[Any, ...]]] = {name: [] for name in spans}
    upto = 0
    for name, unit, level, year, kind, category, n in fetched:
        if name == "":
            upto = int(unit or 0)
        elif n:
            out[name].append((unit, level, int(year), kind, category, int(n)))
    return out, upto
