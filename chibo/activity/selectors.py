"""Reads of the activity app, always from the actor's scope (404 outside it, 403 on writes)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from chibo.accounts.roles import Cap
from chibo.activity import periods
from chibo.activity.models import (
    AbsenceReason,
    Attendance,
    DuesPayment,
    Meeting,
    MeetingKind,
    MemberWarning,
    Presence,
)
from chibo.activity.services import RosterEntry, roster
from chibo.core import audit
from chibo.core.scoping import get_org_for, orgs_for, scope_for
from chibo.members.models import ON_ROLLS, Member, Status
from chibo.orgs.models import CELL_KINDS, Org


def org_for(actor: Any, code: str, *, write: bool = False) -> Org:
    return get_org_for(
        actor, code, cap=Cap.MEMBER_VIEW, write_cap=Cap.MEMBER_CHANGE if write else None
    )


def home_org(actor: Any) -> Org | None:
    """Where an actor's pages start: the top of its member scope."""
    paths = [path for path, _bound in scope_for(actor, Cap.MEMBER_VIEW).ranges]
    return Org.objects.filter(path__in=paths).order_by("path").first()


def can_write(actor: Any, org: Org) -> bool:
    return scope_for(actor, Cap.MEMBER_CHANGE).covers(org)


def audit_list_read(actor: Any, codes: list[str], context: dict[str, Any]) -> None:
    """A page showing named members was read (Decree 13/2023): record whose records were seen."""
    if codes:
        audit.record(
            actor=actor,
            action="activity.list",
            object_type="member",
            object_id="",
            data={"members": codes, **context},
        )


# --- meetings and the attendance sheet ------------------------------------------------------


def meetings_of(actor: Any, org: Org) -> list[Meeting]:
    if not scope_for(actor, Cap.MEMBER_VIEW).covers(org):
        raise Http404(_("No such party organization in your scope."))
    return list(
        Meeting.objects.filter(org=org)
        .annotate(absent=Count("attendance", filter=~_present()), rows=Count("attendance"))
        .order_by("-held_on", "kind")
    )


def _present() -> Any:
    from django.db.models import Q

    return Q(attendance__status=Presence.PRESENT)


def meeting_for(actor: Any, pk: int, *, write: bool = False) -> Meeting:
    meeting = (
        Meeting.objects.filter(scope_for(actor, Cap.MEMBER_VIEW).q("org__"), pk=pk)
        .select_related("org")
        .first()
    )
    if meeting is None:
        raise Http404(_("No such meeting in your scope."))
    if write and not can_write(actor, meeting.org):
        raise PermissionDenied(_("Your role may view this meeting but not change it."))
    return meeting


@dataclass
class SheetRow:
    entry: RosterEntry
    status: str
    reason_id: int | None
    note: str
    saved: bool

    @property
    def member(self) -> Member:
        return self.entry.member


@dataclass
class Sheet:
    meeting: Meeting
    expected: list[SheetRow]
    attached: list[SheetRow]
    not_expected: list[RosterEntry]
    reasons: list[AbsenceReason]
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def codes(self) -> list[str]:
        return [r.member.member_code for r in (*self.expected, *self.attached)] + [
            e.member.member_code for e in self.not_expected
        ]


def attendance_sheet(meeting: Meeting) -> Sheet:
    """The whole roster on one screen, present by default where nothing is recorded yet."""
    people = roster(meeting.org, meeting.held_on)
    rows = {a.member_id: a for a in Attendance.objects.filter(meeting=meeting)}
    expected: list[SheetRow] = []
    attached: list[SheetRow] = []
    not_expected: list[RosterEntry] = []
    for entry in people:
        if not (entry.expected or entry.attached):
            not_expected.append(entry)
            continue
        row = rows.get(entry.member.pk)
        sheet_row = SheetRow(
            entry,
            row.status if row else Presence.PRESENT,
            row.reason_id if row else None,
            row.note if row else "",
            row is not None,
        )
        (attached if entry.attached else expected).append(sheet_row)
    reasons = list(AbsenceReason.objects.filter(active=True))
    sheet = Sheet(meeting, expected, attached, not_expected, reasons)
    sheet.summary = minutes_summary(sheet)
    return sheet


