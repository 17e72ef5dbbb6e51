"""/api/v1/activity: meetings and attendance, dues, transfers in transit, early warnings.

Same scoping and services as the UI: an org outside the actor's scope is
404, a write by a read-only role 403, a refused change 422. Lists naming
members are audited (``activity.list``).
"""

from __future__ import annotations

from chibo.activity.models import MeetingKind, Presence

# The routes register on `router` as these modules are imported: this order is the order of
# the OpenAPI document and of the URL patterns (the order of the old api.py). Keep it.
# isort: off
from chibo.activity.api.common import (
    CURSOR,
    EARLIEST,
    KindLiteral,
    LATEST,
    LIMIT,
    NEXT,
    PresenceLiteral,
    router,
)
from chibo.activity.api.followup import (
    MissingOut,
    MissingPage,
    WarningOut,
    WarningPage,
    missing_meetings,
    warnings_list,
)
from chibo.activity.api.starts import (
    TrackingIn,
    TrackingOut,
    TrackingPage,
    tracking_list,
    tracking_put,
)
from chibo.activity.api.meetings import (
    AttendanceIn,
    AttendanceRow,
    GroupMemberOut,
    MeetingIn,
    MeetingOut,
    PartyGroupIn,
    PartyGroupMembersIn,
    PartyGroupOut,
    SheetOut,
    SummaryOut,
    attendance_put,
    meeting_detail,
    meetings_create,
    meetings_list,
    party_group_members,
    party_groups_create,
    party_groups_list,
)
from chibo.activity.api.payments import (
    DuesOut,
    DuesRowOut,
    PaymentIn,
    PaymentOut,
    dues_list,
    dues_pay,
)
from chibo.activity.api.transfer_lists import (
    GraduateOut,
    GraduatePage,
    GraduateStateLiteral,
    RuleOut,
    TempStateLiteral,
    TemporaryOut,
    TemporaryPage,
    TransferOut,
    TransferPage,
    graduates_list,
    temporary_transfers_list,
    transfers_list,
)
from chibo.activity.api.transfer_decisions import (
    GraduateTransferIn,
    GraduateTransferOut,
    LateDecisionIn,
    LateTransferOut,
    LateTransferPage,
    graduate_transfer,
    late_transfer_decision,
    late_transfers_list,
)
from chibo.activity.api.letters import (
    LetterRegisterIn,
    LetterRegisteredOut,
    transfer_letter_docx,
    transfer_letter_register,
)
# isort: on

__all__ = [
    "CURSOR",
    "EARLIEST",
    "LATEST",
    "LIMIT",
    "NEXT",
    "AttendanceIn",
    "AttendanceRow",
    "DuesOut",
    "DuesRowOut",
    "GraduateOut",
    "GraduatePage",
    "GraduateStateLiteral",
    "GraduateTransferIn",
    "GraduateTransferOut",
    "GroupMemberOut",
    "KindLiteral",
    "LateDecisionIn",
    "LateTransferOut",
    "LateTransferPage",
    "LetterRegisterIn",
    "LetterRegisteredOut",
    "MeetingIn",
    "MeetingKind",
    "MeetingOut",
    "MissingOut",
    "MissingPage",
    "PartyGroupIn",
    "PartyGroupMembersIn",
    "PartyGroupOut",
    "PaymentIn",
    "PaymentOut",
    "Presence",
    "PresenceLiteral",
    "RuleOut",
    "SheetOut",
    "SummaryOut",
    "TempStateLiteral",
    "TemporaryOut",
    "TemporaryPage",
    "TrackingIn",
    "TrackingOut",
    "TrackingPage",
    "TransferOut",
    "TransferPage",
    "WarningOut",
    "WarningPage",
    "attendance_put",
    "dues_list",
    "dues_pay",
    "graduate_transfer",
    "graduates_list",
    "late_transfer_decision",
    "late_transfers_list",
    "meeting_detail",
    "meetings_create",
    "meetings_list",
    "missing_meetings",
    "party_group_members",
    "party_groups_create",
    "party_groups_list",
    "router",
    "temporary_transfers_list",
    "tracking_list",
    "tracking_put",
    "transfer_letter_docx",
    "transfer_letter_register",
    "transfers_list",
    "warnings_list",
]
