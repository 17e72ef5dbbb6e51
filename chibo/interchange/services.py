"""The import service: validate the whole file, then write it in one transaction, audited.

``import_file`` is what the command, the web upload (through a background
task) and the tests call. Nothing is written when any row has an error; a
dry run goes through the very same writes and rolls them back, so it finds
what the services would refuse. One audit entry records each import with its
counts (plus the codes of the members it created, in chunks); each changed
member gets the per-member entries of the members services it went through.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chibo.core import audit
from chibo.interchange import columns as C
from chibo.interchange import history_import as hi
from chibo.interchange import members_import as mi
from chibo.interchange import members_write as mw
from chibo.interchange import orgs_import as oi
from chibo.interchange.common import Columns, Rollback, RowReader
from chibo.interchange.mapping import Analysis, Mapping, MappingError, analyse, prepare
from chibo.interchange.reader import FileRefused, open_table
from chibo.interchange.report import ImportResult, Problem

Progress = Callable[[str, int, int], None]  # (phase, done, total)
CODES_PER_AUDIT_ENTRY = 5000


class Unsupported(Exception):
    """A kind of import whose target app is not available yet."""


def _noop(phase: str, done: int, total: int) -> None:
    return None


def import_file(
    *,
    actor: Any,
    kind: str,
    path: str | Path,
    dry_run: bool = False,
    filename: str = "",
    progress: Progress | None = None,
    mapping: Mapping | None = None,
) -> ImportResult:
    """Import ``path`` as ``kind`` (orgs, members, attendance, dues) for ``actor`` (None: the system).

    ``mapping`` (``--map``, a profile, the web mapping step) says which row is the
    header and what each column and value means; without it they are detected and
    proposed (``mapping.prepare``).
    """
    if kind not in C.KINDS:
        raise ValueError(kind)
    result = ImportResult(kind=kind, dry_run=dry_run, filename=filename or Path(path).name)
    say = progress or _noop
    with _cycles_collected_after():
        return _import(actor, kind, path, dry_run, say, mapping, result)


@contextmanager
def _cycles_collected_after() -> Iterator[None]:
    """Python's cycle collector paused for the import.

    An import builds a few objects per cell and per row (rows, tuples, problems) and
    keeps them to the end, none in a reference cycle: the collector, triggered every
    few hundred allocations, would walk them all again and again, a third of a large
    import's Python time (issue 22). Reference counting frees everything as usual;
    the collector is back (as it was) when the import ends, however it ends.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _import(
    actor: Any,
    kind: str,
    path: str | Path,
    dry_run: bool,
    say: Progress,
    mapping: Mapping | None,
    result: ImportResult,
) -> ImportResult:
    try:
        opening = time.perf_counter()
        table = open_table(path, kind)
        table, result.plan = prepare(table, kind, mapping, actor)
        result.phases["parse"] = time.perf_counter() - opening
        cols = Columns(table, kind, result)
        if not result.ok:
            return result
        if kind == C.ORGS:
            _import_orgs(actor, table, cols, result, dry_run)
        elif kind == C.ATTENDANCE:
            hi.import_attendance(actor, table, cols, result, dry_run)
        elif kind == C.DUES:
            hi.import_dues(actor, table, cols, result, dry_run)
        else:
            _import_members(actor, table, cols, result, dry_run, say)
    except (FileRefused, MappingError) as exc:
        result.add(Problem("", 0, "", "", str(exc)))
    return result


def _summary(actor: Any, result: ImportResult, created_codes: list[str]) -> None:
    entries: list[tuple[str, str, Any, dict[str, Any]]] = [
        ("interchange.import", result.kind, result.filename, result.counts())
    ]
    for start in range(0, len(created_codes), CODES_PER_AUDIT_ENTRY):
        entries.append(
            (
                "interchange.import_created",
                "member",
                "",
                {
                    "file": result.filename,
                    "members": created_codes[start : start + CODES_PER_AUDIT_ENTRY],
                },
            )
        )
    audit.record_many(actor=actor, entries=entries)


