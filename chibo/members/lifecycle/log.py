"""Writing and reading the event log: ``record`` (validate, append, update the member, audit, in
one transaction), ``lock``, ``state_on`` and ``replay``.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chibo.core import audit
from chibo.core.roles import Cap
from chibo.core.scoping import require_cap_on
from chibo.core.services import check_not_future, user_or_none
from chibo.lib.dates import dmy
from chibo.members.lifecycle.checks import probation_end
from chibo.members.lifecycle.kinds import SPECS
from chibo.members.lifecycle.spec import Decision, EventRequest
from chibo.members.lifecycle.vocab import EventKind, Status

if TYPE_CHECKING:
    from chibo.members.models import Member, MemberEvent


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
            late=bool((req.data or {}).get("late")),
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
