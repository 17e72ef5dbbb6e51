"""Raw SQL on the reporting connection: the helpers the figures and the members behind them
(``reports.figures``, ``reports.records``) build their queries with."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connections

from chibo.core.dbrouter import reporting_alias


def fetch(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connections[reporting_alias()].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def year_sql(column: str) -> str:
    """The year of a date column as an integer, computed by the database itself.

    (Django's ``ExtractYear`` is a Python function called per row on SQLite.)
    """
    if connections[reporting_alias()].vendor == "postgresql":
        return f"CAST(EXTRACT(YEAR FROM {column}) AS INTEGER)"
    return f"CAST(SUBSTR({column}, 1, 4) AS INTEGER)"  # SQLite stores dates as YYYY-MM-DD


def literal(value: str) -> str:
    """A choice value (a code constant) as an SQL literal."""
    if not value.replace("_", "").isalnum():
        raise ValueError(value)
    return f"'{value}'"


def in_list(column: str, ids: Iterable[int]) -> str:
    """`` AND column IN (…)`` with the ids written in as integers (no bound parameters)."""
    return f" AND {column} IN ({', '.join(str(int(i)) for i in sorted(ids))})"
