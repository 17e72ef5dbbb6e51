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
        return sql, slots, converters

    def rows(self, *values: Any) -> list[tuple[Any, ...]]:
        using = router.db_for_read(self._model)
        connection = connections[using]
        key = f"{using}:{connection.vendor}"
        if key not in self._compiled:
            self._compiled[key] = self._compile(using)
        sql, slots, converters = self._compiled[key]
        params = [values[i].isoformat() if text else values[i] for i, text in slots]
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
