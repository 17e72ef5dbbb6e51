"""The production cache (``CACHE_BACKEND=database``): Django's database cache, its ``set`` in one
statement.

Django's ``DatabaseCache.set`` counts the whole table (``SELECT COUNT(*)``, to cull it past
``MAX_ENTRIES``), then, in a transaction, reads the key and updates or inserts it: six round
trips (BEGIN or a savepoint, the count, the read, the write, COMMIT) on every call. The API's
per-user throttle sets its key on every request, so every API request paid them, and the
count grew with the table (up to 50,000 entries). Issue 22: ``GET /api/v1/members?q=`` on
PostgreSQL made 11 statements, 6 of them the throttle's.

Here ``set`` is one upsert (``INSERT … ON CONFLICT (cache_key) DO UPDATE``, PostgreSQL and
SQLite alike), and the table is counted (and culled past ``MAX_ENTRIES``, as Django culls it)
on the first and then every ``COUNT_EVERY``-th ``set`` of a process: the table may hold that
many entries per process more than ``MAX_ENTRIES`` before a cull. The value, its expiry and
what ``get`` reads are Django's (same columns, same pickled and base64-encoded text); ``add``,
``touch``, ``incr`` and the rest are Django's own.
"""

from __future__ import annotations

import base64
import datetime as dt
import pickle
from typing import Any

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import connections, router
from django.utils.timezone import now as tz_now

COUNT_EVERY = 100  # sets of one process between two counts of the table


class DatabaseCache(DjangoDatabaseCache):
    def __init__(self, table: str, params: dict[str, Any]) -> None:
        super().__init__(table, params)
        self._sets = 0

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> None:
        key = self.make_and_validate_key(key, version=version)
        timeout = self.get_backend_timeout(timeout)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        qn = connection.ops.quote_name
        table = qn(self._table)  # type: ignore[attr-defined]
        if timeout is None:
            when = dt.datetime.max
        else:
            when = dt.datetime.fromtimestamp(timeout, tz=dt.UTC if settings.USE_TZ else None)
        expires = connection.ops.adapt_datetimefield_value(when.replace(microsecond=0))
        encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
        key_col, value_col, expires_col = qn("cache_key"), qn("value"), qn("expires")
        with connection.cursor() as cursor:
            if self._sets % COUNT_EVERY == 0:
                cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
                num = cursor.fetchone()[0]
                if num > self._max_entries:
                    self._cull(db, cursor, tz_now().replace(microsecond=0), num)  # type: ignore[attr-defined]
            self._sets += 1
            cursor.execute(
                f"INSERT INTO {table} ({key_col}, {value_col}, {expires_col}) "  # noqa: S608
                f"VALUES (%s, %s, %s) ON CONFLICT ({key_col}) DO UPDATE SET "
                f"{value_col} = excluded.{value_col}, {expires_col} = excluded.{expires_col}",
                [key, encoded, expires],
            )
