"""A member's lifecycle, declared once: every event kind, what it needs and what it does.

Each kind is one ``EventKind`` value and one ``EventSpec`` in ``SPECS``, side by side:

- the statuses it may follow (``allowed_from``) and the status after it (``status_after``);
- what it clears on the member (``clears``) and what it sets (``sets``);
- its fields beyond the common ones (``inputs``: effective date, decision, issuing body, note);
- its validation (``check``) and the data it stores on the event (``data``);
- its audit action (``members.<kind>`` unless ``audit_action`` says otherwise).

Everything else follows from the registry: ``record`` (validate, append, update the member,
audit, in one transaction), ``allowed_events`` (what the record page and the API offer),
the web forms (``members.forms``), the API bodies and routes (``members.api``), the
importer's status changes (``interchange.members_import``) and the event rows the bulk
writer inserts (``interchange.members_write``, held to ``record`` by
``tests/members/test_lifecycle.py``). ``replay`` recomputes a member's state from its log.

To add an event kind: a value in ``EventKind`` and its ``EventSpec`` here, then
``chibo makemigrations members`` (the field's choices) and the Vietnamese catalogue;
the form, the API route and ``allowed_events`` need nothing more
(docs/architecture.md, "The member lifecycle").

This module reads the models only inside functions: ``members.models`` imports the
vocabularies below.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from chibo.core import audit
from chibo.core.plausibility import check_age_for_category
from chibo.core.roles import Cap
from chibo.core.rules import RuleMissing, RuleViolation, rule_in_force
from chibo.core.scoping import require_cap_on, scope_for
from chibo.core.services import check_not_future, user_or_none
from chibo.lib.dates import add_months, dmy
from chibo.lib.workdays import add_working_days

if TYPE_CHECKING:
    from chibo.members.models import Member, MemberEvent
    from chibo.orgs.models import Org


# --- vocabularies ----------------------------------------------------------------


class Category(models.TextChoices):
    """Đối tượng đảng viên (kept on every event as ``category_after``)."""

    LECTURER = "lecturer", _l("Lecturer")
    TEACHER = "teacher", _l("Teacher")
    CADRE = "cadre", _l("Cadre")
    PUBLIC_EMPLOYEE = "public_employee", _l("Public employee")
    STUDENT = "student", _l("University/college student")
    PUPIL = "pupil", _l("Pupil")
    OTHER = "other", _l("Other")


class Status(models.TextChoices):
    ACTIVE = "active", _l("Active")
    EXEMPTED = "exempted", _l("Exempted from activity")
    TEMP_AWAY = "temp_away", _l("Temporarily transferred out")
    TRANSFERRED_OUT = "transferred_out", _l("Transferred out")
    REMOVED = "removed", _l("Removed from the rolls")
    EXPELLED = "expelled", _l("Expelled")
    DECEASED = "deceased", _l("Deceased")


# Members still on an org's rolls (counted in its membership).
ON_ROLLS = (Status.ACTIVE, Status.EXEMPTED, Status.TEMP_AWAY)
TERMINAL = (Status.REMOVED, Status.EXPELLED, Status.DECEASED)


class RemovalReason(models.TextChoices):
    ABANDONED_ACTIVITY = "abandoned_activity", _l("Abandoned party activity")
    UNPAID_DUES = "unpaid_dues", _l("Did not pay party dues")
    NOT_RECOGNIZED = "not_recognized", _l("Not recognized as a full member after probation")
    OTHER = "other", _l("Other reason")


class EventKind(models.TextChoices):
    ADMITTED = "admitted", _l("Admitted (probationary)")
    CEREMONY = "ceremony", _l("Admission ceremony")
    RECOGNIZED = "recognized", _l("Recognized as full member")
    TRANSFER_OUT = "transfer_out", _l("Official transfer out")
    TRANSFER_IN = "transfer_in", _l("Official transfer in")
    TEMP_OUT = "temp_out", _l("Temporary transfer out")
    TEMP_BACK = "temp_back", _l("Back from temporary transfer")
    EXEMPTED = "exempted", _l("Exempted from work and activity")
    EXEMPTION_ENDED = "exemption_ended", _l("Exemption ended")
    REMOVED = "removed", _l("Removed from the rolls")
    EXPELLED = "expelled", _l("Expelled")
    DECEASED = "deceased", _l("Deceased")
    CARD_ISSUED = "card_issued", _l("Party card issued")
    CATEGORY_CHANGED = "category_changed", _l("Category changed")
    REASSIGNED = "reassigned", _l("Moved by restructuring")


class TransferGrounds(models.TextChoices):
    """Why an official transfer happens (issue 20): what its first deadline counts from."""

    JOB_MOVE = "job_move", _l("Job move")
    RETIREMENT = "retirement", _l("Retirement")
    RESIDENCE = "residence", _l("Long-term change of residence")
    GRADUATION = "graduation", _l("Graduation (student with no job yet)")
    OTHER = "other", _l("Other")


class TempPurpose(models.TextChoices):
    """Why a temporary transfer happens (issue 20): it sets the bounds of its duration
    (rule ``transfer.temporary_months``)."""

    WORK = "work", _l("Work elsewhere")
    RESIDENCE = "residence", _l("Change of residence")
    STUDY = "study", _l("Full-time study in Vietnam")


# --- what a request to record an event carries ---------------------------------------


@dataclass
class Decision:
    """Who decided an event and under which document."""

    number: str = ""
    issuing_org: Org | None = None
    issuing_body: str = ""


@dataclass
class EventRequest:
    """One event to record: the common fields and the kind's own ``values`` (by input name)."""

    kind: str
    effective_date: dt.date
    decision: Decision = field(default_factory=Decision)
    note: str = ""
    reason: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    actor: Any = None


