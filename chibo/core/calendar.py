"""The working-day calendar's adjustments: read by ``chibo.lib.workdays``, kept by the city office.

``install()`` (run when Django starts, ``core.apps``) gives ``lib.workdays`` the table of
``CalendarAdjustment`` rows, so every deadline in working days — admissions, transfers,
personal history, reminders — counts the government's make-up Saturdays and swapped days.
The table is read once per process and kept for ``TTL_SECONDS``; a change made here
clears it at once in this process, other processes see it within the TTL.

Writes: ``calendar_adjustment_save`` and ``calendar_adjustment_delete`` (capability
``calendar.manage``, the city office), validated, audited as ``core.calendar_set`` /
``core.calendar_delete`` with the previous value.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import translation
from django.utils.translation import gettext as _

from chibo.core import audit
from chibo.core.models import CalendarAdjustment, RuleVersion
from chibo.core.roles import Cap
from chibo.core.scoping import has_cap
from chibo.lib import workdays
from chibo.lib.dates import dmy

TTL_SECONDS = 60.0

_table: dict[int, dict[dt.date, bool]] | None = None
_loaded_at = 0.0


def _load() -> dict[int, dict[dt.date, bool]]:
    global _table, _loaded_at
    if _table is None or time.monotonic() - _loaded_at > TTL_SECONDS:
        table: dict[int, dict[dt.date, bool]] = {}
        for day, working in CalendarAdjustment.objects.values_list("day", "working"):
            table.setdefault(day.year, {})[day] = working
        _table, _loaded_at = table, time.monotonic()
    return _table


def adjustments_of(year: int) -> dict[dt.date, bool]:
    return _load().get(year, {})


def clear_cache() -> None:
    global _table
    _table = None


@receiver(post_save, sender=CalendarAdjustment)
@receiver(post_delete, sender=CalendarAdjustment)
def _changed(**kwargs: Any) -> None:
    clear_cache()


def install() -> None:
    workdays.set_adjustments(adjustments_of)


# --- reads ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Day:
    """A weekday off or a worked day of the year, and why."""

    day: dt.date
    working: bool
    name: str
    adjustment: CalendarAdjustment | None


def year_view(year: int) -> dict[str, Any]:
    """The year's adjustments and every weekday off (library holidays and adjustments)."""
    rows = list(CalendarAdjustment.objects.filter(day__year=year).select_related("updated_by"))
    by_day = {row.day: row for row in rows}
    language = "en_US" if (translation.get_language() or "vi").startswith("en") else "vi"
    off = [
        Day(day, False, by_day[day].name if day in by_day else name, by_day.get(day))
        for day, name in workdays.days_off(year, language)
    ]
    return {"year": year, "adjustments": rows, "days_off": off}


# --- writes --------------------------------------------------------------------------


def require_manage(actor: Any) -> None:
    """403 unless ``actor`` keeps the working-day calendar (the city office)."""
    if actor is not None and not has_cap(actor, Cap.CALENDAR_MANAGE):
        raise PermissionDenied(_("Only the city office keeps the working-day calendar."))


def _snapshot(row: CalendarAdjustment | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        "working": row.working,
        "name": row.name,
        "source": row.source,
        "confidence": row.confidence,
        "note": row.note,
    }


def calendar_adjustment_save(
    *,
    actor: Any,
    day: dt.date,
    working: bool,
    name: str,
    source: str,
    confidence: str,
    note: str = "",
) -> CalendarAdjustment:
    """Set ``day`` as a working day or a day off, with what it is and its source (audited)."""
    require_manage(actor)
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("Say what the day is (e.g. make-up day for Friday 02/05/2025).")]
    if not source.strip():
        errors["source"] = [_("Give the source: the announcement or dispatch that sets the day.")]
    if confidence not in RuleVersion.Confidence.values:
        errors["confidence"] = [_("Choose the confidence.")]
    if not 2000 <= day.year <= 2100:
        errors["day"] = [_("Enter a date between 2000 and 2100.")]
    for field, value in (("name", name), ("source", source), ("note", note)):
        if "\x00" in value or any(0xD800 <= ord(ch) <= 0xDFFF for ch in value):
            errors[field] = [_("The text contains characters that are not allowed.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        previous = CalendarAdjustment.objects.select_for_update().filter(day=day).first()
        before = _snapshot(previous)
        row, _created = CalendarAdjustment.objects.update_or_create(
            day=day,
            defaults={
                "working": working,
                "name": name.strip(),
                "source": source.strip(),
                "confidence": confidence,
                "note": note.strip(),
                "updated_by": actor if getattr(actor, "is_authenticated", False) else None,
            },
        )
        audit.record(
            actor=actor,
            action="core.calendar_set",
            object_type="calendar",
            object_id=day.isoformat(),
            data={"after": _snapshot(row), "before": before},
        )
    return row


def calendar_adjustment_delete(*, actor: Any, day: dt.date) -> CalendarAdjustment:
    """Remove the adjustment of ``day``: the library and the weekends decide again (audited).

    Returns the removed row (unsaved), so the caller can show what was removed; raises
    ``CalendarAdjustment.DoesNotExist`` (with the Vietnamese message) when ``day`` has none."""
    require_manage(actor)
    with transaction.atomic():
        row = CalendarAdjustment.objects.select_for_update().filter(day=day).first()
        if row is None:  # nothing to remove: not found (the API's 404), not invalid input
            raise CalendarAdjustment.DoesNotExist(
                _("No adjustment is recorded for %(date)s.") % {"date": dmy(day)}
            )
        before = _snapshot(row)
        row.delete()
        audit.record(
            actor=actor,
            action="core.calendar_delete",
            object_type="calendar",
            object_id=day.isoformat(),
            data={"before": before},
        )
    return row