def _row_problem(
    result: ImportResult, sheet: str, number: int, column: str, exc: Exception
) -> None:
    if isinstance(exc, ValidationError):
        message = mi.validation_messages(exc)
    else:
        message = str(exc) or _("You do not have the right to do this.")
    result.add(Problem(sheet, number, column, "", message))


def _import_orgs(
    actor: Any, table: Any, cols: Columns, result: ImportResult, dry_run: bool
) -> None:
    rows = oi.read_rows(table, cols, result)
    ordered = oi.plan(rows, actor, table.sheet, result)
    if not result.ok:
        return
    try:
        with transaction.atomic():
            current: oi.OrgRow | None = None
            try:
                for current in ordered:
                    oi.write([current], actor, result)
            except (ValidationError, PermissionDenied) as exc:
                _row_problem(
                    result, table.sheet, current.number if current else 0, "ma_to_chuc", exc
                )
                raise Rollback from exc
            _summary(actor, result, [])
            if dry_run:
                raise Rollback
    except Rollback:
        pass
    result.written = result.ok and not dry_run


def _import_members(
    actor: Any, table: Any, cols: Columns, result: ImportResult, dry_run: bool, say: Progress
) -> None:
    started = time.perf_counter()
    ctx = mi.Context(actor)
    say("reading", 0, table.total)
    table.rows = _timed(table.rows, result.phases)
    rows = mi.read_rows(table, ctx, cols, result, lambda done: say("reading", done, table.total))
    say("checking", result.rows, result.rows)
    code = mi.CODE
    existing = mi.load_existing([values[code] for values in rows])
    # A new member's row stays the plain values members_write builds its rows from.
    new_rows: list[tuple] = []
    changes: list[mi.Change] = []
    for values in rows:
        ex = existing.get(values[code]) if existing else None
        if ex is None:
            new_rows.append(values)
            continue
        row = mi.MemberRow(*values)
        rr = RowReader(result, table.sheet, row.number, lambda _name: "")
        change = mi.diff(rr, ctx, cols, row, ex)
        if change is not None:
            changes.append(change)
        elif not rr.bad:
            result.unchanged += 1
    del existing
    reading = result.phases.pop("reading")
    result.phases["parse"] += reading
    result.phases["validate"] = time.perf_counter() - started - reading
    if not result.ok:
        return
    total = len(new_rows) + len(changes)
    writing = time.perf_counter()
    try:
        with transaction.atomic():
            result.events = mw.insert_new(new_rows, ctx, lambda done: say("writing", done, total))
            result.created = len(new_rows)
            for done, change in enumerate(changes, start=len(new_rows) + 1):
                try:
                    mi.apply_change(actor, change, ctx)
                except (ValidationError, PermissionDenied) as exc:
                    _row_problem(result, table.sheet, change.row.number, "", exc)
                    raise Rollback from exc
                result.updated += 1
                if done % 200 == 0:
                    say("writing", done, total)
            _summary(actor, result, [values[code] for values in new_rows])
            if dry_run:
                raise Rollback
    except Rollback:
        pass
    if not result.ok:
        result.created = result.updated = result.events = 0
    result.written = result.ok and not dry_run
    result.phases["write"] = time.perf_counter() - writing
    say("done", total, total)
    result.seconds = round(sum(result.phases.values()), 2)


def _timed(rows: Iterator[Any], phases: dict[str, float]) -> Iterator[Any]:
    """``rows``, adding the time spent producing them (reading the file) to ``phases["reading"]``."""
    clock = time.perf_counter
    phases["reading"] = 0.0
    while True:
        start = clock()
        row = next(rows, None)
        phases["reading"] += clock() - start
        if row is None:
            return
        yield row


def analyse_file(path: str | Path, kind: str, mapping: Mapping | None, actor: Any) -> Analysis:
    """The mapping step's view of a file: header, columns with samples, distinct values with counts."""
    return analyse(open_table(path, kind), kind, mapping, actor)
