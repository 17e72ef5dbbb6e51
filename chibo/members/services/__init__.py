"""Writes to members: admission and receiving, lifecycle events, identity, reassignment.

Every public function checks the actor's right over the member's org, validates
against the member's current state and the rules in force on the event's date,
writes, and records the audit entry — in one transaction, with the member's row
locked so two clerks cannot interleave events. Lifecycle events all go through
``members.lifecycle.record`` (the registry of event kinds); the functions in
``events`` are its named, typed entry points.
"""

from chibo.members.lifecycle import (
    Decision,
    EventRequest,
    allowed_events,
    probation_end,
    record,
    replay,
)
from chibo.members.services.admission import Identity, member_admit, member_receive_from_outside
from chibo.members.services.events import (
    member_change_category,
    member_end_exemption,
    member_exempt,
    member_expel,
    member_issue_card,
    member_recognize,
    member_record_ceremony,
    member_record_death,
    member_remove,
    member_temp_transfer_back,
    member_temp_transfer_out,
    member_transfer_in,
    member_transfer_out,
)
from chibo.members.services.identity import (
    IDENTITY_FIELDS,
    SENSITIVE_FIELDS,
    member_update_identity,
)
from chibo.members.services.late_transfer import late_transfer_decide
from chibo.members.services.past import member_record_past_admission
from chibo.members.services.reassignment import members_reassign

__all__ = [
    "IDENTITY_FIELDS",
    "SENSITIVE_FIELDS",
    "Decision",
    "EventRequest",
    "Identity",
    "allowed_events",
    "late_transfer_decide",
    "member_admit",
    "member_change_category",
    "member_end_exemption",
    "member_exempt",
    "member_expel",
    "member_issue_card",
    "member_receive_from_outside",
    "member_recognize",
    "member_record_ceremony",
    "member_record_death",
    "member_record_past_admission",
    "member_remove",
    "member_temp_transfer_back",
    "member_temp_transfer_out",
    "member_transfer_in",
    "member_transfer_out",
    "member_update_identity",
    "members_reassign",
    "probation_end",
    "record",
    "replay",
]
