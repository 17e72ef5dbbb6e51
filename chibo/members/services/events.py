"""Named entry points for the lifecycle events; each is ``lifecycle.record`` of one kind.

What each kind takes, may follow, changes and checks is declared once in
``members.lifecycle.SPECS``; a kind's own inputs are keyword arguments
(``member_transfer_out(..., destination_org=org)``). Callers: the forms, the API,
the importer, admissions and oversight.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from chibo.members.lifecycle import Decision, EventKind, record
from chibo.members.models import Member, MemberEvent

member_recognize = partial(record, EventKind.RECOGNIZED)
member_transfer_out = partial(record, EventKind.TRANSFER_OUT)
member_transfer_in = partial(record, EventKind.TRANSFER_IN)
member_temp_transfer_out = partial(record, EventKind.TEMP_OUT)
member_temp_transfer_back = partial(record, EventKind.TEMP_BACK)
member_exempt = partial(record, EventKind.EXEMPTED)
member_end_exemption = partial(record, EventKind.EXEMPTION_ENDED)
member_remove = partial(record, EventKind.REMOVED)
member_expel = partial(record, EventKind.EXPELLED)
member_record_death = partial(record, EventKind.DECEASED)
member_issue_card = partial(record, EventKind.CARD_ISSUED)
member_change_category = partial(record, EventKind.CATEGORY_CHANGED)


def member_record_ceremony(
    *,
    actor: Any,
    member: Member,
    on: dt.date,
    document_number: str = "",
    note: str = "",
    expected_version: int | None = None,
) -> MemberEvent:
    """The admission ceremony of a member admitted with the ceremony still to be held.

    Probation starts: it lasts the months ``probation.months`` in force on
    the ceremony's date sets (Charter Art. 5). The deadline from the decision
    is the admission path's check (``admissions``), not this one.
    """
    return record(
        EventKind.CEREMONY,
        actor=actor,
        member=member,
        effective_date=on,
        decision=Decision(number=document_number),
        note=note,
        expected_version=expected_version,
    )
