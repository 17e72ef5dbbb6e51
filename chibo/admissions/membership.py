"""The steps that touch the party member's record: ceremony (member_admit) and recognition.

The ceremony creates the member through ``members.services.member_admit``:
admitted on the decision's date, probation from the ceremony, so the
member's event log starts with the admission. Recognition goes through
``member_recognize`` and takes effect on the day probation ended.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from chibo.admissions import checks
from chibo.admissions.models import Candidate, Stage
from chibo.admissions.path import last_step
from chibo.core.rules import rule_in_force
from chibo.members import services as member_services
from chibo.members.models import Member


def check_recognition_vote_date(chk: checks.Checker, c: Candidate, on: dt.date) -> None:
    member = c.member
    if on < member.probation_ends_on:
        chk.require(
            rule_in_force("probation.months", on=member.ceremony_on),
            False,
            _("Probation ends on %(date)s; the cell votes after that.")
            % {"date": checks.fmt(member.probation_ends_on)},
            "done_on",
        )
    else:
        checks.check_deadline(
            chk,
            "recognition.vote_working_days",
            member.probation_ends_on,
            on,
            _("The recognition vote"),
        )


def admit(
    chk: checks.Checker, actor: Any, c: Candidate, on: dt.date, data: dict[str, Any]
) -> dict[str, Any]:
    decision = last_step(c, Stage.DECISION)
    checks.check_deadline(
        chk, "admission.ceremony_working_days", decision.done_on, on, _("The admission ceremony")
    )
    code = str(data.get("member_code") or "").strip() or f"KN{c.pk:07d}"
    identity = member_services.Identity(
        member_code=code,
        full_name=c.full_name,
        date_of_birth=c.date_of_birth,
        gender=c.gender,
        category=c.category,
        ethnicity=c.ethnicity,
        citizen_id=c.citizen_id,
        phone=c.phone,
    )
    member = member_services.member_admit(
        actor=actor,
        org=c.org,
        identity=identity,
        admitted_on=decision.done_on,
        decision=member_services.Decision(
            number=decision.document_number, issuing_body=decision.data.get("deciding_body", "")
        ),
        ceremony_on=on,
        note=_("Admitted through the admission path (candidate %(id)s).") % {"id": c.pk},
    )
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
    extension = bool(data.get("extension"))
    checks.check_deadline(
        chk,
        "recognition.decision_working_days",
        vote.done_on,
        on,
        _("The recognition decision"),
        extension=extension,
    )
    if not document_number.strip():
        raise ValidationError({"document_number": [_("Enter the number of the decision.")]})
    member = Member.objects.get(pk=c.member_id)
    member_services.member_recognize(
        actor=actor,
        member=member,
        decided_on=on,
        decision=member_services.Decision(
            number=document_number, issuing_body=str(data.get("deciding_body") or "")
        ),
    )
    return {
        "deciding_body": str(data.get("deciding_body") or "").strip(),
        "extension": extension,
        "recognized_on": member.probation_ends_on.isoformat(),
    }