class ExemptionCriterion(models.TextChoices):
    """Why a member is exempted from work and activity (RULES.md; rule ``exemption.criteria``)."""

    OLD_AGE = "old_age", _l("Old age or frail health")
    ILLNESS = "illness", _l("Illness needing 3 months' treatment or more")
    FAR_AWAY = "far_away", _l("Working alone abroad or far away")
    MOBILE_WORK = "mobile_work", _l("Mobile work for under a year")
    AWAITING_RETIREMENT = "awaiting_retirement", _l("Waiting for retirement")
    MATERNITY = "maternity", _l("Maternity")


class InputType:
    DATE = "date"
    TEXT = "text"
    CHOICE = "choice"
    # An org named by its exact code, usually outside the actor's scope (a destination).
    ORG = "org"
    # A cell in the actor's scope where it may change members (the receiving cell).
    OWN_CELL = "own_cell"


@dataclass(frozen=True)
class Input:
    """A field an event kind takes beyond the common ones; forms and API bodies are built from it.

    ``label`` is what the form shows (translated) and, in English, the API's description.
    ``lead``: shown before the common fields. ``initial``: the form's initial value.
    """

    name: str
    kind: str  # an InputType
    label: Promise
    required: bool = False
    max_length: int = 0
    choices: type[models.TextChoices] | None = None
    help_text: Promise | str = ""
    lead: bool = True
    initial: Callable[[Member], Any] | None = None


@dataclass(frozen=True)
class EventSpec:
    kind: str
    # The statuses it may follow; empty: never recorded on an existing member by ``record``.
    allowed_from: tuple[str, ...] = ()
    status_after: str | None = None  # None: the status stays
    clears: tuple[str, ...] = ()  # member fields emptied (None)
    inputs: tuple[Input, ...] = ()
    check: Callable[[Member, EventRequest], None] | None = None
    data: Callable[[Any, EventRequest], dict[str, Any]] | None = None
    sets: Callable[[Member, EventRequest], dict[str, Any]] | None = None
    audit_action: str = ""
    # Not typed by the user: the event's date (recognition: the day probation ended);
    # such an event takes the state of that date and leaves the current state alone.
    dated: Callable[[Member, EventRequest], dt.date] | None = None
    available: Callable[[Member], bool] | None = None  # beyond the status
    # The input naming the org the member moves to; the actor needs the right over it.
    moves_to: str = ""
    # Recording it from the member's page and the API (admission, ceremony and
    # restructuring have their own paths).
    recordable: bool = True
    danger: bool = False
    decision_required: bool = False
    date_label: Promise | None = None
    note_label: Promise | None = None
    note_required: bool = False
    # The input that takes an imported row's free text (column ``ly_do``): "note", or an input
    # whose empty value reads "(not given)"; "" for none.
    file_text: str = "note"

    @property
    def action(self) -> str:
        return self.audit_action or f"members.{self.kind}"

    @property
    def label(self) -> Any:
        return EventKind(self.kind).label

    def event_data(self, before: Any, req: EventRequest) -> dict[str, Any]:
        """What the event stores in ``data``: ``before`` is the member as it was (or a stand-in)."""
        return self.data(before, req) if self.data is not None else dict(req.data)


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


