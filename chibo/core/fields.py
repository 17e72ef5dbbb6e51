"""Field types shared by the apps."""

from __future__ import annotations

from typing import Any

from django.db import models


class ByteOrderCharField(models.CharField):  # type: ignore[type-arg]
    """A CharField compared byte by byte on every database.

    Prefix searches are ranges (``>= p AND < bound``); they are only right
    when the column sorts by code point. SQLite's default BINARY collation
    does; on PostgreSQL we ask for the "C" collation, whatever the
    database's locale, so the range and its B-tree index agree.
    """

    def db_parameters(self, connection: Any) -> dict[str, Any]:
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params
