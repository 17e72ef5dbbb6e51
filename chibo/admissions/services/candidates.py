"""A candidate's record: register, correct the education level, replace an introducer, override a
failed check.
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
    refresh_due,
)
from chibo.core import audit
from chibo.core.plausibility import check_age_for_category
from chibo.core.roles import Cap
from chibo.core.rules import RuleMissing, rule_in_force
from chibo.core.scoping import require_cap_on
from chibo.core.services import check_not_future, user_or_none
from chibo.lib.text import fold
from chibo.members.models import ON_ROLLS, Category, Gender, Member
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
    assert mentor is not None  # refused above
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
        assert old.member is not None  # member_id is set
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
