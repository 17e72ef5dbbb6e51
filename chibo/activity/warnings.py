"""Early warnings before a member is removed from the rolls — computed in bulk.

The rule (Party Charter Art. 8; QĐ 294-QĐ/TW §8.1): three months in a year
without party activity, or three months of unpaid dues, without good
reason, lead to removal. A wrong warning accuses a member, so the
definitions are exact (docs/activity.md):

- window: the 12 calendar months ending with the month of D;
- inactive month: a month of the window in which the member was expected at
  one or more meetings of their org held on or before D (a member of it on
  the meeting date with status active), attended none of them, and at least
  one of those absences was unexcused; a month without a meeting is the
  cell's failing, not the member's;
- unpaid month: a month of the window before D's month in which dues were
  due (status active or temporarily transferred out on the month's first
  and last day, no dues exemption) and no payment for it was recorded on
  or before D;
- ``removal_review`` at 3 or more of either (the rules in the registry as
  of D), ``warning`` at 1 or 2; the two counts are never added;
- only from the org's tracking start (``activity.tracking``): a meeting held
  before its cell's start, and a month before the start's month of the cell
  the member belonged to, count for nothing; a cell without any record is
  not judged at all (no warning comes from missing data).

A whole subtree costs what its members at risk cost, not what all its
members cost. Two SQL queries find the candidates:

1. unexcused absences of the window (partial index) at meetings held on or
   before D, for which the member has no presence that month (``NOT
   EXISTS`` on the (member, month) index);
2. members who may have owed dues in the window with fewer payments for
   its tracked due months than there are such months (a count per member on
   the covering (member, period) index, from his cell's tracking start), and
   the few who paid after D.

Only those candidates get a state: a member whose last event is before the
window kept the state of his ``Member`` row throughout; the others (a few
percent of the candidates) replay their events. Nobody else is read.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest

from chibo.activity import periods, tracking
from chibo.activity.models import (
    Attendance,
    DuesPayment,
    DuesRelief,
    Presence,
    Tracking,
    WarningLevel,
    month_number,
)
from chibo.core.rules import Rule, rule_in_force
from chibo.members.models import ON_ROLLS, Member, MemberEvent, Status
from chibo.orgs.models import Org

DUE_STATUSES = (Status.ACTIVE, Status.TEMP_AWAY)  # suspended members still pay (QĐ 01-QĐ/TW)
CHUNK = 500

# What a candidate query reads of a member: org, status, last event, code, name.
Person = tuple[int, str, dt.date, str, str]
PERSON = ("org_id", "status", "last_event_on", "member_code", "full_name")


@dataclass
class MemberRisk:
    member_id: int
    org_id: int
    level: str
    inactive_months: list[str]
    unpaid_months: list[str]
    member_code: str = ""
    full_name: str = ""
    org_code: str = ""
    org_name: str = ""

    def as_json(self) -> dict[str, object]:
        return {
            "member_code": self.member_code,
            "full_name": self.full_name,
            "org_code": self.org_code,
            "level": self.level,
            "inactive_months": self.inactive_months,
            "unpaid_months": self.unpaid_months,
        }


@dataclass
class Timeline:
    """A member's (date, org, status) states, oldest first; constant if ``dates`` is empty."""

    org_id: int | None
    status: str | None
    dates: list[dt.date] = field(default_factory=list)
    states: list[tuple[int, str]] = field(default_factory=list)

    def on(self, day: dt.date) -> tuple[int | None, str | None]:
        if not self.dates:
            return self.org_id, self.status
        i = bisect.bisect_right(self.dates, day)
        return self.states[i - 1] if i else (None, None)


@dataclass(frozen=True)
class Thresholds:
    inactive: Rule
    unpaid: Rule


def thresholds(as_of: dt.date) -> Thresholds:
    return Thresholds(
        rule_in_force("removal.inactive_months", on=as_of),
        rule_in_force("removal.unpaid_months", on=as_of),
    )


def _chunks(items: Iterable[int]) -> Iterator[list[int]]:
    ordered = sorted(items)
    for i in range(0, len(ordered), CHUNK):
        yield ordered[i : i + CHUNK]


