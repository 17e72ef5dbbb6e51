"""Deciding a discipline case: the penalties allowed, who may decide, the decision."""

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
from chibo.core.services import check_not_future
from chibo.members import services as member_services
from chibo.orgs.models import CELL_KINDS, Org
from chibo.oversight.models import (
    CaseStatus,
    DisciplineCase,
    Penalty,
)
from chibo.oversight.services.cases import check_reviewable
from chibo.oversight.services.subtree import _under


def allowed_penalties(case: DisciplineCase, on: dt.date) -> tuple[Any, list[str]]:
    """(rule, penalties) for the case's subject on ``on``: full member, probationary member or org."""
    if case.member is None:
        key = "discipline.penalties_org"
    elif case.member.recognized_on is not None and case.member.recognized_on <= on:
        key = "discipline.penalties_member_full"
    else:
        key = "discipline.penalties_member_probationary"
    rule = rule_in_force(key, on=on)
    return rule, list(rule.value)


def _check_decider(
    *,
    actor: Any,
    case: DisciplineCase,
    penalty: str,
    deciding_org: Org,
    decided_on: dt.date,
    by_cell_vote: bool,
    votes_for: int | None,
    votes_total: int | None,
) -> None:
    if by_cell_vote:
        rule = rule_in_force("discipline.cell_may_decide", on=decided_on)
        if (
            case.member is None
            or deciding_org.pk != case.member.org_id
            or deciding_org.kind not in CELL_KINDS
        ):
            raise RuleViolation(
                rule, _("Only the member's own cell decides by its own vote."), field="deciding_org"
            )
        if penalty not in rule.value["penalties"]:
            raise RuleViolation(
                rule,
                _("A cell may only decide a reprimand or a warning by its own vote."),
                field="penalty",
            )
        require_cap_on(actor, deciding_org, Cap.OVERSIGHT_PROPOSE)
        share = rule_in_force("discipline.cell_vote_share", on=decided_on)
        if votes_for is None or not votes_total or votes_for > votes_total:
            raise ValidationError(
                {"votes_for": [_("Enter the votes in favour and the number of full members.")]}
            )
        num, den = int(share.value["num"]), int(share.value["den"])
        passed = (
            votes_for * den > votes_total * num
            if share.value.get("strict")
            else votes_for * den >= votes_total * num
        )
        if not passed:
            raise RuleViolation(
                share,
                _("The vote did not pass: %(yes)s of %(total)s.")
                % {"yes": votes_for, "total": votes_total},
                field="votes_for",
            )
        return
    subject = case.member.org if case.member is not None else case.subject_org
    assert subject is not None  # a case is about a member or an org
    above = _under(subject, deciding_org) and (case.member_id or deciding_org.pk != subject.pk)
    if deciding_org.kind in CELL_KINDS or not above:
        raise ValidationError(
            {
                "deciding_org": [
                    _("The decision must come from a party committee above %(org)s.")
                    % {"org": subject.name}
                ]
            }
        )
    require_cap_on(actor, deciding_org, Cap.OVERSIGHT_MANAGE)


def case_decide(
    *,
    actor: Any,
    case: DisciplineCase,
    penalty: str,
    deciding_org: Org,
    decided_on: dt.date,
    decision_number: str = "",
    effective_on: dt.date | None = None,
    received_on: dt.date | None = None,
    by_cell_vote: bool = False,
    votes_for: int | None = None,
    votes_total: int | None = None,
    post: str = "",
) -> DisciplineCase:
    """Decide the case. An expulsion records the member's expelled event (members.services.member_expel)."""
    if case.status not in (CaseStatus.OPEN, CaseStatus.ON_HOLD):
        raise ValidationError(_("This case is already closed."))
    check_not_future(decided_on, "decided_on")
    if decided_on < case.opened_on:
        raise ValidationError(
            {"decided_on": [_("The decision cannot come before the case was opened.")]}
        )
    check_reviewable(case, decided_on)
    rule, allowed = allowed_penalties(case, decided_on)
    if penalty not in allowed:
        labels = ", ".join(str(Penalty(p).label).lower() for p in allowed)
        raise RuleViolation(
            rule,
            _("“%(penalty)s” is not a form of discipline for this case; allowed: %(allowed)s.")
            % {
                "penalty": Penalty(penalty).label if penalty in Penalty.values else penalty,
                "allowed": labels,
            },
            field="penalty",
        )
    _check_decider(
        actor=actor,
        case=case,
        penalty=penalty,
        deciding_org=deciding_org,
        decided_on=decided_on,
        by_cell_vote=by_cell_vote,
        votes_for=votes_for,
        votes_total=votes_total,
    )
    if not by_cell_vote and not decision_number.strip():
        raise ValidationError({"decision_number": [_("Enter the number of the decision.")]})
    if penalty == Penalty.DISMISSAL and not post.strip():
        raise ValidationError({"post": [_("Say which post the member is dismissed from.")]})
    # A cell's reprimand or warning takes effect when announced (the decision date).
    effective = decided_on if by_cell_vote else (effective_on or decided_on)
    if effective < decided_on:
        raise ValidationError(
            {"effective_on": [_("The discipline cannot take effect before the decision.")]}
        )
    if received_on is not None and received_on < decided_on:
        raise ValidationError(
            {"received_on": [_("The decision cannot be received before it was made.")]}
        )
    with transaction.atomic():
        case.status = CaseStatus.DECIDED
        case.penalty = penalty
        case.deciding_org = deciding_org
        case.by_cell_vote = by_cell_vote
        case.votes_for, case.votes_total = (
            (votes_for, votes_total) if by_cell_vote else (None, None)
        )
        case.decision_number = decision_number.strip()
        case.decided_on = decided_on
        case.effective_on = effective
        case.received_on = received_on
        case.post = post.strip()
        case.was_full_member = (
            bool(
                case.member is not None
                and case.member.recognized_on is not None
                and case.member.recognized_on <= decided_on
            )
            if case.member_id
            else None
        )
        case.save()
        if penalty == Penalty.EXPULSION:
            check_not_future(effective, "effective_on")
            assert case.member is not None  # expulsion is a member's penalty
            member_services.member_expel(
                actor=actor,
                member=case.member,
                effective_date=effective,
                decision=member_services.Decision(
                    number=case.decision_number, issuing_org=deciding_org
                ),
                note=_("Discipline: expulsion (case %(id)s)") % {"id": case.pk},
            )
        audit.record(
            actor=actor,
            action="oversight.case_decide",
            object_type="discipline_case",
            object_id=case.pk,
            data={
                "member": case.member.member_code if case.member is not None else "",
                "org": case.subject_org.code if case.subject_org is not None else "",
                "penalty": penalty,
                "deciding_org": deciding_org.code,
                "decided_on": decided_on,
                "effective_on": effective,
                "decision_number": case.decision_number,
                "by_cell_vote": by_cell_vote,
            },
        )
    return case
