"""Which blocks a user's start page shows: one per role assignment in force (deduplicated)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from chibo.accounts.models import RoleAssignment
from chibo.core.roles import Cap, Role
from chibo.core.scoping import has_cap
from chibo.home import offices, work
from chibo.orgs.models import Org

COMMITTEE_ROLES = (Role.GRASSROOTS_STAFF, Role.SUPERIOR_STAFF, Role.VIEWER)
MAX_BLOCKS = 6


@dataclass
class Block:
    kind: str  # "cell" | "committee" | "city" | "admin"
    org: Org | None
    data: Any
    items: list[work.Item]


def _assignments(user: Any, today: dt.date) -> list[tuple[str, Org]]:
    rows = (
        RoleAssignment.objects.filter(user=user).select_related("org").order_by("org__path", "role")
    )
    return [(ra.role, ra.org) for ra in rows if ra.in_force(today)]


def _outermost(orgs: list[Org]) -> list[Org]:
    out: list[Org] = []
    for org in sorted(orgs, key=lambda o: o.path):
        if not any(org.path.startswith(o.path) for o in out):
            out.append(org)
    return out


def blocks_for(user: Any, today: dt.date) -> list[Block]:
    """The start page's blocks, in a fixed order: cells, committees, the city, administration."""
    assignments = _assignments(user, today)
    can_report = has_cap(user, Cap.DIRECTIVE_REPORT)
    cells = _outermost([o for r, o in assignments if r == Role.CELL_SECRETARY])
    committees = _outermost([o for r, o in assignments if r in COMMITTEE_ROLES])
    cells = [c for c in cells if not any(c.path.startswith(o.path) for o in committees)]
    city = _outermost([o for r, o in assignments if r == Role.CITY_OFFICE])
    out: list[Block] = []
    for org in [*cells, *committees][:MAX_BLOCKS]:
        computed = work.compute_cached(org, today)
        cell = org.is_cell
        out.append(
            Block(
                "cell" if cell else "committee",
                org,
                computed,
                work.items(computed.total, computed, cell=cell, can_report=can_report),
            )
        )
    for org in city[:MAX_BLOCKS]:
        out.append(Block("city", org, offices.city_work(org, today), []))
    if any(r == Role.SYSADMIN for r, _o in assignments) or user.is_superuser:
        out.append(Block("admin", None, offices.admin_work(today), []))
    return out
