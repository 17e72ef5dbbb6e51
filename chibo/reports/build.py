"""One entry for every report kind: its JSON-ready figures and its tables (UI, API, command)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from chibo.core.dbrouter import reporting
from chibo.orgs.models import Org
from chibo.reports import selectors, tables

KINDS = ("admissions", "removals", "composition", "activity")
PERIOD_KINDS = ("admissions", "removals")  # the others are "as of" a date


def jsonable(value: Any) -> Any:
    """Dates as ``YYYY-MM-DD``, shares as numbers (5.16), recursively."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def build(
    kind: str,
    actor: Any,
    root: Org,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    as_of: dt.date | None = None,
    breakdown: bool = False,
) -> tuple[dict[str, Any], tables.ReportDoc]:
    """(figures, tables) of report ``kind`` for ``root``; ``actor=None`` is the system (whole tree).

    The reads run under ``reporting()``: on the read replica when one is
    configured (``DATABASE_REPLICA_URL``), else on the primary.
    """
    if kind not in KINDS:
        raise ValueError(kind)
    with reporting():
        return _build(kind, actor, root, start=start, end=end, as_of=as_of, breakdown=breakdown)


def _build(
    kind: str,
    actor: Any,
    root: Org,
    *,
    start: dt.date | None,
    end: dt.date | None,
    as_of: dt.date | None,
    breakdown: bool,
) -> tuple[dict[str, Any], tables.ReportDoc]:
    if kind in PERIOD_KINDS:
        if start is None or end is None:
            raise ValueError(f"the {kind} report needs start and end")
        if kind == "admissions":
            admitted = selectors.admissions(actor, root, start, end)
            data = admitted.breakdown() if breakdown else admitted.summary()
            return data, tables.admissions_doc(admitted)
        removed = selectors.removals(actor, root, start, end)
        return removed.as_dict(), tables.removals_doc(removed)
    if as_of is None:
        raise ValueError(f"the {kind} report needs as_of")
    if kind == "composition":
        composition = selectors.composition(actor, root, as_of)
        return composition.as_dict(), tables.composition_doc(composition)
    data = selectors.activity(actor, root, as_of)
    return data, tables.activity_doc(root.code, root.name, data)
