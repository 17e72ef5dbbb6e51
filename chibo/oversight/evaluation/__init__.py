"""The annual quality evaluation (đánh giá, xếp loại chất lượng): the cell proposes, the committee confirms.

The rules for year Y are those in force on 31/12/Y: QĐ 124-QĐ/TW (2023) for
2023–2024 (grades chosen directly; HTXSNV ≤ 20% of HTTNV per grassroots
unit), QĐ 366-QĐ/TW (2025) from 2025 (a 100-point score sets the grade; the
cap kept as configuration). A proposal that breaks the cap and a member
graded KHTNV two years running are flagged, not refused; confirming a set
that breaks the cap is refused.
"""

from __future__ import annotations

from chibo.oversight.evaluation.proposals import (
    Entry,
    ProposalResult,
    evaluations_confirm,
    evaluations_propose,
    org_evaluation_confirm,
    org_evaluation_propose,
)
from chibo.oversight.evaluation.reads import (
    GridRow,
    cell_grid,
    evaluable_members,
    evaluation_summary,
    removal_grounds,
    require_unit,
)
from chibo.oversight.evaluation.rules import (
    GRADES,
    UNIT_KINDS,
    CapStatus,
    cap_status,
    cap_warning,
    failed_before,
    grade_for_score,
    grassroots_unit,
    resolve_grade,
    year_rules,
)
from chibo.oversight.models import MemberEvaluation  # the API reads ev.MemberEvaluation

__all__ = [
    "GRADES",
    "UNIT_KINDS",
    "CapStatus",
    "Entry",
    "GridRow",
    "MemberEvaluation",
    "ProposalResult",
    "cap_status",
    "cap_warning",
    "cell_grid",
    "evaluable_members",
    "evaluation_summary",
    "evaluations_confirm",
    "evaluations_propose",
    "failed_before",
    "grade_for_score",
    "grassroots_unit",
    "org_evaluation_confirm",
    "org_evaluation_propose",
    "removal_grounds",
    "require_unit",
    "resolve_grade",
    "year_rules",
]
