"""Conversions from candidates and dossier entries to the API's answers."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from chibo.admissions import selectors
from chibo.admissions.selectors import WatchRow
from chibo.core.roles import Cap
from chibo.core.scoping import scope_for


def _dict(request: HttpRequest, candidate: Any, *, full: bool = False) -> dict[str, Any]:
    return selectors.to_dict(
        candidate,
        today=timezone.localdate(),
        full=full,
        sensitive=scope_for(request.user, Cap.MEMBER_VIEW_SENSITIVE).covers(candidate.org),
    )


def _entry(e: Any) -> dict[str, Any]:
    return {
        "kind": e.kind,
        "label": e.label,
        "step_done_on": e.step.done_on if e.step else None,
        "issuer": e.issuer.code if e.issuer else None,
        "applicable": e.applicable,
        "symbol": e.symbol,
        "document": e.document.pk if e.document else None,
        "may_issue": e.may_issue,
    }


def _probation_item(r: WatchRow) -> dict[str, Any]:
    """A row of the probation watch: members on probation, so their ceremony and its end are set."""
    member = r.member
    assert member.ceremony_on is not None
    assert member.probation_ends_on is not None
    return {
        "member_code": member.member_code,
        "full_name": member.full_name,
        "org": member.org.code,
        "ceremony_on": member.ceremony_on.isoformat(),
        "probation_ends_on": member.probation_ends_on.isoformat(),
        "vote_due": r.vote_due.isoformat(),
        "state": r.state,
    }
