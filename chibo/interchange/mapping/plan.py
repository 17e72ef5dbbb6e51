"""A file's columns and values mapped: the plan of each column, and the table the importers read
through it.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain, islice
from typing import Any

from chibo.interchange import columns as C
from chibo.interchange.mapping.layout import (
    SCAN_ROWS,
    Layout,
    _layout_at,
    detect,
    footer_said,
    header_field,
    value_field,
    without_footer,
)
from chibo.interchange.mapping.spec import Mapping
from chibo.interchange.mapping.vocabulary import (
    ORG,
    REASON,
    VOCAB_FIELDS,
    Vocab,
    _folded_header,
    vocab_for,
)
from chibo.interchange.reader import Table
from chibo.lib.text import fold

SAMPLE_ROWS = 200  # rows whose values propose a column's field


SAMPLES_SHOWN = 5  # first values shown per column in the mapping step


# --- applying a mapping ----------------------------------------------------------------------


@dataclass
class ColumnPlan:
    header: str
    field: str  # "" = ignored
    how: str  # exact, synonym, sample, mapped (by the user), ignore, "" (unknown)
    samples: list[str] = dataclasses.field(default_factory=list)


@dataclass
class Plan:
    """What the layer decided for a file: shown by the command and the mapping step."""

    layout: Layout
    columns: list[ColumnPlan]
    # field → {file value → chibo value} for values the mapping (not the proposal) gave
    explicit: dict[str, dict[str, str]]
    # (row, its text) of the rows under the table that were skipped (filled as rows are read)
    footer: list[tuple[int, str]] = dataclasses.field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "header_row": self.layout.header_row,
            "header_rows": self.layout.header_rows,
            "footer": [[row, text] for row, text in self.footer],
            "footer_said": footer_said(self.footer) if self.footer else "",
            "columns": [
                {"header": c.header, "field": c.field, "how": c.how, "samples": c.samples}
                for c in self.columns
            ],
        }

    def mapping(self, kind: str, values: dict[str, dict[str, str]] | None = None) -> Mapping:
        return Mapping(
            kind=kind,
            columns={c.header: c.field for c in self.columns if c.header},
            values=values if values is not None else self.explicit,
            header_row=self.layout.header_row,
            header_rows=self.layout.header_rows,
        )


def _vocabs(kind: str, actor: Any) -> dict[str, Vocab]:
    return {name: vocab_for(kind, name, actor) for name in set(VOCAB_FIELDS[kind].values())}


def plan_columns(
    kind: str,
    layout: Layout,
    body: list[tuple[int, list[Any]]],
    mapping: Mapping | None,
    vocabs: dict[str, Vocab],
) -> list[ColumnPlan]:
    explicit = {_folded_header(h): f for h, f in (mapping.columns if mapping else {}).items()}
    plans: list[ColumnPlan] = []
    taken: set[str] = set()
    sample_rows = body[:SAMPLE_ROWS]
    for header in layout.headers:
        folded = _folded_header(header)
        if folded in explicit:
            chosen = explicit[folded]
            plans.append(ColumnPlan(header, chosen, "mapped" if chosen else "ignore"))
        else:
            name, how = header_field(kind, header)
            plans.append(ColumnPlan(header, name, how))
        if plans[-1].field:
            if plans[-1].field in taken and plans[-1].how != "mapped":
                plans[-1].field, plans[-1].how = "", ""
            taken.add(plans[-1].field)
    for pos, plan in enumerate(plans):
        values = [
            row[pos] for _n, row in sample_rows if pos < len(row) and row[pos] not in ("", None)
        ]
        plan.samples = [C.text(v)[:60] for v in values[:SAMPLES_SHOWN]]
        if plan.how == "":
            name = value_field(kind, values, taken - {""}, vocabs)
            if name:
                plan.field, plan.how = name, "sample"
                taken.add(name)
    return plans


def _locate(
    table: Table, kind: str, mapping: Mapping | None
) -> tuple[Layout, list[tuple[int, list[Any]]]]:
    """The header (the mapping's row, else detected) and the first rows under it."""
    head: list[tuple[int, list[Any]]] = [(table.header_row, list(table.headers))]
    head.extend(islice(table.rows, SCAN_ROWS + SAMPLE_ROWS))
    if mapping is not None and mapping.header_row is not None:
        layout = _layout_at(head, mapping.header_row, mapping.header_rows)
    else:
        layout = detect(kind, head[: SCAN_ROWS + 1])
    skip = layout.header_row + layout.header_rows - 1
    return layout, [(n, cells) for n, cells in head if n > skip]


def at_header(table: Table, kind: str, mapping: Mapping | None = None) -> tuple[Table, Plan]:
    """The file's own table from its header row: the header's names as the file writes them
    (two-row headers as "parent – child"), the rows under it with the file's row numbers,
    the footer left out (``Plan.footer`` lists it once the rows are read). No database
    reads: the job preview and the error report use it."""
    layout, body = _locate(table, kind, mapping)
    plan = Plan(layout, [ColumnPlan(h, "", "") for h in layout.headers], {})
    last = layout.header_row + layout.header_rows - 1
    at = Table(
        sheet=table.sheet,
        headers=list(layout.headers),
        keys=[_folded_header(h) for h in layout.headers],
        rows=without_footer(chain(body, table.rows), layout, plan.footer),
        total=max(table.total - (last - table.header_row), 0),
    )
    at.header_row = last
    return at, plan


def prepare(
    table: Table,
    kind: str,
    mapping: Mapping | None,
    actor: Any,
) -> tuple[Table, Plan]:
    """The table as the importers read it: header found, columns named by field, values mapped."""
    layout, body = _locate(table, kind, mapping)
    skip = layout.header_row + layout.header_rows - 1
    vocabs = _vocabs(kind, actor)
    plans = plan_columns(kind, layout, body, mapping, vocabs)
    explicit = {k: dict(v) for k, v in (mapping.values if mapping else {}).items()}
    plan = Plan(layout, plans, explicit)
    keys = [p.field or (_folded_header(p.header) if p.how == "" else "") for p in plans]
    translate = _translators(kind, plans, explicit, vocabs)
    rest = without_footer(chain(body, table.rows), layout, plan.footer)
    if translate:
        rest = _translated(rest, translate)
    prepared = Table(
        sheet=table.sheet,
        headers=[p.header for p in plans],
        keys=keys,
        rows=rest,
        total=max(table.total - (skip - table.header_row), 0),
    )
    prepared.header_row = layout.header_row + layout.header_rows - 1
    return prepared, plan


def _translators(
    kind: str,
    plans: list[ColumnPlan],
    explicit: dict[str, dict[str, str]],
    vocabs: dict[str, Vocab],
) -> dict[int, dict[Any, Any]]:
    """Per column position: a cache of cell → the value the importer reads.

    Only columns that need it: those with values the user mapped, org columns
    (names → codes) and absence reasons ("Ốm" → Ốm đau). Static vocabularies'
    synonyms are read by the importers themselves (``columns.ALIASES``).
    """
    out: dict[int, dict[Any, Any]] = {}
    for pos, plan in enumerate(plans):
        vocab_name = VOCAB_FIELDS[kind].get(plan.field)
        if vocab_name is None:
            continue
        given = explicit.get(plan.field, {})
        if given or vocab_name in (ORG, REASON):
            out[pos] = _Translator(vocabs[vocab_name], given)
    return out


class _Translator(dict):
    """cell → value, filled on first sight: the user's mapping, else the proposal, else the cell."""

    def __init__(self, vocab: Vocab, given: dict[str, str]) -> None:
        super().__init__()
        self.vocab = vocab
        self.given = {fold(k): v for k, v in given.items()}

    def __missing__(self, cell: Any) -> Any:
        raw = C.text(cell)
        out: Any = cell
        if raw:
            folded = fold(raw)
            if folded in self.given:
                out = self.given[folded] or ""
            else:
                value, _how = self.vocab.propose(raw)
                if value:
                    out = value
        with contextlib.suppress(TypeError):  # unhashable: not a cell value
            self[cell] = out
        return out


def _translated(
    rows: Iterator[tuple[int, list[Any]]], translate: dict[int, dict[Any, Any]]
) -> Iterator[tuple[int, list[Any]]]:
    items = list(translate.items())
    for number, cells in rows:
        # Copied only when a value changes (the reader's list stays as it was): most
        # cells of a mapped column are already what the importer reads (an org's code).
        copied = False
        size = len(cells)
        for pos, tr in items:
            if pos < size:
                cell = cells[pos]
                value = tr[cell]
                if value is not cell and (value.__class__ is not cell.__class__ or value != cell):
                    if not copied:
                        cells, copied = list(cells), True
                    cells[pos] = value
        yield number, cells
