"""When the database cannot take a write now: 503 with Retry-After, one line on the command line.

SQLite has one writer at a time. While another process holds the write lock
(a large import writing, a backup, a stuck process) a write waits
``CHIBO_SQLITE_TIMEOUT`` seconds (default 20), then fails with "database is
locked". That is not a fault of the request, and nothing was written: the
web answers 503 Service Unavailable with ``Retry-After`` (the page says so in
Vietnamese), the API the same in its JSON shape, a ``chibo`` command one line
(``chibo.cli``), and the task worker waits and tries again
(``core/management/commands/db_worker.py``). PostgreSQL's equivalent, a lock
that could not be obtained in time (SQLSTATE 55P03), is treated the same.
"""

from __future__ import annotations

import errno
from typing import Any

from django.db import OperationalError
from django.utils.translation import gettext as _

RETRY_AFTER_SECONDS = 30


def is_busy(exc: BaseException | None) -> bool:
    """Whether ``exc`` says the database is locked by someone else (not a broken query)."""
    if not isinstance(exc, OperationalError):
        return False
    text = str(exc).lower()
    if "database is locked" in text or "database table is locked" in text:
        return True
    cause: Any = exc.__cause__
    return getattr(cause, "sqlstate", None) == "55P03" or getattr(cause, "pgcode", None) == "55P03"


def is_disk_full(exc: BaseException | None) -> bool:
    """Whether ``exc`` is a full disk (or quota), from the file system or from SQLite.

    SQLite says "database or disk is full" when a write finds no room, and
    "disk I/O error" when it cannot even create its journal (WAL) files.
    """
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    text = str(exc).lower()
    return isinstance(exc, OperationalError) and (
        "database or disk is full" in text or "disk i/o error" in text
    )


def busy_message() -> str:
    return _(
        "The database is busy with another change (an import or a backup, for example). "
        "Nothing was saved: try again in a minute."
    )


def disk_full_message() -> str:
    return _(
        "The server's disk is full (or cannot be written): nothing was saved. Tell the "
        "system administrator (free some space, then try again)."
    )
