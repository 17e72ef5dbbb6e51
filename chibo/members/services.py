"""Writes to members: each lifecycle event, identity edits, reassignment.

Every public function here checks the actor's right over the member's org,
validates against the member's current state and the rules in force on the
event's date, appends the event, updates the derived state on ``Member``
and records the audit entry — in one transaction, with the member's row
locked so two clerks cannot interleave events.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.accounts.roles import Cap
from chibo.core import audit
from chibo.core.rules import RuleViolation, rule_in_force
from chibo.core.scoping import require_cap_on
from chibo.lib.dates import add_months
from chibo.lib.text import fold
from chibo.members.models import (
    ON_ROLLS,
    Category,
    EventKind,
    Member,
    MemberEvent,
    RemovalReason,
    Status,
)
from chibo.orgs.models import Org

S = Status
# Which statuses each event may follow (the member's current status).
ALLOWED_FROM: dict[str, tuple[str, ...]] = {
    EventKind.CEREMONY: ON_ROLLS,
    EventKind.RECOGNIZED: ON_ROLLS,
    EventKind.TRANSFER_OUT: ON_ROLLS,
    EventKind.TRANSFER_IN: (S.TRANSFERRED_OUT,),
    EventKind.TEMP_OUT: (S.ACTIVE,),
    EventKind.TEMP_BACK: (S.TEMP_AWAY,),
    EventKind.EXEMPTED: (S.ACTIVE,),
    EventKind.EXEMPTION_ENDED: (S.EXEMPTED,),
    EventKind.REMOVED: (*ON_ROLLS, S.TRANSFERRED_OUT),
    EventKind.EXPELLED: (*ON_ROLLS, S.TRANSFERRED_OUT),
    EventKind.DECEASED: (*ON_ROLLS, S.TRANSFERRED_OUT),
    EventKind.CARD_ISSUED: ON_ROLLS,
    EventKind.CATEGORY_CHANGED: ON_ROLLS,
}
STATUS_AFTER: dict[str, str] = {
    EventKind.ADMITTED: S.ACTIVE,
    EventKind.TRANSFER_OUT: S.TRANSFERRED_OUT,
    EventKind.TRANSFER_IN: S.ACTIVE,
    EventKind.TEMP_OUT: S.TEMP_AWAY,
    EventKind.TEMP_BACK: S.ACTIVE,
    EventKind.EXEMPTED: S.EXEMPTED,
    EventKind.EXEMPTION_ENDED: S.ACTIVE,
    EventKind.REMOVED: S.REMOVED,
    EventKind.EXPELLED: S.EXPELLED,
    EventKind.DECEASED: S.DECEASED,
}


@dataclass
class Decision:
    """Who decided an event and under which document."""

    number: str = ""
    issuing_org: Org | None = None
    issuing_body: str = ""


@dataclass
class EventRequest:
    kind: str
    effective_date: dt.date
    decision: Decision = field(default_factory=Decision)
    note: str = ""
    reason: str = ""
    data: dict[str, Any] = field(default_factory=dict)


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _fmt(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _check_not_future(day: dt.date, name: str = "effective_date") -> None:
    if day > timezone.localdate():
        raise ValidationError({name: [_("The date cannot be in the future.")]})


def _check_cell(org: Org, name: str = "org") -> None:
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


def _lock(member: Member, expected_version: int | None) -> Member:
    locked = Member.objects.select_for_update().get(pk=member.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ValidationError(
            _(
                "Someone else changed this member's record while you were editing it. "
                "Reload the page to see their change, then try again."
            )
        )
    return locked


def _state_on(member: Member, day: dt.date) -> MemberEvent:
    """The last event on or before ``day`` (the member's state that day)."""
    event = member.events.filter(effective_date__lte=day).order_by("-effective_date", "-id").first()
    if event is None:
        raise ValidationError(
            {"effective_date": [_("The member had not been admitted on that date.")]}
        )
    return event


def _append(
    *,
    actor: Any,
    member: Member,
    req: EventRequest,
    org: Org | None = None,
    category: str | None = None,
    expected_version: int | None = None,
    member_updates: dict[str, Any] | None = None,
    backdated: bool = False,
    permission_org: Org | None = None,
) -> MemberEvent:
    """Validate the transition, append the event, update derived state, audit.

    ``permission_org`` is the org whose right the actor needs (default: the
    member's own); ``backdated`` events (recognition) take the state of their
    date and leave the current state alone.
    """
    require_cap_on(actor, permission_org or member.org, Cap.MEMBER_CHANGE)
    _check_not_future(req.effective_date)
    with transaction.atomic():
        m = _lock(member, expected_version)
        allowed = ALLOWED_FROM.get(req.kind)
        if allowed is not None and m.status not in allowed:
            raise ValidationError(
                _("Cannot record “%(event)s” for a member whose status is “%(status)s”.")
                % {"event": EventKind(req.kind).label, "status": Status(m.status).label}
            )
        if not backdated and req.effective_date < m.last_event_on:
            raise ValidationError(
                {
                    "effective_date": [
                        _("The date cannot be before the member's latest event (%(date)s).")
                        % {"date": _fmt(m.last_event_on)}
                    ]
                }
            )
        if backdated:
            before = _state_on(m, req.effective_date)
            new_org_id, new_status, new_category = (
                before.org_id,
                before.status_after,
                before.category_after,
            )
        else:
            new_org_id = org.pk if org is not None else m.org_id
            new_status = STATUS_AFTER.get(req.kind, m.status)
            new_category = category or m.category
        event = MemberEvent.objects.create(
            member=m,
            kind=req.kind,
            effective_date=req.effective_date,
            decision_number=req.decision.number.strip(),
            issuing_org=req.decision.issuing_org,
            issuing_body=req.decision.issuing_body.strip(),
            actor=_user(actor),
            note=req.note.strip(),
            reason=req.reason,
            data=req.data,
            org_id=new_org_id,
            status_after=new_status,
            category_after=new_category,
        )
        updates: dict[str, Any] = dict(member_updates or {})
        if not backdated:
            if new_status != m.status:
                updates["status"] = new_status
                updates["status_changed_on"] = req.effective_date
            updates.update(
                org_id=new_org_id, category=new_category, last_event_on=req.effective_date
            )
        for name, value in updates.items():
            setattr(m, name, value)
        m.version += 1
        m.save(update_fields=[*updates.keys(), "version", "updated_at"])
        audit.record(
            actor=actor,
            action=f"members.{req.kind}",
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


# --- creating a member -----------------------------------------------------


@dataclass
class Identity:
    member_code: str
    full_name: str
    date_of_birth: dt.date
    gender: str
    category: str
    ethnicity: str = "Kinh"
    expected_graduation: dt.date | None = None
    party_card_number: str = ""
    citizen_id: str = ""
    phone: str = ""


def _identity_member(identity: Identity) -> Member:
    name = " ".join(identity.full_name.split())
    folded = fold(name)
    return Member(
        member_code=identity.member_code.strip(),
        full_name=name,
        name_folded=folded,
        given_folded=folded.rsplit(" ", 1)[-1] if folded else "",
        date_of_birth=identity.date_of_birth,
        gender=identity.gender,
        ethnicity=identity.ethnicity.strip() or "Kinh",
        category=identity.category,
        expected_graduation=identity.expected_graduation,
        party_card_number=identity.party_card_number.strip(),
        citizen_id=identity.citizen_id.strip(),
        phone=identity.phone.strip(),
    )


def _validate_new(member: Member, exclude: list[str]) -> None:
    if Member.objects.filter(member_code=member.member_code).exists():
        raise ValidationError(
            {
                "member_code": [
                    _("The member code %(code)s is already used.") % {"code": member.member_code}
                ]
            }
        )
    member.full_clean(exclude=exclude)


def probation_end(ceremony_on: dt.date) -> dt.date:
    """Probation lasts the months the rule in force on the ceremony date sets (Charter Art. 5)."""
    rule = rule_in_force("probation.months", on=ceremony_on)
    return add_months(ceremony_on, int(rule.value))


def member_admit(
    *,
    actor: Any,
    org: Org,
    identity: Identity,
    admitted_on: dt.date,
    decision: Decision,
    ceremony_on: dt.date | None = None,
    ceremony_pending: bool = False,
    note: str = "",
) -> Member:
    """Create a probationary member from an admission decision (kết nạp).

    Probation runs from the admission ceremony. When the ceremony is recorded
    with the admission, it is ``ceremony_on`` (default: the decision's date).
    With ``ceremony_pending`` (the admission path admits at the decision) the
    ceremony is still to be held: ``ceremony_on`` and ``probation_ends_on``
    stay empty until ``member_record_ceremony``.
    """
    require_cap_on(actor, org, Cap.MEMBER_CHANGE)
    _check_cell(org)
    _check_not_future(admitted_on, "admitted_on")
    if ceremony_pending and ceremony_on is not None:
        raise ValueError("ceremony_on and ceremony_pending exclude each other")
    ceremony = None if ceremony_pending else (ceremony_on or admitted_on)
    if ceremony is not None and ceremony < admitted_on:
        raise ValidationError(
            {"ceremony_on": [_("The ceremony cannot be before the admission decision.")]}
        )
    if identity.date_of_birth >= admitted_on:
        raise ValidationError(
            {"date_of_birth": [_("The date of birth must be before the admission.")]}
        )
    member = _identity_member(identity)
    member.org = org
    member.status = Status.ACTIVE
    member.is_full = False
    member.admitted_on = admitted_on
    member.admitting_org = org
    member.category_at_admission = identity.category
    member.ceremony_on = ceremony
    member.probation_ends_on = probation_end(ceremony) if ceremony else None
    member.status_changed_on = admitted_on
    member.last_event_on = admitted_on
    _validate_new(member, exclude=["org", "admitting_org", "name_folded", "given_folded"])
    with transaction.atomic():
        member.save()
        event = MemberEvent.objects.create(
            member=member,
            kind=EventKind.ADMITTED,
            effective_date=admitted_on,
            decision_number=decision.number.strip(),
            issuing_org=decision.issuing_org,
            issuing_body=decision.issuing_body.strip(),
            actor=_user(actor),
            note=note.strip(),
            data={
                "category_at_admission": identity.category,
                "ceremony_on": ceremony.isoformat() if ceremony else None,
            },
            org=org,
            status_after=Status.ACTIVE,
            category_after=identity.category,
        )
        audit.record(
            actor=actor,
            action="members.admitted",
            object_type="member",
            object_id=member.member_code,
            data={
                "event_id": event.pk,
                "org": org.code,
                "admitted_on": admitted_on,
                "decision_number": decision.number,
                "category": identity.category,
                "ceremony_on": ceremony,
            },
        )
    return member


def member_receive(
    *,
    actor: Any,
    org: Org,
    identity: Identity,
    admitted_on: dt.date,
    recognized_on: dt.date | None,
    arrived_on: dt.date,
    decision: Decision,
    from_body: str,
    note: str = "",
) -> Member:
    """Register a member transferred in from outside chibo (another province, an agency)."""
    require_cap_on(actor, org, Cap.MEMBER_CHANGE)
    _check_cell(org)
    _check_not_future(arrived_on, "arrived_on")
    if admitted_on > arrived_on:
        raise ValidationError(
            {"admitted_on": [_("The admission date cannot be after the arrival.")]}
        )
    if recognized_on is not None and not (admitted_on < recognized_on <= arrived_on):
        raise ValidationError(
            {"recognized_on": [_("The recognition date must be between admission and arrival.")]}
        )
    if not from_body.strip():
        raise ValidationError({"from_body": [_("Say which organization the member comes from.")]})
    member = _identity_member(identity)
    member.org = org
    member.status = Status.ACTIVE
    member.is_full = recognized_on is not None
    member.recognized_on = recognized_on
    member.admitted_on = admitted_on
    member.ceremony_on = admitted_on
    member.probation_ends_on = probation_end(admitted_on)
    member.status_changed_on = arrived_on
    member.last_event_on = arrived_on
    _validate_new(member, exclude=["org", "admitting_org", "name_folded", "given_folded"])
    with transaction.atomic():
        member.save()
        event = MemberEvent.objects.create(
            member=member,
            kind=EventKind.TRANSFER_IN,
            effective_date=arrived_on,
            decision_number=decision.number.strip(),
            issuing_org=decision.issuing_org,
            issuing_body=decision.issuing_body.strip(),
            actor=_user(actor),
            note=note.strip(),
            data={
                "from": from_body.strip(),
                "first_record": True,
                "recognized_on": recognized_on.isoformat() if recognized_on else None,
                "ceremony_on": admitted_on.isoformat(),
            },
            org=org,
            status_after=Status.ACTIVE,
            category_after=identity.category,
        )
        audit.record(
            actor=actor,
            action="members.received",
            object_type="member",
            object_id=member.member_code,
            data={"event_id": event.pk, "org": org.code, "from": from_body.strip()},
        )
    return member


# --- lifecycle events ------------------------------------------------------


def member_record_ceremony(
    *,
    actor: Any,
    member: Member,
    on: dt.date,
    document_number: str = "",
    note: str = "",
    expected_version: int | None = None,
) -> MemberEvent:
    """The admission ceremony of a member admitted with the ceremony still to be held.

    Probation starts: it lasts the months ``probation.months`` in force on
    the ceremony's date sets (Charter Art. 5). The deadline from the decision
    is the admission path's check (``admissions``), not this one.
    """
    if member.ceremony_on is not None:
        raise ValidationError(
            _("The admission ceremony of this member was already recorded (%(date)s).")
            % {"date": _fmt(member.ceremony_on)}
        )
    if member.is_full:
        raise ValidationError(_("This member is already a full member."))
    if on < member.admitted_on:
        raise ValidationError(
            {
                "effective_date": [
                    _("The ceremony cannot be before the admission decision (%(date)s).")
                    % {"date": _fmt(member.admitted_on)}
                ]
            }
        )
    _check_not_future(on)
    months = int(rule_in_force("probation.months", on=on).value)
    ends = add_months(on, months)
    req = EventRequest(
        EventKind.CEREMONY,
        on,
        Decision(number=document_number),
        note,
        data={"probation_months": months, "probation_ends_on": ends.isoformat()},
    )
    return _append(
        actor=actor,
        member=member,
        req=req,
        expected_version=expected_version,
        member_updates={"ceremony_on": on, "probation_ends_on": ends},
    )


def member_recognize(
    *,
    actor: Any,
    member: Member,
    decided_on: dt.date,
    decision: Decision,
    note: str = "",
    expected_version: int | None = None,
) -> MemberEvent:
    """Recognize a probationary member as full member.

    Recognition takes effect on the day probation ended, even when the
    decision comes later (Charter Art. 5; QĐ 294-QĐ/TW): the event is dated
    then, and ``decided_on`` is kept in its data.
    """
    if member.is_full:
        raise ValidationError(_("This member is already a full member."))
    if member.probation_ends_on is None:
        raise ValidationError(
            _("The admission ceremony has not been recorded: probation has not started yet.")
        )
    _check_not_future(decided_on, "decided_on")
    if decided_on < member.probation_ends_on:
        rule = rule_in_force("probation.months", on=member.ceremony_on)
        raise RuleViolation(
            rule,
            _("Probation has not ended: it ends on %(date)s.")
            % {"date": _fmt(member.probation_ends_on)},
            field="decided_on",
        )
    req = EventRequest(
        EventKind.RECOGNIZED,
        member.probation_ends_on,
        decision,
        note,
        data={"decided_on": decided_on.isoformat()},
    )
    return _append(
        actor=actor,
        member=member,
        req=req,
        expected_version=expected_version,
        backdated=True,
        member_updates={"is_full": True, "recognized_on": member.probation_ends_on},
    )


def member_transfer_out(
    *,
    actor: Any,
    member: Member,
    effective_date: dt.date,
    decision: Decision,
    destination_org: Org | None = None,
    destination: str = "",
    note: str = "",
    expected_version: int | None = None,
) -> MemberEvent:
    """Official transfer of party activity to another organization (chuyển sinh hoạt chính thức)."""
    if destination_org is None and not destination.strip():
        raise ValidationError({"destination": [_("Say where the member is transferred to.")]})
    if destination_org is not None:
        _check_cell(destination_org, "destination_org")
        if destination_org.pk == member.org_id:
            raise ValidationError({"destination_org": [_("The member is already in this cell.")]})
    data = {
        "destination_org": destination_org.code if destination_org else None,
        "destination": destination.strip() or (destination_org.name if destination_org else ""),
    }
    req = EventRequest(EventKind.TRANSFER_OUT, effective_date, decision, note, data=data)
    return _append(
        actor=actor,
        member=member,
        req=req,
        expected_version=expected_version,
        member_updates={"pending_org": destination_org, "temp_host_org": None},
    )


def member_transfer_in(
    *,
    actor: Any,
    member: Member,
    org: Org,
    effective_date: dt.date,
    decision: Decision,
    note: str = "",
    expected_version: int | None = None,
) -> MemberEvent:
    """The receiving cell records the arrival of a member transferred within chibo."""
    require_cap_on(actor, org, Cap.MEMBER_CHANGE)
    _check_cell(org)
    if member.pending_org is None:
        # Transferred to a place outside chibo: only the sender can take the member back.
        require_cap_on(actor, member.org, Cap.MEMBER_CHANGE)
    elif not org.path.startswith(member.pending_org.path):
        raise ValidationError(
            {
                "org": [
                    _("The member was transferred to %(org)s, not here.")
                    % {"org": member.pending_org.name}
                ]
            }
        )
    req = EventRequest(
        EventKind.TRANSFER_IN, effective_date, decision, note, data={"from_org": member.org.code}
    )
    # The receiver needs the right over its own org, not over the sender's.
    return _append(
        actor=actor,
        member=member,
        req=req,
        org=org,
        expected_version=expected_version,
        member_updates={"pending_org": None},
        permission_org=org,
    )


def member_temp_transfer_out(
    *,
    actor: Any,
    member: Member,
    effective_date: dt.date,
    decision: Decision,
    host_org: Org | None = None,
    host: str = "",
    until: dt.date | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> MemberEvent:
    """Temporary transfer (3 months to under 1 year; study up to 2 years): keeps home posts."""
    if host_org is None and not host.strip():
        raise ValidationError({"host": [_("Say where the member temporarily goes.")]})
    if host_org is not None:
        _check_cell(host_org, "host_org")
    if until is not None and until <= effective_date:
        raise ValidationError({"until": [_("The end must be after the start.")]})
    data = {
        "host_org": host_org.code if host_org else None,
        "host": host.strip() or (host_org.name if host_org else ""),
        "until": until.isoformat() if until else None,
    }
    req = EventRequest(EventKind.TEMP_OUT, effective_date, decision, note, data=data)
    return _append(
        actor=actor,
        member=member,
        req=req,
        expected_version=expected_version,
        member_updates={"temp_host_org": host_org},
    )


def member_temp_transfer_back(
    *,
    actor: Any,
    member: Member,
    effective_date: dt.date,
    decision: Decision,
    note: str = "",
    expected_version: int | None = None,
) -> MemberEvent:
    req = EventRequest(EventKind.TEMP_BACK, effective_date, decision, note)
    return _append(
        actor=actor,
        member=member,
        req=req,
        expected_version=expected_version,
        member_updates={"temp_host_org": None},
    )


def member_exempt(
    *,
    actor: Any,
    member: Member,
    effective_date: dt.date,
    decision: Decision,
    note: str,
    expected_version: int | None = None,
) -> MemberEvent:
    """Exemption from work and activity (old age, illness, work far away…), on application."""
    if not note.strip():
        raise ValidationError({"note": [_("Give the reason for the exemption.")]})
    req = EventRequest(EventKind.EXEMPTED, effective_date, decision, note)
    return _append(actor=actor, member=member, req=req, expected_version=expected_version)


def member_end_exemption(
    *,
    actor: Any,
    member: Member,
    effective_date: dt.date,
    decision: Decision,
    note: str = "",
    expected_version: int | None = None,
) -> MemberEvent:
    req = EventRequest(EventKind.EXEMPTION_ENDED, effective_date, decision, note)
    return _append(actor=actor, member=member, req=req, expected_version=expected_version)


def member_remove(
    *,
    actor: Any,
    member: Member,
    effective_date: dt.date,
    decision: Decision,
    reason: str,
    note: str = "",
    expected_version: int | None = None,
) -> MemberEvent:
    """Removal from the rolls (xóa tên) with its reason code."""
    if reason not in RemovalReason.values:
        raise ValidationError({"reason": [_("Choose the reason for the removal.")]})
    if reason == RemovalReason.OTHER and not note.strip():
        raise ValidationError({"note": [_("Describe the reason when it is “other”.")]})
    if not decision.number.strip():
        raise ValidationError(
            {"decision_number": [_("A removal needs the number of its decision.")]}
        )
    req = EventRequest(EventKind.REMOVED, effective_date, decision, note, reason=reason)
    return _append(
        actor=actor,
        member=member,
        req=req,
        expected_version=expected_version,
        member_updates={"pending_org": None, "temp_host_org": None},
    )


def member_expel(
    *,
    actor: Any,
    member: Member,
    effective_date: dt.date,
    decision: Decision,
    note: str = "",
    expected_version: int | None = None,
) -> MemberEvent:
    if not decision.number.strip():
        raise ValidationError(
            {"decision_number": [_("An expulsion needs the number of its decision.")]}
        )
    req = EventRequest(EventKind.EXPELLED, effective_date, decision, note)
    return _append(
        actor=actor,
        member=member,
        req=req,
        expected_version=expected_version,
        member_updates={"pending_org": None, "temp_host_org": None},
    )


def member_record_death(
    *,
    actor: Any,
    member: Member,
    effective_date: dt.date,
    decision: Decision,
    note: str = "",
    expected_version: int | None = None,
) -> MemberEvent:
    req = EventRequest(EventKind.DECEASED, effective_date, decision, note)
    return _append(
        actor=actor,
        member=member,
        req=req,
        expected_version=expected_version,
        member_updates={"pending_org": None, "temp_host_org": None},
    )


def member_issue_card(
    *,
    actor: Any,
    member: Member,
    effective_date: dt.date,
    decision: Decision,
    card_number: str,
    note: str = "",
    expected_version: int | None = None,
) -> MemberEvent:
    card = card_number.strip()
    if not card:
        raise ValidationError({"card_number": [_("Enter the party card number.")]})
    clash = Member.objects.filter(party_card_number=card).exclude(pk=member.pk).first()
    if clash is not None:
        raise ValidationError({"card_number": [_("This card number belongs to another member.")]})
    req = EventRequest(
        EventKind.CARD_ISSUED, effective_date, decision, note, data={"card_number": card}
    )
    return _append(
        actor=actor,
        member=member,
        req=req,
        expected_version=expected_version,
        member_updates={"party_card_number": card},
    )


def member_change_category(
    *,
    actor: Any,
    member: Member,
    effective_date: dt.date,
    category: str,
    decision: Decision | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> MemberEvent:
    if category not in Category.values:
        raise ValidationError({"category": [_("Choose a valid category.")]})
    if category == member.category:
        raise ValidationError({"category": [_("The member is already in this category.")]})
    req = EventRequest(
        EventKind.CATEGORY_CHANGED,
        effective_date,
        decision or Decision(),
        note,
        data={"from": member.category, "to": category},
    )
    return _append(
        actor=actor, member=member, req=req, category=category, expected_version=expected_version
    )


IDENTITY_FIELDS = (
    "full_name",
    "date_of_birth",
    "gender",
    "ethnicity",
    "expected_graduation",
    "citizen_id",
    "phone",
)
SENSITIVE_FIELDS = ("citizen_id", "phone")


def member_update_identity(
    *, actor: Any, member: Member, changes: dict[str, Any], expected_version: int | None = None
) -> Member:
    """Correct identity fields. Sensitive values are not copied into the audit log."""
    require_cap_on(actor, member.org, Cap.MEMBER_CHANGE)
    unknown = set(changes) - set(IDENTITY_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields cannot be edited here: %(fields)s")
            % {"fields": ", ".join(sorted(unknown))}
        )
    with transaction.atomic():
        m = _lock(member, expected_version)
        changed = {}
        for name, value in changes.items():
            if isinstance(value, str):
                value = " ".join(value.split()) if name == "full_name" else value.strip()
            if getattr(m, name) != value:
                changed[name] = value
                setattr(m, name, value)
        if not changed:
            return m
        if "full_name" in changed:
            m.name_folded = fold(m.full_name)
            m.given_folded = m.name_folded.rsplit(" ", 1)[-1]
        m.full_clean(exclude=["name_folded", "given_folded"])
        m.version += 1
        m.save()
        audit.record(
            actor=actor,
            action="members.identity_update",
            object_type="member",
            object_id=m.member_code,
            data={
                name: ("***" if name in SENSITIVE_FIELDS else value)
                for name, value in changed.items()
            },
        )
    member.__dict__.update({k: v for k, v in m.__dict__.items() if not k.startswith("_")})
    return m


def members_reassign(
    *, actor: Any, source: Org, target: Org, effective_date: dt.date, decision_number: str = ""
) -> int:
    """Move every member still attached to ``source`` to ``target`` (org merge). Returns the count."""
    movable = list(
        Member.objects.select_for_update().filter(
            org=source, status__in=(*ON_ROLLS, Status.TRANSFERRED_OUT)
        )
    )
    if not movable:
        return 0
    late = [m.member_code for m in movable if m.last_event_on > effective_date]
    if late:
        raise ValidationError(
            {
                "effective_date": [
                    _("Some members have events after this date (%(codes)s).")
                    % {"codes": ", ".join(late[:5])}
                ]
            }
        )
    if not target.is_cell:
        raise ValidationError({"target": [_("Members can only be merged into a party cell.")]})
    user = _user(actor)
    MemberEvent.objects.bulk_create(
        [
            MemberEvent(
                member=m,
                kind=EventKind.REASSIGNED,
                effective_date=effective_date,
                decision_number=decision_number,
                actor=user,
                data={"from_org": source.code},
                org=target,
                status_after=m.status,
                category_after=m.category,
            )
            for m in movable
        ],
        batch_size=500,
    )
    for m in movable:
        m.org = target
        m.last_event_on = effective_date
        m.version += 1
    Member.objects.bulk_update(movable, ["org", "last_event_on", "version"], batch_size=500)
    audit.record_many(
        actor=actor,
        entries=[
            (
                "members.reassigned",
                "member",
                m.member_code,
                {"from": source.code, "to": target.code},
            )
            for m in movable
        ],
    )
    return len(movable)


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
    state = {
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
