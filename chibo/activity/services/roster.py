"""Who belongs to a meeting (its roster) and the attendance rows a meeting starts with."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from chibo.activity.models import Attendance, Meeting, PartyGroupMember, Presence
from chibo.members.models import EventKind, Member, MemberEvent, Status
from chibo.orgs.models import Org

# --- who belongs to a meeting ----------------------------------------------


@dataclass
class RosterEntry:
    member: Member
    status: str  # the member's status on the day
    expected: bool
    attached: bool
    full: bool


def roster(org: Org, day: dt.date) -> list[RosterEntry]:
    """Who the sheet lists for ``org`` on ``day``, from the members' states on that day.

    Expected: members of ``org`` with status active. Shown, not expected:
    exempted and temporarily-transferred-out members of ``org``. Attached
    (attend, not expected here): members temporarily transferred to ``org``.
    """
    ids = set(Member.objects.filter(Q(org=org) | Q(temp_host_org=org)).values_list("id", flat=True))
    ids |= set(
        MemberEvent.objects.filter(org=org, effective_date__lte=day).values_list(
            "member_id", flat=True
        )
    )
    state: dict[int, tuple[int, str]] = {}
    host: dict[int, str | None] = {}
    id_list = sorted(ids)
    for i in range(0, len(id_list), 500):
        rows = (
            MemberEvent.objects.filter(member_id__in=id_list[i : i + 500], effective_date__lte=day)
            .order_by("member_id", "effective_date", "id")
            .values_list("member_id", "org_id", "status_after", "kind", "data")
        )
        for member_id, org_id, status, kind, data in rows:
            state[member_id] = (org_id, status)
            if kind == EventKind.TEMP_OUT:
                host[member_id] = (data or {}).get("host_org")
            elif kind == EventKind.TEMP_BACK:
                host[member_id] = None
    chosen: dict[int, tuple[str, bool, bool]] = {}
    for member_id, (org_id, status) in state.items():
        if org_id == org.pk and status in (Status.ACTIVE, Status.EXEMPTED, Status.TEMP_AWAY):
            chosen[member_id] = (status, status == Status.ACTIVE, False)
        elif status == Status.TEMP_AWAY and host.get(member_id) == org.code:
            chosen[member_id] = (status, False, True)
    members = Member.objects.filter(pk__in=list(chosen)).only(
        "id",
        "member_code",
        "full_name",
        "name_folded",
        "category",
        "recognized_on",
        "org_id",
        "status",
    )
    out = [
        RosterEntry(m, *chosen[m.pk], full=m.recognized_on is not None and m.recognized_on <= day)
        for m in members
    ]
    out.sort(key=lambda e: (e.attached, e.member.name_folded, e.member.member_code))
    return out


def meeting_roster(meeting: Meeting) -> list[RosterEntry]:
    """``roster`` of the meeting's cell on its day; of a party group's meeting, the group's members."""
    entries = roster(meeting.org, meeting.held_on)
    if meeting.group_id is None:
        return entries
    in_group = set(
        PartyGroupMember.objects.filter(group_id=meeting.group_id).values_list(
            "member_id", flat=True
        )
    )
    return [e for e in entries if e.member.pk in in_group]


def _ensure_rows(meeting: Meeting, entries: list[RosterEntry] | None = None) -> int:
    """Create the missing rows of the sheet, present by default (the issue: "present by default")."""
    entries = entries if entries is not None else meeting_roster(meeting)
    have = set(meeting.attendance.values_list("member_id", flat=True))
    rows = [
        Attendance(
            meeting=meeting,
            member_id=e.member.pk,
            status=Presence.PRESENT,
            expected=e.expected,
            attached=e.attached,
            org_id=meeting.org_id,
            month=meeting.month,
        )
        for e in entries
        if (e.expected or e.attached) and e.member.pk not in have
    ]
    Attendance.objects.bulk_create(rows, batch_size=500)
    return len(rows)
