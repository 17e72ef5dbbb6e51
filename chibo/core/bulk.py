"""Inserting many rows below the ORM's per-object cost, inside the caller's transaction.

SQLite: ``executemany`` (~10× ``bulk_create``); PostgreSQL: ``COPY`` through
psycopg 3 (shared/NOTES.md). A batch at least as large as its table is
inserted with the table's plain indexes dropped and rebuilt before commit
(``indexes_deferred``): one sort instead of ~15 random B-tree inserts per
member, about a fifth of a first import's time on SQLite; on PostgreSQL the
table's own foreign keys go too and come back validated by one join each
(kept, Django's deferred keys queue a check per row, run at commit: the
server's time of a first import doubles). Primary keys are reserved up front so events can
point at their member without reading ids back: on PostgreSQL from the
sequence (``nextval``), on SQLite from the table's AUTOINCREMENT counter,
which is safe because chibo's SQLite transactions are IMMEDIATE (the write
lock is held from BEGIN).

Triggers that keep other rows from a table (reports' event tallies) would run
once per inserted row (SQLite) or group every batch again: an app registers them
with ``triggers_replaced``, and the first-import path turns them off and adds the
whole batch with one set-based statement before commit instead.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from typing import Any

from django.db import connection, models


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    if count <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            if count > 1 and _held_alone(cursor, table):
                return _reserve_block(cursor, table, count)
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return sorted(row[0] for row in cursor.fetchall())
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        top = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        start = max(top, row[0] if row else 0) + 1
    return list(range(start, start + count))


def _held_alone(cursor: Any, table: str) -> bool:
    """PostgreSQL: does this transaction hold ``table`` alone (``_deferred_postgresql``'s
    ACCESS EXCLUSIVE lock)? Then no other transaction can add rows to it before commit."""
    cursor.execute(
        "SELECT 1 FROM pg_locks WHERE locktype = 'relation' AND relation = %s::regclass "
        "AND pid = pg_backend_pid() AND mode = 'AccessExclusiveLock' AND granted",
        [table],
    )
    return cursor.fetchone() is not None


def _reserve_block(cursor: Any, table: str, count: int) -> list[int]:
    """``count`` consecutive ids of ``table``'s sequence in three statements, where
    ``nextval`` once per id costs 3-6 µs each on the server (0.3-0.6 s for a first import
    of 100,000 members, before anything else can start).

    ``ALTER SEQUENCE`` locks the sequence against every other ``nextval`` until this
    transaction ends, so nobody can take an id inside the block; used only while the
    transaction holds the table alone anyway (``_held_alone``: no one else can insert
    into it meanwhile). The ALTER is transactional: a rollback puts the sequence back,
    and the ids of the block, used by no committed row, are handed out again later.
    """
    cursor.execute(
        "SELECT s.seqrelid::regclass::text, s.seqincrement FROM pg_sequence s "
        "WHERE s.seqrelid = pg_get_serial_sequence(%s, 'id')::regclass",
        [table],
    )
    sequence, step = cursor.fetchone()
    if step != 1:  # not one of Django's: one nextval per id
        cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [sequence, count])
        return sorted(row[0] for row in cursor.fetchall())
    name = sequence  # from the catalogue (regclass text: quoted where it needs to be)
    cursor.execute(f"ALTER SEQUENCE {name} INCREMENT BY 1")  # the lock, before the first id
    cursor.execute("SELECT nextval(%s)", [sequence])
    first = cursor.fetchone()[0]
    cursor.execute(f"ALTER SEQUENCE {name} INCREMENT BY {int(count) - 1}")
    cursor.execute("SELECT nextval(%s)", [sequence])
    last = cursor.fetchone()[0]
    cursor.execute(f"ALTER SEQUENCE {name} INCREMENT BY 1")
    assert last == first + count - 1, (first, last, count)
    return list(range(first, last + 1))


def adapters() -> tuple[Callable[[dt.date | None], Any], Any, Callable[[Any], Any]]:
    """(date adapter, adapted 'now', JSON adapter) for the current database."""
    from django.utils import timezone

    now = timezone.now()
    if connection.vendor == "postgresql":
        return (lambda d: d), now, (lambda v: json.dumps(v, ensure_ascii=False))
    return (
        (lambda d: d.isoformat() if d is not None else None),
        connection.ops.adapt_datetimefield_value(now),
        (lambda v: json.dumps(v, ensure_ascii=False)),
    )


def prepare() -> None:
    """SQLite: a larger page cache for this connection, so index inserts stay in memory."""
    if connection.vendor == "sqlite":
        null_adapted()
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size=-131072")  # 128 MB


def null_adapted() -> None:
    """Python's sqlite3 looks up an adapter for every parameter that is not an exact int,
    float, str or bytes; for ``None`` it finds none, builds an AttributeError (asking
    ``__conform__``) and drops it, about 110 ns per NULL, ~7.5 NULLs per imported member
    (3.6 % of a whole import's instructions, issue 22). Registering ``None``'s adapter
    (``{}.get``: ``None`` for ``None``, in C) makes it one dictionary hit; the value bound is
    NULL as before. Process-wide, as sqlite3's adapters are, and the same for every query."""
    import sqlite3

    sqlite3.register_adapter(type(None), _NONE_ADAPTER)


_NONE_ADAPTER: Callable[[None], None] = dict[None, None]().get


# Rows per executemany on SQLite (COPY streams).
BATCH = 50_000


def _column_types(cursor: Any, table: str, columns: Sequence[str]) -> list[int]:
    """The type OIDs of ``columns`` (quoted names) of ``table``, for a binary ``COPY``."""
    cursor.execute(
        "SELECT attname, atttypid::int FROM pg_attribute "
        "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
        [table],
    )
    found = dict(cursor.fetchall())
    return [found[column.strip('"')] for column in columns]


@cache
def _json_text_dumper() -> type:
    """psycopg's binary ``jsonb`` for JSON already serialised (``adapters()``): a version
    byte and the text, where psycopg's own dumper would serialise the string again."""
    from psycopg.adapt import Dumper
    from psycopg.pq import Format

    class JsonText(Dumper):
        format = Format.BINARY
        oid = 3802  # jsonb

        def dump(self, obj: Any) -> bytes:
            return b"\x01" + str(obj).encode()

    return JsonText


def insert(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[tuple[Any, ...]],
    *,
    binary: bool = False,
) -> int:
    """Insert ``rows`` (tuples in ``fields`` order) into ``model``'s table; returns how many.

    The one raw bulk insert: the importer, the demo loaders and the activity seed use it.
    ``binary``: the values are what ``adapters()`` gives (dates, datetimes, ints, bools,
    JSON as text), so PostgreSQL's ``COPY`` may take them in its binary format
    (``insert_rows``).
    """
    quote = connection.ops.quote_name
    columns = [quote(model._meta.get_field(name).column) for name in fields]  # type: ignore[union-attr, arg-type]
    return insert_rows(quote(model._meta.db_table), columns, rows, binary=binary)


def insert_rows(
    table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]], *, binary: bool = False
) -> int:
    """``insert`` by (quoted) table and column names: COPY on PostgreSQL, executemany on SQLite.

    ``binary`` (PostgreSQL): ``COPY … (FORMAT BINARY)`` with the columns' types read from
    the catalogue: no value is printed as text by psycopg and parsed back by the server
    (a 100,000-member import: 0.7 s less of the client's CPU). Only for rows whose values
    are the columns' own Python types (``adapters()``): an ISO date string, which text
    ``COPY`` accepts, is refused.
    """
    count = 0
    names = ", ".join(columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor
            if binary:
                types = _column_types(cursor, table, columns)
                raw.adapters.register_dumper(None, _json_text_dumper())
                statement = f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)"
            else:
                statement = f"COPY {table} ({names}) FROM STDIN"
            # A worker thread sends the buffers and waits on the socket (without the GIL)
            # while this one goes on formatting rows, and the caller producing them: the
            # server's COPY runs alongside the client's work, not after it (issue 22).
            from psycopg.copy import QueuedLibpqWriter

            with raw.copy(statement, writer=QueuedLibpqWriter(raw)) as copy:
                if binary:
                    copy.set_types(types)
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        null_adapted()
        marks = ", ".join(["%s"] * len(columns))
        # Names come from the models' metadata; values are parameters.
        sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608
        batch: list[tuple[Any, ...]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def insert_batches(
    tables: Sequence[tuple[type[models.Model], Sequence[str]]],
    batches: Iterable[Sequence[Sequence[tuple[Any, ...]]]],
) -> list[int]:
    """Insert ``batches``, each one list of rows per table of ``tables`` ((model, fields), in
    that order; values as ``adapters()`` gives them, for a binary COPY); returns the rows
    added per table.

    PostgreSQL: a worker thread COPYs batch k (one COPY per table, the connection's own
    psycopg connection, so inside the caller's transaction) while ``batches`` builds batch
    k+1 in the caller's thread: the server stores rows while the client encrypts and builds
    the next ones, and the socket waits release the GIL (issue 22). A query the caller's
    thread makes meanwhile waits for the current COPY (psycopg's connection lock). An error
    on either side stops both: the worker is joined before it propagates, so the caller's
    rollback finds the connection idle. SQLite: ``insert`` per table, in turn.
    """
    counts = [0] * len(tables)
    if connection.vendor != "postgresql":
        for batch in batches:
            for n, ((model, fields), rows) in enumerate(zip(tables, batch, strict=True)):
                counts[n] += insert(model, fields, rows, binary=True)
        return counts
    import queue
    import threading

    quote = connection.ops.quote_name
    statements = []
    with connection.cursor() as cursor:
        for model, fields in tables:
            table = quote(model._meta.db_table)
            columns = [quote(model._meta.get_field(name).column) for name in fields]  # type: ignore[union-attr, arg-type]
            statements.append(
                (
                    f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)",
                    _column_types(cursor, table, columns),
                )
            )
    raw = connection.connection  # psycopg's: thread-safe, one operation at a time
    waiting: queue.Queue[Sequence[Sequence[tuple[Any, ...]]] | None] = queue.Queue(maxsize=2)
    failed: list[BaseException] = []

    def work() -> None:
        try:
            while (batch := waiting.get()) is not None:
                for n, ((statement, types), rows) in enumerate(zip(statements, batch, strict=True)):
                    with raw.cursor() as cursor:
                        cursor.adapters.register_dumper(None, _json_text_dumper())
                        with cursor.copy(statement) as copy:
                            copy.set_types(types)
                            for row in rows:
                                copy.write_row(row)
                    counts[n] += len(rows)
        except BaseException as exc:  # handed to the caller's thread
            failed.append(exc)
            while waiting.get() is not None:  # the caller never blocks on a full queue
                pass

    worker = threading.Thread(target=work, name="chibo-bulk-copy", daemon=True)
    worker.start()
    try:
        for batch in batches:
            if failed:
                break
            waiting.put(batch)
    finally:
        waiting.put(None)
        worker.join()
    if failed:
        with connection.wrap_database_errors:  # psycopg's error as Django's (DataError, …)
            raise failed[0]
    return counts


