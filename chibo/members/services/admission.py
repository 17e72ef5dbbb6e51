"""New members: admission (kết nạp) and receiving a member from outside chibo.

Both create the ``Member`` row and its first event (``admitted`` or ``transfer_in``
with ``first_record``) in one transaction, audited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chibo.core import audit
from chibo.core.roles import Cap
from chibo.core.scoping import require_cap_on
from chibo.core.services import check_not_future, user_or_none
from chibo.lib.text import fold
from chibo.members.lifecycle import (
    SPECS,
    Decision,
    EventKind,
    EventRequest,
    Status,
    check_age,
    check_cell,
    probation_end,
)
from chibo.members.models import Member, MemberEvent
from chibo.orgs.models import Org


@dataclass
class Identity:
    member_code: str
    full_name: str
    date_of_birth: dt.date
    gender: str
    category: str
    ethnicity: str = "Kinh"
    expected_graduation: dt.date | None = None
    party_card_number: str = ""
    citizen_id: str = ""
    phone: str = ""


def _identity_member(identity: Identity) -> Member:
    name = " ".join(identity.full_name.split())
    folded = fold(name)
    return Member(
        member_code=identity.member_code.strip(),
        full_name=name,
        name_folded=folded,
        given_folded=folded.rsplit(" ", 1)[-1] if folded else "",
        date_of_birth=identity.date_of_birth,
        gender=identity.gender,
        ethnicity=identity.ethnicity.strip() or "Kinh",
        category=identity.category,
        expected_graduation=identity.expected_graduation,
        party_card_number=identity.party_card_number.strip(),
        citizen_id=identity.citizen_id.strip(),
        phone=identity.phone.strip(),
    )


def _validate_new(member: Member, exclude: list[str]) -> None:
    if Member.objects.filter(member_code=member.member_code).exists():
        raise ValidationError(
            {
                "member_code": [
                    _("The member code %(code)s is already used.") % {"code": member.member_code}
                ]
            }
        )
    member.full_clean(exclude=exclude)


def member_admit(
    *,
    actor: Any,
    org: Org,
    identity: Identity,
    admitted_on: dt.date,
    decision: Decision,
    ceremony_on: dt.date | None = None,
    ceremony_pending: bool = False,
    note: str = "",
    historical: bool = False,
    over_age_approval: str = "",
    first_admitted_on: dt.date | None = None,
    out_periods: list[tuple[dt.date, dt.date]] | None = None,
) -> Member:
    """Create a probationary member from an admission decision (kết nạp).

    The admission path calls it at the committee's decision; ``historical`` marks an
    admission made before chibo, entered afterwards (``past.member_record_past_admission``
    checks the rules of that date first): its event says so and its audit entry is
    ``members.past_admission``.

    Probation runs from the admission ceremony. When the ceremony is recorded
    with the admission, it is ``ceremony_on`` (default: the decision's date).
    With ``ceremony_pending`` (the admission path admits at the decision) the
    ceremony is still to be held: ``ceremony_on`` and ``probation_ends_on``
    stay empty until ``member_record_ceremony``.
    """
    require_cap_on(actor, org, Cap.MEMBER_CHANGE)
    check_cell(org)
    check_not_future(admitted_on, "admitted_on")
    if ceremony_pending and ceremony_on is not None:
        raise ValueError("ceremony_on and ceremony_pending exclude each other")
    ceremony = None if ceremony_pending else (ceremony_on or admitted_on)
    if ceremony is not None and ceremony < admitted_on:
        raise ValidationError(
            {"ceremony_on": [_("The ceremony cannot be before the admission decision.")]}
        )
    if identity.date_of_birth >= admitted_on:
        raise ValidationError(
            {"date_of_birth": [_("The date of birth must be before the admission.")]}
        )
    check_age(identity.date_of_birth, identity.category, admitted_on)
    member = _identity_member(identity)
    member.org = org
    member.status = Status.ACTIVE
    member.is_full = False
    member.admitted_on = admitted_on
    member.admitting_org = org
    member.category_at_admission = identity.category
    member.ceremony_on = ceremony
    member.probation_ends_on = probation_end(ceremony) if ceremony else None
    member.status_changed_on = admitted_on
    member.last_event_on = admitted_on
    _validate_new(member, exclude=["org", "admitting_org", "name_folded", "given_folded"])
    with transaction.atomic():
        member.save()
        event = MemberEvent.objects.create(
            member=member,
            kind=EventKind.ADMITTED,
            effective_date=admitted_on,
            decision_number=decision.number.strip(),
            issuing_org=decision.issuing_org,
            issuing_body=decision.issuing_body.strip(),
            actor=user_or_none(actor),
            note=note.strip(),
            data=SPECS[EventKind.ADMITTED].event_data(
                member,
                EventRequest(
                    EventKind.ADMITTED,
                    admitted_on,
                    values={
                        "ceremony_on": ceremony,
                        "historical": historical,
                        "over_age_approval": over_age_approval.strip(),
                        "first_admitted_on": first_admitted_on,
                        "out_periods": out_periods or [],
                    },
                ),
            ),
            org=org,
            status_after=Status.ACTIVE,
            category_after=identity.category,
        )
        audit.record(
            actor=actor,
            action="members.past_admission" if historical else "members.admitted",
            object_type="member",
            object_id=member.member_code,
            data={
                "event_id": event.pk,
                "org": org.code,
                "admitted_on": admitted_on,
                "decision_number": decision.number,
                "issuing_body": decision.issuing_body,
                "category": identity.category,
                "ceremony_on": ceremony,
                **({"historical": True} if historical else {}),
            },
        )
    return member


def member_receive_from_outside(
    *,
    actor: Any,
    org: Org,
    identity: Identity,
    admitted_on: dt.date,
    recognized_on: dt.date | None,
    arrived_on: dt.date,
    decision: Decision,
    from_body: str,
    note: str = "",
) -> Member:
    """Register a member transferred in from outside chibo (another province, an agency)."""
    require_cap_on(actor, org, Cap.MEMBER_CHANGE)
    check_cell(org)
    check_not_future(arrived_on, "arrived_on")
    if admitted_on > arrived_on:
        raise ValidationError(
            {"admitted_on": [_("The admission date cannot be after the arrival.")]}
        )
    if recognized_on is not None and not (admitted_on < recognized_on <= arrived_on):
        raise ValidationError(
            {"recognized_on": [_("The recognition date must be between admission and arrival.")]}
        )
    if not from_body.strip():
        raise ValidationError({"from_body": [_("Say which organization the member comes from.")]})
    check_age(identity.date_of_birth, identity.category, arrived_on)
    member = _identity_member(identity)
    member.org = org
    member.status = Status.ACTIVE
    member.is_full = recognized_on is not None
    member.recognized_on = recognized_on
    member.admitted_on = admitted_on
    member.ceremony_on = admitted_on
    member.probation_ends_on = probation_end(admitted_on)
    member.status_changed_on = arrived_on
    member.last_event_on = arrived_on
    _validate_new(member, exclude=["org", "admitting_org", "name_folded", "given_folded"])
    with transaction.atomic():
        member.save()
        event = MemberEvent.objects.create(
            member=member,
            kind=EventKind.TRANSFER_IN,
            effective_date=arrived_on,
            decision_number=decision.number.strip(),
            issuing_org=decision.issuing_org,
            issuing_body=decision.issuing_body.strip(),
            actor=user_or_none(actor),
            note=note.strip(),
            data={
                "from": from_body.strip(),
                "first_record": True,
                "recognized_on": recognized_on.isoformat() if recognized_on else None,
                "ceremony_on": admitted_on.isoformat(),
            },
            org=org,
            status_after=Status.ACTIVE,
            category_after=identity.category,
        )
        audit.record(
            actor=actor,
            action="members.received",
            object_type="member",
            object_id=member.member_code,
            data={"event_id": event.pk, "org": org.code, "from": from_body.strip()},
        )
    return member