def _check_transfer_out(m: Member, req: EventRequest) -> None:
    destination_org = req.values.get("destination_org")
    if destination_org is None and not req.values.get("destination", "").strip():
        raise ValidationError({"destination": [_("Say where the member is transferred to.")]})
    if destination_org is not None:
        check_cell(destination_org, "destination_org")
        if destination_org.pk == m.org_id:
            raise ValidationError({"destination_org": [_("The member is already in this cell.")]})
    _check_transfer_grounds(m, req)


def _rule_or_none(key: str, on: dt.date) -> Any:
    try:
        return rule_in_force(key, on=on)
    except RuleMissing:
        return None


def paperwork_due(since: dt.date) -> tuple[dt.date, Any] | None:
    """The last day of an official transfer's paperwork begun on ``since`` (the decision or
    the change of residence), and the rule (None: no version covers ``since``)."""
    rule = _rule_or_none("transfer.official_paperwork_working_days", since)
    if rule is None:
        return None
    return add_working_days(since, int(rule.value)), rule


def _check_transfer_grounds(m: Member, req: EventRequest) -> None:
    """The first step of an official transfer (QĐ 294-QĐ/TW point 6.3.1; issue 20, item 10).

    On graduation: only a student member, not before the expected graduation (the school's
    committee may keep them up to ``transfer.student_keep_months``). Otherwise, with the
    date of the decision or of the change of residence (``grounds_on``): the paperwork is due
    within ``transfer.official_paperwork_working_days``; a later transfer needs the reason
    (``late_reason``), kept for the competent committee, which decides.
    """
    grounds = req.values.get("grounds") or ""
    since = req.values.get("grounds_on")
    late = (req.values.get("late_reason") or "").strip()
    if grounds == TransferGrounds.GRADUATION:
        if m.category != Category.STUDENT or m.expected_graduation is None:
            raise ValidationError(
                {
                    "grounds": [
                        _(
                            "Only a student member with an expected graduation date transfers "
                            "on graduation."
                        )
                    ]
                }
            )
        rule = _rule_or_none("transfer.student_keep_months", m.expected_graduation)
        if rule is not None and req.effective_date < m.expected_graduation:
            raise RuleViolation(
                rule,
                _(
                    "%(name)s graduates on %(date)s: a transfer on graduation starts from that "
                    "day (before it, record an ordinary transfer)."
                )
                % {"name": m.full_name, "date": dmy(m.expected_graduation)},
                field="effective_date",
            )
        return
    if since is None:
        if late:
            raise ValidationError(
                {"grounds_on": [_("Give the date of the decision or of the change of residence.")]}
            )
        return
    if since > req.effective_date:
        raise ValidationError(
            {
                "grounds_on": [
                    _("The decision or the change of residence cannot be after the transfer.")
                ]
            }
        )
    due = paperwork_due(since)
    if due is not None and req.effective_date > due[0] and not late:
        raise RuleViolation(
            due[1],
            _(
                "From %(since)s (the decision or the change of residence) the transfer's "
                "paperwork was due by %(due)s (%(days)s working days); on %(date)s it is late: "
                "give the reason, and the competent committee decides."
            )
            % {
                "since": dmy(since),
                "due": dmy(due[0]),
                "days": due[1].value,
                "date": dmy(req.effective_date),
            },
            field="late_reason",
        )


def late_transfer_state(event: MemberEvent) -> str | None:
    """A late official transfer's state: ``pending`` until the competent committee decides,
    then ``accepted`` or ``refused``; None for any other event (issue 20, item 10)."""
    from chibo.members.models import LateTransferDecision

    if event.kind != EventKind.TRANSFER_OUT or not (event.data or {}).get("late"):
        return None
    try:
        decision = event.late_decision  # type: ignore[attr-defined]
    except LateTransferDecision.DoesNotExist:
        return "pending"
    return "accepted" if decision.accepted else "refused"


