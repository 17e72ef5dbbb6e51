"""The steps that touch the party member's record: decision, ceremony and recognition.

The decision to admit creates the member through
``members.services.member_admit`` (probationary, admitted on the decision's
date by the candidate's cell), so the member's event log starts with the
admission; the ceremony is still to be held. The ceremony step appends the
``ceremony`` event (``member_record_ceremony``), which starts probation
(``probation.months`` in force on the ceremony's date). Recognition goes
through ``member_recognize`` and takes effect on the day probation ended.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from chibo.admissions import checks
from chibo.admissions.models import Candidate, CandidateStep, Stage
from chibo.admissions.path import ceremony_counted_from, failed_votes, last_step
from chibo.core.rules import rule_in_force
from chibo.members import services as member_services
from chibo.members.models import Member


def check_recognition_vote_date(chk: checks.Checker, c: Candidate, on: dt.date) -> None:
    """After probation, within its working days; a vote again after one without 2/3 comes
    after it (the deadline was for the first vote)."""
    member = c.member
    # The path asks for this vote only after the ceremony, which the decision's member holds.
    assert member is not None
    ends_on = member.probation_ends_on
    if ends_on is None:
        raise ValidationError(
            _("The admission ceremony has not been recorded: probation has not started yet.")
        )
    before = failed_votes(c)
    if before:
        if on <= before[-1].done_on:
            raise ValidationError(
                {
                    "done_on": [
                        _(
                            "The cell already voted on %(date)s without reaching 2/3; a new "
                            "vote comes after that day."
                        )
                        % {"date": checks.fmt(before[-1].done_on)}
                    ]
                }
            )
        return
    if on < ends_on:
        assert member.ceremony_on is not None  # probation ends only after a ceremony
        chk.require(
            rule_in_force("probation.months", on=member.ceremony_on),
            False,
            _("Probation ends on %(date)s; the cell votes after that.")
            % {"date": checks.fmt(ends_on)},
            "done_on",
        )
    else:
        checks.check_deadline(
            chk,
            "recognition.vote_working_days",
            ends_on,
            on,
            _("The recognition vote"),
        )


def admit(
    actor: Any,
    c: Candidate,
    on: dt.date,
    document_number: str,
    deciding_body: str,
    member_code: str = "",
) -> Member:
    """The decision to admit: a probationary member whose ceremony is still to be held."""
    identity = member_services.Identity(
        member_code=member_code.strip() or f"KN{c.pk:07d}",
        full_name=c.full_name,
        date_of_birth=c.date_of_birth,
        gender=c.gender,
        category=c.category,
        ethnicity=c.ethnicity,
        citizen_id=c.citizen_id,
        phone=c.phone,
    )
    return member_services.member_admit(
        actor=actor,
        org=c.org,
        identity=identity,
        admitted_on=on,
        decision=member_services.Decision(number=document_number, issuing_body=deciding_body),
        ceremony_pending=True,
        note=_("Admitted through the admission path (candidate %(id)s).") % {"id": c.pk},
    )


def _decided_member(actor: Any, c: Candidate, decision: CandidateStep) -> Member:
    if c.member_id is not None:
        return Member.objects.get(pk=c.member_id)
    # A case decided before the decision created the member: admit now, on the decision's date.
    return admit(
        actor,
        c,
        decision.done_on,
        decision.document_number,
        str(decision.data.get("deciding_body") or ""),
        str(decision.data.get("member_code") or ""),
    )


def hold_ceremony(
    chk: checks.Checker,
    actor: Any,
    c: Candidate,
    on: dt.date,
    document_number: str,
    note: str,
) -> dict[str, Any]:
    """The ceremony, within its working days of receiving the decision: probation starts."""
    decision = last_step(c, Stage.DECISION)
    assert decision is not None  # the path allows the ceremony only after the decision
    if c.decision_received_on and on < c.decision_received_on:
        raise ValidationError(
            {
                "done_on": [
                    _("The ceremony cannot be before the cell received the decision (%(date)s).")
                    % {"date": checks.fmt(c.decision_received_on)}
                ]
            }
        )
    checks.check_deadline(
        chk,
        "admission.ceremony_working_days",
        ceremony_counted_from(c, decision.done_on),
        on,
        _("The admission ceremony"),
    )
    member = _decided_member(actor, c, decision)
    member_services.member_record_ceremony(
        actor=actor, member=member, on=on, document_number=document_number, note=note
    )
    assert member.probation_ends_on is not None  # the ceremony starts probation
    return {
        "member_id": member.pk,
        "member_code": member.member_code,
        "probation_ends_on": member.probation_ends_on.isoformat(),
    }


def recognize(
    chk: checks.Checker,
    actor: Any,
    c: Candidate,
    on: dt.date,
    document_number: str,
    data: dict[str, Any],
) -> dict[str, Any]:
    vote = last_step(c, Stage.RECOGNITION_VOTE)
    # After three votes without 2/3 the upper committee decides, counted from the third.
    start = vote.done_on if vote is not None else c.escalated_on
    if start is None:
        raise ValidationError(_("The cell has not voted on the recognition yet."))
    if on < start:
        raise ValidationError(
            {
                "done_on": [
                    _("The date cannot be before the previous step (%(date)s).")
                    % {"date": checks.fmt(start)}
                ]
            }
        )
    extension = bool(data.get("extension"))
    checks.check_deadline(
        chk,
        "recognition.decision_working_days",
        start,
        on,
        _("The recognition decision"),
        extension=extension,
    )
    if not document_number.strip():
        raise ValidationError({"document_number": [_("Enter the number of the decision.")]})
    assert c.member_id is not None  # the decision before it admitted the member
    member = Member.objects.get(pk=c.member_id)
    member_services.member_recognize(
        actor=actor,
        member=member,
        decided_on=on,
        decision=member_services.Decision(
            number=document_number, issuing_body=str(data.get("deciding_body") or "")
        ),
    )
    assert member.probation_ends_on is not None  # recognition takes effect when probation ended
    return {
        "deciding_body": str(data.get("deciding_body") or "").strip(),
        "extension": extension,
        "recognized_on": member.probation_ends_on.isoformat(),
        **({"escalated_on": c.escalated_on.isoformat()} if c.escalated_on else {}),
    }
