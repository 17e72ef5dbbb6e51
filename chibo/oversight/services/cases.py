"""Discipline cases: opening, holds and review dates, release, drop, appeals."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chibo.core import audit
from chibo.core.roles import Cap
from chibo.core.rules import RuleViolation, rule_in_force
from chibo.core.scoping import require_cap_on
from chibo.core.services import check_not_future, user_or_none
from chibo.lib.dates import add_months, dmy
from chibo.members.models import Member
from chibo.orgs.models import Org
from chibo.oversight.models import (
    CaseStatus,
    DisciplineCase,
    HoldReason,
)

# --- discipline ----------------------------------------------------------------


def case_open(
    *,
    actor: Any,
    violation: str,
    opened_on: dt.date,
    member: Member | None = None,
    subject_org: Org | None = None,
) -> DisciplineCase:
    """Open a case for a member (in its cell) or for an org (seen from its superior)."""
    if (member is None) == (subject_org is None):
        raise ValidationError({"member": [_("Choose either a member or an organization.")]})
    if member is not None:
        scope_org = member.org
        require_cap_on(actor, scope_org, Cap.OVERSIGHT_PROPOSE)
    else:
        assert subject_org is not None  # exactly one of member, subject_org (checked above)
        scope_org = subject_org
        require_cap_on(actor, subject_org.parent or subject_org, Cap.OVERSIGHT_MANAGE)
    if not violation.strip():
        raise ValidationError({"violation": [_("Describe the violation.")]})
    check_not_future(opened_on, "opened_on")
    with transaction.atomic():
        case = DisciplineCase.objects.create(
            member=member,
            subject_org=subject_org,
            org=scope_org,
            violation=violation.strip(),
            opened_on=opened_on,
            created_by=user_or_none(actor),
        )
        audit.record(
            actor=actor,
            action="oversight.case_open",
            object_type="discipline_case",
            object_id=case.pk,
            data={
                "member": member.member_code if member else "",
                "org": subject_org.code if subject_org else "",
                "opened_on": opened_on,
            },
        )
    return case


def _require_case_right(actor: Any, case: DisciplineCase) -> None:
    if case.member_id:
        require_cap_on(actor, case.org, Cap.OVERSIGHT_PROPOSE)
    else:
        require_cap_on(actor, case.org.parent or case.org, Cap.OVERSIGHT_MANAGE)


def case_hold(
    *,
    actor: Any,
    case: DisciplineCase,
    reason: str,
    since: dt.date,
    child_born_on: dt.date | None = None,
    note: str = "",
) -> DisciplineCase:
    """The case waits: the member is pregnant, nursing a child under 12 months or seriously ill (QĐ 296)."""
    _require_case_right(actor, case)
    if case.member_id is None:
        raise ValidationError(_("Only a member's case can wait for these reasons."))
    if case.status != CaseStatus.OPEN:
        raise ValidationError(_("Only a case under review can be put on hold."))
    if reason not in HoldReason.values:
        raise ValidationError({"reason": [_("Choose why the case waits.")]})
    if reason == HoldReason.NURSING and child_born_on is None:
        raise ValidationError({"child_born_on": [_("Enter the child's date of birth.")]})
    with transaction.atomic():
        case.status = CaseStatus.ON_HOLD
        case.hold_reason = reason
        case.hold_since = since
        case.child_born_on = child_born_on if reason == HoldReason.NURSING else None
        case.hold_note = note.strip()
        case.save()
        audit.record(
            actor=actor,
            action="oversight.case_hold",
            object_type="discipline_case",
            object_id=case.pk,
            data={"reason": reason, "since": since},
        )
    return case


def hold_ends_on(case: DisciplineCase) -> dt.date | None:
    """For a nursing mother: the child's first birthday (months from the rule); otherwise on release."""
    if case.hold_reason != HoldReason.NURSING or case.child_born_on is None:
        return None
    rule = rule_in_force("discipline.no_review", on=case.hold_since or case.opened_on)
    return add_months(case.child_born_on, int(rule.value["nursing_child_months"]))


