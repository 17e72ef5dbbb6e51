"""Recording an admission made before chibo (issue 20, item 2): data entry of the past.

An admission that happens now goes through the admission path (``admissions``): the
cell's steps, then the committee's decision (``admission.decide``), which creates the
member. A member admitted before the organization used chibo is entered here instead,
explicitly, by a committee user (``admission.decide`` over the cell), with the
decision's number, date and deciding body. The rules of that date apply: the age at the
decision (``admission.age_min_months``, ``admission.age_max_months`` — over 60 only with
the provincial committee's approval, whose document is kept) and probation
(``probation.months`` from the ceremony; a recognition decision not before it ends).
The ``admitted`` event is flagged ``historical`` (as the importer flags the members it
creates), audited as ``members.past_admission``; reports count these admissions apart
(``reports.figures.admissions``: ``historical_admissions``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.core.roles import Cap
from chibo.core.rules import Rule, RuleMissing, RuleViolation, rule_in_force
from chibo.core.scoping import require_cap_on
from chibo.lib.dates import dmy as fmt
from chibo.lib.dates import full_months_between
from chibo.members.lifecycle import Decision, EventKind, probation_end, record
from chibo.members.models import Member
from chibo.members.services.admission import Identity, member_admit
from chibo.orgs.models import Org


def _rule(key: str, on: dt.date) -> Rule | None:
    try:
        return rule_in_force(key, on=on)
    except RuleMissing:
        return None


def admission_age_problem(
    date_of_birth: dt.date, admitted_on: dt.date, *, over_age_approval: str = ""
) -> RuleViolation | None:
    """The age rule of the admission's date the person fails, as a refusal (None: fits).

    18 years (216 months) at least; at most 60 (720 months) unless the provincial
    committee approved it (``over_age_approval``: its document). Dates no version covers
    for the maximum (before 25/7/2016) have no known maximum.
    """
    months = full_months_between(date_of_birth, admitted_on)
    low = rule_in_force("admission.age_min_months", on=admitted_on)  # RuleMissing: clear 422
    if months < int(low.value):
        return RuleViolation(
            low,
            _(
                "On %(date)s (the admission decision) the person was %(y)s years %(m)s months "
                "old, under the minimum of %(min)s years."
            )
            % {
                "date": fmt(admitted_on),
                "y": months // 12,
                "m": months % 12,
                "min": int(low.value) // 12,
            },
            field="date_of_birth",
        )
    high = _rule("admission.age_max_months", admitted_on)
    if high is not None and months > int(high.value) and not over_age_approval.strip():
        return RuleViolation(
            high,
            _(
                "On %(date)s (the admission decision) the person was %(y)s years %(m)s months "
                "old, over %(max)s years: give the provincial committee's approval."
            )
            % {
                "date": fmt(admitted_on),
                "y": months // 12,
                "m": months % 12,
                "max": int(high.value) // 12,
            },
            field="over_age_approval",
        )
    return None


def member_record_past_admission(
    *,
    actor: Any,
    org: Org,
    identity: Identity,
    admitted_on: dt.date,
    decision_number: str,
    deciding_body: str,
    ceremony_on: dt.date | None = None,
    recognition_decided_on: dt.date | None = None,
    recognition_decision_number: str = "",
    over_age_approval: str = "",
    note: str = "",
    first_admitted_on: dt.date | None = None,
    out_periods: list[tuple[dt.date, dt.date]] | None = None,
) -> Member:
    """Enter a member admitted before chibo, flagged historical, under the rules of that date.

    ``ceremony_on`` defaults to the decision's date; with ``recognition_decided_on`` the
    member is recorded as recognized too (effective on the day probation ended).
    """
    require_cap_on(actor, org, Cap.ADMISSION_DECIDE)
    errors: dict[str, list[str]] = {}
    if not decision_number.strip():
        errors["decision_number"] = [_("Enter the number of the admission decision.")]
    if not deciding_body.strip():
        errors["deciding_body"] = [_("Enter the committee that decided the admission.")]
    today = timezone.localdate()
    ceremony = ceremony_on or admitted_on
    if ceremony < admitted_on:
        errors["ceremony_on"] = [_("The ceremony cannot be before the admission decision.")]
    elif ceremony > today:
        errors["ceremony_on"] = [_("The date cannot be in the future.")]
    periods = sorted(out_periods or [])
    start = first_admitted_on or admitted_on
    if first_admitted_on is not None and first_admitted_on >= admitted_on:
        errors["first_admitted_on"] = [
            _("A re-admitted member's first admission is before this admission decision.")
        ]
    for i, (a, b) in enumerate(periods):
        if b < a or a < start or b > today or (i and a <= periods[i - 1][1]):
            errors["out_periods"] = [
                _(
                    "Each period out of party activity runs from a date to a later one, after "
                    "the first admission, without overlapping another."
                )
            ]
            break
    if errors:
        raise ValidationError(errors)
    problem = admission_age_problem(
        identity.date_of_birth, admitted_on, over_age_approval=over_age_approval
    )
    if problem is not None:
        raise problem
    ends = probation_end(ceremony)
    if recognition_decided_on is not None:
        if recognition_decided_on < ends:
            raise RuleViolation(
                rule_in_force("probation.months", on=ceremony),
                _(
                    "Probation from the ceremony of %(ceremony)s ends on %(end)s: the recognition cannot be decided before."
                )
                % {"ceremony": fmt(ceremony), "end": fmt(ends)},
                field="recognition_decided_on",
            )
        if recognition_decided_on > today:
            raise ValidationError(
                {"recognition_decided_on": [_("The date cannot be in the future.")]}
            )
    with transaction.atomic():
        member = member_admit(
            actor=actor,
            org=org,
            identity=identity,
            admitted_on=admitted_on,
            decision=Decision(number=decision_number, issuing_body=deciding_body),
            ceremony_on=ceremony,
            note=note,
            historical=True,
            over_age_approval=over_age_approval,
            first_admitted_on=first_admitted_on,
            out_periods=periods,
        )
        if recognition_decided_on is not None:
            record(
                EventKind.RECOGNIZED,
                actor=actor,
                member=member,
                decision=Decision(number=recognition_decision_number),
                decided_on=recognition_decided_on,
            )
            member.refresh_from_db()
    return member
