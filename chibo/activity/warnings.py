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
  of D), ``warning`` at 1 or 2; the two counts are never added.

A whole subtree takes a few queries: members whose state never changed in
the window come from ``Member`` directly; only the others replay their
events. Attendance starts from the (few) unexcused absences through a
partial index; dues from one grouped count per member.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, QuerySet

from chibo.activity import periods
from chibo.activity.models import Attendance, DuesPayment, DuesRelief, Presence, WarningLevel
from chibo.core.rules import Rule, rule_in_force
from chibo.members.models import ON_ROLLS, Member, MemberEvent, Status
from chibo.orgs.models import Org

DUE_STATUSES = (Status.ACTIVE, Status.TEMP_AWAY)  # suspended members still pay (QĐ 01-QĐ/TW)
CHUNK = 500


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


def _chunks(items: list[int]) -> Iterator[list[int]]:
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]


def _raw(qs: QuerySet) -> Iterator[tuple[Any, ...]]:
    """Rows of ``qs`` straight from the cursor: no per-value converters (a third of the time at scale)."""
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(20000):
            yield from rows


def _timelines(org: Org, as_of: dt.date, start: dt.date) -> dict[int, Timeline]:
    """Members on the rolls on ``as_of`` in ``org``'s subtree, with their states over the window.

    One scan of ``Member``: a member whose last event is before the window kept its current state
    throughout; only the others (a few percent) replay their events, by member id through an index.
    """
    is_root = org.parent_id is None
    members = (
        Member.objects.all() if is_root else Member.objects.filter(org.subtree_filter("org__"))
    )
    lines: dict[int, Timeline] = {}
    changed: list[int] = []
    start_text = start.isoformat()
    for pk, org_id, status, last in _raw(
        members.values_list("id", "org_id", "status", "last_event_on")
    ):
        if str(last) >= start_text:  # a date on PostgreSQL, its ISO text on SQLite
            changed.append(pk)
        elif status in ON_ROLLS:
            lines[pk] = Timeline(org_id, status)
    if not is_root:  # members who were here during the window and left after it
        seen = set(changed)
        changed += [
            pk
            for pk in MemberEvent.objects.filter(
                org.subtree_filter("org__"), effective_date__gte=start
            )
            .values_list("member_id", flat=True)
            .distinct()
            if pk not in seen and pk not in lines
        ]
    subtree_ids: set[int] | None = None
    if not is_root and changed:
        subtree_ids = set(Org.objects.filter(org.subtree_filter()).values_list("id", flat=True))
    for chunk in _chunks(sorted(changed)):
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
            org_id, status = line.on(as_of)
            if status in ON_ROLLS and (subtree_ids is None or org_id in subtree_ids):
                lines[member_id] = line
    return lines


def _inactive(
    org: Org, as_of: dt.date, months: list[dt.date], lines: dict[int, Timeline]
) -> dict[int, list[dt.date]]:
    first, last = months[0], months[-1]
    absences = Attendance.objects.filter(
        status=Presence.UNEXCUSED,
        expected=True,
        month__gte=first,
        month__lte=last,
        meeting__held_on__lte=as_of,
    )
    if org.parent_id is not None:
        absences = absences.filter(
            org.subtree_filter("org__") | org.subtree_filter("member__org__")
        )
    seeds: dict[int, set[dt.date]] = defaultdict(set)
    for member_id, month, day, org_id in absences.values_list(
        "member_id", "month", "meeting__held_on", "org_id"
    ):
        line = lines.get(member_id)
        if line is None:
            continue
        state_org, state = line.on(day)
        if state_org == org_id and state == Status.ACTIVE:  # expected there that day
            seeds[member_id].add(month)
    if not seeds:
        return {}
    attended: set[tuple[int, dt.date]] = set()
    for chunk in _chunks(sorted(seeds)):
        attended.update(
            Attendance.objects.filter(
                member_id__in=chunk,
                status=Presence.PRESENT,
                expected=True,
                month__gte=first,
                month__lte=last,
                meeting__held_on__lte=as_of,
            ).values_list("member_id", "month")
        )
    out: dict[int, list[dt.date]] = {}
    for member_id, seed_months in seeds.items():
        bad = sorted(m for m in seed_months if (member_id, m) not in attended)
        if bad:
            out[member_id] = bad
    return out


