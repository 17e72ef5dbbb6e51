"""Writes for inspection/supervision and discipline (evaluation: oversight.evaluation).

Each service checks the actor's right on the org concerned, validates against
the rules in force on the event's date (QĐ 296-QĐ/TW from 30/5/2025, QĐ
22-QĐ/TW before), writes in one transaction and records its audit entry.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from chibo.core import audit
from chibo.core.roles import Cap
from chibo.core.rules import RuleViolation, rule_in_force
from chibo.core.scoping import require_cap_on
from chibo.core.services import check_not_future, user_or_none
from chibo.lib.dates import add_months, dmy
from chibo.members import services as member_services
from chibo.members.models import Member
from chibo.orgs.models import CELL_KINDS, Org
from chibo.oversight.models import (
    CaseStatus,
    DisciplineCase,
    FollowUp,
    HoldReason,
    Inspection,
    InspectionAttachment,
    InspectionKind,
    InspectionStatus,
    Penalty,
)

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


def _under(org: Org, root: Org) -> bool:
    return root.path <= org.path < root.path_bound


# --- inspection and supervision ------------------------------------------------


def inspection_plan(
    *,
    actor: Any,
    org: Org,
    year: int,
    kind: str,
    topic: str,
    starts_on: dt.date,
    ends_on: dt.date,
    target_org: Org | None = None,
    target_member: Member | None = None,
    team: str = "",
) -> Inspection:
    """Put a thematic inspection or supervision into ``org``'s plan for ``year``."""
    require_cap_on(actor, org, Cap.OVERSIGHT_MANAGE)
    errors: dict[str, list[str]] = {}
    if kind not in InspectionKind.values:
        errors["kind"] = [_("Choose inspection or supervision.")]
    if not topic.strip():
        errors["topic"] = [_("Say what is inspected or supervised.")]
    if ends_on < starts_on:
        errors["ends_on"] = [_("The period cannot end before it starts.")]
    if starts_on.year != year:
        errors["starts_on"] = [
            _("The period must start in the plan year %(year)s.") % {"year": year}
        ]
    if (target_org is None) == (target_member is None):
        errors["target_org"] = [_("Choose either an organization or a member to inspect.")]
    elif target_org is not None and not _under(target_org, org):
        errors["target_org"] = [
            _("%(org)s is not under %(committee)s.")
            % {"org": target_org.name, "committee": org.name}
        ]
    elif target_member is not None and not _under(target_member.org, org):
        errors["target_member"] = [
            _("This member does not belong to %(committee)s.") % {"committee": org.name}
        ]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        inspection = Inspection.objects.create(
            org=org,
            year=year,
            kind=kind,
            topic=topic.strip(),
            target_org=target_org,
            target_member=target_member,
            team=team.strip(),
            starts_on=starts_on,
            ends_on=ends_on,
            created_by=user_or_none(actor),
        )
        audit.record(
            actor=actor,
            action="oversight.inspection_plan",
            object_type="inspection",
            object_id=inspection.pk,
            data={
                "org": org.code,
                "year": year,
                "kind": kind,
                "topic": inspection.topic,
                "target_org": target_org.code if target_org else "",
                "target_member": target_member.member_code if target_member else "",
            },
        )
    return inspection


def inspection_set_status(*, actor: Any, inspection: Inspection, status: str) -> Inspection:
    require_cap_on(actor, inspection.org, Cap.OVERSIGHT_MANAGE)
    if status not in (
        InspectionStatus.PLANNED,
        InspectionStatus.IN_PROGRESS,
        InspectionStatus.CANCELLED,
    ):
        raise ValidationError({"status": [_("Record a conclusion to close an inspection.")]})
    if inspection.status == InspectionStatus.CONCLUDED:
        raise ValidationError({"status": [_("This inspection is already concluded.")]})
    with transaction.atomic():
        inspection.status = status
        inspection.save(update_fields=["status"])
        audit.record(
            actor=actor,
            action="oversight.inspection_status",
            object_type="inspection",
            object_id=inspection.pk,
            data={"status": status},
        )
    return inspection


def _issue_conclusion_number(
    actor: Any, inspection: Inspection, concluded_on: dt.date
) -> tuple[str, int]:
    """Number the conclusion (KL) through the directives register's outgoing numbering."""
    from django.core.exceptions import PermissionDenied

    from chibo.directives.services import document_issue

    if actor is not None:
        try:
            require_cap_on(actor, inspection.org, Cap.DIRECTIVE_MANAGE)
        except PermissionDenied as exc:
            raise ValidationError(
                {
                    "issue_number": [
                        _(
                            "Your role does not number documents in the register: enter the conclusion's number instead."
                        )
                    ]
                }
            ) from exc
    document = document_issue(
        actor=actor,
        org=inspection.org,
        doc_type="KL",
        issued_on=concluded_on,
        title=_("Conclusion of the %(kind)s: %(topic)s")
        % {"kind": inspection.get_kind_display().lower(), "topic": inspection.topic},
    )
    return document.symbol, document.pk