# table -> (trigger names, catch_up(cursor, vendor, after_id)): triggers that a first import
# replaces by one set-based statement over the rows it added (ids above ``after_id``).
_TRIGGERS: dict[str, tuple[tuple[str, ...], Callable[[Any, str, int], None]]] = {}


def triggers_replaced(
    table: str, names: Sequence[str], catch_up: Callable[[Any, str, int], None]
) -> None:
    """Register the triggers ``names`` on ``table``: while ``indexes_deferred`` loads the table
    without its indexes they are off, and ``catch_up(cursor, vendor, after_id)`` then does
    their work for the rows with ids above ``after_id`` (the table's largest id before the
    load), in the same transaction (apps' ``ready``; the apps above core register)."""
    _TRIGGERS[table] = (tuple(names), catch_up)


def _triggers_off(cursor: Any, table: str) -> tuple[int, list[str]] | None:
    """Turn off ``table``'s registered triggers (inside the caller's transaction: a rollback
    restores them); returns (the largest id before, what turns them back on), or None."""
    if table not in _TRIGGERS:
        return None
    names = list(_TRIGGERS[table][0])
    quote = connection.ops.quote_name
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {quote(table)}")  # noqa: S608 — a model's table
    top = int(cursor.fetchone()[0])
    if connection.vendor == "postgresql":
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND tgname = ANY(%s)",
            [table, names],
        )
        found = [row[0] for row in cursor.fetchall()]
        for name in found:
            cursor.execute(f"ALTER TABLE {quote(table)} DISABLE TRIGGER {quote(name)}")
        return top, [f"ALTER TABLE {quote(table)} ENABLE TRIGGER {quote(name)}" for name in found]
    cursor.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
        [table],
    )
    again = []
    for name, sql in cursor.fetchall():
        if name in names:
            cursor.execute(f"DROP TRIGGER {quote(name)}")
            again.append(sql)
    return top, again


