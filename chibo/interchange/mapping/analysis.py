"""What the web step shows of a file before its import: each column's plan and the distinct values
to map, and the file's header signature.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import chain, islice
from typing import Any

from django.utils.translation import gettext as _

from chibo.interchange import columns as C
from chibo.interchange.mapping.layout import SCAN_ROWS, detect, footer_said, without_footer
from chibo.interchange.mapping.plan import Plan, _locate, _vocabs, plan_columns
from chibo.interchange.mapping.spec import Mapping
from chibo.interchange.mapping.vocabulary import VOCAB_FIELDS, Choice, _folded_header
from chibo.interchange.reader import Table
from chibo.lib.text import fold

MAX_DISTINCT = 200  # distinct values listed per vocabulary column


# --- the mapping step: every distinct value, with counts and proposals ------------------------


@dataclass
class ValuePlan:
    raw: str
    count: int
    value: str
    how: str  # exact, folded, synonym, mapped, "" (nobody mapped it)


@dataclass
class Analysis:
    plan: Plan
    values: dict[str, list[ValuePlan]]  # field → distinct values (most frequent first)
    choices: dict[str, list[Choice]]  # field → allowed values
    truncated: dict[str, bool]

    def as_json(self) -> dict[str, Any]:
        return {
            **self.plan.as_json(),
            "values": {
                name: [
                    {"raw": v.raw, "count": v.count, "value": v.value, "how": v.how} for v in vals
                ]
                for name, vals in self.values.items()
            },
            "choices": {
                name: [{"value": c.value, "label": c.label} for c in cs]
                for name, cs in self.choices.items()
            },
            "truncated": self.truncated,
        }


def analyse(table: Table, kind: str, mapping: Mapping | None, actor: Any) -> Analysis:
    """Header, columns and every distinct value of the vocabulary columns (reads the whole file)."""
    layout, body = _locate(table, kind, mapping)
    vocabs = _vocabs(kind, actor)
    plans = plan_columns(kind, layout, body, mapping, vocabs)
    explicit = {k: dict(v) for k, v in (mapping.values if mapping else {}).items()}
    positions = {pos: p.field for pos, p in enumerate(plans) if p.field in VOCAB_FIELDS[kind]}
    counts: dict[str, Counter[str]] = {name: Counter() for name in positions.values()}
    footer: list[tuple[int, str]] = []
    for _n, cells in without_footer(chain(body, table.rows), layout, footer):
        for pos, name in positions.items():
            if pos < len(cells):
                raw = C.text(cells[pos])
                if raw:
                    counts[name][raw] += 1
    values: dict[str, list[ValuePlan]] = {}
    truncated: dict[str, bool] = {}
    choices: dict[str, list[Choice]] = {}
    for name, counter in counts.items():
        vocab = vocabs[VOCAB_FIELDS[kind][name]]
        given = {fold(k): v for k, v in explicit.get(name, {}).items()}
        listed = []
        for raw, count in counter.most_common(MAX_DISTINCT):
            if fold(raw) in given:
                listed.append(ValuePlan(raw, count, given[fold(raw)], "mapped"))
            else:
                value, how = vocab.propose(raw)
                listed.append(ValuePlan(raw, count, value, how))
        values[name] = listed
        truncated[name] = len(counter) > MAX_DISTINCT
        choices[name] = vocab.choices
    return Analysis(Plan(layout, plans, explicit, footer), values, choices, truncated)


def describe(plan: Plan) -> list[str]:
    """Lines for the command's output: which row is the header, what each column became."""
    hows = {
        "exact": _("same name"),
        "synonym": _("synonym"),
        "sample": _("from its values"),
        "mapped": _("from the mapping"),
        "ignore": _("ignored"),
        "": _("not recognized: ignored"),
    }
    if plan.layout.header_rows == 2:
        first = _("Header: rows %(first)s–%(last)s of the file.") % {
            "first": plan.layout.header_row,
            "last": plan.layout.header_row + 1,
        }
    else:
        first = _("Header: row %(row)s of the file.") % {"row": plan.layout.header_row}
    lines = [first]
    if plan.footer:
        lines.append(footer_said(plan.footer))
    for col in plan.columns:
        if not col.header:
            continue
        target = C.header_of(col.field) if col.field else "—"
        lines.append(f"  «{col.header}» → {target} ({hows.get(col.how, col.how)})")
    return lines


def header_signature(headers: list[str]) -> str:
    """The folded header names, for offering a saved profile to a file with the same header."""
    return "|".join(h for h in (_folded_header(x) for x in headers) if h)


def detect_headers(path: Any, kind: str) -> list[str]:
    """The detected header's names (reads only the first rows); [] for a file that cannot be read."""
    from chibo.interchange.reader import FileRefused, open_table

    try:
        table = open_table(path, kind)
    except FileRefused:
        return []
    head: list[tuple[int, list[Any]]] = [(table.header_row, list(table.headers))]
    head.extend(islice(table.rows, SCAN_ROWS))
    return detect(kind, head).headers
