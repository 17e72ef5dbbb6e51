"""From when an org's party activity is judged: the tracking start ("theo dõi từ ngày").

A warning accuses a person, so no flag may come from missing data (issue 17,
DESIGN.md "After the first review"). Each cell's activity is judged from a start:

- the date its committee set (``Tracking.set_on``: the day the cell started
  recording in chibo), editable on ``/activity/tracking/`` and through the API,
  audited (``activity.tracking_set``);
- otherwise the cell's earliest recorded meeting or dues payment (the meeting's
  ``held_on``, the payment's ``paid_on`` at the collecting cell), kept here by the
  services that record them;
- a cell with no record at all has no start: it is a cell to follow up ("chưa có
  dữ liệu sinh hoạt"), and none of its members is judged.

Meetings count from the start day; months count from the start's month (the
month containing the start is judged, the months before it are neither
inactive nor unpaid).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, Min, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.activity.models import DuesPayment, Meeting, Tracking
from chibo.core import audit
from chibo.core.roles import Cap
from chibo.core.scoping import require_cap_on, scope_for
from chibo.members.models import ON_ROLLS, Member
from chibo.orgs.models import CELL_KINDS, Org

DERIVED = ("start", "month", "month_number")


@dataclass(frozen=True)
class Start:
    """An org's tracking start: the day and its month (first day), and where it comes from."""

    day: dt.date
    month: dt.date
    set_by_committee: bool


def starts(org_ids: Iterable[int] | None = None) -> dict[int, Start]:
    """The start of every tracked org (or of ``org_ids``): orgs missing here are not tracked."""
    qs = Tracking.objects.filter(start__isnull=False)
    if org_ids is None:
        return _read(qs)
    ids = set(org_ids)
    if len(ids) > 500:  # one read of the small table beats many IN lists
        return {k: v for k, v in _read(qs).items() if k in ids}
    return _read(qs.filter(org_id__in=sorted(ids)))


def _read(qs: Any) -> dict[int, Start]:
    return {
        org_id: Start(day, month, set_on is not None)
        for org_id, day, month, set_on in qs.values_list("org_id", "start", "month", "set_on")
    }


def start_of(org: Org) -> Tracking | None:
    return Tracking.objects.filter(org=org).first()


# --- kept by the services that record meetings and payments ---------------------------------


def note_records(
    *, meetings: dict[int, dt.date] | None = None, payments: dict[int, dt.date] | None = None
) -> None:
    """Records were written: ``{org_id: earliest day}`` of new meetings and of new payments.

    Inside the writer's transaction; one row per org touched, only moved earlier.
    """
    meetings, payments = meetings or {}, payments or {}
    ids = set(meetings) | set(payments)
    if not ids:
        return
    have = {t.org_id: t for t in Tracking.objects.filter(org_id__in=ids)}
    for org_id in sorted(ids):
        row = have.get(org_id) or Tracking(org_id=org_id)
        before = (row.first_meeting_on, row.first_payment_on, row.start)
        if org_id in meetings:
            row.first_meeting_on = _earliest(row.first_meeting_on, meetings[org_id])
        if org_id in payments:
            row.first_payment_on = _earliest(row.first_payment_on, payments[org_id])
        row.derive()
        if org_id not in have:
            row.save(force_insert=True)
        elif (row.first_meeting_on, row.first_payment_on, row.start) != before:
            row.save(update_fields=[*DERIVED, "first_meeting_on", "first_payment_on"])


def _earliest(current: dt.date | None, day: dt.date) -> dt.date:
    return day if current is None or day < current else current


def meetings_moved(org_id: int) -> None:
    """A meeting's date changed: the org's first meeting is read again (the (org, day) index)."""
    row = Tracking.objects.filter(org_id=org_id).first() or Tracking(org_id=org_id)
    row.first_meeting_on = Meeting.objects.filter(org_id=org_id).aggregate(d=Min("held_on"))["d"]
    row.derive()
    row.save()


def rebuild() -> int:
    """Read every org's first meeting and first payment again (demo data, bulk loads, migration).

    Two grouped scans; the committee's dates are kept. Returns the number of orgs with a record.
    """
    firsts: dict[int, list[dt.date | None]] = {}
    for org_id, day in Meeting.objects.values_list("org_id").annotate(d=Min("held_on")).order_by():
        firsts.setdefault(org_id, [None, None])[0] = day
    for org_id, day in (
        DuesPayment.objects.values_list("org_id").annotate(d=Min("paid_on")).order_by()
    ):
        firsts.setdefault(org_id, [None, None])[1] = day
    with transaction.atomic():
        have = {t.org_id: t for t in Tracking.objects.all()}
        changed: list[Tracking] = []
        new: list[Tracking] = []
        for org_id in set(firsts) | set(have):
            row = have.get(org_id) or Tracking(org_id=org_id)
            row.first_meeting_on, row.first_payment_on = firsts.get(org_id, [None, None])
            row.derive()
            (changed if org_id in have else new).append(row)
        Tracking.objects.bulk_create(new, batch_size=500)
        Tracking.objects.bulk_update(
            changed, [*DERIVED, "first_meeting_on", "first_payment_on"], batch_size=500
        )
    return len(firsts)