def inspection_conclude(
    *,
    actor: Any,
    inspection: Inspection,
    findings: str,
    conclusion: str,
    concluded_on: dt.date,
    conclusion_number: str = "",
    issue_number: bool = False,
) -> Inspection:
    """Record findings and the conclusion; number it in the register or record its number."""
    require_cap_on(actor, inspection.org, Cap.OVERSIGHT_MANAGE)
    errors: dict[str, list[str]] = {}
    if inspection.status in (InspectionStatus.CONCLUDED, InspectionStatus.CANCELLED):
        raise ValidationError(_("This inspection is already closed."))
    if not conclusion.strip():
        errors["conclusion"] = [_("Write the conclusion.")]
    if concluded_on < inspection.starts_on:
        errors["concluded_on"] = [
            _("The conclusion cannot come before the period starts (%(date)s).")
            % {"date": dmy(inspection.starts_on)}
        ]
    if errors:
        raise ValidationError(errors)
    check_not_future(concluded_on, "concluded_on")
    with transaction.atomic():
        number, document_id = conclusion_number.strip(), None
        if issue_number:
            number, document_id = _issue_conclusion_number(actor, inspection, concluded_on)
        inspection.findings = findings.strip()
        inspection.conclusion = conclusion.strip()
        inspection.concluded_on = concluded_on
        inspection.conclusion_number = number
        inspection.conclusion_document_id = document_id
        inspection.status = InspectionStatus.CONCLUDED
        inspection.save()
        audit.record(
            actor=actor,
            action="oversight.inspection_conclude",
            object_type="inspection",
            object_id=inspection.pk,
            data={"concluded_on": concluded_on, "number": number, "document_id": document_id},
        )
    return inspection


def followup_add(
    *, actor: Any, inspection: Inspection, action: str, due_on: dt.date, responsible: str = ""
) -> FollowUp:
    require_cap_on(actor, inspection.org, Cap.OVERSIGHT_MANAGE)
    if not action.strip():
        raise ValidationError({"action": [_("Describe the action.")]})
    with transaction.atomic():
        item = FollowUp.objects.create(
            inspection=inspection,
            action=action.strip(),
            responsible=responsible.strip(),
            due_on=due_on,
        )
        audit.record(
            actor=actor,
            action="oversight.followup_add",
            object_type="inspection",
            object_id=inspection.pk,
            data={"followup": item.pk, "due_on": due_on},
        )
    return item


def followup_done(*, actor: Any, followup: FollowUp, done_on: dt.date) -> FollowUp:
    require_cap_on(actor, followup.inspection.org, Cap.OVERSIGHT_MANAGE)
    check_not_future(done_on, "done_on")
    with transaction.atomic():
        followup.done_on = done_on
        followup.save(update_fields=["done_on"])
        audit.record(
            actor=actor,
            action="oversight.followup_done",
            object_type="inspection",
            object_id=followup.inspection_id,
            data={"followup": followup.pk, "done_on": done_on},
        )
    return followup


def attachment_add(
    *, actor: Any, inspection: Inspection, upload: UploadedFile
) -> InspectionAttachment:
    require_cap_on(actor, inspection.org, Cap.OVERSIGHT_MANAGE)
    if upload.size is not None and upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"file": [_("The file is larger than 20 MB.")]})
    with transaction.atomic():
        item = InspectionAttachment(
            inspection=inspection,
            name=(upload.name or "file")[:200],
            size=upload.size or 0,
            uploaded_by=user_or_none(actor),
        )
        item.file.save(upload.name or "file", upload, save=False)
        item.save()
        audit.record(
            actor=actor,
            action="oversight.attachment_add",
            object_type="inspection",
            object_id=inspection.pk,
            data={"attachment": item.pk, "name": item.name},
        )
    return item


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


def allowed_penalties(case: DisciplineCase, on: dt.date) -> tuple[Any, list[str]]:
    """(rule, penalties) for the case's subject on ``on``: full member, probationary member or org."""
    if case.member_id is None:
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
            case.member_id is None
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
    subject = case.member.org if case.member_id else case.subject_org
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
                case.member_id
                and case.member.recognized_on
                and case.member.recognized_on <= decided_on
            )
            if case.member_id
            else None
        )
        case.save()
        if penalty == Penalty.EXPULSION:
            check_not_future(effective, "effective_on")
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
                "member": case.member.member_code if case.member_id else "",
                "org": case.subject_org.code if case.subject_org_id else "",
                "penalty": penalty,
                "deciding_org": deciding_org.code,
                "decided_on": decided_on,
                "effective_on": effective,
                "decision_number": case.decision_number,
                "by_cell_vote": by_cell_vote,
            },
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
