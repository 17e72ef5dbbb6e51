"""Recording a step of the admission path: its checks (the rules in force on the step's date) and
what the decision, the ceremony and the recognition do to the member.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chibo.admissions import checks, membership
from chibo.admissions.models import (
    COMMITTEE_STEPS,
    Candidate,
    CandidateStep,
    Introducer,
    Stage,
)
from chibo.admissions.path import (
    allowed_stages,
    last_step,
    next_stage,
    refresh_due,
)
from chibo.admissions.selectors import awareness_certificate_for
from chibo.admissions.services.receipts import _received_with_decision
from chibo.admissions.services.votes import (
    _escalate,
    _failed_vote,
    _recognition_vote_reaches,
    _refuse_vote_after_escalation,
    _text,
    vote_figures,
)
from chibo.core import audit
from chibo.core.names import person_name
from chibo.core.roles import Cap
from chibo.core.scoping import require_cap_on
from chibo.core.services import check_not_future, user_or_none
from chibo.members.models import Member


def candidate_record_step(
    *,
    actor: Any,
    candidate: Candidate,
    stage: str,
    done_on: dt.date,
    document_number: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
    introducers: list[tuple[Member, int]] | None = None,
    expected_version: int | None = None,
) -> CandidateStep:
    """Record one step of the path, checked against the rules in force on ``done_on``."""
    cap = Cap.ADMISSION_DECIDE if stage in COMMITTEE_STEPS else Cap.MEMBER_CHANGE
    require_cap_on(actor, candidate.org, cap)
    check_not_future(done_on, "done_on")
    data = dict(data or {})
    received_on = _received_with_decision(stage, data, done_on)
    with transaction.atomic():
        c = Candidate.objects.select_for_update().get(pk=candidate.pk)
        if expected_version is not None and c.version != expected_version:
            # Never overwrite silently: say what the other person recorded.
            last = c.steps.select_related("actor").order_by("-recorded_at", "-id").first()
            raise ValidationError(
                _(
                    "Someone else recorded a step for this candidate meanwhile: "
                    "%(who)s recorded “%(step)s” (%(date)s). Reload the page."
                )
                % {
                    "who": person_name(last.actor) if last and last.actor else _("the system"),
                    "step": Stage(last.stage).label if last else "",
                    "date": checks.fmt(last.done_on) if last else "",
                }
            )
        if stage in (Stage.RECOGNITION_VOTE, Stage.RECOGNITION_VOTE_FAILED) and c.escalated_on:
            _refuse_vote_after_escalation(c, done_on)
        if stage not in allowed_stages(c):
            nxt = next_stage(c)
            raise ValidationError(
                _("“%(step)s” cannot be recorded now; the next step is “%(next)s”.")
                % {
                    "step": Stage(stage).label if stage in Stage.values else stage,
                    "next": Stage(nxt).label if nxt else _("none (the case is closed)"),
                }
            )
        if done_on < c.stage_on:
            raise ValidationError(
                {
                    "done_on": [
                        _("The date cannot be before the previous step (%(date)s).")
                        % {"date": checks.fmt(c.stage_on)}
                    ]
                }
            )
        chk = checks.Checker(
            set(c.overrides.filter(stage=stage).values_list("rule_key", flat=True))
        )
        kept = _validate(
            chk, actor, c, stage, done_on, document_number, note, data, introducers or []
        )
        if chk.used:
            kept["overridden"] = chk.used
        step = CandidateStep.objects.create(
            candidate=c,
            stage=stage,
            done_on=done_on,
            document_number=document_number.strip(),
            actor=user_or_none(actor),
            note=note.strip(),
            data=kept,
        )
        if stage == Stage.INTRODUCERS:
            Introducer.objects.bulk_create(
                [
                    Introducer(candidate=c, member=m, months_together=months, introduced_on=done_on)
                    for m, months in introducers or []
                ]
            )
        elif stage == Stage.YOUTH_UNION:
            Introducer.objects.create(
                candidate=c, youth_union_body=kept["youth_union_body"], introduced_on=done_on
            )
        c.version += 1
        escalating = False
        if stage == Stage.RECOGNITION_VOTE_FAILED:
            # Not a step forward: the candidate stays where it was; the third goes up.
            if kept["attempt"] >= kept["attempts_allowed"]:
                c.escalated_on = done_on
                escalating = True
        else:
            c.stage = stage
            c.stage_on = done_on
        if stage == Stage.CEREMONY:
            c.history_due_on = checks.history_deadline(done_on)
        if received_on is not None:
            c.decision_received_on = received_on
        if "member_id" in kept:
            c.member_id = kept["member_id"]
        refresh_due(c, save=False)
        c.save()
        audit.record(
            actor=actor,
            action=f"admissions.{stage}",
            object_type="candidate",
            object_id=c.pk,
            data={
                "step_id": step.pk,
                "done_on": done_on,
                "document_number": step.document_number,
                **{k: v for k, v in kept.items() if k not in ("member_id",)},
                **({"received_on": received_on} if received_on else {}),
            },
        )
        if escalating:
            _escalate(actor, c, step)
    candidate.__dict__.update({k: v for k, v in c.__dict__.items() if not k.startswith("_")})
    return step


def _validate(
    chk: checks.Checker,
    actor: Any,
    c: Candidate,
    stage: str,
    on: dt.date,
    document_number: str,
    note: str,
    data: dict[str, Any],
    introducers: list[tuple[Member, int]],
) -> dict[str, Any]:
    """Stage-specific checks; returns the figures kept on the step."""
    if stage in (Stage.WITHDRAWN, Stage.REJECTED, Stage.NOT_RECOGNIZED):
        if not note.strip():
            raise ValidationError({"note": [_("Give the reason.")]})
        return {}
    if stage == Stage.COURSE:
        return {
            "cert_number": _text(data, "cert_number", _("Enter the certificate number.")),
            "cert_issuer": _text(data, "cert_issuer", _("Enter who issued the certificate.")),
        }
    if stage == Stage.INTRODUCERS:
        youth = checks.youth_union_applies(c.date_of_birth, c.youth_union_exists, on)
        checks.check_introducers(chk, introducers, on, youth_union=youth)
        return {
            "introducers": [
                {"member": m.member_code, "months_together": n} for m, n in introducers
            ],
            "youth_union": youth,
        }
    if stage == Stage.YOUTH_UNION:
        return {
            "youth_union_body": _text(
                data, "youth_union_body", _("Enter the Youth Union committee.")
            )
        }
    if stage in (Stage.CELL_RESOLUTION, Stage.RECOGNITION_VOTE, Stage.RECOGNITION_VOTE_FAILED):
        figures, kept = vote_figures(c.org, on, data)
        if stage == Stage.CELL_RESOLUTION:
            # The cell's review: age, certificate and (again) the vote, all as of this date.
            checks.check_age(chk, c.date_of_birth, on)
            checks.check_education(chk, c.education_level, on)
            cert = awareness_certificate_for(c)
            checks.check_certificate(chk, cert.issued_on if cert else None, on)
        else:
            membership.check_recognition_vote_date(chk, c, on)
            if stage == Stage.RECOGNITION_VOTE_FAILED:
                return {**kept, **_failed_vote(c, on, figures)}
            _recognition_vote_reaches(chk, c, on, figures)
        checks.check_vote(chk, on, **figures)
        return kept
    if stage == Stage.DECISION:
        resolution = last_step(c, Stage.CELL_RESOLUTION)
        assert resolution is not None  # the path allows the decision only after it
        extension = bool(data.get("extension"))
        checks.check_deadline(
            chk,
            "admission.decision_working_days",
            resolution.done_on,
            on,
            _("The admission decision"),
            extension=extension,
        )
        if not document_number.strip():
            raise ValidationError({"document_number": [_("Enter the number of the decision.")]})
        body = str(data.get("deciding_body") or "").strip()
        member = membership.admit(
            actor, c, on, document_number, body, str(data.get("member_code") or "")
        )
        return {
            "deciding_body": body,
            "extension": extension,
            "member_id": member.pk,
            "member_code": member.member_code,
        }
    if stage == Stage.CEREMONY:
        return membership.hold_ceremony(chk, actor, c, on, document_number, note)
    if stage == Stage.RECOGNITION_DECISION:
        return membership.recognize(chk, actor, c, on, document_number, data)
    return {}
