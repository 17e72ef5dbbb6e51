"""Transfers: a transfer letter issued, a graduate's transfer started."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.activity import periods
from chibo.activity.models import TransferLetter
from chibo.core import audit
from chibo.core.roles import Cap
from chibo.core.scoping import require_cap_on
from chibo.members.models import EventKind, Member, MemberEvent
from chibo.orgs.models import Org

# --- transfer letters ----------------------------------------------------------


def transfer_letter_issue(
    *, actor: Any, event: MemberEvent, number: str, issued_on: dt.date, note: str = ""
) -> TransferLetter:
    """Record the transfer letter of an official or temporary transfer, with "dues paid through"."""
    from chibo.activity.dues import paid_through

    if event.kind not in (EventKind.TRANSFER_OUT, EventKind.TEMP_OUT):
        raise ValidationError(_("A transfer letter belongs to a transfer."))
    require_cap_on(actor, event.org, Cap.MEMBER_CHANGE)
    from chibo.members.lifecycle import check_late_transfer_cleared

    check_late_transfer_cleared(event)  # a late transfer waits for the competent committee
    if not number.strip():
        raise ValidationError({"number": [_("Enter the letter's number.")]})
    if issued_on > timezone.localdate():
        raise ValidationError({"issued_on": [_("The date cannot be in the future.")]})
    if issued_on < event.effective_date:
        raise ValidationError(
            {"issued_on": [_("The letter cannot be issued before the transfer decision.")]}
        )
    through = paid_through(event.member, on=issued_on)
    with transaction.atomic():
        letter, _created = TransferLetter.objects.update_or_create(
            event=event,
            defaults={
                "number": number.strip(),
                "issued_on": issued_on,
                "dues_paid_through": through,
                "note": note.strip(),
            },
        )
        audit.record(
            actor=actor,
            action="activity.transfer_letter",
            object_type="member",
            object_id=event.member.member_code,
            data={
                "event": event.pk,
                "number": letter.number,
                "issued_on": issued_on,
                "dues_paid_through": periods.label(through) if through else None,
            },
        )
    return letter


def graduate_transfer_start(
    *,
    actor: Any,
    member: Member,
    effective_date: dt.date | None = None,
    destination: str = "",
    destination_org: Org | None = None,
    decision_number: str = "",
    note: str = "",
) -> MemberEvent:
    """Start the official transfer of a graduated student to their place of residence (one step).

    Issue 20, item 11: the school's committee may keep a graduate with no job yet for up to
    ``transfer.student_keep_months`` after graduation (HD 01-HD/TW 2012, M); then the member
    transfers. Records the ``transfer_out`` event with grounds ``graduation`` (the lifecycle
    refuses it before the expected graduation, quoting the rule), from ``effective_date``
    (default today); the letter follows on the transfers page.
    """
    from chibo.activity.transfers import graduate_of
    from chibo.lib.dates import dmy
    from chibo.members.lifecycle import Decision, TransferGrounds, record

    day = effective_date or timezone.localdate()
    grad = graduate_of(member)
    if not note.strip() and grad is not None:
        note = _(
            "Graduated on %(date)s; the school's committee may keep the member until %(until)s "
            "(%(source)s): transfer to the place of residence."
        ) % {
            "date": dmy(grad.graduates_on),
            "until": dmy(grad.keep_until),
            "source": grad.rule.citation,
        }
    return record(
        EventKind.TRANSFER_OUT,
        actor=actor,
        member=member,
        effective_date=day,
        decision=Decision(number=decision_number.strip()),
        note=note.strip(),
        destination_org=destination_org,
        destination=destination,
        grounds=TransferGrounds.GRADUATION,
        grounds_on=None,
        late_reason="",
    )