def minutes_summary(sheet: Sheet) -> dict[str, Any]:
    """The totals the minutes template asks for (RULES.md, "Cell meetings")."""
    reasons = {r.pk: r.name for r in AbsenceReason.objects.all()}
    full = [r for r in sheet.expected if r.entry.full]
    probationary = [r for r in sheet.expected if not r.entry.full]

    def present(rows: list[SheetRow]) -> int:
        return sum(r.status == Presence.PRESENT for r in rows)

    excused = [
        (r.member, reasons.get(r.reason_id or 0, ""), r.note)
        for r in sheet.expected
        if r.status == Presence.EXCUSED
    ]
    unexcused = [r.member for r in sheet.expected if r.status == Presence.UNEXCUSED]
    return {
        "full_total": len(full),
        "probationary_total": len(probationary),
        "attached_total": len(sheet.attached),
        "exempted_total": sum(e.status == Status.EXEMPTED for e in sheet.not_expected),
        "temp_away_total": sum(e.status == Status.TEMP_AWAY for e in sheet.not_expected),
        "expected_total": len(sheet.expected),
        "full_present": present(full),
        "probationary_present": present(probationary),
        "attached_present": present(sheet.attached),
        "present_total": present(sheet.expected),
        "excused": excused,
        "unexcused": unexcused,
    }


# --- the superior's signal: cells that skipped meetings ------------------------------------


@dataclass
class MissingMeetings:
    org: Org
    months: list[str]  # YYYY-MM without a regular meeting
    quarters: list[str]  # YYYY-Qn without a thematic meeting


def cells_missing_meetings(
    actor: Any, as_of: dt.date, *, months: int = 3, under: Org | None = None
) -> list[MissingMeetings]:
    """Cells in the actor's scope without their monthly meeting in any of the last ``months``
    complete months, or without a thematic meeting in a complete quarter among them (Charter Art. 24).

    Only open cells with members on the rolls are expected to meet.
    """
    current = periods.month_of(as_of)
    checked = [periods.shift(current, -i) for i in range(months, 0, -1)]
    quarters = sorted(
        {
            periods.quarter_of(m)
            for m in checked
            if periods.quarter_months(*periods.quarter_of(m))[-1] < current
        }
    )
    first = min([checked[0], *[periods.quarter_months(*q)[0] for q in quarters]])
    cells = orgs_for(actor, Cap.MEMBER_VIEW).filter(kind__in=CELL_KINDS)
    if under is not None:
        cells = cells.filter(under.subtree_filter())
    populated = set(
        Member.objects.filter(status__in=ON_ROLLS, org__in=cells)
        .values_list("org_id")
        .annotate(n=Count("id"))
        .values_list("org_id", flat=True)
    )
    held: dict[int, set[tuple[str, dt.date]]] = defaultdict(set)
    for org_id, kind, month in Meeting.objects.filter(
        org__in=cells, month__gte=first, month__lt=current
    ).values_list("org_id", "kind", "month"):
        held[org_id].add((kind, month))
    out: list[MissingMeetings] = []
    for cell in cells.filter(pk__in=populated).order_by("path"):

        def alive(month: dt.date, cell: Org = cell) -> bool:
            return cell.opened_on <= month and (
                cell.closed_on is None or cell.closed_on > periods.month_end(month)
            )

        missing_months = [
            periods.label(m)
            for m in checked
            if alive(m) and (MeetingKind.REGULAR, m) not in held[cell.pk]
        ]
        missing_quarters = []
        for year, q in quarters:
            qmonths = periods.quarter_months(year, q)
            if all(alive(m) for m in qmonths) and not any(
                (MeetingKind.THEMATIC, m) in held[cell.pk] for m in qmonths
            ):
                missing_quarters.append(periods.quarter_label(year, q))
        if missing_months or missing_quarters:
            out.append(MissingMeetings(cell, missing_months, missing_quarters))
    return out


