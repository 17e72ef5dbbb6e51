"""Meetings and their attendance from an importer: every row validated first, nothing written if
one is wrong, a row already there skipped.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.activity import periods, tracking
from chibo.activity.models import AbsenceReason, Attendance, Meeting, MeetingKind, Presence
from chibo.activity.services.attendance import AttendanceEntry
from chibo.activity.services.roster import roster
from chibo.core import audit
from chibo.core.roles import Cap
from chibo.core.scoping import require_cap_on
from chibo.core.services import user_or_none
from chibo.orgs.models import Org


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
