"""Meetings: the checks on a meeting, a meeting created and changed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.activity import periods, tracking
from chibo.activity.models import Meeting, MeetingKind, PartyGroup
from chibo.activity.services.roster import _ensure_rows, roster
from chibo.core import audit
from chibo.core.plausibility import NeedsConfirmation
from chibo.core.roles import Cap
from chibo.core.rules import RuleViolation, rule_in_force
from chibo.core.scoping import require_cap_on
from chibo.core.services import user_or_none
from chibo.orgs.models import Org

MEETING_TEXT_FIELDS = ("place", "topic", "agenda", "documents", "minutes", "resolution")


# --- meetings ----------------------------------------------------------------


def _check_meeting(
    org: Org,
    kind: str,
    held_on: dt.date,
    exclude_pk: int | None = None,
    *,
    topic: str = "",
    confirm: bool = False,
    group: PartyGroup | None = None,
) -> None:
    """Refuse what cannot be (a meeting that has not happened yet, a thematic meeting without
    a topic, a meeting by party group the rule does not allow); ask before what is unusual
    (a second regular meeting in a month)."""
    if not org.is_cell:
        raise ValidationError(
            {
                "org": [
                    _("Meetings are held by a party cell; %(org)s is not a cell.")
                    % {"org": org.name}
                ]
            }
        )
    if kind not in MeetingKind.values:
        raise ValidationError({"kind": [_("Choose regular or thematic.")]})
    if held_on > timezone.localdate():
        # Recorded with everyone present by default, a future meeting would count as held.
        raise ValidationError(
            {
                "held_on": [
                    _(
                        "The meeting of %(date)s has not taken place yet: record it on its day "
                        "or after."
                    )
                    % {"date": held_on.strftime("%d/%m/%Y")}
                ]
            }
        )
    if held_on < org.opened_on or (org.closed_on is not None and held_on >= org.closed_on):
        raise ValidationError({"held_on": [_("The cell did not exist on that date.")]})
    if kind == MeetingKind.THEMATIC and not (topic or "").strip():
        raise ValidationError({"topic": [_("A thematic meeting needs a topic.")]})
    if group is not None:
        _check_group_meeting(org, kind, held_on, group, exclude_pk)
        clash = Meeting.objects.filter(group=group, held_on=held_on)
    else:
        clash = Meeting.objects.filter(org=org, held_on=held_on, kind=kind, group__isnull=True)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError(
            {"held_on": [_("This cell already has a meeting of this type on that day.")]}
        )
    if kind == MeetingKind.REGULAR and not confirm:
        other = _regular_that_month(org, held_on, exclude_pk, group)
        if other is not None:
            raise NeedsConfirmation([_second_regular_message(other)])


def _check_group_meeting(
    org: Org, kind: str, held_on: dt.date, group: PartyGroup, exclude_pk: int | None
) -> None:
    """A meeting by party group: only in a cell of ``min_members`` or more on the day, at most
    ``max_per_year`` months of the calendar year (rule ``meetings.party_group``)."""
    if group.org_id != org.pk:
        raise ValidationError({"group": [_("This party group belongs to another cell.")]})
    if kind != MeetingKind.REGULAR:
        raise ValidationError(
            {"kind": [_("A meeting by party group is a regular (monthly) meeting.")]}
        )
    rule = rule_in_force("meetings.party_group", on=held_on)
    size = sum(not e.attached for e in roster(org, held_on))
    if size < rule.value["min_members"]:
        raise RuleViolation(
            rule,
            _(
                "Only a cell of %(min)s members or more may meet by party group; on %(date)s "
                "this cell has %(n)s."
            )
            % {"min": rule.value["min_members"], "date": held_on.strftime("%d/%m/%Y"), "n": size},
            field="group",
        )
    grouped = Meeting.objects.filter(org=org, group__isnull=False, held_on__year=held_on.year)
    if exclude_pk is not None:
        grouped = grouped.exclude(pk=exclude_pk)
    months = set(grouped.values_list("month", flat=True))
    month = periods.month_of(held_on)
    if month not in months and len(months) >= rule.value["max_per_year"]:
        raise RuleViolation(
            rule,
            _(
                "The cell already met by party group %(n)s times in %(year)s (%(months)s); "
                "at most %(max)s times a year."
            )
            % {
                "n": len(months),
                "year": held_on.year,
                "months": ", ".join(m.strftime("%m/%Y") for m in sorted(months)),
                "max": rule.value["max_per_year"],
            },
            field="group",
        )


def group_months(org: Org, year: int) -> list[dt.date]:
    """The months of ``year`` in which ``org`` met by party group."""
    return sorted(
        set(
            Meeting.objects.filter(org=org, group__isnull=False, held_on__year=year).values_list(
                "month", flat=True
            )
        )
    )


def _regular_that_month(
    org: Org, day: dt.date, exclude_pk: int | None = None, group: PartyGroup | None = None
) -> Meeting | None:
    """The cell's (or the group's) regular meeting already recorded in ``day``'s month, if any.

    Groups of a cell meeting in the same month are one meeting of the cell held by groups."""
    qs = Meeting.objects.filter(
        org=org, month=periods.month_of(day), kind=MeetingKind.REGULAR, group=group
    )
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.order_by("held_on").first()


def _second_regular_message(other: Meeting) -> str:
    return _(
        "The cell already held its regular meeting this month, on %(date)s. The Charter asks "
        "for one a month: is this really a second regular meeting (not a thematic one)?"
    ) % {"date": other.held_on.strftime("%d/%m/%Y")}


def meeting_create(
    *,
    actor: Any,
    org: Org,
    kind: str,
    held_on: dt.date,
    online: bool = False,
    confirm: bool = False,
    group: PartyGroup | None = None,
    **text: str,
) -> Meeting:
    """Record a meeting that took place; the roster is marked present by default.

    Refused: a day still to come, a thematic meeting without a topic, a meeting by party
    group (``group``) in a cell under 50 members or a fourth such month in the year. A
    second regular meeting in the same month needs ``confirm``. A group meeting's sheet
    lists the group's members: their attendance counts like at any regular meeting.
    """
    require_cap_on(actor, org, Cap.MEMBER_CHANGE)
    _check_meeting(org, kind, held_on, topic=text.get("topic", ""), confirm=confirm, group=group)
    unknown = set(text) - set(MEETING_TEXT_FIELDS)
    if unknown:
        raise TypeError(f"unknown meeting fields: {sorted(unknown)}")
    meeting = Meeting(
        org=org,
        group=group,
        kind=kind,
        held_on=held_on,
        month=periods.month_of(held_on),
        online=online,
        recorded_by=user_or_none(actor),
        **{k: (v or "").strip() for k, v in text.items()},
    )
    meeting.full_clean(exclude=["org", "group", "recorded_by"])
    with transaction.atomic():
        meeting.save()
        tracking.note_records(meetings={org.pk: held_on})
        created = _ensure_rows(meeting)
        audit.record(
            actor=actor,
            action="activity.meeting_created",
            object_type="meeting",
            object_id=meeting.pk,
            data={
                "org": org.code,
                "kind": kind,
                "held_on": held_on,
                "group": group.name if group else None,
                "attendance_rows": created,
            },
        )
    return meeting


def meeting_update(
    *,
    actor: Any,
    meeting: Meeting,
    held_on: dt.date | None = None,
    kind: str | None = None,
    online: bool | None = None,
    confirm: bool = False,
    **text: str,
) -> Meeting:
    require_cap_on(actor, meeting.org, Cap.MEMBER_CHANGE)
    new_day = held_on or meeting.held_on
    new_kind = kind or meeting.kind
    if periods.month_of(new_day) != meeting.month and meeting.attendance.exists():
        raise ValidationError(
            {"held_on": [_("Attendance is recorded: the meeting cannot move to another month.")]}
        )
    _check_meeting(
        meeting.org,
        new_kind,
        new_day,
        exclude_pk=meeting.pk,
        topic=text.get("topic", meeting.topic),
        confirm=confirm
        or (new_kind == meeting.kind and periods.month_of(new_day) == meeting.month),
        group=meeting.group,
    )
    changed: dict[str, Any] = {}
    for name, value in (
        ("held_on", new_day),
        ("kind", new_kind),
        ("online", meeting.online if online is None else online),
    ):
        if getattr(meeting, name) != value:
            changed[name] = value
    for name, value in text.items():
        if name not in MEETING_TEXT_FIELDS:
            raise TypeError(f"unknown meeting field {name!r}")
        if getattr(meeting, name) != (value or "").strip():
            changed[name] = (value or "").strip()
    if not changed:
        return meeting
    with transaction.atomic():
        for name, value in changed.items():
            setattr(meeting, name, value)
        meeting.month = periods.month_of(meeting.held_on)
        meeting.save()
        if "held_on" in changed:
            tracking.meetings_moved(meeting.org_id)
        audit.record(
            actor=actor,
            action="activity.meeting_updated",
            object_type="meeting",
            object_id=meeting.pk,
            data={"fields": sorted(changed)},
        )
    return meeting