def competent_committee(event: MemberEvent) -> Org:
    """The committee that decides on a late transfer: the sending cell's superior."""
    return event.org.parent or event.org


def check_late_transfer_cleared(event: MemberEvent, field: str | None = None) -> None:
    """Refuse what a late transfer awaiting (or refused by) the competent committee blocks:
    the transfer letter and the arrival. Quotes ``transfer.official_paperwork_working_days``."""
    state = late_transfer_state(event)
    if state in (None, "accepted"):
        return
    data = event.data or {}
    committee = competent_committee(event).name
    name = event.member.full_name
    if state == "pending":
        message = _(
            "The transfer of %(name)s was late (the paperwork was due by %(due)s): it waits for "
            "the decision of the competent committee, %(committee)s."
        ) % {
            "name": name,
            "due": dmy(dt.date.fromisoformat(data["paperwork_due"])),
            "committee": committee,
        }
    else:
        message = _(
            "The competent committee, %(committee)s, refused the late transfer of %(name)s: the "
            "transfer does not go on; the sending cell reviews the member's case."
        ) % {"name": name, "committee": committee}
    rule = _rule_or_none(
        "transfer.official_paperwork_working_days", dt.date.fromisoformat(data["grounds_on"])
    )
    if rule is None:
        raise ValidationError({field: [message]} if field else message)
    raise RuleViolation(rule, message, field=field)


def _transfer_out_data(m: Member, req: EventRequest) -> dict[str, Any]:
    data: dict[str, Any] = {
        "destination_org": _code(req.values.get("destination_org")),
        "destination": _not_given(
            req.values.get("destination", ""), req.values.get("destination_org")
        ),
    }
    grounds = req.values.get("grounds") or ""
    since = req.values.get("grounds_on")
    if grounds == TransferGrounds.GRADUATION and since is None:
        since = m.expected_graduation
    if grounds:
        data["grounds"] = grounds
    if since is not None:
        data["grounds_on"] = since.isoformat()
        due = paperwork_due(since) if grounds != TransferGrounds.GRADUATION else None
        if due is not None:
            data["paperwork_due"] = due[0].isoformat()
            if req.effective_date > due[0]:
                data["late"] = True
                data["late_reason"] = (req.values.get("late_reason") or "").strip()
    return data


def _check_transfer_in(m: Member, req: EventRequest) -> None:
    org = req.values["org"]
    require_cap_on(req.actor, org, Cap.MEMBER_CHANGE)
    check_cell(org)
    sent = m.events.filter(kind=EventKind.TRANSFER_OUT).order_by("-effective_date", "-id").first()
    if sent is not None:
        check_late_transfer_cleared(sent, field="org")
    if m.pending_org is None:
        # Transferred to a place outside chibo: only the sender can take the member back.
        require_cap_on(req.actor, m.org, Cap.MEMBER_CHANGE)
    elif not org.path.startswith(m.pending_org.path):
        raise ValidationError(
            {
                "org": [
                    _("The member was transferred to %(org)s, not here.")
                    % {"org": m.pending_org.name}
                ]
            }
        )


def _check_temp_out(m: Member, req: EventRequest) -> None:
    host_org = req.values.get("host_org")
    if host_org is None and not req.values.get("host", "").strip():
        raise ValidationError({"host": [_("Say where the member temporarily goes.")]})
    if host_org is not None:
        check_cell(host_org, "host_org")
    until = req.values.get("until")
    if until is not None and until <= req.effective_date:
        raise ValidationError({"until": [_("The end must be after the start.")]})
    purpose = req.values.get("purpose") or ""
    if not purpose:
        return  # required on the form and in the API; a past record may lack it
    if until is None:
        raise ValidationError({"until": [_("Give the expected end of the temporary transfer.")]})
    span = temporary_span(purpose, req.effective_date)
    if span is None:
        return  # no version of the rule covers the start
    first, last, rule = span
    if not first <= until <= last:
        raise RuleViolation(
            rule,
            _(
                "%(purpose)s: a temporary transfer lasts %(bounds)s; starting on %(start)s, its "
                "expected end falls between %(first)s and %(last)s, not on %(until)s (a longer "
                "absence needs an official transfer)."
            )
            % {
                "purpose": TempPurpose(purpose).label,
                "bounds": temporary_bounds_text(rule.value[purpose]),
                "start": dmy(req.effective_date),
                "first": dmy(first),
                "last": dmy(last),
                "until": dmy(until),
            },
            field="until",
        )


