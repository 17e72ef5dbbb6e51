"""Pages: overview, meetings and the attendance sheet, warnings, dues, transfers, absence reasons.

Thin views: scoping and reads through ``activity.selectors``/``transfers``,
writes through ``activity.services``/``dues``. An htmx request gets the
partial the full page includes.
"""

from __future__ import annotations

from chibo.activity.views.followup import tracking_page, warnings, warnings_refresh
from chibo.activity.views.meetings import (
    meeting,
    meeting_new,
    meetings,
    reasons,
    row_save,
    sheet_save,
)
from chibo.activity.views.overview import MISSING_PER_PAGE, overview
from chibo.activity.views.party_groups import party_groups
from chibo.activity.views.payments import dues_page
from chibo.activity.views.transfer_pages import (
    TRANSFERS_PER_PAGE,
    graduate_transfer,
    late_decision,
    letter,
    letter_docx,
    letter_download,
    transfers_page,
)

__all__ = [
    "MISSING_PER_PAGE",
    "TRANSFERS_PER_PAGE",
    "dues_page",
    "graduate_transfer",
    "late_decision",
    "letter",
    "letter_docx",
    "letter_download",
    "meeting",
    "meeting_new",
    "meetings",
    "overview",
    "party_groups",
    "reasons",
    "row_save",
    "sheet_save",
    "tracking_page",
    "transfers_page",
    "warnings",
    "warnings_refresh",
]