def _absence_seeds(
    org: Org, as_of: dt.date, months: list[dt.date]
) -> tuple[dict[int, list[tuple[dt.date, dt.date, int]]], dict[int, Person]]:
    """Unexcused absences of the window, held on or before D, in months without any presence.

    Returns ``{member: [(month, meeting day, meeting org)]}`` and the members' rows.
    """
    present = Attendance.objects.filter(
        member=OuterRef("member"),
        month=OuterRef("month"),
        status=Presence.PRESENT,
        expected=True,
        meeting__held_on__lte=as_of,
    )
    absences = Attendance.objects.filter(
        status=Presence.UNEXCUSED,
        expected=True,
        month__gte=months[0],
        month__lte=months[-1],
        meeting__held_on__lte=as_of,
    ).filter(~Exists(present))
    if org.parent_id is not None:
        absences = absences.filter(
            org.subtree_filter("org__") | org.subtree_filter("member__org__")
        )
    seeds: dict[int, list[tuple[dt.date, dt.date, int]]] = defaultdict(list)
    people: dict[int, Person] = {}
    for member_id, month, day, org_id, *person in absences.values_list(
        "member_id", "month", "meeting__held_on", "org_id", *(f"member__{f}" for f in PERSON)
    ):
        seeds[member_id].append((month, day, org_id))
        people[member_id] = tuple(person)
    return seeds, people


def _dues_shortfall(
    org: Org, as_of: dt.date, start: dt.date, due_months: list[dt.date]
) -> dict[int, Person]:
    """Members who may owe a month: fewer payments for the tracked due months than months, or paid after D.

    A member counts if he may have been due in the window: status active or temporarily away now
    and unchanged since before the window, or changed during it (his events decide). An unchanged
    member is judged from his cell's tracking start (a cell without one: not at all): his payments
    from the start's month are counted against the due months from it. A changed member is
    counted over the whole window; his months meet his cells' starts afterwards (``_due``).
    """
    if not due_months:
        return {}
    first, last = due_months[0], due_months[-1]
    payments = DuesPayment.objects.filter(period__gte=first, period__lte=last).order_by()
    members = Member.objects.filter(
        Q(status__in=DUE_STATUSES) | Q(last_event_on__gte=start)
    ).order_by()  # in table order: no sort by name
    if org.parent_id is not None:
        members = members.filter(
            org.subtree_filter("org__") | Q(pk__in=_passed_through(org, start))
        )
    # His cell tracked before the last due month, with fewer payments from its start than months.
    tracked_short = (
        Tracking.objects.filter(org_id=OuterRef("org_id"), month__lte=last)
        .annotate(
            owed=Value(month_number(last) + 1)
            - Greatest("month_number", Value(month_number(first))),
            n=Coalesce(
                Subquery(
                    payments.filter(
                        member_id=OuterRef(OuterRef("pk")), period__gte=OuterRef("month")
                    )
                    .values("member_id")
                    .annotate(n=Count("*"))
                    .values("n"),
                    output_field=IntegerField(),
                ),
                Value(0),
            ),
        )
        .filter(n__lt=F("owed"))
    )
    paid = (
        payments.filter(member=OuterRef("pk")).values("member").annotate(n=Count("*")).values("n")
    )
    window_short = Q(
        last_event_on__gte=start,
        n__lt=len(due_months),
    )
    short = members.annotate(
        n=Coalesce(Subquery(paid, output_field=IntegerField()), Value(0))
    ).filter(window_short | Q(Q(last_event_on__lt=start), Exists(tracked_short)))
    people = _people(short)
    late = set(payments.filter(paid_on__gt=as_of).values_list("member_id", flat=True)) - set(people)
    for chunk in _chunks(late):  # payments recorded after D do not count: re-check those members
        people.update(_people(Member.objects.filter(pk__in=chunk)))
    return people


def _people(members: QuerySet) -> dict[int, Person]:
    return {
        pk: (org_id, status, last, code, name)
        for pk, org_id, status, last, code, name in members.values_list("pk", *PERSON)
    }


