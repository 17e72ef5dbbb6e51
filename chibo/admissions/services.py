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

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from chibo.admissions import checks, membership
from chibo.admissions.models import (
    COMMITTEE_STEPS,
    PATH,
    Candidate,
    CandidateStep,
    EducationLevel,
    Introducer,
    Override,
    ReplacementReason,
    Stage,
)
from chibo.admissions.path import (
    allowed_stages,
    failed_votes,
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
from chibo.core.rules import Rule, RuleMissing, RuleViolation, rule_in_force
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
    education_level: str = "",
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
    if education_level and education_level not in EducationLevel.values:
        errors["education_level"] = [_("Choose an education level from the list.")]
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
            education_level=education_level,
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
            data={
                "org": org.code,
                "category": category,
                "mentor": mentor.member_code,
                "education_level": education_level,
            },
        )
    return candidate


def _locked(candidate: Candidate, expected_version: int | None) -> Candidate:
    c = Candidate.objects.select_for_update().get(pk=candidate.pk)
    if expected_version is not None and c.version != expected_version:
        raise ValidationError(
            _("Someone else changed this candidate meanwhile. Reload the page and try again.")
        )
    return c


def candidate_set_education(
    *,
    actor: Any,
    candidate: Candidate,
    education_level: str,
    expected_version: int | None = None,
) -> Candidate:
    """Record or correct the candidate's education level (issue 20 item 6), audited.

    The cell's review checks it (``checks.check_education``); once the cell has voted
    it is part of the record the vote was based on and is no longer changed here.
    """
    require_cap_on(actor, candidate.org, Cap.MEMBER_CHANGE)
    if education_level not in EducationLevel.values:
        raise ValidationError({"education_level": [_("Choose an education level from the list.")]})
    with transaction.atomic():
        c = _locked(candidate, expected_version)
        reviewed = c.stage not in PATH[: PATH.index(Stage.CELL_RESOLUTION)]
        if reviewed:
            raise ValidationError(
                {
                    "education_level": [
                        _(
                            "The education level is recorded before the cell's review; this "
                            "case is past it (%(stage)s)."
                        )
                        % {"stage": Stage(c.stage).label}
                    ]
                }
            )
        previous = c.education_level
        c.education_level = education_level
        c.version += 1
        c.save(update_fields=["education_level", "version", "updated_at"])
        audit.record(
            actor=actor,
            action="admissions.education",
            object_type="candidate",
            object_id=c.pk,
            data={"education_level": education_level, "previous": previous},
        )
    candidate.__dict__.update({k: v for k, v in c.__dict__.items() if not k.startswith("_")})
    return candidate


