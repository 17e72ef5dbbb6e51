"""The attendance sheet of a meeting, and the reasons given for an absence."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.activity.models import AbsenceReason, Attendance, Meeting, Presence
from chibo.activity.services.roster import RosterEntry, _ensure_rows, meeting_roster
from chibo.core import audit
from chibo.core.roles import Cap
from chibo.core.scoping import has_cap, require_cap_on


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
