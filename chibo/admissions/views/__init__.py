"""Pipeline board, candidate page, step forms, overrides and the probation watch.

Reads go through admissions.selectors (scoped, audited); writes through the
forms' calls to admissions.services. After a successful POST: redirect (PRG).
"""

from __future__ import annotations

from chibo.admissions.views.candidate import (
    decision_receipt,
    detail,
    dossier_document,
    dossier_download,
    education,
    member_history,
    override,
    replace_introducer,
    step,
)
from chibo.admissions.views.lists import BOARD_STAGES, PAGE_SIZE, board, probation, register

__all__ = [
    "BOARD_STAGES",
    "PAGE_SIZE",
    "board",
    "decision_receipt",
    "detail",
    "dossier_document",
    "dossier_download",
    "education",
    "member_history",
    "override",
    "probation",
    "register",
    "replace_introducer",
    "step",
]
