"""Restructuring: every member of a merged org moves to the org it merges into."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chibo.core import audit
from chibo.core.roles import Cap
from chibo.core.scoping import require_cap_on
from chibo.core.services import user_or_none
from chibo.members.lifecycle import (
    ON_ROLLS,
    SPECS,
    EventKind,
    EventRequest,
    Status,
)
from chibo.members.models import Member, MemberEvent
from chibo.orgs.models import Org


def members_reassign(
    *, actor: Any, source: Org, target: Org, effective_date: dt.date, decision_number: str = ""
) -> int:
    """Move every member still attached to ``source`` to ``target`` (org merge). Returns the count.

    The actor needs the right to restructure both orgs (as ``orgs.services.org_merge``
    checks); the moves, their events and their audit entries are one transaction.
    """
    require_cap_on(actor, source, Cap.ORG_RESTRUCTURE)
    require_cap_on(actor, target, Cap.ORG_RESTRUCTURE)
    with transaction.atomic():
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
        user = user_or_none(actor)
        spec = SPECS[EventKind.REASSIGNED]
        # The event's data reads the member as it was: only its org (``source``) matters.
        data = spec.event_data(
            SimpleNamespace(org=source), EventRequest(EventKind.REASSIGNED, effective_date)
        )
        MemberEvent.objects.bulk_create(
            [
                MemberEvent(
                    member=m,
                    kind=EventKind.REASSIGNED,
                    effective_date=effective_date,
                    decision_number=decision_number,
                    actor=user,
                    data=data,
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
                    spec.action,
                    "member",
                    m.member_code,
                    {"from": source.code, "to": target.code},
                )
                for m in movable
            ],
        )
    return len(movable)
