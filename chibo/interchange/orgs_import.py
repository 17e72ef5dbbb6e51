"""Importing the org tree: every create, move and rename goes through orgs.services.

Rows are written parents first, whatever their order in the file. A new org
is established on ``ngay_thanh_lap`` (default 03/02/1930, so that reports
over imported history see it); a changed parent is a move and a changed name
a rename, both dated the day of the import.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.core.roles import Cap
from chibo.core.scoping import scope_for
from chibo.interchange.common import Columns, RowReader
from chibo.interchange.reader import Table
from chibo.interchange.report import ImportResult, Problem
from chibo.orgs import services as os_
from chibo.orgs.models import ALLOWED_PARENTS, Org

DEFAULT_OPENED = dt.date(1930, 2, 3)


@dataclass
class OrgRow:
    number: int
    code: str
    name: str
    parent_code: str
    kind: str
    school_level: str
    ownership: str
    opened_on: dt.date


def read_rows(table: Table, cols: Columns, result: ImportResult) -> list[OrgRow]:
    rows: list[OrgRow] = []
    seen: dict[str, int] = {}
    for number, cells in table.rows:
        result.rows += 1
        rr = RowReader(result, table.sheet, number, cols.getter(cells))
        code = rr.text("ma_to_chuc", required=True, max_length=32)
        name = " ".join(rr.text("ten_to_chuc", required=True).split())
        parent = rr.text("ma_to_chuc_cap_tren", max_length=32)
        kind = rr.vocab("loai_to_chuc", "loai_to_chuc", required=True)
        level = rr.vocab("cap_hoc", "cap_hoc")
        ownership = rr.vocab("loai_hinh", "loai_hinh")
        opened = rr.date("ngay_thanh_lap") or DEFAULT_OPENED
        if code and code in seen:
            rr.error(
                "ma_to_chuc",
                _("This code already appears in row %(row)s.") % {"row": seen[code]},
                code,
            )
        if code and parent == code:
            rr.error(
                "ma_to_chuc_cap_tren", _("An organization cannot be its own superior."), parent
            )
        if rr.bad:
            continue
        seen[code] = number
        rows.append(OrgRow(number, code, name, parent, kind, level, ownership, opened))
    return rows


def plan(rows: list[OrgRow], actor: Any, sheet: str, result: ImportResult) -> list[OrgRow]:
    """Check parents, kinds and scope; order rows parents first."""
    existing = {o.code: o for o in Org.objects.all()}
    in_file = {row.code: row for row in rows}
    scope = scope_for(actor, Cap.ORG_RESTRUCTURE) if actor is not None else None

    def kind_of(code: str) -> str | None:
        if code in in_file:
            return in_file[code].kind
        return existing[code].kind if code in existing else None

    ok: list[OrgRow] = []
    for row in rows:

        def err(column: str, message: str, value: str = "", row: OrgRow = row) -> None:
            result.add(Problem(sheet, row.number, column, value, message))

        if row.parent_code and row.parent_code not in in_file and row.parent_code not in existing:
            err("ma_to_chuc_cap_tren", _("No party organization has this code."), row.parent_code)
            continue
        parent_kind = kind_of(row.parent_code) if row.parent_code else None
        if parent_kind not in ALLOWED_PARENTS[row.kind]:
            err(
                "loai_to_chuc",
                _("This type of organization cannot be placed under the superior given."),
                row.kind,
            )
            continue
        current = existing.get(row.code)
        if current is not None and current.kind != row.kind:
            err(
                "loai_to_chuc",
                _("The type of an existing organization cannot be changed by import."),
                row.kind,
            )
            continue
        if current is not None and (
            current.school_level != row.school_level or current.ownership != row.ownership
        ):
            err(
                "cap_hoc",
                _(
                    "The school level or ownership of an existing organization cannot be changed by import."
                ),
            )
            continue
        if scope is not None:
            target = existing.get(row.parent_code) if row.parent_code else None
            anchor = current or target
            if row.parent_code in in_file and current is None:
                anchor = None  # checked through its own row
            if anchor is not None and not scope.covers(anchor):
                err(
                    "ma_to_chuc",
                    _("You may not change organizations outside your scope."),
                    row.code,
                )
                continue
            if not row.parent_code and current is None:
                err(
                    "ma_to_chuc_cap_tren",
                    _("Only the system set-up can create the root organization."),
                )
                continue
        ok.append(row)
    # Parents first; a cycle or an orphan (its parent's row was refused) is an error.
    ordered: list[OrgRow] = []
    placed = set(existing) - set(in_file)
    pending = {row.code: row for row in ok}
    while pending:
        ready = [r for r in pending.values() if not r.parent_code or r.parent_code in placed]
        if not ready:
            for row in pending.values():
                result.add(
                    Problem(
                        sheet,
                        row.number,
                        "ma_to_chuc_cap_tren",
                        row.parent_code,
                        _("The superior cannot be imported (see its own row, or a cycle)."),
                    )
                )
            break
        for row in ready:
            ordered.append(row)
            placed.add(row.code)
            del pending[row.code]
    return ordered


def write(rows: list[OrgRow], actor: Any, result: ImportResult) -> None:
    """Create, move and rename through orgs.services; raises ValidationError (caller maps it to the row)."""
    today = timezone.localdate()
    for row in rows:
        current = Org.objects.filter(code=row.code).select_related("parent").first()
        parent = Org.objects.get(code=row.parent_code) if row.parent_code else None
        if current is None:
            os_.org_create(
                actor=actor,
                code=row.code,
                name=row.name,
                kind=row.kind,
                parent=parent,
                opened_on=row.opened_on,
                school_level=row.school_level,
                ownership=row.ownership,
            )
            result.created += 1
            continue
        changed = False
        if parent is not None and current.parent_id != parent.pk:
            os_.org_move(
                actor=actor,
                org=current,
                new_parent=parent,
                effective_date=today,
                note=_("Imported from a file"),
            )
            changed = True
        if current.name != row.name:
            os_.org_rename(actor=actor, org=current, name=row.name, effective_date=today)
            changed = True
        if changed:
            result.updated += 1
        else:
            result.unchanged += 1