def temporary_span(purpose: str, start: dt.date) -> tuple[dt.date, dt.date, Any] | None:
    """The first and last expected end of a temporary transfer for ``purpose`` that starts on
    ``start``, and the rule (``transfer.temporary_months`` in force on ``start``; None: no
    version covers it). "From 3 months to under 1 year": the end falls on or after the day 3
    months later and before the day 1 year later; "from 3 months to 2 years": up to that day.
    """
    rule = _rule_or_none("transfer.temporary_months", start)
    if rule is None or purpose not in rule.value:
        return None
    bounds = rule.value[purpose]
    first = add_months(start, int(bounds["min_months"]))
    last = add_months(start, int(bounds["max_months"]))
    if not bounds.get("max_included"):
        last -= dt.timedelta(days=1)
    return first, last, rule


def temporary_bounds_text(bounds: dict[str, Any]) -> str:
    if bounds.get("max_included"):
        text = _("from %(min)s months to %(max)s months")
    else:
        text = _("from %(min)s months to under %(max)s months")
    return text % {"min": bounds["min_months"], "max": bounds["max_months"]}


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


SPECS: dict[str, EventSpec] = {
    spec.kind: spec
    for spec in (
        EventSpec(
            EventKind.RECOGNIZED,
            allowed_from=ON_ROLLS,
            inputs=(
                Input(
                    "decided_on",
                    InputType.DATE,
                    _l("Decision date"),
                    required=True,
                    help_text=_l("The recognition takes effect on the day probation ended."),
                ),
            ),
            check=_check_recognition,
            data=lambda m, req: {"decided_on": req.values["decided_on"].isoformat()},
            sets=lambda m, req: {"is_full": True, "recognized_on": m.probation_ends_on},
            dated=lambda m, req: m.probation_ends_on,
            available=lambda m: not m.is_full and m.probation_ends_on is not None,
        ),
        EventSpec(
            EventKind.CARD_ISSUED,
            allowed_from=ON_ROLLS,
            inputs=(Input("card_number", InputType.TEXT, _l("Party card number"), True, 32),),
            check=_check_card,
            data=lambda m, req: {"card_number": req.values["card_number"].strip()},
            sets=lambda m, req: {"party_card_number": req.values["card_number"].strip()},
        ),
        EventSpec(
            EventKind.CATEGORY_CHANGED,
            allowed_from=ON_ROLLS,
            inputs=(
                Input("category", InputType.CHOICE, _l("New category"), True, choices=Category),
            ),
            check=_check_category,
            data=lambda m, req: {"from": m.category, "to": req.values["category"]},
            sets=lambda m, req: {"category": req.values["category"]},
        ),
        EventSpec(
            EventKind.TEMP_OUT,
            allowed_from=(Status.ACTIVE,),
            status_after=Status.TEMP_AWAY,
            inputs=(
                Input("host_org", InputType.ORG, _l("Host cell in chibo (code)"), lead=False),
                Input("host", InputType.TEXT, _l("Host outside chibo"), max_length=255, lead=False),
                Input(
                    "purpose",
                    InputType.CHOICE,
                    _l("Purpose"),
                    required=True,
                    choices=TempPurpose,
                    lead=False,
                ),
                Input(
                    "until",
                    InputType.DATE,
                    _l("Expected end"),
                    required=True,
                    help_text=_l(
                        "Work or residence: from 3 months to under 1 year; full-time study: "
                        "from 3 months to 2 years (QĐ 294-QĐ/TW, point 6.3.2)."
                    ),
                    lead=False,
                ),
            ),
            check=_check_temp_out,
            data=lambda m, req: {
                "host_org": _code(req.values.get("host_org")),
                "host": _not_given(req.values.get("host", ""), req.values.get("host_org")),
                "until": req.values["until"].isoformat() if req.values.get("until") else None,
                **({"purpose": req.values["purpose"]} if req.values.get("purpose") else {}),
            },
            sets=lambda m, req: {"temp_host_org": req.values.get("host_org")},
            file_text="host",
        ),
        EventSpec(
            EventKind.TEMP_BACK,
            allowed_from=(Status.TEMP_AWAY,),
            status_after=Status.ACTIVE,
            clears=("temp_host_org",),
            file_text="",
        ),
        EventSpec(
            EventKind.EXEMPTED,
            allowed_from=(Status.ACTIVE,),
            status_after=Status.EXEMPTED,
            inputs=(
                Input(
                    "criterion",
                    InputType.CHOICE,
                    _l("Criterion for the exemption"),
                    required=True,
                    choices=ExemptionCriterion,
                    help_text=_l(
                        "By the member's application and the cell's resolution; the upper "
                        "level is informed (Party Charter Art. 7)."
                    ),
                ),
            ),
            check=_check_exemption,
            data=lambda before, req: {"criterion": req.values.get("criterion") or None},
            note_label=_l("Reason for the exemption"),
            note_required=True,
        ),
        EventSpec(
            EventKind.EXEMPTION_ENDED,
            allowed_from=(Status.EXEMPTED,),
            status_after=Status.ACTIVE,
            inputs=(
                Input(
                    "application_on",
                    InputType.DATE,
                    _l("Date of the member's application to return"),
                    required=True,
                ),
            ),
            check=_check_exemption_end,
            data=lambda before, req: {
                "application_on": req.values["application_on"].isoformat()
                if req.values.get("application_on")
                else None
            },
            file_text="",
        ),
        EventSpec(
            EventKind.TRANSFER_OUT,
            allowed_from=ON_ROLLS,
            status_after=Status.TRANSFERRED_OUT,
            clears=("temp_host_org",),
            inputs=(
                Input(
                    "destination_org",
                    InputType.ORG,
                    _l("Destination cell in chibo (code)"),
                    help_text=_ORG_HELP,
                    lead=False,
                ),
                Input(
                    "destination",
                    InputType.TEXT,
                    _l("Destination outside chibo"),
                    max_length=255,
                    lead=False,
                ),
                Input(
                    "grounds",
                    InputType.CHOICE,
                    _l("Grounds"),
                    choices=TransferGrounds,
                    lead=False,
                ),
                Input(
                    "grounds_on",
                    InputType.DATE,
                    _l("Date of the decision or of the change of residence"),
                    help_text=_l(
                        "The paperwork is due within 60 working days of it (QĐ 294-QĐ/TW, "
                        "point 6.3.1)."
                    ),
                    lead=False,
                ),
                Input(
                    "late_reason",
                    InputType.TEXT,
                    _l("Reason for the late transfer"),
                    max_length=500,
                    help_text=_l(
                        "Needed after the 60 working days; the competent committee decides."
                    ),
                    lead=False,
                ),
            ),
            check=_check_transfer_out,
            data=_transfer_out_data,
            sets=lambda m, req: {"pending_org": req.values.get("destination_org")},
            file_text="destination",
        ),
        EventSpec(
            EventKind.TRANSFER_IN,
            allowed_from=(Status.TRANSFERRED_OUT,),
            status_after=Status.ACTIVE,
            clears=("pending_org",),
            inputs=(
                Input(
                    "org",
                    InputType.OWN_CELL,
                    _l("Receiving cell (code)"),
                    required=True,
                    initial=_pending_cell,
                ),
            ),
            check=_check_transfer_in,
            data=lambda m, req: {"from_org": m.org.code},
            sets=lambda m, req: {"org": req.values["org"]},
            moves_to="org",
            file_text="",
        ),
        EventSpec(
            EventKind.REMOVED,
            allowed_from=(*ON_ROLLS, Status.TRANSFERRED_OUT),
            status_after=Status.REMOVED,
            clears=("pending_org", "temp_host_org"),
            inputs=(
                Input(
                    "reason", InputType.CHOICE, _l("Reason"), required=True, choices=RemovalReason
                ),
            ),
            check=_check_removal,
            danger=True,
            decision_required=True,
        ),
        EventSpec(
            EventKind.EXPELLED,
            allowed_from=(*ON_ROLLS, Status.TRANSFERRED_OUT),
            status_after=Status.EXPELLED,
            clears=("pending_org", "temp_host_org"),
            check=_check_expulsion,
            danger=True,
            decision_required=True,
        ),
        EventSpec(
            EventKind.DECEASED,
            allowed_from=(*ON_ROLLS, Status.TRANSFERRED_OUT),
            status_after=Status.DECEASED,
            clears=("pending_org", "temp_host_org"),
            danger=True,
            date_label=_l("Date of death"),
        ),
        EventSpec(
            EventKind.CEREMONY,
            allowed_from=ON_ROLLS,
            check=_check_ceremony,
            data=_ceremony_data,
            sets=lambda m, req: {
                "ceremony_on": req.effective_date,
                "probation_ends_on": dt.date.fromisoformat(req.data["probation_ends_on"]),
            },
            recordable=False,
        ),
        # Written by their own services: a new member (members.services.admission),
        # restructuring (members.services.reassignment).
        EventSpec(
            EventKind.ADMITTED,
            status_after=Status.ACTIVE,
            data=_admitted_data,
            recordable=False,
        ),
        EventSpec(
            EventKind.REASSIGNED,
            data=lambda m, req: {"from_org": m.org.code},
            recordable=False,
        ),
    )
}

