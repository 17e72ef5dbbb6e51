"""Inserting many rows below the ORM's per-object cost, inside the caller's transaction.

SQLite: ``executemany`` (~10× ``bulk_create``); PostgreSQL: ``COPY`` through
psycopg 3 (shared/NOTES.md). Primary keys are reserved up front so events can
point at their member without reading ids back: on PostgreSQL from the
sequence (``nextval``), on SQLite from the table's AUTOINCREMENT counter,
which is safe because chibo's SQLite transactions are IMMEDIATE (the write
lock is held from BEGIN).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
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


def insert(model: type[models.Model], fields: Sequence[str], rows: list[tuple]) -> None:
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)  # noqa: S608