def candidate_replace_introducer(
    *,
    actor: Any,
    candidate: Candidate,
    introducer: Introducer,
    member: Member,
    replaced_on: dt.date,
    reason: str,
    reason_text: str = "",
    months_together: int = 0,
    document_number: str = "",
    expected_version: int | None = None,
) -> Introducer:
    """The cell assigns another introducer in place of one who moved or was disciplined.

    Issue 20 item 7 (rule ``admission.introducer_replacement``, in force on
    ``replaced_on``): the new introducer must be a full member on the cell's rolls that
    day; the 12 months worked or studied together (``admission.introducer_min_months_together``)
    are waived for a replacement only — an introducer recorded at the introducers step
    still needs them. The replaced introducer stays on record with the date; the
    candidate's page, the API and the dossier list both. Audited
    ``admissions.introducer_replaced``.
    """
    require_cap_on(actor, candidate.org, Cap.MEMBER_CHANGE)
    check_not_future(replaced_on, "replaced_on")
    errors: dict[str, list[str]] = {}
    if reason not in ReplacementReason.values:
        errors["reason"] = [_("Choose why the introducer is replaced.")]
    elif reason == ReplacementReason.OTHER and not reason_text.strip():
        errors["reason_text"] = [_("Describe the reason for the replacement.")]
    if months_together < 0:
        errors["months_together"] = [_("Enter a whole number.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        c = _locked(candidate, expected_version)
        old = Introducer.objects.select_for_update().filter(pk=introducer.pk, candidate=c).first()
        if old is None or old.member_id is None:
            raise ValidationError(
                {"introducer": [_("Choose a member introducing this candidate.")]}
            )
        if old.replaced_on is not None:
            raise ValidationError(
                {
                    "introducer": [
                        _("%(name)s was already replaced on %(date)s.")
                        % {"name": old.member.full_name, "date": checks.fmt(old.replaced_on)}
                    ]
                }
            )
        if c.is_closed or c.stage not in PATH[: PATH.index(Stage.DECISION)]:
            raise ValidationError(
                _(
                    "An introducer is replaced before the admission decision; this case is at “%(stage)s”."
                )
                % {"stage": Stage(c.stage).label}
            )
        if replaced_on < old.introduced_on:
            raise ValidationError(
                {
                    "replaced_on": [
                        _("The date cannot be before the introduction (%(date)s).")
                        % {"date": checks.fmt(old.introduced_on)}
                    ]
                }
            )
        active = set(
            c.introducers.filter(replaced_on__isnull=True, member__isnull=False).values_list(
                "member_id", flat=True
            )
        )
        if member.pk in active:
            raise ValidationError(
                {
                    "member": [
                        _("%(name)s already introduces this candidate.")
                        % {"name": member.full_name}
                    ]
                }
            )
        the_rule = checks.rule("admission.introducer_replacement", replaced_on)
        chk = checks.Checker()
        full = (
            member.recognized_on is not None
            and member.recognized_on <= replaced_on
            and member.status in ON_ROLLS
            and member.org_id == c.org_id
        )
        chk.require(
            the_rule,
            full,
            _(
                "%(name)s is not a full member on the rolls of %(org)s on %(date)s; the cell "
                "assigns one of its full members."
            )
            % {"name": member.full_name, "org": c.org.name, "date": checks.fmt(replaced_on)},
            "member",
        )
        waived = bool((the_rule.value or {}).get("waive_months_together"))
        if not waived:
            together = checks.rule("admission.introducer_min_months_together", replaced_on)
            chk.require(
                together,
                months_together >= int(together.value),
                _(
                    "%(name)s has worked or studied with the candidate %(months)s months, fewer than %(min)s."
                )
                % {"name": member.full_name, "months": months_together, "min": int(together.value)},
                "months_together",
            )
        new = Introducer.objects.create(
            candidate=c,
            member=member,
            months_together=months_together,
            introduced_on=replaced_on,
            replaces=old,
            replacement_reason=reason,
            replacement_note=reason_text.strip(),
            document_number=document_number.strip(),
            assigned_by=user_or_none(actor),
        )
        old.replaced_on = replaced_on
        old.save(update_fields=["replaced_on"])
        c.version += 1
        c.save(update_fields=["version", "updated_at"])
        audit.record(
            actor=actor,
            action="admissions.introducer_replaced",
            object_type="candidate",
            object_id=c.pk,
            data={
                "replaced": old.member.member_code,
                "member": member.member_code,
                "replaced_on": replaced_on,
                "reason": reason,
                "reason_text": reason_text.strip(),
                "months_together": months_together,
                "months_waived": waived,
                "document_number": new.document_number,
                "citation": the_rule.citation,
            },
        )
    candidate.__dict__.update({k: v for k, v in c.__dict__.items() if not k.startswith("_")})
    return new


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


def _limit_rule(on: dt.date) -> Rule:
    return checks.rule("recognition.failed_votes_to_upper", on)


def _refuse_vote_after_escalation(c: Candidate, on: dt.date) -> None:
    """After the third vote without 2/3 the upper committee decides: no fourth cell vote."""
    limit = _limit_rule(c.escalated_on or on)
    raise RuleViolation(
        limit,
        _(
            "The cell has already voted %(n)s times on the recognition of %(name)s without "
            "reaching 2/3; since %(date)s the case is with the upper committee, which decides: "
            "the cell does not vote again."
        )
        % {"n": int(limit.value), "name": c.full_name, "date": checks.fmt(c.escalated_on or on)},
        "done_on",
    )


def _escalate(actor: Any, c: Candidate, step: CandidateStep) -> None:
    """The third vote without 2/3: audited, and the committee staff above the cell told."""
    from chibo.admissions.remind import committee_staff
    from chibo.core.notify import notify

    votes = [s.done_on for s in failed_votes(c)]
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        message = _(
            "Recognition of %(name)s (%(org)s): the cell voted %(n)s times without reaching "
            "2/3 (last on %(date)s); the case is now with the upper committee to decide."
        ) % {
            "name": c.full_name,
            "org": c.org.name,
            "n": len(votes),
            "date": checks.fmt(step.done_on),
        }
        for user in committee_staff(c.org, step.done_on):
            notice = notify(
                user=user,
                kind="admissions.recognition_escalated",
                message=message,
                url=f"/admissions/{c.pk}/",
                dedupe_key=f"admissions.recognition_escalated:{c.pk}",
            )
            sent += notice is not None
    audit.record(
        actor=actor,
        action="admissions.recognition_escalated",
        object_type="candidate",
        object_id=c.pk,
        data={
            "escalated_on": step.done_on,
            "votes": votes,
            "rule": "recognition.failed_votes_to_upper",
            "citation": _limit_rule(step.done_on).citation,
            "notified": sent,
        },
    )


def _failed_vote(c: Candidate, on: dt.date, figures: dict[str, int]) -> dict[str, Any]:
    """A recognition vote that did not reach 2/3: its figures must say so; which attempt it is."""
    share = checks.rule("admission.cell_vote_share", on)
    checks.check_vote(checks.Checker({share.key}), on, **figures)  # the figures' own sense
    if checks.vote_passes(share.value, **figures):
        raise ValidationError(
            {
                "votes_for": [
                    _(
                        "%(votes)s of %(den)s full members in favour reaches %(num)s/%(d)s: "
                        "record it as the recognition vote, not as a vote without 2/3."
                    )
                    % {
                        "votes": figures["votes_for"],
                        "den": figures["full_members"] - figures["absent_excluded"],
                        "num": share.value["num"],
                        "d": share.value["den"],
                    }
                ]
            }
        )
    limit = int(_limit_rule(on).value)
    return {"passed": False, "attempt": len(failed_votes(c)) + 1, "attempts_allowed": limit}


def _recognition_vote_reaches(
    chk: checks.Checker, c: Candidate, on: dt.date, figures: dict[str, int]
) -> None:
    """A recognition vote short of 2/3 is refused as such, pointing to the vote without 2/3."""
    share = checks.rule("admission.cell_vote_share", on)
    if share.key in chk.overridden_keys or checks.vote_passes(share.value, **figures):
        return
    if figures["votes_for"] > figures["full_members"] - figures["absent_excluded"]:
        return  # check_vote says what is wrong with the figures
    limit = int(_limit_rule(on).value)
    raise RuleViolation(
        share,
        _(
            "%(votes)s of %(den)s full members in favour is less than %(num)s/%(d)s. If the "
            "cell's vote really did not reach it, record “%(failed)s” (vote %(n)s of %(limit)s: "
            "after %(limit)s such votes the case goes to the upper committee)."
        )
        % {
            "votes": figures["votes_for"],
            "den": figures["full_members"] - figures["absent_excluded"],
            "num": share.value["num"],
            "d": share.value["den"],
            "failed": Stage.RECOGNITION_VOTE_FAILED.label,
            "n": len(failed_votes(c)) + 1,
            "limit": limit,
        },
        "votes_for",
    )


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