# --- warnings (stored by the daily run) ---------------------------------------------------

WARNING_SORTS = {
    "level": ("-level", "org__code", "member__name_folded"),
    "name": ("member__name_folded", "member__member_code"),
    "org": ("org__code", "member__name_folded"),
    "as_of": ("-as_of", "member__name_folded"),
}


def warnings_for(
    actor: Any, org: Org, *, sort: str = "level", level: str = ""
) -> list[MemberWarning]:
    if not scope_for(actor, Cap.MEMBER_VIEW).covers(org):
        raise Http404(_("No such party organization in your scope."))
    qs = MemberWarning.objects.filter(org.subtree_filter("org__")).select_related("member", "org")
    if level:
        qs = qs.filter(level=level)
    rows = list(qs.order_by(*WARNING_SORTS.get(sort, WARNING_SORTS["level"])))
    if sort in ("inactive", "unpaid"):
        attr = "inactive_months" if sort == "inactive" else "unpaid_months"
        rows.sort(key=lambda w: -len(getattr(w, attr)))
    return rows


# --- dues ------------------------------------------------------------------------------------


@dataclass
class DuesRow:
    member: Member
    paid: dict[dt.date, int]  # month → amount
    paid_through: dt.date | None
    arrears: list[dt.date]
    cells: list[tuple[dt.date, int | None, bool]] = field(
        default_factory=list
    )  # month, amount, in arrears


def dues_grid(
    org: Org, year: int, as_of: dt.date
) -> tuple[list[dt.date], list[DuesRow], dict[str, int]]:
    """Who paid which month of ``year`` in ``org``'s cells, arrears up to the month before ``as_of``."""
    months = [dt.date(year, m, 1) for m in range(1, 13)]
    members = list(
        Member.objects.filter(
            org.subtree_filter("org__"),
            status__in=(Status.ACTIVE, Status.TEMP_AWAY, Status.EXEMPTED),
        )
        .select_related("org")
        .order_by("org__path", "name_folded")[:2000]
    )
    paid: dict[int, dict[dt.date, int]] = defaultdict(dict)
    last_paid: dict[int, dt.date] = {}
    ids = [m.pk for m in members]
    for i in range(0, len(ids), 500):
        for member_id, period, amount in DuesPayment.objects.filter(
            member_id__in=ids[i : i + 500]
        ).values_list("member_id", "period", "amount_vnd"):
            if period.year == year:
                paid[member_id][period] = amount
            if member_id not in last_paid or period > last_paid[member_id]:
                last_paid[member_id] = period
    current = periods.month_of(as_of)
    rows = []
    for m in members:
        first = periods.month_of(m.admitted_on)
        arrears = [
            mo
            for mo in months
            if first <= mo < current and mo not in paid[m.pk] and m.status != Status.EXEMPTED
        ]
        cells = [(mo, paid[m.pk].get(mo), mo in arrears) for mo in months]
        rows.append(DuesRow(m, paid[m.pk], last_paid.get(m.pk), arrears, cells))
    totals = DuesPayment.objects.filter(
        org.subtree_filter("member__org__"), period__year=year
    ).aggregate(amount=Sum("amount_vnd"), payments=Count("id"))
    return (
        months,
        rows,
        {
            "amount": totals["amount"] or 0,
            "payments": totals["payments"] or 0,
            "members": len(rows),
            "in_arrears": sum(bool(r.arrears) for r in rows),
        },
    )


def open_warnings(actor: Any, root: Org) -> Any:
    """Stored warnings (from the daily refresh) of members under ``root`` that ``actor`` may see."""
    qs = MemberWarning.objects.filter(root.subtree_filter("org__"))
    if actor is not None:
        qs = qs.filter(scope_for(actor, Cap.MEMBER_VIEW).q("org__"))
    return qs
