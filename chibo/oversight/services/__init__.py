"""Writes for inspection/supervision and discipline (evaluation: oversight.evaluation).

Each service checks the actor's right on the org concerned, validates against
the rules in force on the event's date (QĐ 296-QĐ/TW from 30/5/2025, QĐ
22-QĐ/TW before), writes in one transaction and records its audit entry.
The package re-exports every public name, so callers import from
``chibo.oversight.services``:

- ``inspections``: inspections and supervisions, their conclusions, follow-ups, files;
- ``cases``: discipline cases: opening, holds, release, drop, appeals;
- ``decisions``: the penalties a case allows and deciding it;
- ``subtree``: whether an org lies in another's subtree.
"""

from chibo.oversight.services.cases import (
    case_appeal,
    case_appeal_resolve,
    case_drop,
    case_hold,
    case_open,
    case_release,
    check_reviewable,
    hold_ends_on,
)
from chibo.oversight.services.decisions import allowed_penalties, case_decide
from chibo.oversight.services.inspections import (
    MAX_ATTACHMENT_BYTES,
    attachment_add,
    followup_add,
    followup_done,
    inspection_conclude,
    inspection_plan,
    inspection_set_status,
)

__all__ = [
    "MAX_ATTACHMENT_BYTES",
    "allowed_penalties",
    "attachment_add",
    "case_appeal",
    "case_appeal_resolve",
    "case_decide",
    "case_drop",
    "case_hold",
    "case_open",
    "case_release",
    "check_reviewable",
    "followup_add",
    "followup_done",
    "hold_ends_on",
    "inspection_conclude",
    "inspection_plan",
    "inspection_set_status",
]
