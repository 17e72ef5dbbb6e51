"""The synthetic org tree of HCMC, sized so its cells hold exactly N members.

Shares of the members by sector are rough guesses at the city's make-up;
students (≈0.75% of members) and pupils (≈0.05%) are sized so that, with
≈3% of members admitted a year, they make ≈5% and ≈0.3% of the admissions
of the last five years — the footnote of directive 1000-CV/TU.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from chibo.members.demo import catalog as cat
from chibo.orgs.letterhead import default_abbreviation
from chibo.orgs.models import encode_step

CITY = "city_committee"
DIRECT = "direct_committee"
GR_COMMITTEE = "grassroots_committee"
GR_CELL = "grassroots_cell"
SUB_CELL = "subordinate_cell"


@dataclass(eq=False)
class OrgSpec:
    id: int
    code: str
    name: str
    kind: str
    parent: OrgSpec | None
    path: str
    school_level: str = ""
    ownership: str = ""
    suffix: str = "ĐU"  # its document abbreviation (HD 36): 123-QĐ/ĐU, 01-NQ/CB
    profile: str = ""  # cells: which members it holds (see people.PROFILES)
    size: int = 0  # cells: members to generate
    students: int = 0  # of which students (student cells)
    pupils: int = 0  # of which grade-12 pupils (upper-secondary cells)
    # Dated restructuring (the 2025 reform): under ``old_parent`` (named ``old_name``)
    # until ``moved_on``, under ``parent`` from then; a closed org's first day without it.
    moved_on: dt.date | None = None
    old_parent: OrgSpec | None = None
    old_name: str = ""
    closed_on: dt.date | None = None

    @property
    def depth(self) -> int:
        return len(self.path) // 6 - 1

    def parent_on(self, ordinal: int) -> OrgSpec | None:
        """The superior on a day (a date ordinal): the old one before a move."""
        if self.moved_on is not None and ordinal < self.moved_on.toordinal():
            return self.old_parent
        return self.parent

    def superior_on(self, ordinal: int) -> OrgSpec:
        """``parent_on`` of an org below the city (a cell always has a superior)."""
        up = self.parent_on(ordinal)
        assert up is not None, f"{self.code} has no superior"
        return up


@dataclass
class Tree:
    orgs: list[OrgSpec] = field(default_factory=list)
    by_code: dict[str, OrgSpec] = field(default_factory=dict)
    demo: dict[str, OrgSpec] = field(default_factory=dict)  # username → org of the role

    @property
    def cells(self) -> list[OrgSpec]:
        return [org for org in self.orgs if org.kind in (GR_CELL, SUB_CELL)]


def split(total: int, weights: list[float], minimum: int = 3) -> list[int]:
    """``total`` split in proportion to ``weights`` (largest remainder), each ≥ ``minimum`` if possible."""
    n = len(weights)
    if n == 0:
        return []
    base = min(minimum, total // n)
    rest = total - base * n
    whole = sum(weights)
    raw = [rest * w / whole for w in weights]
    out = [int(x) for x in raw]
    for i in sorted(range(n), key=lambda i: out[i] - raw[i])[: rest - sum(out)]:
        out[i] += 1
    return [base + x for x in out]


def clamp(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


class TreeBase:
    """Primitives to add orgs; ``sectors.TreeBuilder`` lays out the city with them."""

    def __init__(self, members: int, rng: random.Random) -> None:
        self.n = members
        self.rng = rng
        self.tree = Tree()
        self.thpt_names = iter(cat.THPT)
        self.districts_made: list[tuple[OrgSpec, str]] = []

    # --- primitives ---------------------------------------------------------

    def add(
        self, code: str, name: str, kind: str, parent: OrgSpec | None, **extra: object
    ) -> OrgSpec:
        if code in self.tree.by_code:
            raise ValueError(f"duplicate org code {code}")
        pk = len(self.tree.orgs) + 1
        path = (parent.path if parent else "") + encode_step(pk)
        extra.setdefault("suffix", default_abbreviation(name, kind))
        org = OrgSpec(pk, code, name, kind, parent, path, **extra)  # type: ignore[arg-type]
        if parent is not None and parent.school_level and not org.school_level:
            org.school_level, org.ownership = parent.school_level, parent.ownership
        self.tree.orgs.append(org)
        self.tree.by_code[code] = org
        return org

    def cell(
        self, code: str, name: str, parent: OrgSpec, profile: str, size: int, **extra: object
    ) -> OrgSpec:
        kind = SUB_CELL if parent.kind == GR_COMMITTEE else GR_CELL
        return self.add(code, name, kind, parent, profile=profile, size=size, **extra)

    def weights(self, n: int, spread: float = 0.4) -> list[float]:
        return [self.rng.uniform(1 - spread, 1 + spread) for _ in range(n)]

    def units(
        self,
        parent: OrgSpec,
        code: str,
        name: str,
        budget: int,
        unit_names: list[str],
        profile: str,
        per_cell: int,
        threshold: int,
        **extra: object,
    ) -> OrgSpec:
        """A committee with one cell per unit when big enough, else a single cell."""
        if budget < threshold:
            return self.cell(code, f"Chi bộ {name}", parent, profile, budget, **extra)
        committee = self.add(code, f"Đảng bộ {name}", GR_COMMITTEE, parent, **extra)
        count = clamp(budget / per_cell, 2, len(unit_names))
        for i, (unit, size) in enumerate(
            zip(unit_names, split(budget, self.weights(count)), strict=False)
        ):
            self.cell(f"{code}-{i + 1:02d}", f"Chi bộ {unit}", committee, profile, size)
        return committee

    # --- the tree -----------------------------------------------------------
