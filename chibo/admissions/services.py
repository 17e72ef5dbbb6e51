"""Writes to the admission path: register, record each step, override a failed check.

Each function checks the actor's right (cell steps: member.change on the
candidate's cell; committee steps and overrides: admission.decide),
validates against the rules in force on the step's date (``checks``),
writes, and records the audit entry — in one transaction. The decision
to admit creates the party member through ``members.services.member_admit``
(probationary, admitted on the decision's date, so the member's event log
starts with the admission); the ceremony appends its event through
``member_record_ceremony`` (probation from the ceremony), and the
recognition decision goes through ``member_recognize``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.admissions import checks, membership
from chibo.admissions.models import (
    COMMITTEE_STEPS,
    Candidate,
    CandidateStep,
    Introducer,
    Override,
    Stage,
)
from chibo.admissions.path import (
    allowed_stages,
    last_step,
    next_stage,
    refresh_due,
    youth_union_needed,
)
from chibo.admissions.selectors import awareness_certificate_for
from chibo.core import audit
from chibo.core.names import person_name
from chibo.core.plausibility import check_age_for_category
from chibo.core.roles import Cap
from chibo.core.rules import RuleMissing, rule_in_force
from chibo.core.scoping import require_cap_on
from chibo.core.services import check_not_future, user_or_none
from chibo.lib.text import fold
from chibo.members.models import ON_ROLLS, Category, Gender, Member
from chibo.members.selectors import cell_roll
from chibo.orgs.models import Org


def candidate_register(
    *,
    actor: Any,
    org: Org,
    full_name: str,
    date_of_birth: dt.date,
    gender: str,
    category: str,
    registered_on: dt.date,
    mentor: Member | None,
    youth_union_exists: bool = True,
    ethnicity: str = "Kinh",
    citizen_id: str = "",
    phone: str = "",
    note: str = "",
    confirm: bool = False,
) -> Candidate:
    """A cell registers an outstanding candidate and assigns a full member to help them.

    The date of birth must fit the category (``core.plausibility``): an 11-year-old
    "student" is refused; an older-than-usual one needs ``confirm``.
    """
    require_cap_on(actor, org, Cap.MEMBER_CHANGE)
    check_not_future(registered_on, "registered_on")
    errors: dict[str, list[str]] = {}
    if not org.is_cell or not org.is_open:
        errors["org"] = [_("Candidates are registered by an open party cell.")]
    name = " ".join(full_name.split())
    if not name:
        errors["full_name"] = [_("Enter the candidate's full name.")]
    if date_of_birth >= registered_on:
        errors["date_of_birth"] = [_("The date of birth must be before the registration.")]
    if gender not in Gender.values:
        errors["gender"] = [_("Choose the gender.")]
    if category not in Category.values:
        errors["category"] = [_("Choose a valid category.")]
    if mentor is None:
        errors["mentor"] = [_("Assign a full member of the cell to help the candidate.")]
    elif mentor.org_id != org.pk or mentor.status not in ON_ROLLS or not mentor.is_full:
        errors["mentor"] = [_("The mentor must be a full member on the rolls of this cell.")]
    if errors:
        raise ValidationError(errors)
    check_age_for_category(
        date_of_birth=date_of_birth,
        category=category,
        category_label=str(Category(category).label).lower(),
        on=registered_on,
        confirm=confirm,
    )
    with transaction.atomic():
        candidate = Candidate.objects.create(
            full_name=name,
            name_folded=fold(name),
            date_of_birth=date_of_birth,
            gender=gender,
            ethnicity=ethnicity.strip() or "Kinh",
            category=category,
            citizen_id=citizen_id.strip(),
            phone=phone.strip(),
            org=org,
            mentor=mentor,
            youth_union_exists=youth_union_exists,
            registered_on=registered_on,
            stage=Stage.REGISTERED,
            stage_on=registered_on,
        )
        CandidateStep.objects.create(
            candidate=candidate,
            stage=Stage.REGISTERED,
            done_on=registered_on,
            actor=user_or_none(actor),
            note=note.strip(),
            data={"mentor": mentor.member_code},
        )
        refresh_due(candidate)
        audit.record(
            actor=actor,
            action="admissions.register",
            object_type="candidate",
            object_id=candidate.pk,
            data={"org": org.code, "category": category, "mentor": mentor.member_code},
        )
    return candidate


def candidate_override(
    *, actor: Any, candidate: Candidate, stage: str, rule_key: str, reason: str
) -> Override:
    """A committee user lets one failed check pass for one step; the reason is mandatory and audited."""
    require_cap_on(actor, candidate.org, Cap.ADMISSION_DECIDE)
    if stage not in Stage.values:
        raise ValidationError({"stage": [_("Choose a step.")]})
    if not reason.strip():
        raise ValidationError(
            {"reason": [_("An override needs its reason (e.g. the approving document).")]}
        )
    try:
        rule = rule_in_force(rule_key, on=timezone.localdate())
    except RuleMissing:
        rule = None
    if rule is None or not rule_key.startswith(("admission.", "recognition.", "probation.")):
        raise ValidationError({"rule_key": [_("Choose a rule of the admission path.")]})
    with transaction.atomic():
        override = Override.objects.create(
            candidate=candidate,
            stage=stage,
            rule_key=rule_key,
            reason=reason.strip(),
            actor=user_or_none(actor),
        )
        audit.record(
            actor=actor,
            action="admissions.override",
            object_type="candidate",
            object_id=candidate.pk,
            data={
                "stage": stage,
                "rule": rule_key,
                "citation": rule.citation,
                "reason": reason.strip(),
            },
        )
    return override


def _int(data: dict[str, Any], name: str) -> int:
    try:
        return int(data.get(name))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValidationError({name: [_("Enter a whole number.")]}) from None


def _text(data: dict[str, Any], name: str, message: str) -> str:
    value = str(data.get(name) or "").strip()
    if not value:
        raise ValidationError({name: [message]})
    return value


def vote_figures(
    org: Org, on: dt.date, data: dict[str, Any]
) -> tuple[dict[str, int], dict[str, Any]]:
    """The vote's figures, held to the cell's rolls on the vote's date (issue 20, item 5).

    ``full_members`` defaults to the full members on the rolls that day
    (``members.selectors.cell_roll``); of them only the exempted and the temporarily
    transferred out may be left out when absent (``absent_excluded``). A typed figure the
    rolls do not give (another count, more left out than may be) needs ``figures_reason``,
    kept on the step with what the rolls said. Returns (the figures the check uses, what
    the step keeps).
    """
    roll = cell_roll(org, on)
    on_rolls, excludable = len(roll.full), len(roll.excludable)
    typed = data.get("full_members")
    full = on_rolls if typed in (None, "") else _int(data, "full_members")
    absent = 0 if data.get("absent_excluded") in (None, "") else _int(data, "absent_excluded")
    figures = {
        "full_members": full,
        "absent_excluded": absent,
        "votes_for": _int(data, "votes_for"),
    }
    reason = str(data.get("figures_reason") or "").strip()
    if (full != on_rolls or absent > excludable) and not reason:
        names = ", ".join(m.full_name for m in roll.excludable) or _("none")
        raise ValidationError(
            {
                "full_members" if full != on_rolls else "absent_excluded": [
                    _(
                        "On %(date)s the rolls of %(org)s count %(n)s full members, of whom "
                        "%(x)s may be left out if absent (exempted or temporarily transferred "
                        "out: %(names)s). You entered %(full)s full members and %(absent)s left "
                        "out: give the reason for the difference."
                    )
                    % {
                        "date": checks.fmt(on),
                        "org": org.name,
                        "n": on_rolls,
                        "x": excludable,
                        "names": names,
                        "full": full,
                        "absent": absent,
                    }
                ]
            }
        )
    kept: dict[str, Any] = {
        **figures,
        "roll_full_members": on_rolls,
        "roll_excludable": [m.member_code for m in roll.excludable],
    }
    if full != on_rolls or absent > excludable:
        kept["figures_reason"] = reason
    return figures, kept


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
        c.stage = stage
        c.stage_on = done_on
        c.version += 1
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
    candidate.__dict__.update({k: v for k, v in c.__dict__.items() if not k.startswith("_")})
    return step


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
    if stage in (Stage.CELL_RESOLUTION, Stage.RECOGNITION_VOTE):
        figures, kept = vote_figures(c.org, on, data)
        if stage == Stage.CELL_RESOLUTION:
            # The cell's review: age, certificate and (again) the vote, all as of this date.
            checks.check_age(chk, c.date_of_birth, on)
            cert = awareness_certificate_for(c)
            checks.check_certificate(chk, cert.issued_on if cert else None, on)
        else:
            membership.check_recognition_vote_date(chk, c, on)
        checks.check_vote(chk, on, **figures)
        return kept
    if stage == Stage.DECISION:
        resolution = last_step(c, Stage.CELL_RESOLUTION)
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


__all__ = ["allowed_stages", "last_step", "next_stage", "youth_union_needed"]
