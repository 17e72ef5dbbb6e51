"""The start page's work figures by hand-written SQL (the floor of bench/scale.py's "home" cases).

Independent of chibo's code paths: the same definitions as ``chibo.home.work`` (docs/
activity.md, docs/performance.md), each figure one query driven by the index a person
would choose, folded per unit in Python. Directive reports are left out (their periods
are calendar logic, not a query); the comparison leaves them out too.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter
from typing import Any

from django.db import connection

CELLS = ("grassroots_cell", "subordinate_cell")
step_of_city = 6  # characters of path per level (orgs.models.STEP): the top org's path
ON_ROLLS = ("active", "exempted", "temp_away")


def _rows(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _month(day: dt.date, shift: int = 0) -> dt.date:
    index = day.year * 12 + day.month - 1 + shift
    return dt.date(index // 12, index % 12 + 1, 1)


def figures(path: str, bound: str, today: dt.date, step: int = 6) -> dict[str, Counter]:
    """{unit path: Counter of figures} for the subtree [path, bound) on ``today``."""
    width = len(path) + step
    month, last = _month(today), _month(today, -1)
    q_first = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    quarter = [q_first, _month(q_first, 1), _month(q_first, 2)]
    out: dict[str, Counter] = {}

    def add(p: str, key: str, n: int = 1) -> None:
        if len(p) >= width:
            out.setdefault(p[:width], Counter())[key] += n

    cells: dict[int, tuple[str, Any]] = {}
    tracked: dict[int, Any] = {}
    for pk, p, opened, start, first in _rows(
        "SELECT o.id, o.path, o.opened_on, t.start, t.month FROM orgs_org o"
        " LEFT JOIN activity_tracking t ON t.org_id = o.id"
        " WHERE o.path >= %s AND o.path < %s"
        " AND o.kind IN (%s, %s) AND o.closed_on IS NULL AND o.opened_on <= %s"
        " AND EXISTS (SELECT 1 FROM members_member m WHERE m.org_id = o.id"
        " AND m.status IN (%s, %s, %s))",
        [path, bound, *CELLS, today, *ON_ROLLS],
    ):
        cells[pk] = (p, opened)
        start = _day(start)
        if start is not None and start <= today:
            tracked[pk] = _day(first)
        else:
            add(p, "no_data")
    held: dict[int, set[str]] = {}
    for org_id, kind, mon, held_on, has_rows in _rows(
        "SELECT mt.org_id, mt.kind, mt.month, mt.held_on,"
        " EXISTS (SELECT 1 FROM activity_attendance a WHERE a.meeting_id = mt.id)"
        " FROM activity_meeting mt JOIN orgs_org o ON o.id = mt.org_id"
        " WHERE o.path >= %s AND o.path < %s AND ((mt.kind = 'regular' AND mt.month IN (%s, %s))"
        " OR (mt.kind = 'thematic' AND mt.month IN (%s, %s, %s) AND mt.held_on <= %s))",
        [path, bound, last, month, *quarter, today],
    ):
        mon = mon if isinstance(mon, dt.date) else dt.date.fromisoformat(str(mon))
        held_on = held_on if isinstance(held_on, dt.date) else dt.date.fromisoformat(str(held_on))
        tags = held.setdefault(org_id, set())
        if kind == "thematic":
            tags.add("thematic")
        elif mon == last:
            tags.add("last")
        elif held_on <= today:
            tags.add("regular")
            if not has_rows and org_id in cells:
                add(cells[org_id][0], "attendance")
    for pk, (p, opened) in cells.items():
        tags = held.get(pk, set())
        opened = opened if isinstance(opened, dt.date) else dt.date.fromisoformat(str(opened))
        if "regular" not in tags:
            add(p, "regular")
        if "thematic" not in tags:
            add(p, "thematic")
        if "last" not in tags and opened <= last and pk in tracked and tracked[pk] <= last:
            add(p, "missed_last_month")
    for p, n in _rows(
        "SELECT o.path, COUNT(*) FROM members_member m JOIN orgs_org o ON o.id = m.org_id"
        " WHERE o.path >= %s AND o.path < %s AND m.status IN ('active', 'temp_away')"
        " AND m.admitted_on <= %s"
        " AND EXISTS (SELECT 1 FROM activity_tracking t WHERE t.org_id = m.org_id"
        " AND t.start <= %s)"
        " AND NOT EXISTS (SELECT 1 FROM activity_duespayment d WHERE d.member_id = m.id"
        " AND d.period >= %s) GROUP BY o.path",
        [path, bound, today, today, month],
    ):
        add(p, "dues", n)
    for p, level, n in _rows(
        "SELECT o.path, w.level, COUNT(*) FROM activity_memberwarning w"
        " JOIN orgs_org o ON o.id = w.org_id WHERE o.path >= %s AND o.path < %s"
        " GROUP BY o.path, w.level",
        [path, bound],
    ):
        add(p, "reviews" if level == "removal_review" else "warnings", n)
    soon = today + dt.timedelta(days=14)
    for p, due in _rows(
        "SELECT o.path, c.next_due FROM admissions_candidate c JOIN orgs_org o ON o.id = c.org_id"
        " WHERE o.path >= %s AND o.path < %s AND c.next_due <= %s"
        " AND c.stage NOT IN ('recognition_decision', 'withdrawn', 'rejected', 'not_recognized')",
        [path, bound, soon],
    ):
        due = due if isinstance(due, dt.date) else dt.date.fromisoformat(str(due))
        add(p, "admissions_overdue" if due < today else "admissions_due")
    # New members' personal histories not recorded (due soon or overdue), and recognition
    # cases sent up to the upper committee.
    for p, declared, due, escalated in _rows(
        "SELECT o.path, c.history_declared_on, c.history_due_on, c.escalated_on"
        " FROM admissions_candidate c"
        " JOIN orgs_org o ON o.id = c.org_id WHERE o.path >= %s AND o.path < %s"
        " AND ((c.history_declared_on IS NULL AND c.history_due_on <= %s)"
        " OR c.escalated_on IS NOT NULL)"
        " AND c.stage NOT IN ('recognition_decision', 'withdrawn', 'rejected', 'not_recognized')",
        [path, bound, soon],
    ):
        due = _day(due)
        if declared is None and due is not None and due <= soon:
            add(p, "histories_overdue" if due < today else "histories_due")
        if escalated is not None:
            add(p, "recognition_escalated")
    # The scope's transfers only: below the city, its orgs by path, then their events by
    # (org, kind, date); the city, the events by (kind, date). SQLite is told the order
    # (CROSS JOIN); PostgreSQL chooses it from the path range's statistics.
    sqlite = connection.vendor == "sqlite"
    orgs_first = sqlite and len(path) > step_of_city
    events_from = (
        "orgs_org o CROSS JOIN members_memberevent e ON e.org_id = o.id"
        if orgs_first
        else "members_memberevent e JOIN orgs_org o ON o.id = e.org_id"
    )
    for (p,) in _rows(
        f"SELECT o.path FROM {events_from}"  # noqa: S608
        " WHERE o.path >= %s AND o.path < %s"
        " AND e.kind IN ('transfer_out', 'temp_out') AND e.effective_date >= %s"
        " AND NOT EXISTS (SELECT 1 FROM activity_transferletter t WHERE t.event_id = e.id)",
        [path, bound, _years_ago(today)],
    ):
        add(p, "transfers_out")
    for (p,) in _rows(
        "SELECT o.path FROM members_member m JOIN orgs_org o ON o.id = m.pending_org_id"
        " WHERE o.path >= %s AND o.path < %s"
        " AND m.pending_org_id > 0 AND m.status = 'transferred_out'",
        [path, bound],
    ):
        add(p, "transfers_in")
    # Temporary transfers: each member away's latest temporary transfer out (by day, then
    # id), ending within a month of its expected end or past it.
    until = (
        "e.data ->> 'until'"
        if connection.vendor == "postgresql"
        else "json_extract(e.data, '$.until')"
    )
    latest: dict[int, tuple[Any, int, str, Any]] = {}
    # The scope's orgs by path, their members away by (org, status), each one's events by
    # member: SQLite told the order (it read every temporary transfer of the city first).
    join = "CROSS JOIN" if sqlite else "JOIN"
    by_member = " INDEXED BY mevent_member_state_idx" if sqlite else ""  # not by kind
    for member_id, day, pk, p, end in _rows(
        f"SELECT m.id, e.effective_date, e.id, o.path, {until} FROM orgs_org o"  # noqa: S608
        f" {join} members_member m ON m.org_id = o.id"
        f" {join} members_memberevent e{by_member} ON e.member_id = m.id"
        " WHERE o.path >= %s AND o.path < %s AND m.status = 'temp_away' AND e.kind = 'temp_out'",
        [path, bound],
    ):
        key = (str(day), pk)
        if member_id not in latest or key > latest[member_id][:2]:
            latest[member_id] = (*key, p, end)
    for _when, _pk, p, end in latest.values():
        if end:
            end = dt.date.fromisoformat(str(end))
            if today > end:
                add(p, "temporary_overdue")
            elif today >= _month_back(end):
                add(p, "temporary_ending")
    return out


def _month_back(day: dt.date) -> dt.date:
    """The same day a month earlier (the month's last day when it is shorter)."""
    year, month = (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _day(value: Any) -> dt.date | None:
    """A date column as a date (SQLite answers text)."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _years_ago(today: dt.date) -> dt.date:
    """Twelve months before ``today`` (the last day of the month when it is shorter)."""
    year, month = today.year - 1, today.month
    return dt.date(year, month, min(today.day, calendar.monthrange(year, month)[1]))
