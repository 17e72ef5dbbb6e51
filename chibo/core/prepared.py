"""ORM queries compiled once per process and run with fresh values (the reads of every request).

Building and compiling a query costs Django 0.3–0.8 ms of Python, more than the statement
itself for the two reads every request makes (the rules' version stamp, the user's role
assignments: issue 22, ``GET /api/v1/members?q=`` at 400,000 members). ``Prepared`` builds
the query with the ORM once, with placeholder values, keeps the SQL the ORM wrote and runs
it with the values of each call. The statement stays the ORM's (its tables, columns, joins
and conditions come from the models and the same ``Q``), nothing is written by hand.

Each row's values are converted as the ORM converts them (SQLite's dates, times and booleans:
the compiler's own converters), so ``rows`` gives what ``list(build(*values))`` gives.

The placeholders must be values no real call passes (a negative id, a date in 1901): each
parameter of the compiled SQL is matched to the placeholder it came from, and a query whose
parameters cannot all be matched is refused when first compiled.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import connections, router
from django.db.models import QuerySet


class Prepared:
    """``Prepared(model, build, *placeholders)``; ``.rows(*values)`` = ``list(build(*values))``
    on the database the router reads ``model`` from."""

    def __init__(
        self, model: Any, build: Callable[..., QuerySet[Any, Any]], *placeholders: Any
    ) -> None:
        self._model = model
        self._build = build
        self._placeholders = placeholders
        self._compiled: dict[str, tuple[str, list[tuple[int, bool]], list[Any]]] = {}

    @property
    def alias(self) -> str:
        """The database ``rows`` reads (the router's choice for the model)."""
        return str(router.db_for_read(self._model))

    def _compile(self, alias: str) -> tuple[str, list[tuple[int, bool]], list[Any]]:
        sql, slots, converters, _width = self._compile_with_width(alias)
        return sql, slots, converters

    def _compile_with_width(self, alias: str) -> tuple[str, list[tuple[int, bool]], list[Any], int]:
        queryset = self._build(*self._placeholders).using(alias)
        compiler = queryset.query.get_compiler(alias)
        sql, params = compiler.as_sql()
        # (position, converters, expression) of each column the ORM converts when it reads
        converters = [
            (pos, funcs, expression)
            for pos, (funcs, expression) in compiler.get_converters(
                [column for column, _sql, _alias in compiler.select]
            ).items()
        ]
        slots: list[tuple[int, bool]] = []  # (which value, passed as text)
        for param in params:
            for i, placeholder in enumerate(self._placeholders):
                if param == placeholder and type(param) is type(placeholder):
                    slots.append((i, False))
                    break
                if isinstance(placeholder, dt.date) and param == placeholder.isoformat():
                    slots.append((i, True))  # SQLite's date parameters are ISO text
                    break
            else:
                raise ValueError(f"a parameter of the compiled query is no placeholder: {param!r}")
        return sql, slots, converters, len(compiler.select)

    def rows(self, *values: Any) -> list[tuple[Any, ...]]:
        using = router.db_for_read(self._model)
        connection = connections[using]
        key = f"{using}:{connection.vendor}"
        if key not in self._compiled:
            self._compiled[key] = self._compile(using)
        sql, slots, converters = self._compiled[key]
        params = [values[i].isoformat() if text else values[i] for i, text in slots]
        return _run(connection, sql, params, converters)


def _run(
    connection: Any, sql: str, params: list[Any], converters: list[Any]
) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    if not converters:
        return [tuple(row) for row in fetched]
    rows = []
    for row in fetched:
        out = list(row)
        for pos, funcs, expression in converters:
            value = out[pos]
            for convert in funcs:
                value = convert(value, expression, connection)
            out[pos] = value
        rows.append(tuple(out))
    return rows


class Beside:
    """Two prepared queries in one statement (one round trip): each row of ``first`` followed
    by each row of ``second``, or by NULLs where ``second`` has none (``FROM (first) LEFT JOIN
    (second) ON 1 = 1``). No row at all where ``first`` has none. Both are the ORM's
    statements as ``Prepared`` compiles them, run unchanged as derived tables, on the database
    the router reads ``first``'s model from; each column converted as the ORM converts it.

    ``rows(first_values, second_values)`` gives ``(first_row, second_row or None)`` pairs."""

    def __init__(self, first: Prepared, second: Prepared) -> None:
        self.first = first
        self.second = second
        self._compiled: dict[str, tuple[str, list[tuple[int, int, bool]], list[Any], int]] = {}

    def _compile(self, alias: str) -> tuple[str, list[tuple[int, int, bool]], list[Any], int]:
        sql_a, slots_a, conv_a, width = self.first._compile_with_width(alias)
        sql_b, slots_b, conv_b, _w = self.second._compile_with_width(alias)
        sql = f"SELECT * FROM ({sql_a}) a LEFT JOIN ({sql_b}) b ON 1 = 1"  # noqa: S608
        slots = [(0, i, text) for i, text in slots_a] + [(1, i, text) for i, text in slots_b]
        converters = conv_a + [(pos + width, funcs, expr) for pos, funcs, expr in conv_b]
        return sql, slots, converters, width

    def rows(
        self, first_values: tuple[Any, ...], second_values: tuple[Any, ...]
    ) -> list[tuple[tuple[Any, ...], tuple[Any, ...] | None]]:
        using = router.db_for_read(self.first._model)
        connection = connections[using]
        key = f"{using}:{connection.vendor}"
        if key not in self._compiled:
            self._compiled[key] = self._compile(using)
        sql, slots, converters, width = self._compiled[key]
        values = (first_values, second_values)
        params = [
            values[side][i].isoformat() if text else values[side][i] for side, i, text in slots
        ]
        out = []
        for row in _run(connection, sql, params, converters):
            rest = row[width:]
            out.append((row[:width], None if all(v is None for v in rest) else rest))
        return out
