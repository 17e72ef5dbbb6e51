"""Writes of the activity app: meetings, attendance, absence reasons, transfer letters, warnings.

Each function checks the actor's right (``require_cap_on``), validates,
writes in one transaction and records its audit entry there. Dues are in
``activity.dues``. The ``*_bulk_record`` functions are for importers: they
validate every row first, write nothing if one row is wrong, and are
idempotent (a row that is already there is skipped).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from chibo.activity import periods, signals, tracking
from chibo.activity import warnings as risk
from chibo.activity.models import (
    AbsenceReason,
    Attendance,
    Meeting,
    MeetingKind,
    MemberWarning,
    PartyGroup,
    PartyGroupMember,
    Presence,
    TransferLetter,
)
from chibo.core import audit
from chibo.core.notify import notify
from chibo.core.plausibility import NeedsConfirmation
from chibo.core.roles import Cap, Role
from chibo.core.rules import RuleViolation, rule_in_force
from chibo.core.scoping import has_cap, require_cap_on
from chibo.core.services import user_or_none
from chibo.members.models import EventKind, Member, MemberEvent, Status
from chibo.orgs.models import Org

MEETING_TEXT_FIELDS = ("place", "topic", "agenda", "documents", "minutes", "resolution")

# Sent inside the refresh's transaction: the warnings of ``org``'s subtree were replaced
# (the reports' dashboard cache listens; bulk deletes send no model signals). Defined in
# activity.signals, so that a listener connects without importing this module.
warnings_refreshed = signals.warnings_refreshed


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


@dataclass
class AttendanceEntry:
    member_code: str
    status: str
    reason_code: str = ""
    note: str = ""
    # The row's version the marker saw (0: as created, present by default); None: not checked
    # (imports, the system). A row saved by someone else since then is a conflict.
    version: int | None = None


class AttendanceConflict(ValidationError):
    """Rows saved by someone else since the marker saw them: nothing was written.

    ``codes`` lists the member codes in conflict (the sheet shows each row as it
    is now, with the marker's choice, to resolve).
    """

    def __init__(self, codes: list[str]) -> None:
        self.codes = codes
        super().__init__(
            {
                code: [_("Someone else saved this row meanwhile: check it before saving yours.")]
                for code in codes
            }
        )


def attendance_record(*, actor: Any, meeting: Meeting, entries: list[AttendanceEntry]) -> int:
    """Record attendance at ``meeting`` (one row or the whole sheet). Returns rows changed.

    Each row carries a version, increased at each change. An entry that names the
    version it started from is refused as a conflict (``AttendanceConflict``, nothing
    written) when the row changed since and now says something else.
    """
    require_cap_on(actor, meeting.org, Cap.MEMBER_CHANGE)
    if meeting.held_on > timezone.localdate():
        raise ValidationError(
            _("The meeting has not taken place yet: record attendance on or after %(date)s.")
            % {"date": meeting.held_on.strftime("%d/%m/%Y")}
        )
    people = meeting_roster(meeting)
    by_code = {e.member.member_code: e for e in people if e.expected or e.attached}
    reasons = {r.code: r for r in AbsenceReason.objects.filter(active=True)}
    errors: dict[str, list[str]] = {}
    clean: list[tuple[RosterEntry, AttendanceEntry, AbsenceReason | None]] = []
    for entry in entries:
        who = by_code.get(entry.member_code)
        if who is None:
            errors.setdefault(entry.member_code, []).append(
                _("This member is not on the meeting's roster.")
            )
            continue
        if entry.status not in Presence.values:
            errors.setdefault(entry.member_code, []).append(
                _("Choose present, excused or unexcused.")
            )
            continue
        reason = None
        if entry.status == Presence.EXCUSED:
            reason = reasons.get(entry.reason_code)
            if reason is None:
                errors.setdefault(entry.member_code, []).append(
                    _("An excused absence needs a reason from the list.")
                )
                continue
        clean.append((who, entry, reason))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _ensure_rows(meeting, people)
        rows = {a.member_id: a for a in meeting.attendance.select_for_update()}
        changed: list[Attendance] = []
        log: list[tuple[str, str, Any, dict[str, Any]]] = []
        wanted = []
        conflicts = []
        for who, entry, reason in clean:
            row = rows[who.member.pk]
            state = (entry.status, reason.pk if reason else None, entry.note.strip()[:255])
            if state == (row.status, row.reason_id, row.note):
                continue  # nothing to change (also when two people marked the same)
            if entry.version is not None and entry.version != (row.version or 0):
                conflicts.append(entry.member_code)
                continue
            wanted.append((who, entry, reason, row, state))
        if conflicts:
            raise AttendanceConflict(conflicts)
        for who, entry, reason, row, (_status, _reason, note) in wanted:
            row.status, row.reason, row.note = entry.status, reason, note
            row.version = (row.version or 0) + 1
            changed.append(row)
            log.append(
                (
                    "activity.attendance",
                    "member",
                    who.member.member_code,
                    {
                        "meeting": meeting.pk,
                        "held_on": meeting.held_on,
                        "status": entry.status,
                        "reason": reason.code if reason else "",
                    },
                )
            )
        Attendance.objects.bulk_update(
            changed, ["status", "reason", "note", "version"], batch_size=500
        )
        if log:
            audit.record_many(actor=actor, entries=log)
    return len(changed)


@dataclass
class MeetingRecord:
    """One meeting for ``meetings_bulk_record``; ``attendance`` lists who was absent or present."""

    org_code: str
    held_on: dt.date
    kind: str = MeetingKind.REGULAR
    online: bool = False
    topic: str = ""
    agenda: str = ""
    minutes: str = ""
    resolution: str = ""
    attendance: list[AttendanceEntry] = field(default_factory=list)


def meetings_bulk_record(
    *, actor: Any, records: list[MeetingRecord], dry_run: bool = False
) -> dict[str, Any]:
    """Importers: create meetings (skipping existing ones by org + date + type) with their sheets.

    Raises ValidationError ``{"row N": [...]}`` for the first-found problems and writes nothing.
    Members on the roster who are not listed are recorded present (the sheet's default).
    What the forms ask to confirm (a thematic meeting without a topic, a second regular
    meeting in a month) is recorded and reported under ``"unusual"`` (``{"row N": [...]}``)
    for the import's check to show first.
    """
    orgs = {o.code: o for o in Org.objects.filter(code__in={r.org_code for r in records})}
    reasons = {r.code: r for r in AbsenceReason.objects.all()}
    errors: dict[str, list[str]] = {}
    for n, rec in enumerate(records, start=1):
        org = orgs.get(rec.org_code)
        problems: list[str] = []
        if org is None:
            problems.append(_("Unknown organization %(code)s.") % {"code": rec.org_code})
        else:
            try:
                require_cap_on(actor, org, Cap.MEMBER_CHANGE)
                if not org.is_cell:
                    problems.append(_("%(org)s is not a cell.") % {"org": org.name})
            except PermissionDenied as exc:
                problems.append(str(exc))
        if rec.kind not in MeetingKind.values:
            problems.append(_("Choose regular or thematic."))
        if rec.held_on > timezone.localdate():
            problems.append(_("The date cannot be in the future."))
        for entry in rec.attendance:
            if entry.status not in Presence.values:
                problems.append(
                    _("%(code)s: choose present, excused or unexcused.")
                    % {"code": entry.member_code}
                )
            elif entry.status == Presence.EXCUSED and entry.reason_code not in reasons:
                problems.append(
                    _("%(code)s: an excused absence needs a reason from the list.")
                    % {"code": entry.member_code}
                )
        if problems:
            errors[f"row {n}"] = problems
    if errors:
        raise ValidationError(errors)
    unusual = _unusual_meetings(records, orgs)
    created = skipped = rows = 0
    with transaction.atomic():
        log: list[tuple[str, str, Any, dict[str, Any]]] = []
        for n, rec in enumerate(records, start=1):
            org = orgs[rec.org_code]
            if Meeting.objects.filter(org=org, held_on=rec.held_on, kind=rec.kind).exists():
                skipped += 1
                continue
            people = roster(org, rec.held_on)
            by_code = {e.member.member_code: e for e in people if e.expected or e.attached}
            unknown = [e.member_code for e in rec.attendance if e.member_code not in by_code]
            if unknown:
                raise ValidationError(
                    {
                        f"row {n}": [
                            _("Not on the roster that day: %(codes)s.")
                            % {"codes": ", ".join(unknown)}
                        ]
                    }
                )
            meeting = Meeting.objects.create(
                org=org,
                kind=rec.kind,
                held_on=rec.held_on,
                month=periods.month_of(rec.held_on),
                online=rec.online,
                topic=rec.topic.strip(),
                agenda=rec.agenda.strip(),
                minutes=rec.minutes.strip(),
                resolution=rec.resolution.strip(),
                recorded_by=user_or_none(actor),
            )
            given = {e.member_code: e for e in rec.attendance}
            batch = []
            for person in by_code.values():
                said = given.get(person.member.member_code)
                status = said.status if said else Presence.PRESENT
                reason = (
                    reasons.get(said.reason_code) if said and status == Presence.EXCUSED else None
                )
                batch.append(
                    Attendance(
                        meeting=meeting,
                        member_id=person.member.pk,
                        status=status,
                        reason=reason,
                        note=(said.note.strip()[:255] if said else ""),
                        expected=person.expected,
                        attached=person.attached,
                        org_id=org.pk,
                        month=meeting.month,
                    )
                )
            Attendance.objects.bulk_create(batch, batch_size=500)
            created += 1
            rows += len(batch)
            log.append(
                (
                    "activity.meeting_imported",
                    "meeting",
                    meeting.pk,
                    {
                        "org": org.code,
                        "held_on": rec.held_on,
                        "kind": rec.kind,
                        "absent": {
                            c: e.status for c, e in given.items() if e.status != Presence.PRESENT
                        },
                    },
                )
            )
        firsts: dict[int, dt.date] = {}
        for rec in records:
            org_id = orgs[rec.org_code].pk
            firsts[org_id] = min(rec.held_on, firsts.get(org_id, rec.held_on))
        tracking.note_records(meetings=firsts)
        if log:
            audit.record_many(actor=actor, entries=log)
        if dry_run:
            transaction.set_rollback(True)
    return {"created": created, "skipped": skipped, "attendance_rows": rows, "unusual": unusual}


def _unusual_meetings(records: list[MeetingRecord], orgs: dict[str, Org]) -> dict[str, list[str]]:
    """A thematic meeting without a topic; a second regular meeting in a month (in the file or
    already recorded)."""
    out: dict[str, list[str]] = {}
    months = {(rec.org_code, periods.month_of(rec.held_on)) for rec in records}
    have: dict[tuple[str, dt.date], list[dt.date]] = {}
    for code, month in months:
        have[(code, month)] = list(
            Meeting.objects.filter(
                org=orgs[code], month=month, kind=MeetingKind.REGULAR
            ).values_list("held_on", flat=True)
        )
    for n, rec in enumerate(records, start=1):
        notes: list[str] = []
        if rec.kind == MeetingKind.THEMATIC and not rec.topic.strip():
            notes.append(_("A thematic meeting needs a topic."))
        if rec.kind == MeetingKind.REGULAR:
            days = have[(rec.org_code, periods.month_of(rec.held_on))]
            others = sorted(d for d in days if d != rec.held_on)
            if others:
                notes.append(
                    _("Second regular meeting this month (another on %(date)s).")
                    % {"date": others[0].strftime("%d/%m/%Y")}
                )
            if rec.held_on not in days:
                days.append(rec.held_on)
        if notes:
            out[f"row {n}"] = notes
    return out


# --- absence reasons (configuration by committee staff) -----------------------


def absence_reason_save(
    *, actor: Any, code: str, name: str, active: bool = True, position: int = 0
) -> AbsenceReason:
    """Committee staff (who may restructure a subtree) keep the list; RULES.md has no national list."""
    if actor is not None and not has_cap(actor, Cap.ORG_RESTRUCTURE):
        raise PermissionDenied(_("Only committee staff may change the list of absence reasons."))
    code = code.strip().lower()
    if not code or not name.strip():
        raise ValidationError({"name": [_("Give the reason a code and a name.")]})
    with transaction.atomic():
        reason, created = AbsenceReason.objects.update_or_create(
            code=code, defaults={"name": name.strip(), "active": active, "position": position}
        )
        audit.record(
            actor=actor,
            action="activity.absence_reason_saved",
            object_type="absence_reason",
            object_id=code,
            data={"name": reason.name, "active": active, "created": created},
        )
    return reason


# --- transfer letters ----------------------------------------------------------


def transfer_letter_issue(
    *, actor: Any, event: MemberEvent, number: str, issued_on: dt.date, note: str = ""
) -> TransferLetter:
    """Record the transfer letter of an official or temporary transfer, with "dues paid through"."""
    from chibo.activity.dues import paid_through

    if event.kind not in (EventKind.TRANSFER_OUT, EventKind.TEMP_OUT):
        raise ValidationError(_("A transfer letter belongs to a transfer."))
    require_cap_on(actor, event.org, Cap.MEMBER_CHANGE)
    from chibo.members.lifecycle import check_late_transfer_cleared

    check_late_transfer_cleared(event)  # a late transfer waits for the competent committee
    if not number.strip():
        raise ValidationError({"number": [_("Enter the letter's number.")]})
    if issued_on > timezone.localdate():
        raise ValidationError({"issued_on": [_("The date cannot be in the future.")]})
    if issued_on < event.effective_date:
        raise ValidationError(
            {"issued_on": [_("The letter cannot be issued before the transfer decision.")]}
        )
    through = paid_through(event.member, on=issued_on)
    with transaction.atomic():
        letter, _created = TransferLetter.objects.update_or_create(
            event=event,
            defaults={
                "number": number.strip(),
                "issued_on": issued_on,
                "dues_paid_through": through,
                "note": note.strip(),
            },
        )
        audit.record(
            actor=actor,
            action="activity.transfer_letter",
            object_type="member",
            object_id=event.member.member_code,
            data={
                "event": event.pk,
                "number": letter.number,
                "issued_on": issued_on,
                "dues_paid_through": periods.label(through) if through else None,
            },
        )
    return letter


def graduate_transfer_start(
    *,
    actor: Any,
    member: Member,
    effective_date: dt.date | None = None,
    destination: str = "",
    destination_org: Org | None = None,
    decision_number: str = "",
    note: str = "",
) -> MemberEvent:
    """Start the official transfer of a graduated student to their place of residence (one step).

    Issue 20, item 11: the school's committee may keep a graduate with no job yet for up to
    ``transfer.student_keep_months`` after graduation (HD 01-HD/TW 2012, M); then the member
    transfers. Records the ``transfer_out`` event with grounds ``graduation`` (the lifecycle
    refuses it before the expected graduation, quoting the rule), from ``effective_date``
    (default today); the letter follows on the transfers page.
    """
    from chibo.activity.transfers import graduate_of
    from chibo.lib.dates import dmy
    from chibo.members.lifecycle import Decision, TransferGrounds, record

    day = effective_date or timezone.localdate()
    grad = graduate_of(member)
    if not note.strip() and grad is not None:
        note = _(
            "Graduated on %(date)s; the school's committee may keep the member until %(until)s "
            "(%(source)s): transfer to the place of residence."
        ) % {
            "date": dmy(grad.graduates_on),
            "until": dmy(grad.keep_until),
            "source": grad.rule.citation,
        }
    return record(
        EventKind.TRANSFER_OUT,
        actor=actor,
        member=member,
        effective_date=day,
        decision=Decision(number=decision_number.strip()),
        note=note.strip(),
        destination_org=destination_org,
        destination=destination,
        grounds=TransferGrounds.GRADUATION,
        grounds_on=None,
        late_reason="",
    )


# --- warnings --------------------------------------------------------------------


def warnings_refresh(
    *, actor: Any = None, org: Org | None = None, as_of: dt.date | None = None, send: bool = True
) -> dict[str, int]:
    """Recompute and store the warnings of ``org``'s subtree (default: the city) and tell cell secretaries."""
    if org is None:
        org = Org.objects.filter(parent__isnull=True).order_by("path").first()
        if org is None:
            return {"warning": 0, "removal_review": 0, "notified": 0}
    require_cap_on(actor, org, Cap.MEMBER_CHANGE)
    day = as_of or timezone.localdate()
    risks = risk.compute(org, day)
    with transaction.atomic():
        previous = dict(
            MemberWarning.objects.filter(org.subtree_filter("org__")).values_list(
                "member_id", "level"
            )
        )
        MemberWarning.objects.filter(org.subtree_filter("org__")).delete()
        ids = [r.member_id for r in risks]
        for i in range(0, len(ids), 500):  # rows left elsewhere by members who moved in
            MemberWarning.objects.filter(member_id__in=ids[i : i + 500]).delete()
        MemberWarning.objects.bulk_create(
            [
                MemberWarning(
                    member_id=r.member_id,
                    org_id=r.org_id,
                    level=r.level,
                    inactive_months=r.inactive_months,
                    unpaid_months=r.unpaid_months,
                    as_of=day,
                )
                for r in risks
            ],
            batch_size=1000,
        )
        warnings_refreshed.send(sender=MemberWarning, org=org, as_of=day)
        counts = {
            "warning": sum(r.level == "warning" for r in risks),
            "removal_review": sum(r.level == "removal_review" for r in risks),
        }
        notified = (
            _notify_secretaries([r for r in risks if previous.get(r.member_id) != r.level], day)
            if send
            else 0
        )
        audit.record(
            actor=actor,
            action="activity.warnings_refreshed",
            object_type="org",
            object_id=org.code,
            data={"as_of": day, **counts, "notified": notified},
        )
    return {**counts, "notified": notified}


def _notify_secretaries(risks: list[risk.MemberRisk], day: dt.date) -> int:
    from chibo.accounts.models import RoleAssignment

    if not risks:
        return 0
    secretaries: dict[int, list[Any]] = {}
    for ra in RoleAssignment.objects.filter(
        role=Role.CELL_SECRETARY, org_id__in={r.org_id for r in risks}
    ).select_related("user"):
        if ra.user.is_active:
            secretaries.setdefault(ra.org_id, []).append(ra.user)
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        for r in risks:
            for user in secretaries.get(r.org_id, []):
                if r.level == "removal_review":
                    text = _(
                        "%(name)s (%(code)s) has reached the removal threshold: review the case with the cell."
                    )
                else:
                    text = _(
                        "%(name)s (%(code)s) missed party activity or dues: talk with the member early."
                    )
                message = text % {"name": r.full_name, "code": r.member_code}
                if notify(
                    user=user,
                    kind="activity.warning",
                    message=message,
                    url="/activity/warnings/",
                    dedupe_key=f"activity.warning:{r.member_code}:{r.level}:{day:%Y-%m}",
                ):
                    sent += 1
    return sent


# --- party groups (tổ đảng) ---------------------------------------------------


def party_group_create(*, actor: Any, org: Org, name: str) -> PartyGroup:
    """A party group inside cell ``org`` (its members are set by ``party_group_set_members``)."""
    require_cap_on(actor, org, Cap.MEMBER_CHANGE)
    name = (name or "").strip()
    if not org.is_cell:
        raise ValidationError(
            {
                "org": [
                    _("Party groups exist inside a party cell; %(org)s is not a cell.")
                    % {"org": org.name}
                ]
            }
        )
    if not name:
        raise ValidationError({"name": [_("Give the party group a name.")]})
    if PartyGroup.objects.filter(org=org, name__iexact=name).exists():
        raise ValidationError({"name": [_("This cell already has a party group of that name.")]})
    with transaction.atomic():
        group = PartyGroup.objects.create(org=org, name=name[:120])
        audit.record(
            actor=actor,
            action="activity.party_group_created",
            object_type="party_group",
            object_id=group.pk,
            data={"org": org.code, "name": group.name},
        )
    return group


def party_group_set_members(*, actor: Any, group: PartyGroup, member_codes: list[str]) -> int:
    """Make ``member_codes`` the members of ``group`` (members of its cell on the rolls today).

    A member moves out of their former group of the cell. Returns the group's size.
    """
    org = group.org
    require_cap_on(actor, org, Cap.MEMBER_CHANGE)
    today = timezone.localdate()
    cell = {e.member.member_code: e.member for e in roster(org, today) if not e.attached}
    codes = list(dict.fromkeys(c.strip() for c in member_codes if c.strip()))
    unknown = [c for c in codes if c not in cell]
    if unknown:
        raise ValidationError(
            {
                "member_codes": [
                    _("Not members of this cell: %(codes)s.") % {"codes": ", ".join(unknown)}
                ]
            }
        )
    ids = [cell[c].pk for c in codes]
    with transaction.atomic():
        PartyGroupMember.objects.filter(group=group).exclude(member_id__in=ids).delete()
        PartyGroupMember.objects.filter(member_id__in=ids).exclude(group=group).delete()
        have = set(PartyGroupMember.objects.filter(group=group).values_list("member_id", flat=True))
        PartyGroupMember.objects.bulk_create(
            [PartyGroupMember(group=group, member_id=i) for i in ids if i not in have]
        )
        audit.record(
            actor=actor,
            action="activity.party_group_members",
            object_type="party_group",
            object_id=group.pk,
            data={"org": org.code, "name": group.name, "members": codes},
        )
    return len(ids)