# --- the committee's date ---------------------------------------------------------------------


def tracking_set(*, actor: Any, org: Org, set_on: dt.date | None, note: str = "") -> list[Tracking]:
    """The committee sets (or clears, ``None``) the day its cells started recording in chibo.

    On a cell: that cell. On a committee: every open cell of its subtree. Needs the
    committee's right over ``org`` (``org.restructure``); audited.
    """
    require_cap_on(actor, org, Cap.ORG_RESTRUCTURE)
    if set_on is not None:
        if set_on > timezone.localdate():
            raise ValidationError(
                {
                    "set_on": [
                        _(
                            "The tracking start is the day recording began: it cannot be in the future."
                        )
                    ]
                }
            )
        if set_on < org.opened_on:
            raise ValidationError(
                {
                    "set_on": [
                        _("%(org)s was established on %(date)s: tracking cannot start before.")
                        % {"org": org.name, "date": org.opened_on.strftime("%d/%m/%Y")}
                    ]
                }
            )
    cells = (
        [org]
        if org.is_cell
        else list(
            Org.objects.filter(
                org.subtree_filter(), kind__in=CELL_KINDS, closed_on__isnull=True
            ).order_by("path")
        )
    )
    if not cells:
        raise ValidationError(
            {"org": [_("There is no open party cell under %(org)s.") % {"org": org.name}]}
        )
    user = actor if getattr(actor, "is_authenticated", False) else None
    now = timezone.now()
    with transaction.atomic():
        have = {t.org_id: t for t in Tracking.objects.filter(org__in=cells)}
        rows: list[Tracking] = []
        previous: dict[str, str | None] = {}
        for cell in cells:
            row = have.get(cell.pk) or Tracking(org_id=cell.pk)
            previous[cell.code] = row.set_on.isoformat() if row.set_on else None
            row.set_on, row.note = set_on, note.strip()[:255]
            row.set_by, row.set_at = user, now
            row.derive()
            row.save()
            rows.append(row)
        audit.record(
            actor=actor,
            action="activity.tracking_set",
            object_type="org",
            object_id=org.code,
            data={
                "set_on": set_on,
                "note": note.strip()[:255],
                "cells": [c.code for c in cells],
                "previous": previous,
            },
        )
    return rows


# --- reads ----------------------------------------------------------------------------------------


@dataclass
class CellTracking:
    org: Org
    tracking: Tracking | None
    on_rolls: int

    @property
    def start(self) -> dt.date | None:
        return self.tracking.start if self.tracking else None


def cells_tracking(
    actor: Any, org: Org, *, limit: int | None = 1000, after: str = ""
) -> list[CellTracking]:
    """Open cells of ``org``'s subtree the actor may see, with their start and members on the
    rolls, in tree order; ``after``: only the cells whose path sorts after it (the API's keyset
    pages), ``limit`` of them."""
    cells = Org.objects.filter(org.subtree_filter(), kind__in=CELL_KINDS, closed_on__isnull=True)
    if after:
        cells = cells.filter(path__gt=after)
    if actor is not None:
        cells = cells.filter(scope_for(actor, Cap.MEMBER_VIEW).q())
    open_cells = list(cells.order_by("path")[:limit] if limit else cells.order_by("path"))
    ids = [c.pk for c in open_cells]
    rows = {t.org_id: t for t in Tracking.objects.filter(org_id__in=ids)}
    counts: dict[int, int] = {}
    for i in range(0, len(ids), 500):
        counts.update(
            Member.objects.filter(org_id__in=ids[i : i + 500], status__in=ON_ROLLS)
            .order_by()
            .values_list("org_id")
            .annotate(n=Count("id"))
            .values_list("org_id", "n")
        )
    return [CellTracking(c, rows.get(c.pk), counts.get(c.pk, 0)) for c in open_cells]


def cells_without_data(
    actor: Any, *, under: Org | None = None, as_of: dt.date | None = None
) -> Any:
    """Cells with members on the rolls and no activity data (no start, or a start after ``as_of``).

    ``actor=None`` is the system. A queryset of orgs, by path.
    """
    cells = Org.objects.filter(kind__in=CELL_KINDS)
    if under is not None:
        cells = cells.filter(under.subtree_filter())
    if actor is not None:
        cells = cells.filter(scope_for(actor, Cap.MEMBER_VIEW).q())
    tracked = Tracking.objects.filter(org=OuterRef("pk"), start__isnull=False)
    if as_of is not None:
        tracked = tracked.filter(start__lte=as_of)
    populated = Member.objects.filter(org=OuterRef("pk"), status__in=ON_ROLLS)
    return cells.filter(Exists(populated)).exclude(Exists(tracked)).order_by("path")
