"""Writes of the activity app: meetings, attendance, absence reasons, transfer letters, warnings.

Each function checks the actor's right (``require_cap_on``), validates,
writes in one transaction and records its audit entry there. Dues are in
``activity.dues``. The ``*_bulk_record`` functions are for importers: they
validate every row first, write nothing if one row is wrong, and are
idempotent (a row that is already there is skipped).
"""

from __future__ import annotations

from chibo.activity.services.attendance import (
    AttendanceConflict,
    AttendanceEntry,
    absence_reason_save,
    attendance_record,
)
from chibo.activity.services.meetings import (
    MEETING_TEXT_FIELDS,
    group_months,
    meeting_create,
    meeting_update,
)
from chibo.activity.services.meetings_import import MeetingRecord, meetings_bulk_record
from chibo.activity.services.party_groups import party_group_create, party_group_set_members
from chibo.activity.services.roster import RosterEntry, meeting_roster, roster
from chibo.activity.services.transfers import graduate_transfer_start, transfer_letter_issue
from chibo.activity.services.warning_refresh import warnings_refresh, warnings_refreshed

__all__ = [
    "MEETING_TEXT_FIELDS",
    "AttendanceConflict",
    "AttendanceEntry",
    "MeetingRecord",
    "RosterEntry",
    "absence_reason_save",
    "attendance_record",
    "graduate_transfer_start",
    "group_months",
    "meeting_create",
    "meeting_roster",
    "meeting_update",
    "meetings_bulk_record",
    "party_group_create",
    "party_group_set_members",
    "roster",
    "transfer_letter_issue",
    "warnings_refresh",
    "warnings_refreshed",
]
