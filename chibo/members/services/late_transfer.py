"""The competent committee's decision on a late official transfer (issue 20, item 10).

QĐ 294-QĐ/TW point 6.3.1: the paperwork of an official transfer is done within 60 working
days of the decision or of the change of residence; a late one reports its reason and the
competent committee decides. A ``transfer_out`` event recorded late (``data.late``, with the
member's ``late_reason``) stays pending — no transfer letter, no arrival
(``lifecycle.check_late_transfer_cleared``) — until a user holding ``admission.decide`` over
the sending cell's superior committee accepts or refuses it: one ``LateTransferDecision``,
audited as ``members.late_transfer_decided``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.core import audit
from chibo.core.roles import Cap
from chibo.core.scoping import require_cap_on
from chibo.core.services import user_or_none
from chibo.lib.dates import dmy
from chibo.members.lifecycle import competent_committee, late_transfer_state
from chibo.members.models import LateTransferDecision, MemberEvent


def late_transfer_decide(
    *,
    actor: Any,
    event: MemberEvent,
    accepted: bool,
    decided_on: dt.date | None = None,
    note: str = "",
) -> LateTransferDecision:
    """Accept or refuse a late official transfer for the competent committee (a refusal
    needs its reason in ``note``)."""
    committee = competent_committee(event)
    require_cap_on(actor, committee, Cap.ADMISSION_DECIDE)
    state = late_transfer_state(event)
    if state is None:
        raise ValidationError(
            _("Only a late official transfer waits for the competent committee's decision.")
        )
    if state != "pending":
        raise ValidationError(_("The competent committee has already decided on this transfer."))
    today = timezone.localdate()
    day = decided_on or today
    errors: dict[str, list[str]] = {}
    if day > today:
        errors["decided_on"] = [_("The date cannot be in the future.")]
    elif day < event.effective_date:
        errors["decided_on"] = [
            _("The decision cannot be before the transfer (%(date)s).")
            % {"date": dmy(event.effective_date)}
        ]
    if not accepted and not note.strip():
        errors["note"] = [_("Give the reason for refusing the late transfer.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        decision = LateTransferDecision.objects.create(
            event=event,
            accepted=accepted,
            decided_on=day,
            committee=committee,
            decided_by=user_or_none(actor),
            note=note.strip(),
        )
        audit.record(
            actor=actor,
            action="members.late_transfer_decided",
            object_type="member",
            object_id=event.member.member_code,
            data={
                "event": event.pk,
                "accepted": accepted,
                "decided_on": day,
                "committee": committee.code,
                "late_reason": (event.data or {}).get("late_reason", ""),
                "note": decision.note,
            },
        )
    return decision