def _triggers_on(cursor: Any, table: str, off: tuple[int, list[str]] | None) -> None:
    """Do the registered triggers' work for the rows loaded meanwhile, then turn them on."""
    if off is None:
        return
    top, again = off
    if again:
        _TRIGGERS[table][1](cursor, connection.vendor, top)
    for sql in again:
        cursor.execute(sql)


# SQLite: from this many rows a batch replaces the registered triggers whether its table is
# populated or not (10,000 members into 100,000: the row triggers 1.39 s, one statement
# 0.88 s). PostgreSQL keeps them outside a first import: turning them off would hold every
# other writer of the table until commit, and its tally triggers run once per statement.
TRIGGERS_REPLACED_FROM = 1000
# Below this many rows the index rebuild is not worth the DDL.
DEFER_INDEXES_FROM = 10000
# PostgreSQL: about forty DDL statements and the tables held alone; measured at 10,000 rows
# (2.3 s against 1.9 s without, whole process) they cost more than they save, at 100,000
# they save 16-25 %.
DEFER_INDEXES_FROM_POSTGRESQL = 50000


@contextmanager
def indexes_deferred(
    batches: Sequence[tuple[type[models.Model], int]], minimum: int | None = None
) -> Iterator[None]:
    """Drop the non-unique indexes of each (model, rows to add) whose table holds no more
    rows than are added (and at least ``minimum``), and recreate them at the end,
    then ``ANALYZE`` those tables. On PostgreSQL the tables' own foreign keys go
    too and come back validated (``_deferred_postgresql``).

    Must run inside the caller's transaction: the DDL of both databases is
    transactional, so a rollback (error, dry run) brings the indexes back
    untouched. On SQLite readers (WAL) keep seeing the committed schema
    meanwhile. Unique indexes stay: they are constraints.
    """
    floor = DEFER_INDEXES_FROM if minimum is None else minimum
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        if minimum is None:
            floor = DEFER_INDEXES_FROM_POSTGRESQL
        with _deferred_postgresql(batches, floor):
            yield
        return
    if connection.vendor != "sqlite" or not connection.in_atomic_block:
        yield
        return
    quote = connection.ops.quote_name
    dropped: list[str] = []
    tables: list[str] = []
    off: dict[str, tuple[int, list[str]] | None] = {}
    with connection.cursor() as cursor:
        for model, adding in batches:
            table = model._meta.db_table
            if adding >= TRIGGERS_REPLACED_FROM:
                # Populated or not: one writer at a time on SQLite, so the triggers may go.
                off[table] = _triggers_off(cursor, table)
            if adding < floor:
                continue
            cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 — a model's table
            if cursor.fetchone()[0] > adding:
                continue
            if table not in off:
                off[table] = _triggers_off(cursor, table)
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%%'",
                [table],
            )
            for name, sql in cursor.fetchall():
                cursor.execute(f"DROP INDEX {quote(name)}")
                dropped.append(sql)
            tables.append(table)
    yield  # an exception skips the rebuild: the caller's rollback restores the indexes
    with connection.cursor() as cursor:
        for sql in dropped:
            cursor.execute(sql)
        # A first big load: fresh statistics, or SQLite's planner drives name
        # searches from the wrong index (docs/performance.md, finding 6).
        for table in tables:
            cursor.execute(f"ANALYZE {quote(table)}")
        for table, was in off.items():  # with the statistics of the loaded tables
            _triggers_on(cursor, table, was)


