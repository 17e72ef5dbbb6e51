"""Between the oversight API's schemas and the services: rows to answers, member codes to members."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from chibo.members.selectors import get_member_for
from chibo.oversight import services
from chibo.oversight.models import DisciplineCase, Inspection


def _date(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _inspection(i: Inspection, full: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": i.pk,
        "org": i.org.code,
        "year": i.year,
        "kind": i.kind,
        "topic": i.topic,
        "target_org": i.target_org.code if i.target_org is not None else None,
        "target_member": i.target_member.member_code if i.target_member is not None else None,
        "team": i.team,
        "starts_on": _date(i.starts_on),
        "ends_on": _date(i.ends_on),
        "status": i.status,
        "concluded_on": _date(i.concluded_on),
        "conclusion_number": i.conclusion_number,
    }
    if full:
        out.update(
            findings=i.findings,
            conclusion=i.conclusion,
            conclusion_document_id=i.conclusion_document_id,
            followups=[
                {
                    "id": f.pk,
                    "action": f.action,
                    "responsible": f.responsible,
                    "due_on": _date(f.due_on),
                    "done_on": _date(f.done_on),
                }
                for f in i.followups.all()
            ],
            attachments=[{"id": a.pk, "name": a.name, "size": a.size} for a in i.attachments.all()],
        )
    return out


def _case(c: DisciplineCase) -> dict[str, Any]:
    return {
        "id": c.pk,
        "member": c.member.member_code if c.member is not None else None,
        "org": c.subject_org.code if c.subject_org is not None else None,
        "violation": c.violation,
        "opened_on": _date(c.opened_on),
        "status": c.status,
        "hold_reason": c.hold_reason,
        "hold_ends_on": _date(services.hold_ends_on(c)),
        "penalty": c.penalty,
        "deciding_org": c.deciding_org.code if c.deciding_org is not None else None,
        "by_cell_vote": c.by_cell_vote,
        "decision_number": c.decision_number,
        "decided_on": _date(c.decided_on),
        "effective_on": _date(c.effective_on),
        "received_on": _date(c.received_on),
        "appeal_on": _date(c.appeal_on),
        "appeal_outcome": c.appeal_outcome,
    }


def selectors_member(user: Any, code: str) -> Any:
    from django.http import Http404

    try:
        return get_member_for(user, code.strip())
    except Http404 as exc:
        raise ValidationError(
            {"target_member": [_("No member with code %(code)s in your scope.") % {"code": code}]}
        ) from exc
