"""Transfers' checks and deadlines: transfer out (grounds, paperwork due, late transfers), transfer
in, temporary activity elsewhere.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from chibo.core.roles import Cap
from chibo.core.rules import RuleMissing, RuleViolation, rule_in_force
from chibo.core.scoping import require_cap_on
from chibo.lib.dates import add_months, dmy
from chibo.lib.workdays import add_working_days
from chibo.members.lifecycle.checks import _code, _not_given, check_cell
from chibo.members.lifecycle.spec import EventRequest
from chibo.members.lifecycle.vocab import Category, EventKind, TempPurpose, TransferGrounds

if TYPE_CHECKING:
    from chibo.members.models import Member, MemberEvent
    from chibo.orgs.models import Org


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
        decision = event.late_decision
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