def _due(line: Timeline, month: dt.date, exempt: list[tuple[dt.date, dt.date]]) -> bool:
    if any(start <= month <= end for start, end in exempt):
        return False
    return (
        line.on(month)[1] in DUE_STATUSES and line.on(periods.month_end(month))[1] in DUE_STATUSES
    )


def _unpaid(
    org: Org, as_of: dt.date, months: list[dt.date], lines: dict[int, Timeline]
) -> dict[int, list[dt.date]]:
    due_months = [m for m in months if m < periods.month_of(as_of)]
    if not due_months:
        return {}
    first, last = due_months[0], due_months[-1]
    exempt: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    for member_id, start, end in DuesRelief.objects.filter(
        percent=100, start__lte=last, end__gte=first
    ).values_list("member_id", "start", "end"):
        exempt[member_id].append((start, end))
    # Payments per member for the window's months: a covering scan of the (member, period) index,
    # minus those recorded after D (few, through the paid_on index).
    window_paid = DuesPayment.objects.filter(period__gte=first, period__lte=last)
    late = window_paid.filter(paid_on__gt=as_of)
    if org.parent_id is not None:
        window_paid = window_paid.filter(org.subtree_filter("member__org__"))
    counts = dict(_raw(window_paid.values_list("member_id").annotate(n=Count("id")).order_by()))
    for member_id in late.values_list("member_id", flat=True):
        if member_id in counts:
            counts[member_id] -= 1
    paid = window_paid.filter(paid_on__lte=as_of)
    # Who may owe something: anyone with a non-constant state, an exemption, or fewer payments than months.
    owing: list[int] = []
    for member_id, line in lines.items():
        if (
            line.dates
            or member_id in exempt
            or (line.status in DUE_STATUSES and counts.get(member_id, 0) < len(due_months))
        ):
            owing.append(member_id)
    paid_months: dict[int, set[dt.date]] = defaultdict(set)
    for chunk in _chunks(sorted(owing)):
        for member_id, period in paid.filter(member_id__in=chunk).values_list(
            "member_id", "period"
        ):
            paid_months[member_id].add(period)
    out: dict[int, list[dt.date]] = {}
    for member_id in owing:
        line = lines[member_id]
        have = paid_months.get(member_id, set())
        bad = [m for m in due_months if m not in have and _due(line, m, exempt.get(member_id, []))]
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
    rules = thresholds(as_of)
    lines = _timelines(org, as_of, months[0])
    inactive = _inactive(org, as_of, months, lines)
    unpaid = _unpaid(org, as_of, months, lines)
    risks: list[MemberRisk] = []
    for member_id in sorted(set(inactive) | set(unpaid)):
        bad_activity = inactive.get(member_id, [])
        bad_dues = unpaid.get(member_id, [])
        level = level_for(len(bad_activity), len(bad_dues), rules)
        if level is None:
            continue
        org_id = lines[member_id].on(as_of)[0]
        risks.append(
            MemberRisk(
                member_id,
                org_id or 0,
                level,
                [periods.label(m) for m in bad_activity],
                [periods.label(m) for m in bad_dues],
            )
        )
    _label(risks)
    return risks


def _label(risks: list[MemberRisk]) -> None:
    members: dict[int, tuple[str, str]] = {}
    for chunk in _chunks([r.member_id for r in risks]):
        members.update(
            {
                pk: (code, name)
                for pk, code, name in Member.objects.filter(pk__in=chunk).values_list(
                    "id", "member_code", "full_name"
                )
            }
        )
    org_ids = sorted({r.org_id for r in risks})
    orgs: dict[int, tuple[str, str]] = {}
    for chunk in _chunks(org_ids):
        orgs.update(
            {
                pk: (code, name)
                for pk, code, name in Org.objects.filter(pk__in=chunk).values_list(
                    "id", "code", "name"
                )
            }
        )
    for risk in risks:
        risk.member_code, risk.full_name = members[risk.member_id]
        risk.org_code, risk.org_name = orgs.get(risk.org_id, ("", ""))
    risks.sort(key=lambda r: (r.level != WarningLevel.REMOVAL_REVIEW, r.org_code, r.member_code))
