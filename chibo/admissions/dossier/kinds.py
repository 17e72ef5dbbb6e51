"""The dossier's five documents (``KINDS``) and who issues each (the levels of the cell's tree on
the day).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy

from chibo.admissions.models import Candidate, Stage
from chibo.orgs import letterhead
from chibo.orgs.models import Org, OrgKind

CELL_RESOLUTION = "cell_resolution"


GRASSROOTS_RESOLUTION = "grassroots_resolution"


DECISION = "decision"


RECOGNITION_RESOLUTION = "recognition_resolution"


RECOGNITION_DECISION = "recognition_decision"


# kind: (the step it follows, document type, title, label)
KINDS: dict[str, tuple[str, str, str, Any]] = {
    CELL_RESOLUTION: (
        Stage.CELL_RESOLUTION,
        "NQ",
        "Đề nghị kết nạp đảng viên",
        gettext_lazy("Cell resolution proposing admission"),
    ),
    GRASSROOTS_RESOLUTION: (
        Stage.GRASSROOTS_RESOLUTION,
        "NQ",
        "Đề nghị kết nạp đảng viên",
        gettext_lazy("Grassroots committee resolution"),
    ),
    DECISION: (
        Stage.DECISION,
        "QĐ",
        "Kết nạp đảng viên",
        gettext_lazy("Decision on admission"),
    ),
    RECOGNITION_RESOLUTION: (
        Stage.RECOGNITION_VOTE,
        "NQ",
        "Đề nghị công nhận đảng viên chính thức",
        gettext_lazy("Cell resolution proposing recognition"),
    ),
    RECOGNITION_DECISION: (
        Stage.RECOGNITION_DECISION,
        "QĐ",
        "Công nhận đảng viên chính thức",
        gettext_lazy("Decision on recognition"),
    ),
}


def source_of(candidate: Candidate, kind: str) -> str:
    return f"admissions.candidate:{candidate.pk}:{kind}"


# --- who issues each document ----------------------------------------------------------------


@dataclass(frozen=True)
class Levels:
    """The cell, its grassroots level and the committee above that, on a day."""

    cell: Org
    grassroots: Org  # the cell itself for a grassroots cell
    superior: Org | None  # decides admissions (None only at the root)


def levels_on(cell: Org, day: dt.date) -> Levels:
    up = letterhead.standing_on(cell, day).parent
    if cell.kind == OrgKind.SUBORDINATE_CELL and up is not None:
        grassroots = up
        superior = letterhead.standing_on(up, day).parent
    else:
        grassroots = cell
        superior = up
    return Levels(cell, grassroots, superior)


def issuer_of(candidate: Candidate, kind: str, day: dt.date) -> Org | None:
    """The body that issues ``kind`` for ``candidate`` on ``day`` (None: not its document)."""
    levels = levels_on(candidate.org, day)
    if kind in (CELL_RESOLUTION, RECOGNITION_RESOLUTION):
        return candidate.org
    if kind == GRASSROOTS_RESOLUTION:
        return levels.grassroots if levels.grassroots.pk != candidate.org.pk else None
    return levels.superior
