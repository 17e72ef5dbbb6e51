"""The kinds' checks and event data, except transfers (``transfers``): ceremony, recognition,
exemption, removal, expulsion, card, category, admission.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from chibo.core.plausibility import check_age_for_category
from chibo.core.roles import Cap
from chibo.core.rules import RuleViolation, rule_in_force
from chibo.core.scoping import scope_for
from chibo.core.services import check_not_future
from chibo.lib.dates import add_months, dmy
from chibo.members.lifecycle.spec import EventRequest
from chibo.members.lifecycle.vocab import Category, RemovalReason

if TYPE_CHECKING:
    from chibo.members.models import Member
    from chibo.orgs.models import Org


# --- shared checks ---------------------------------------------------------------


def check_cell(org: Org, name: str = "org") -> None:
    if not org.is_cell:
        raise ValidationError(
            {
                name: [
                    _("Members belong to a party cell; %(org)s is not a cell.") % {"org": org.name}
                ]
            }
        )
    if not org.is_open:
        raise ValidationError({name: [_("%(org)s is closed.") % {"org": org.name}]})


def probation_end(ceremony_on: dt.date) -> dt.date:
    """Probation lasts the months the rule in force on the ceremony date sets (Charter Art. 5)."""
    rule = rule_in_force("probation.months", on=ceremony_on)
    return add_months(ceremony_on, int(rule.value))


def _code(org: Org | None) -> str | None:
    return org.code if org is not None else None


# --- the kinds ---------------------------------------------------------------------


def _check_ceremony(m: Member, req: EventRequest) -> None:
    if m.ceremony_on is not None:
        raise ValidationError(
            _("The admission ceremony of this member was already recorded (%(date)s).")
            % {"date": dmy(m.ceremony_on)}
        )
    if m.is_full:
        raise ValidationError(_("This member is already a full member."))
    if req.effective_date < m.admitted_on:
        raise ValidationError(
            {
                "effective_date": [
                    _("The ceremony cannot be before the admission decision (%(date)s).")
                    % {"date": dmy(m.admitted_on)}
                ]
            }
        )
    check_not_future(req.effective_date)


def _ceremony_data(m: Any, req: EventRequest) -> dict[str, Any]:
    months = int(rule_in_force("probation.months", on=req.effective_date).value)
    ends = add_months(req.effective_date, months)
    return {"probation_months": months, "probation_ends_on": ends.isoformat()}


def _check_recognition(m: Member, req: EventRequest) -> None:
    if m.is_full:
        raise ValidationError(_("This member is already a full member."))
    if m.probation_ends_on is None:
        raise ValidationError(
            _("The admission ceremony has not been recorded: probation has not started yet.")
        )
    decided_on = req.values["decided_on"]
    check_not_future(decided_on, "decided_on")
    _check_not_escalated(m, req)
    if decided_on < m.probation_ends_on:
        assert m.ceremony_on is not None  # probation ends only after a ceremony
        rule = rule_in_force("probation.months", on=m.ceremony_on)
        raise RuleViolation(
            rule,
            _("Probation has not ended: it ends on %(date)s.") % {"date": dmy(m.probation_ends_on)},
            field="decided_on",
        )


def _check_not_escalated(m: Member, req: EventRequest) -> None:
    """After three cell votes without 2/3 the upper committee decides (issue 20, item 9).

    The admission case (``admissions``, read through the reverse relation: this layer does
    not import it) is then marked ``escalated_on``; recognizing the member from the record
    needs the committee's right (``admission.decide``), not only the cell's.
    """
    case = getattr(m, "candidacy", None)
    if case is None or case.escalated_on is None or req.actor is None:
        return
    if scope_for(req.actor, Cap.ADMISSION_DECIDE).covers(m.org):
        return
    rule = rule_in_force("recognition.failed_votes_to_upper", on=case.escalated_on)
    raise RuleViolation(
        rule,
        _(
            "The cell voted %(n)s times on this member's recognition without reaching 2/3; "
            "since %(date)s the upper committee decides."
        )
        % {"n": int(rule.value), "date": dmy(case.escalated_on)},
        field="decided_on",
    )


def _check_exemption(m: Member, req: EventRequest) -> None:
    if not req.note.strip():
        raise ValidationError({"note": [_("Give the reason for the exemption.")]})
    criterion = req.values.get("criterion") or ""
    if criterion:  # required on the form and in the API; a past record may lack it
        rule = rule_in_force("exemption.criteria", on=req.effective_date)
        if criterion not in rule.value["criteria"]:
            raise RuleViolation(
                rule,
                _("An exemption is granted for one of the criteria of the rule."),
                field="criterion",
            )


def _check_exemption_end(m: Member, req: EventRequest) -> None:
    applied = req.values.get("application_on")
    if applied is None:
        return  # required on the form and in the API; a past record may lack it
    check_not_future(applied, "application_on")
    if applied > req.effective_date:
        raise ValidationError(
            {
                "application_on": [
                    _(
                        "The member returns after applying: the application is dated after the return."
                    )
                ]
            }
        )


def _check_removal(m: Member, req: EventRequest) -> None:
    reason = req.values.get("reason", "")
    if reason not in RemovalReason.values:
        raise ValidationError({"reason": [_("Choose the reason for the removal.")]})
    if reason == RemovalReason.OTHER and not req.note.strip():
        raise ValidationError({"note": [_("Describe the reason when it is “other”.")]})
    if not req.decision.number.strip():
        raise ValidationError(
            {"decision_number": [_("A removal needs the number of its decision.")]}
        )


def _check_expulsion(m: Member, req: EventRequest) -> None:
    if not req.decision.number.strip():
        raise ValidationError(
            {"decision_number": [_("An expulsion needs the number of its decision.")]}
        )


def _check_card(m: Member, req: EventRequest) -> None:
    from chibo.members.models import Member

    card = req.values.get("card_number", "").strip()
    if not card:
        raise ValidationError({"card_number": [_("Enter the party card number.")]})
    if Member.objects.filter(party_card_number=card).exclude(pk=m.pk).exists():
        raise ValidationError({"card_number": [_("This card number belongs to another member.")]})


def check_age(dob: dt.date, category: str, on: dt.date, field: str = "date_of_birth") -> None:
    """Too young for the category on that day (an 11-year-old "student"): refused (issue 17).

    Only the lower bound of ``people.category_age_years``: a member's older-than-usual
    category is recorded as it is (``core.plausibility``).
    """
    check_age_for_category(
        date_of_birth=dob,
        category=category,
        category_label=str(Category(category).label).lower() if category in Category.values else "",
        on=on,
        confirm=True,
        field=field,
    )


def _check_category(m: Member, req: EventRequest) -> None:
    category = req.values.get("category")
    if category not in Category.values:
        raise ValidationError({"category": [_("Choose a valid category.")]})
    if category == m.category:
        raise ValidationError({"category": [_("The member is already in this category.")]})
    check_age(m.date_of_birth, category, req.effective_date, field="category")


def _admitted_data(m: Any, req: EventRequest) -> dict[str, Any]:
    """The ``admitted`` event's data. ``historical``: an admission made before chibo, entered
    afterwards (``member_record_past_admission``, the importer, the demo's existing members),
    not decided through the admission path; reports count them apart (issue 20)."""
    data: dict[str, Any] = {
        "category_at_admission": m.category,
        "ceremony_on": req.values["ceremony_on"].isoformat()
        if req.values.get("ceremony_on")
        else None,
    }
    if req.values.get("historical"):
        data["historical"] = True
    if req.values.get("over_age_approval"):
        data["over_age_approval"] = req.values["over_age_approval"]
    # Party seniority of a re-admitted member (issue 20): from the first admission, less
    # the periods out of party activity (members.seniority).
    if req.values.get("first_admitted_on"):
        data["first_admitted_on"] = req.values["first_admitted_on"].isoformat()
    if req.values.get("out_periods"):
        data["out_periods"] = [[a.isoformat(), b.isoformat()] for a, b in req.values["out_periods"]]
    return data


def _not_given(text: str, org: Any) -> str:
    return text.strip() or (org.name if org is not None else "")


_ORG_HELP = _l("Leave empty when the destination is outside chibo.")


def _pending_cell(m: Member) -> str:
    pending = m.pending_org
    return pending.code if pending and pending.is_cell else ""
