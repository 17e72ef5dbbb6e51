"""Party seniority (tuổi đảng; issue 20, item 12).

Charter Art. 5 §4, QĐ 24-QĐ/TW point 4.5 (and the same point of QĐ 232 and QĐ 294): a full
member's seniority counts from the date of the admission decision, less the time out of
party activity (expelled, removed, out of contact); a re-admitted member's counts from the
first admission, less the time out. The member is full once recognized; the seniority then
counts from the decision, not from the recognition.

chibo reads ``Member.admitted_on`` (the decision's date) and, for a member recorded from
the past after a re-admission, the ``admitted`` event's ``first_admitted_on`` and
``out_periods`` (``[[from, to], ...]``, the days out, as the committee's review of the
member's seniority established them; ``members.services.member_record_past_admission``).
The periods out shift every anniversary by their length.

The dues exemption at ``dues.exempt_seniority_years`` (50, QĐ 01-QĐ/TW) applies from the
month the member reaches it (``exempt_for_seniority``); the "Huy hiệu Đảng" milestones
(``seniority.badge_years``) are listed per year by ``badges_in_year``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from chibo.core.rules import RuleMissing, rule_in_force
from chibo.lib.dates import add_months, full_months_between
from chibo.members.models import EventKind, Member, MemberEvent


@dataclass(frozen=True)
class Seniority:
    """Seniority from ``since`` (the first admission decision), less ``out_days``."""

    since: dt.date
    out_days: int = 0

    def reached_on(self, years: int) -> dt.date:
        """The day the member completes ``years`` years of seniority."""
        return add_months(self.since, 12 * years) + dt.timedelta(days=self.out_days)

    def months_on(self, on: dt.date) -> int:
        """Whole months of seniority on ``on`` (consistent with ``reached_on``)."""
        shifted = on - dt.timedelta(days=self.out_days)
        return full_months_between(self.since, shifted) if shifted >= self.since else 0

    def years_on(self, on: dt.date) -> int:
        return self.months_on(on) // 12

    def as_dict(self, on: dt.date) -> dict[str, Any]:
        months = self.months_on(on)
        return {
            "since": self.since,
            "out_days": self.out_days,
            "years": months // 12,
            "months": months % 12,
            "as_of": on,
        }


def _parse(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _from_data(admitted_on: dt.date, data: dict[str, Any] | None) -> Seniority:
    data = data or {}
    since = _parse(data.get("first_admitted_on")) or admitted_on
    out = 0
    for period in data.get("out_periods") or []:
        start, end = _parse(period[0]), _parse(period[1])
        if start and end and end >= start:
            out += (end - start).days + 1
    return Seniority(since, out)


def shifted_admissions() -> dict[int, dict[str, Any]]:
    """The ``admitted`` events' data of the members whose seniority does not simply start at
    ``admitted_on`` (re-admitted, or with periods out): few, read once for a whole export."""
    from django.db.models import Q

    return dict(
        MemberEvent.objects.filter(kind=EventKind.ADMITTED)
        .filter(Q(data__has_key="first_admitted_on") | Q(data__has_key="out_periods"))
        .values_list("member_id", "data")
    )


def seniority_from(member: Member, data: dict[str, Any] | None) -> Seniority:
    return _from_data(member.admitted_on, data)


def seniority_map(members: Iterable[Member]) -> dict[int, Seniority]:
    """The seniority of each full (recognized) member, in one query for the batch."""
    full = {m.pk: m for m in members if m.recognized_on is not None}
    found: dict[int, dict[str, Any]] = {}
    if full:
        for member_id, data in MemberEvent.objects.filter(
            member_id__in=list(full), kind=EventKind.ADMITTED
        ).values_list("member_id", "data"):
            found[member_id] = data or {}
    return {pk: _from_data(m.admitted_on, found.get(pk)) for pk, m in full.items()}


def seniority_of(member: Member) -> Seniority | None:
    """The member's seniority (None while probationary: it counts once recognized)."""
    return seniority_map([member]).get(member.pk)


def _rule_value(key: str, on: dt.date) -> Any:
    try:
        return rule_in_force(key, on=on)
    except RuleMissing:
        return None


def exempt_for_seniority(seniority: Seniority | None, month: dt.date) -> bool:
    """Whether dues for ``month`` (its 1st day) are exempt for seniority: the rule
    ``dues.exempt_seniority_years`` in force for that month, and the member reached it in
    that month or before (QĐ 01-QĐ/TW: from the month it is reached)."""
    if seniority is None:
        return False
    rule = _rule_value("dues.exempt_seniority_years", month)
    if rule is None:
        return False
    return seniority.reached_on(int(rule.value)).replace(day=1) <= month


@dataclass(frozen=True)
class Badge:
    member: Member
    years: int
    reached_on: dt.date
    seniority: Seniority


def badges_in_year(members: Iterable[Member], year: int) -> list[Badge]:
    """The members who complete a "Huy hiệu Đảng" milestone (``seniority.badge_years``) in
    ``year``, by date."""
    rule = rule_in_force("seniority.badge_years", on=dt.date(year, 12, 31))
    milestones = [int(y) for y in rule.value]
    members = list(members)
    out: list[Badge] = []
    table = seniority_map(members)
    by_pk = {m.pk: m for m in members}
    for pk, seniority in table.items():
        for years in milestones:
            day = seniority.reached_on(years)
            if day.year == year:
                out.append(Badge(by_pk[pk], years, day, seniority))
    out.sort(key=lambda b: (b.reached_on, b.member.name_folded, b.member.member_code))
    return out