def _passed_through(org: Org, start: dt.date) -> QuerySet:
    """Members with events in ``org``'s subtree since ``start``: they may have been here on D."""
    return MemberEvent.objects.filter(
        org.subtree_filter("org__"), effective_date__gte=start
    ).values("member_id")


def _timelines(
    org: Org, as_of: dt.date, start: dt.date, people: dict[int, Person]
) -> dict[int, Timeline]:
    """States over the window of the candidates who are on the rolls on ``as_of`` in the subtree.

    A member whose last event is before the window kept his row's state throughout; only the
    others replay their events, by member id through an index.
    """
    subtree_ids: set[int] | None = None
    if org.parent_id is not None:
        subtree_ids = set(Org.objects.filter(org.subtree_filter()).values_list("id", flat=True))
    lines: dict[int, Timeline] = {}
    changed: list[int] = []
    for pk, (org_id, status, last, _code, _name) in people.items():
        if last >= start:
            changed.append(pk)
        elif status in ON_ROLLS and (subtree_ids is None or org_id in subtree_ids):
            lines[pk] = Timeline(org_id, status)
    for chunk in _chunks(changed):
        replay: dict[int, Timeline] = {}
        rows = MemberEvent.objects.filter(member_id__in=chunk).order_by(
            "member_id", "effective_date", "id"
        )
        for member_id, day, org_id, status in rows.values_list(
            "member_id", "effective_date", "org_id", "status_after"
        ):
            line = replay.get(member_id)
            if line is None:
                line = replay[member_id] = Timeline(None, None)
            if line.dates and line.dates[-1] == day:
                line.states[-1] = (org_id, status)
            else:
                line.dates.append(day)
                line.states.append((org_id, status))
        for member_id, line in replay.items():
            org_on, status_on = line.on(as_of)
            if status_on in ON_ROLLS and (subtree_ids is None or org_on in subtree_ids):
                lines[member_id] = line
    return lines


def _inactive(
    seeds: dict[int, list[tuple[dt.date, dt.date, int]]],
    lines: dict[int, Timeline],
    starts: dict[int, tracking.Start],
) -> dict[int, list[dt.date]]:
    """Months with an absence at a meeting where the member really was expected (his org, active),
    held on or after the tracking start of the meeting's cell."""
    out: dict[int, list[dt.date]] = {}
    for member_id, absences in seeds.items():
        line = lines.get(member_id)
        if line is None:
            continue
        bad = {
            month
            for month, day, org_id in absences
            if line.on(day) == (org_id, Status.ACTIVE)
            and org_id in starts
            and starts[org_id].day <= day
        }
        if bad:
            out[member_id] = sorted(bad)
    return out


def _due(
    line: Timeline,
    month: dt.date,
    exempt: list[tuple[dt.date, dt.date]],
    starts: dict[int, tracking.Start],
) -> bool:
    if any(start <= month <= end for start, end in exempt):
        return False
    if not line.dates:  # unchanged through the window
        return line.status in DUE_STATUSES and _tracked(line.org_id, month, starts)
    org_id, status = line.on(periods.month_end(month))
    return (
        line.on(month)[1] in DUE_STATUSES
        and status in DUE_STATUSES
        and _tracked(org_id, month, starts)
    )


def _tracked(org_id: int | None, month: dt.date, starts: dict[int, tracking.Start]) -> bool:
    """The month is judged: the cell has a tracking start in that month or before."""
    found = starts.get(org_id) if org_id is not None else None
    return found is not None and found.month <= month