RECORDABLE: tuple[str, ...] = tuple(kind for kind, spec in SPECS.items() if spec.recordable)


def allowed_events(member: Member) -> list[str]:
    """The kinds a user may record now on ``member`` (its status and standing), in menu order."""
    kinds = []
    for kind in RECORDABLE:
        spec = SPECS[kind]
        if member.status in spec.allowed_from and (
            spec.available is None or spec.available(member)
        ):
            kinds.append(kind)
    return kinds


def import_kind(old: str, new: str) -> str | None:
    """The kind an import records to take a member from status ``old`` to ``new`` (None: none may)."""
    for kind in RECORDABLE:
        spec = SPECS[kind]
        if spec.status_after == new and old in spec.allowed_from and not spec.moves_to:
            return kind
    return None


# --- writing -------------------------------------------------------------------


def lock(member: Member, expected_version: int | None) -> Member:
    """The member's row, locked for this transaction; refused if someone changed it meanwhile."""
    locked = type(member).objects.select_for_update().get(pk=member.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ValidationError(
            _(
                "Someone else changed this member's record while you were editing it. "
                "Reload the page to see their change, then try again."
            )
        )
    return locked


def state_on(member: Member, day: dt.date) -> MemberEvent | None:
    """The member's last event on or before ``day`` (its state that day), or None before admission."""
    return member.events.filter(effective_date__lte=day).order_by("-effective_date", "-id").first()


def record(
    kind: str,
    *,
    actor: Any,
    member: Member,
    effective_date: dt.date | None = None,
    decision: Decision | None = None,
    note: str = "",
    expected_version: int | None = None,
    **values: Any,
) -> MemberEvent:
    """Record an event of ``kind`` on ``member``: the one way every caller writes the lifecycle.

    ``values`` are the kind's inputs (orgs already looked up). The kind's ``check`` runs first,
    then the actor's right, the status, the date, and the write with its audit entry.
    """
    spec = SPECS[kind]
    unknown = set(values) - {i.name for i in spec.inputs}
    if unknown:
        raise TypeError(f"{kind} takes no {', '.join(sorted(unknown))}")
    if effective_date is None and spec.dated is None:
        raise TypeError(f"{kind} needs its effective_date")
    req = EventRequest(
        kind,
        effective_date or dt.date.min,
        decision or Decision(),
        note,
        reason=values.get("reason", ""),
        values=dict(values),
        actor=actor,
    )
    if spec.check is not None:
        spec.check(member, req)
    if spec.dated is not None:
        req.effective_date = spec.dated(member, req)
    req.data = spec.event_data(member, req)
    return _append(actor=actor, member=member, req=req, expected_version=expected_version)


def _append(
    *,
    actor: Any,
    member: Member,
    req: EventRequest,
    expected_version: int | None = None,
) -> MemberEvent:
    """Validate the transition, append the event, update derived state, audit (one transaction).

    The actor needs the right over the member's org (or the org it moves to). An event
    with a computed date (``dated``: recognition) takes the state of that date and leaves
    the current state alone.
    """
    from chibo.members.models import MemberEvent

    spec = SPECS[req.kind]
    target = req.values.get(spec.moves_to) if spec.moves_to else None
    require_cap_on(actor, target or member.org, Cap.MEMBER_CHANGE)
    backdated = spec.dated is not None
    check_not_future(req.effective_date)
    with transaction.atomic():
        m = lock(member, expected_version)
        if m.status not in spec.allowed_from:
            raise ValidationError(
                _("Cannot record “%(event)s” for a member whose status is “%(status)s”.")
                % {"event": spec.label, "status": Status(m.status).label}
            )
        if not backdated and req.effective_date < m.last_event_on:
            raise ValidationError(
                {
                    "effective_date": [
                        _("The date cannot be before the member's latest event (%(date)s).")
                        % {"date": dmy(m.last_event_on)}
                    ]
                }
            )
        updates: dict[str, Any] = {name: None for name in spec.clears}
        if spec.sets is not None:
            updates.update(spec.sets(m, req))
        new_org = updates.pop("org", None)
        if backdated:
            before = state_on(m, req.effective_date)
            if before is None:
                raise ValidationError(
                    {"effective_date": [_("The member had not been admitted on that date.")]}
                )
            new_org_id, new_status, new_category = (
                before.org_id,
                before.status_after,
                before.category_after,
            )
        else:
            new_org_id = new_org.pk if new_org is not None else m.org_id
            new_status = spec.status_after or m.status
            new_category = updates.pop("category", None) or m.category
            if new_status != m.status:
                updates["status"] = new_status
                updates["status_changed_on"] = req.effective_date
            updates.update(
                org_id=new_org_id, category=new_category, last_event_on=req.effective_date
            )
        event = MemberEvent.objects.create(
            member=m,
            kind=req.kind,
            effective_date=req.effective_date,
            decision_number=req.decision.number.strip(),
            issuing_org=req.decision.issuing_org,
            issuing_body=req.decision.issuing_body.strip(),
            actor=user_or_none(actor),
            note=req.note.strip(),
            reason=req.reason,
            data=req.data,
            org_id=new_org_id,
            status_after=new_status,
            category_after=new_category,
        )
        for name, value in updates.items():
            setattr(m, name, value)
        m.version += 1
        m.save(update_fields=[*updates.keys(), "version", "updated_at"])
        audit.record(
            actor=actor,
            action=spec.action,
            object_type="member",
            object_id=m.member_code,
            data={
                "event_id": event.pk,
                "effective_date": req.effective_date,
                "decision_number": req.decision.number,
                "reason": req.reason,
                **req.data,
            },
        )
    member.__dict__.update({k: v for k, v in m.__dict__.items() if not k.startswith("_")})
    return event


# --- reading the log back ------------------------------------------------------------


def replay(member: Member) -> dict[str, Any]:
    """The derived state recomputed from the event log alone (tests and checks use it).

    The ceremony (and so the end of probation) is the ``ceremony`` event, or
    the ``ceremony_on`` the first event carries (admitted with the ceremony
    recorded, or still to be held: null); logs older than that key leave both out.
    """
    events = list(member.events.order_by("effective_date", "id"))
    last = events[-1]
    recognized_on = next((e.effective_date for e in events if e.kind == EventKind.RECOGNIZED), None)
    if recognized_on is None and events[0].data.get("recognized_on"):
        recognized_on = dt.date.fromisoformat(events[0].data["recognized_on"])
    ordinary = [e.effective_date for e in events if e.kind != EventKind.RECOGNIZED]
    state: dict[str, Any] = {
        "org_id": last.org_id,
        "status": last.status_after,
        "category": last.category_after,
        "is_full": recognized_on is not None,
        "recognized_on": recognized_on,
        "last_event_on": max(ordinary),
    }
    ceremony = next((e for e in events if e.kind == EventKind.CEREMONY), None)
    if ceremony is not None:
        state["ceremony_on"] = ceremony.effective_date
        state["probation_ends_on"] = dt.date.fromisoformat(ceremony.data["probation_ends_on"])
    elif "ceremony_on" in events[0].data:
        held = events[0].data["ceremony_on"]
        state["ceremony_on"] = dt.date.fromisoformat(held) if held else None
        state["probation_ends_on"] = probation_end(state["ceremony_on"]) if held else None
    return state
