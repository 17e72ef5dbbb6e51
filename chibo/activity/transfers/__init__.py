"""Transfers in transit: the paperwork on top of the members' transfer events, and graduating students.

An official transfer (``transfer_out`` event) is in transit until the
receiving cell records the member's arrival (the ``transfer_in`` event: its
confirmation). The member presents the letter within 30 working days of its
issue (QĐ 294-QĐ/TW §6.3.1; rule ``transfer.official_present_working_days``).
Graduating students may be kept by the school's committee for up to 12
months (HD 01-HD/TW 2012, confidence M; rule ``transfer.student_keep_months``).
"""

from __future__ import annotations

from chibo.activity.transfers.graduates import (
    ENDING_MONTHS,
    GRADUATE_STATES,
    Graduate,
    graduate_of,
    graduating,
    graduating_members,
)
from chibo.activity.transfers.late import (
    LATE_STATES,
    LateTransfer,
    late_transfer_events,
    late_transfer_for,
    late_transfer_of,
    late_transfers,
)
from chibo.activity.transfers.papers import (
    Paper,
    incoming,
    incoming_members,
    incoming_papers,
    outgoing_events,
    paper_for,
    papers_of,
)
from chibo.activity.transfers.temporary import (
    NO_END,
    TEMP_ENDING_MONTHS,
    TEMP_STATES,
    TempAway,
    temp_away_of,
    temporary_away,
    temporary_away_events,
)

__all__ = [
    "ENDING_MONTHS",
    "GRADUATE_STATES",
    "LATE_STATES",
    "NO_END",
    "TEMP_ENDING_MONTHS",
    "TEMP_STATES",
    "Graduate",
    "LateTransfer",
    "Paper",
    "TempAway",
    "graduate_of",
    "graduating",
    "graduating_members",
    "incoming",
    "incoming_members",
    "incoming_papers",
    "late_transfer_events",
    "late_transfer_for",
    "late_transfer_of",
    "late_transfers",
    "outgoing_events",
    "paper_for",
    "papers_of",
    "temp_away_of",
    "temporary_away",
    "temporary_away_events",
]