def _unpaid(
    as_of: dt.date,
    due_months: list[dt.date],
    owing: list[int],
    lines: dict[int, Timeline],
    starts: dict[int, tracking.Start],
) -> dict[int, list[dt.date]]:
    """The due months without a payment recorded on or before D, for the candidates only."""
    if not due_months or not owing:
        return {}
    first, last = due_months[0], due_months[-1]
    exempt: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    for member_id, start, end in DuesRelief.objects.filter(
        percent=100, start__lte=last, end__gte=first
    ).values_list("member_id", "start", "end"):
        exempt[member_id].append((start, end))
    from chibo.members.seniority import exempt_for_seniority, seniority_map

    for member_id, seniority in seniority_map(
        Member.objects.filter(pk__in=owing, recognized_on__isnull=False).only(
            "id", "admitted_on", "recognized_on"
        )
    ).items():
        for month in due_months:
            if exempt_for_seniority(seniority, month):
                exempt[member_id].append((month, month))
    paid = DuesPayment.objects.filter(period__gte=first, period__lte=last, paid_on__lte=as_of)
    paid_months: dict[int, set[dt.date]] = defaultdict(set)
    for chunk in _chunks(owing):
        for member_id, period in paid.filter(member_id__in=chunk).values_list(
            "member_id", "period"
        ):
            paid_months[member_id].add(period)
    out: dict[int, list[dt.date]] = {}
    for member_id in owing:
        line = lines[member_id]
        have = paid_months.get(member_id, set())
        bad = [
            m
            for m in due_months
            if m not in have and _due(line, m, exempt.get(member_id, []), starts)
        ]
        if bad:
            out[member_id] = bad
    return out


def level_for(inactive: int, unpaid: int, rules: Thresholds) -> str | None:
    """The two counts are compared separately with their own rule, never added."""
    if inactive >= int(rules.inactive.value) or unpaid >= int(rules.unpaid.value):
        return WarningLevel.REMOVAL_REVIEW
    if inactive or unpaid:
        return WarningLevel.WARNING
    return None


def compute(org: Org, as_of: dt.date) -> list[MemberRisk]:
    """Every member at risk in ``org``'s subtree as of ``as_of`` (no scoping: callers scope)."""
    months = periods.window(as_of)
    due_months = [m for m in months if m < periods.month_of(as_of)]
    rules = thresholds(as_of)
    seeds, people = _absence_seeds(org, as_of, months)
    short = _dues_shortfall(org, as_of, months[0], due_months)
    lines = _timelines(org, as_of, months[0], {**people, **short})
    starts = tracking.starts(_orgs_of(seeds, lines))
    inactive = _inactive(seeds, lines, starts)
    unpaid = _unpaid(as_of, due_months, [pk for pk in short if pk in lines], lines, starts)
    names = {**people, **short}
    risks: list[MemberRisk] = []
    for member_id in sorted(set(inactive) | set(unpaid)):
        bad_activity = inactive.get(member_id, [])
        bad_dues = unpaid.get(member_id, [])
        level = level_for(len(bad_activity), len(bad_dues), rules)
        if level is None:
            continue
        _org_id, _status, _last, code, name = names[member_id]
        risks.append(
            MemberRisk(
                member_id,
                lines[member_id].on(as_of)[0] or 0,
                level,
                [periods.label(m) for m in bad_activity],
                [periods.label(m) for m in bad_dues],
                member_code=code,
                full_name=name,
            )
        )
    _label(risks)
    return risks


def _orgs_of(
    seeds: dict[int, list[tuple[dt.date, dt.date, int]]], lines: dict[int, Timeline]
) -> set[int]:
    """Every org a candidate's months may be judged by: meetings' cells and the members' cells."""
    ids = {org_id for absences in seeds.values() for _m, _d, org_id in absences}
    for line in lines.values():
        if line.org_id is not None:
            ids.add(line.org_id)
        ids.update(org_id for org_id, _status in line.states if org_id is not None)
    return ids


def _label(risks: list[MemberRisk]) -> None:
    org_ids = {r.org_id for r in risks}
    orgs = Org.objects.all() if len(org_ids) > CHUNK else Org.objects.filter(pk__in=org_ids)
    names = {pk: (code, name) for pk, code, name in orgs.values_list("id", "code", "name")}
    for risk in risks:
        risk.org_code, risk.org_name = names.get(risk.org_id, ("", ""))
    risks.sort(key=lambda r: (r.level != WarningLevel.REMOVAL_REVIEW, r.org_code, r.member_code))