# PostgreSQL: how long a first import waits for the tables it must hold alone before it
# gives up the shortcut and writes with the indexes kept (it never fails for it).
LOCK_WAIT = "2s"


def _small_tables(
    cursor: Any, batches: Sequence[tuple[type[models.Model], int]], floor: int
) -> list[str]:
    """The tables of ``batches`` that get at least ``floor`` rows and hold no more than they get."""
    quote = connection.ops.quote_name
    tables = []
    for model, adding in batches:
        table = model._meta.db_table
        if adding < floor:
            continue
        # Counted up to one more than is added: a populated table is not read through.
        cursor.execute(
            f"SELECT COUNT(*) FROM (SELECT 1 FROM {quote(table)} LIMIT %s) AS t",  # noqa: S608
            [adding + 1],
        )
        if cursor.fetchone()[0] <= adding:
            tables.append(table)
    return tables


@contextmanager
def _deferred_postgresql(
    batches: Sequence[tuple[type[models.Model], int]], floor: int
) -> Iterator[None]:
    """PostgreSQL's first import: ``COPY`` into tables without their secondary indexes
    and without their own foreign keys, then one sort per index and one validating
    join per key, then ``ANALYZE`` (bench/import_floor.py does the same).

    Django's foreign keys are deferred: kept, each row would queue a check that
    runs at commit (twice the server's time of the whole import), and a queued
    check forbids ``CREATE INDEX`` on the table in the same transaction. Only the
    keys *of* these tables go (an INSERT fires no check of the keys other tables
    hold on them). The primary keys and unique constraints stay.

    Dropping them locks the tables and the ones their keys point at (orgs, users)
    until commit: readers of those wait for the rest of the import. So the locks
    are taken first, waiting at most ``LOCK_WAIT``; if another transaction holds
    them longer (or queued checks of this transaction hold the tables) nothing is
    dropped and the import writes with the indexes and keys in place. Everything
    happens inside the caller's transaction: a rollback (an error, a dry run)
    brings the schema back as it was.
    """
    from django.db import OperationalError, transaction

    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        tables = _small_tables(cursor, batches, floor)
        if not tables:
            yield
            return
        cursor.execute(
            "SELECT c.relname, i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid "
            "WHERE c.relname = ANY(%s) AND c.relnamespace = 'public'::regnamespace "
            "AND NOT x.indisunique AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid "
            "AND k.conrelid = x.indrelid) ORDER BY 1, 2",
            [tables],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT c.relname, k.conname, pg_get_constraintdef(k.oid), r.relname "
            "FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
            "JOIN pg_class r ON r.oid = k.confrelid WHERE k.contype = 'f' "
            "AND c.relname = ANY(%s) AND c.relnamespace = 'public'::regnamespace ORDER BY 1, 2",
            [tables],
        )
        keys = cursor.fetchall()
        held = sorted(set(tables) | {row[3] for row in keys})
        cursor.execute("SELECT current_setting('lock_timeout')")
        wait = cursor.fetchone()[0]
        try:
            with transaction.atomic():  # a savepoint: a refusal leaves the transaction usable
                cursor.execute("SELECT set_config('lock_timeout', %s, true)", [LOCK_WAIT])
                cursor.execute(
                    f"LOCK TABLE {', '.join(quote(t) for t in held)} IN ACCESS EXCLUSIVE MODE"
                )
                for table, name, _definition, _target in keys:
                    cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
                for _table, name, _definition in indexes:
                    cursor.execute(f"DROP INDEX {quote(name)}")
                off = {table: _triggers_off(cursor, table) for table in tables}
        except OperationalError:
            # Busy (lock_timeout, a deadlock) or "pending trigger events": the plain way.
            indexes = keys = []
            tables = []
            off = {}
        finally:
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [wait])
    yield  # an exception skips the rebuild: the caller's rollback restores the schema
    with connection.cursor() as cursor:
        for _table, _name, definition in indexes:
            cursor.execute(definition)
        for table, name, definition, _target in keys:  # checked by one join each
            cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")
        for table in tables:
            cursor.execute(f"ANALYZE {quote(table)}")
        for table, was in off.items():  # with the statistics of the loaded tables
            _triggers_on(cursor, table, was)
