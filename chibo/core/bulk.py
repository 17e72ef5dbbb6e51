"""Inserting many rows below the ORM's per-object cost, inside the caller's transaction.

SQLite: ``executemany`` (~10× ``bulk_create``); PostgreSQL: ``COPY`` through
psycopg 3 (shared/NOTES.md). On SQLite a batch at least as large as its
table is inserted with the table's plain indexes dropped and rebuilt before
commit (``indexes_deferred``): one sort instead of ~15 random B-tree inserts
per member, about a fifth of a first import's time. Primary keys are reserved up front so events can
point at their member without reading ids back: on PostgreSQL from the
sequence (``nextval``), on SQLite from the table's AUTOINCREMENT counter,
which is safe because chibo's SQLite transactions are IMMEDIATE (the write
lock is held from BEGIN).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection, models


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    if count <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
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
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size=-131072")  # 128 MB


# Rows per executemany on SQLite (COPY streams).
BATCH = 50_000


def insert(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> int:
    """Insert ``rows`` (tuples in ``fields`` order) into ``model``'s table; returns how many.

    The one raw bulk insert: the importer, the demo loaders and the activity seed use it.
    """
    quote = connection.ops.quote_name
    columns = [quote(model._meta.get_field(name).column) for name in fields]  # type: ignore[union-attr, arg-type]
    return insert_rows(quote(model._meta.db_table), columns, rows)


def insert_rows(table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> int:
    """``insert`` by (quoted) table and column names: COPY on PostgreSQL, executemany on SQLite."""
    count = 0
    names = ", ".join(columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
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


# Below this many rows the index rebuild is not worth the DDL.
DEFER_INDEXES_FROM = 10000


@contextmanager
def indexes_deferred(
    batches: Sequence[tuple[type[models.Model], int]], minimum: int | None = None
) -> Iterator[None]:
    """SQLite: drop the non-unique indexes of each (model, rows to add) whose table holds no more
    rows than are added (and at least ``minimum``), and recreate them at the end,
    then ``ANALYZE`` those tables.

    Must run inside the caller's transaction: SQLite's DDL is transactional, so
    a rollback (error, dry run) brings the indexes back untouched, and readers
    (WAL) keep seeing the committed schema meanwhile. Unique indexes stay: they
    are constraints. Nothing on PostgreSQL, where DROP INDEX would lock every
    reader of the table out for the length of the import.
    """
    floor = DEFER_INDEXES_FROM if minimum is None else minimum
    if connection.vendor != "sqlite" or not connection.in_atomic_block:
        yield
        return
    quote = connection.ops.quote_name
    dropped: list[str] = []
    tables: list[str] = []
    with connection.cursor() as cursor:
        for model, adding in batches:
            table = model._meta.db_table
            if adding < floor:
                continue
            cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 — a model's table
            if cursor.fetchone()[0] > adding:
                continue
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
