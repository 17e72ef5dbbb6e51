"""Inspection plans and conclusions, coverage, discipline cases, and the evaluation grid.

Reads through oversight.selectors (scoped, audited); writes through the
services. After a successful POST: redirect (PRG).
"""

from __future__ import annotations

from chibo.oversight.views.discipline import (
    CASE_ACTIONS,
    case,
    case_action,
    case_new,
    cases,
    member,
)
from chibo.oversight.views.grades import confirm, evaluation, grade_cell
from chibo.oversight.views.inspections import (
    attach,
    attachment,
    coverage,
    followup_add,
    followup_done,
    index,
    inspection,
    inspection_conclude,
    inspection_new,
    inspection_status,
)

__all__ = [
    "CASE_ACTIONS",
    "attach",
    "attachment",
    "case",
    "case_action",
    "case_new",
    "cases",
    "confirm",
    "coverage",
    "evaluation",
    "followup_add",
    "followup_done",
    "grade_cell",
    "index",
    "inspection",
    "inspection_conclude",
    "inspection_new",
    "inspection_status",
    "member",
]