def check_reviewable(case: DisciplineCase, on: dt.date) -> None:
    """Refuse a review while the member is in a no-review situation (QĐ 296-QĐ/TW)."""
    if case.status != CaseStatus.ON_HOLD:
        return
    rule = rule_in_force("discipline.no_review", on=on)
    ends = hold_ends_on(case)
    if ends is not None and on >= ends:
        return
    reason = HoldReason(case.hold_reason).label
    if ends is not None:
        message = _("The case waits (%(reason)s) until %(date)s.") % {
            "reason": reason,
            "date": dmy(ends),
        }
    else:
        message = _("The case waits (%(reason)s): release it when the situation has ended.") % {
            "reason": reason
        }
    raise RuleViolation(rule, message, field="decided_on")


def case_release(*, actor: Any, case: DisciplineCase, on: dt.date) -> DisciplineCase:
    _require_case_right(actor, case)
    if case.status != CaseStatus.ON_HOLD:
        raise ValidationError(_("This case is not on hold."))
    with transaction.atomic():
        case.status = CaseStatus.OPEN
        case.save(update_fields=["status"])
        audit.record(
            actor=actor,
            action="oversight.case_release",
            object_type="discipline_case",
            object_id=case.pk,
            data={"on": on, "reason": case.hold_reason},
        )
    return case


def case_drop(*, actor: Any, case: DisciplineCase, on: dt.date, note: str = "") -> DisciplineCase:
    """The review found no discipline is needed."""
    _require_case_right(actor, case)
    if case.status not in (CaseStatus.OPEN, CaseStatus.ON_HOLD):
        raise ValidationError(_("This case is already closed."))
    with transaction.atomic():
        case.status = CaseStatus.DROPPED
        case.decided_on = on
        case.appeal_outcome = ""
        case.hold_note = note.strip()[:255] or case.hold_note
        case.save()
        audit.record(
            actor=actor,
            action="oversight.case_drop",
            object_type="discipline_case",
            object_id=case.pk,
            data={"on": on},
        )
    return case


def case_appeal(
    *,
    actor: Any,
    case: DisciplineCase,
    filed_on: dt.date,
    note: str = "",
    received_on: dt.date | None = None,
) -> DisciplineCase:
    """Record an appeal; it must be filed within the rule's days of receiving the decision."""
    _require_case_right(actor, case)
    if case.status != CaseStatus.DECIDED:
        raise ValidationError(_("Only a decided case can be appealed."))
    if case.appeal_on is not None:
        raise ValidationError(_("An appeal has already been recorded."))
    received = received_on or case.received_on
    if received is None:
        raise ValidationError({"received_on": [_("Enter when the decision was received.")]})
    assert case.decided_on is not None  # a decided case has its date
    if received < case.decided_on:
        raise ValidationError(
            {"received_on": [_("The decision cannot be received before it was made.")]}
        )
    if filed_on < received:
        raise ValidationError(
            {"filed_on": [_("The appeal cannot be filed before the decision was received.")]}
        )
    check_not_future(filed_on, "filed_on")
    rule = rule_in_force("discipline.appeal_days", on=received)
    days = (filed_on - received).days
    if days > int(rule.value):
        raise RuleViolation(
            rule,
            _(
                "The appeal came %(days)s days after the decision was received (%(date)s); "
                "the limit is %(limit)s days."
            )
            % {"days": days, "date": dmy(received), "limit": rule.value},
            field="filed_on",
        )
    with transaction.atomic():
        case.received_on = received
        case.appeal_on = filed_on
        case.appeal_note = note.strip()
        case.save()
        audit.record(
            actor=actor,
            action="oversight.case_appeal",
            object_type="discipline_case",
            object_id=case.pk,
            data={"filed_on": filed_on, "received_on": received, "days": days},
        )
    return case


def case_appeal_resolve(*, actor: Any, case: DisciplineCase, outcome: str) -> DisciplineCase:
    require_cap_on(actor, case.deciding_org or case.org, Cap.OVERSIGHT_MANAGE)
    if case.appeal_on is None:
        raise ValidationError(_("No appeal has been recorded."))
    if not outcome.strip():
        raise ValidationError({"outcome": [_("Describe the outcome.")]})
    with transaction.atomic():
        case.appeal_outcome = outcome.strip()[:255]
        case.save(update_fields=["appeal_outcome"])
        audit.record(
            actor=actor,
            action="oversight.case_appeal_resolve",
            object_type="discipline_case",
            object_id=case.pk,
            data={"outcome": case.appeal_outcome},
        )
    return case
