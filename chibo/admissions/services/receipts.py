"""After the decision: the decision's receipt and the new member's personal history (lý lịch), each
against its deadline.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.admissions import checks
from chibo.admissions.models import (
    Candidate,
    Stage,
)
from chibo.admissions.path import (
    refresh_due,
)
from chibo.core import audit
from chibo.core.roles import Cap
from chibo.core.rules import RuleViolation
from chibo.core.scoping import require_cap_on
from chibo.core.services import check_not_future
from chibo.members.models import Member


def _received_with_decision(stage: str, data: dict[str, Any], done_on: dt.date) -> dt.date | None:
    """The optional date the cell received the decision, given with the decision step."""
    if stage != Stage.DECISION:
        return None
    received_on = checks.decision_received_on(data.pop("received_on", None))
    if received_on is not None:
        checks.check_decision_received(received_on, done_on, timezone.localdate())
    return received_on


def candidate_record_decision_receipt(
    *,
    actor: Any,
    candidate: Candidate,
    received_on: dt.date,
    expected_version: int | None = None,
) -> Candidate:
    """Record when the cell received the admission decision; the ceremony's deadline counts from it.

    The paper often reaches the cell days after it is signed, so this may come
    after the decision (by the cell or the committee: ``member.change``), until
    the ceremony is recorded. A correction is audited with the previous date.
    """
    require_cap_on(actor, candidate.org, Cap.MEMBER_CHANGE)
    with transaction.atomic():
        c = Candidate.objects.select_for_update().get(pk=candidate.pk)
        if expected_version is not None and c.version != expected_version:
            raise ValidationError(
                _("Someone else changed this candidate meanwhile. Reload the page and try again.")
            )
        if c.stage != Stage.DECISION:
            raise ValidationError(
                {
                    "received_on": [
                        _(
                            "The date the cell received the decision is recorded once the "
                            "admission decision is recorded and before the ceremony."
                        )
                    ]
                }
            )
        # At the decision step, stage_on is the decision's date.
        checks.check_decision_received(received_on, c.stage_on, timezone.localdate())
        previous = c.decision_received_on
        c.decision_received_on = received_on
        c.version += 1
        refresh_due(c, save=False)
        c.save(
            update_fields=[
                "decision_received_on",
                "next_due",
                "next_due_for",
                "version",
                "updated_at",
            ]
        )
        audit.record(
            actor=actor,
            action="admissions.decision_received",
            object_type="candidate",
            object_id=c.pk,
            data={"received_on": received_on, "previous": previous, "next_due": c.next_due},
        )
    candidate.__dict__.update({k: v for k, v in c.__dict__.items() if not k.startswith("_")})
    return candidate


def candidate_record_member_history(
    *,
    actor: Any,
    candidate: Candidate,
    declared_on: dt.date,
    late_reason: str = "",
    expected_version: int | None = None,
) -> Candidate:
    """The new member declared the personal history (lý lịch đảng viên) on ``declared_on``.

    Due within ``admission.member_history_working_days`` (30) working days of the
    ceremony, counted with the working-day calendar (holidays and the year's adjustments).
    Recorded by the cell (``member.change``) once the ceremony is recorded, not before it
    and not in the future; after the deadline it needs the reason for the delay (refused
    without it, quoting the rule), kept with the date. A correction is audited with the
    previous date.
    """
    require_cap_on(actor, candidate.org, Cap.MEMBER_CHANGE)
    check_not_future(declared_on, "declared_on")
    reason = late_reason.strip()
    with transaction.atomic():
        c = Candidate.objects.select_for_update().get(pk=candidate.pk)
        if expected_version is not None and c.version != expected_version:
            raise ValidationError(
                _("Someone else changed this candidate meanwhile. Reload the page and try again.")
            )
        ceremony_on = (
            Member.objects.values_list("ceremony_on", flat=True).get(pk=c.member_id)
            if c.member_id
            else None
        )
        if ceremony_on is None or c.stage in (Stage.WITHDRAWN, Stage.REJECTED):
            raise ValidationError(
                {
                    "declared_on": [
                        _(
                            "The new member declares the personal history after the admission "
                            "ceremony: record the ceremony first."
                        )
                    ]
                }
            )
        if declared_on < ceremony_on:
            raise ValidationError(
                {
                    "declared_on": [
                        _(
                            "The personal history is declared after the admission ceremony "
                            "(%(date)s), not before."
                        )
                        % {"date": checks.fmt(ceremony_on)}
                    ]
                }
            )
        the_rule = checks.rule("admission.member_history_working_days", ceremony_on)
        due = checks.history_deadline(ceremony_on)
        late = declared_on > due
        if late and not reason:
            raise RuleViolation(
                the_rule,
                _(
                    "The personal history declared on %(date)s is after the deadline of "
                    "%(due)s (%(n)s working days from the admission ceremony on %(ceremony)s): "
                    "give the reason for the delay."
                )
                % {
                    "date": checks.fmt(declared_on),
                    "due": checks.fmt(due),
                    "n": int(the_rule.value),
                    "ceremony": checks.fmt(ceremony_on),
                },
                "late_reason",
            )
        previous = c.history_declared_on
        c.history_due_on = due
        c.history_declared_on = declared_on
        c.history_late_reason = reason if late else ""
        c.version += 1
        c.save(
            update_fields=[
                "history_due_on",
                "history_declared_on",
                "history_late_reason",
                "version",
                "updated_at",
            ]
        )
        audit.record(
            actor=actor,
            action="admissions.member_history",
            object_type="candidate",
            object_id=c.pk,
            data={
                "declared_on": declared_on,
                "due_on": due,
                "late": late,
                **({"late_reason": reason} if late else {}),
                "previous": previous,
                "citation": the_rule.citation,
            },
        )
    candidate.__dict__.update({k: v for k, v in c.__dict__.items() if not k.startswith("_")})
    return candidate
