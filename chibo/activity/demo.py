"""Demo data: five years of cell meetings, attendance and dues over the members already seeded.

Reads the org tree and the members' event logs from the database and
bulk-inserts (raw ``executemany`` on SQLite, ``COPY`` on PostgreSQL):

- a regular meeting per cell per month, a thematic one per quarter; a few
  cells skip their recent meetings (they show on the superior's dashboard);
- attendance for every member expected that day (member of the cell with
  status active), mostly present, a few excused, rare unexcused;
- monthly dues, mostly on time, some in advance;
- lapses concentrated among final-year students (graduating within a year
  or already graduated and still on the rolls): from some month they stop
  coming and stop paying, so some reach ``warning`` and ``removal_review``.

For large loads (the 400,000-member bench) the attendance indexes are
dropped during the load and rebuilt afterwards, and on PostgreSQL the foreign
keys of attendance and dues are added back after their COPY. The loaded tables
are analyzed at the end: the warnings that follow are planned on their real size.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction

from chibo.activity import periods, tracking
from chibo.activity.models import AbsenceReason, Attendance
from chibo.core import bulk
from chibo.members.models import Category, MemberEvent, Status
from chibo.orgs.models import CELL_KINDS, Org

YEARS = 5
BIG_LOAD = 1_000_000  # rows above which indexes and foreign keys are rebuilt after the load
STUDENT_DUES_2026 = dt.date(2026, 2, 1)


class _Line:
    """A member's (date, org, status) states, for "expected on that day"."""

    __slots__ = ("dates", "states")

    def __init__(self) -> None:
        self.dates: list[dt.date] = []
        self.states: list[tuple[int, str]] = []

    def on(self, day: dt.date) -> tuple[int, str] | None:
        i = bisect.bisect_right(self.dates, day)
        return self.states[i - 1] if i else None


def _timelines() -> dict[int, _Line]:
    lines: dict[int, _Line] = defaultdict(_Line)
    rows = MemberEvent.objects.order_by("member_id", "effective_date", "id").values_list(
        "member_id", "effective_date", "org_id", "status_after"
    )
    for member_id, day, org_id, status in rows.iterator(chunk_size=50_000):
        line = lines[member_id]
        if line.dates and line.dates[-1] == day:
            line.states[-1] = (org_id, status)
        else:
            line.dates.append(day)
            line.states.append((org_id, status))
    return lines


def _meeting_days(
    rng: random.Random, cells: list[Org], months: list[dt.date], today: dt.date, skipping: set[int]
) -> list[tuple[int, dt.date, str]]:
    out = []
    recent = periods.shift(periods.month_of(today), -3)
    for cell in cells:
        for month in months:
            if cell.opened_on > month or (
                cell.closed_on and cell.closed_on <= periods.month_end(month)
            ):
                continue
            skip = (cell.pk in skipping and month >= recent) or rng.random() < 0.01
            day = month.replace(day=rng.randint(3, 12))
            if not skip and day <= today:
                out.append((cell.pk, day, "regular"))
            if month.month % 3 == 2 and not (cell.pk in skipping and month >= recent):
                thematic = month.replace(day=rng.randint(18, 26))
                if thematic <= today and rng.random() > 0.03:
                    out.append((cell.pk, thematic, "thematic"))
    return out


def seed_demo(*, rng: random.Random, today: dt.date, scale: float) -> dict[str, int]:
    """Meetings, attendance and dues for the members in the database (5 years up to ``today``)."""
    return seed(rng=rng, today=today)


def seed(*, rng: random.Random, today: dt.date, dues_years: int = 0) -> dict[str, int]:
    """``seed_demo``; ``dues_years`` limits dues to the last years (benchmarks), 0 = all five."""
    months = periods.span(
        periods.shift(periods.month_of(today), -12 * YEARS + 1), periods.month_of(today)
    )
    cells = list(Org.objects.filter(kind__in=CELL_KINDS).only("id", "opened_on", "closed_on"))
    if not cells:
        return {"meetings": 0, "attendance": 0, "dues_payments": 0}
    skipping = {c.pk for c in rng.sample(cells, max(1, len(cells) // 30))}
    lines = _timelines()
    members = {pk: (cat, grad, admitted) for pk, cat, grad, admitted in _members_info()}
    reasons: list[int | None] = [
        *AbsenceReason.objects.filter(active=True).values_list("id", flat=True)
    ] or [None]
    # Lapses: from a month in the last 8 a member stops coming and paying. Final-year students
    # (graduating within a year, or graduated and still here) lapse most; others rarely.
    horizon = periods.shift(periods.month_of(today), 12)
    lapse: dict[int, dt.date] = {}
    for pk, (cat, grad, _adm) in members.items():
        if cat == Category.STUDENT and grad is not None and grad <= horizon:
            chance = 0.4
        elif cat in (Category.STUDENT, Category.PUPIL):
            chance = 0.04
        else:
            chance = 0.004
        if rng.random() < chance:
            lapse[pk] = periods.shift(periods.month_of(today), -rng.randint(1, 8))
    # Members by cell (anyone ever in it), to list each meeting's roster quickly.
    by_cell: dict[int, list[int]] = defaultdict(list)
    for pk, line in lines.items():
        for org_id in {org for org, _status in line.states}:
            by_cell[org_id].append(pk)
    days = _meeting_days(rng, cells, months, today, skipping)
    expected_rows = len(days) * max(1, len(lines) // max(1, len(cells)))
    # SQLite cannot change its schema inside a transaction: only outside one (the bench) are indexes rebuilt.
    big = expected_rows > BIG_LOAD and (
        connection.vendor == "postgresql" or not connection.in_atomic_block
    )
    with transaction.atomic():
        n_meetings = bulk.insert_rows(
            "activity_meeting",
            [
                "org_id",
                "kind",
                "held_on",
                "month",
                "online",
                "place",
                "topic",
                "agenda",
                "documents",
                "minutes",
                "resolution",
                "recorded_at",
                "updated_at",
            ],
            (
                (
                    org_id,
                    kind,
                    day.isoformat(),
                    day.replace(day=1).isoformat(),
                    False,
                    "Phòng họp chi bộ",
                    "Sinh hoạt chuyên đề" if kind == "thematic" else "",
                    "",
                    "",
                    "",
                    "",
                    _stamp(day),
                    _stamp(day),
                )
                for org_id, day, kind in days
            ),
        )
    ids = _meeting_ids()
    if big:  # rebuilding the indexes after the load is several times faster than keeping them
        _drop_indexes()

    def attendance() -> Iterator[tuple[Any, ...]]:
        for org_id, day, kind in days:
            meeting_id = ids[(org_id, day.isoformat(), kind)]
            month = day.replace(day=1)
            month_text = month.isoformat()
            for pk in by_cell.get(org_id, ()):
                state = lines[pk].on(day)
                if state is None or state[0] != org_id or state[1] != Status.ACTIVE:
                    continue
                r = rng.random()
                if pk in lapse and month >= lapse[pk] and r < 0.75:
                    status, reason = "unexcused", None
                elif r < 0.035:
                    status, reason = "excused", rng.choice(reasons)
                elif r < 0.040:
                    status, reason = "unexcused", None
                else:
                    status, reason = "present", None
                yield (meeting_id, pk, status, reason, "", True, False, org_id, month_text)

    try:
        with _load("activity_attendance", big=big):
            n_attendance = bulk.insert_rows(
                "activity_attendance",
                [
                    "meeting_id",
                    "member_id",
                    "status",
                    "reason_id",
                    "note",
                    "expected",
                    "attached",
                    "org_id",
                    "month",
                ],
                attendance(),
            )
    finally:
        if big:
            _create_indexes()
    dues_from = (
        periods.shift(periods.month_of(today), -12 * dues_years + 1) if dues_years else months[0]
    )
    dues_months = [m for m in months if m >= dues_from]
    with _load("activity_duespayment", big=len(lines) * len(dues_months) > BIG_LOAD):
        n_dues = bulk.insert_rows(
            "activity_duespayment",
            [
                "member_id",
                "period",
                "amount_vnd",
                "paid_on",
                "method",
                "reference",
                "org_id",
                "recorded_at",
            ],
            _dues(rng, lines, members, lapse, dues_months, today),
        )
    tracking.rebuild()  # the rows above were written without the services: read the starts
    _analyze()
    return {"meetings": n_meetings, "attendance": n_attendance, "dues_payments": n_dues}


LOADED = ("activity_meeting", "activity_attendance", "activity_duespayment", "activity_tracking")


def _analyze() -> None:
    """Fresh statistics for the tables just loaded, before anything reads them.

    Statistics taken while a table was empty (a fresh or emptied database) describe it as
    empty however many rows it holds now: PostgreSQL's planner then nests a scan of all
    attendance inside the warnings' absence query, minutes for 300 members instead of a
    fraction of a second.
    """
    with connection.cursor() as cursor:
        for table in LOADED:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def _stamp(day: dt.date) -> str:
    if connection.vendor == "postgresql":
        return f"{day.isoformat()} 13:00:00+00"
    return f"{day.isoformat()} 13:00:00"


def _members_info() -> Iterator[tuple[int, str, dt.date | None, dt.date]]:
    from chibo.members.models import Member

    return Member.objects.values_list(
        "id", "category", "expected_graduation", "admitted_on"
    ).iterator(chunk_size=50_000)


def _meeting_ids() -> dict[tuple[int, str, str], int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, org_id, held_on, kind FROM activity_meeting")
        return {(o, str(d), k): pk for pk, o, d, k in cursor.fetchall()}


def _dues(
    rng: random.Random,
    lines: dict[int, _Line],
    members: dict[int, tuple[str, Any, dt.date]],
    lapse: dict[int, dt.date],
    months: list[dt.date],
    today: dt.date,
) -> Iterator[tuple[Any, ...]]:
    current = periods.month_of(today)
    for pk, line in lines.items():
        category = members.get(pk, ("", None, None))[0]
        flat = category in (Category.STUDENT, Category.PUPIL)
        salary_dues = rng.randrange(50_000, 160_000, 1000)
        careless = rng.random() < 0.03
        for month in months:
            if month >= current and rng.random() > 0.05:  # a few pay ahead
                continue
            start, end = line.on(month), line.on(periods.month_end(month))
            if (
                not start
                or not end
                or start[1] not in ("active", "temp_away")
                or end[1] not in ("active", "temp_away")
            ):
                continue
            if pk in lapse and month >= lapse[pk]:
                continue
            if careless and rng.random() < 0.08:
                continue
            amount = (5000 if month >= STUDENT_DUES_2026 else 2000) if flat else salary_dues
            paid = month.replace(day=rng.randint(5, 25))
            if paid > today:
                paid = today
            yield (
                pk,
                month.isoformat(),
                amount,
                paid.isoformat(),
                "cash" if rng.random() < 0.8 else "online",
                "",
                end[0],
                _stamp(paid),
            )


@contextmanager
def _load(table: str, *, big: bool) -> Iterator[None]:
    """An atomic block for loading ``table``; on PostgreSQL, when ``big``, without its foreign keys.

    Django's foreign keys are DEFERRABLE INITIALLY DEFERRED: every COPYed row queues a
    check that probes the referenced table at commit, one row at a time; adding a key back
    checks the whole table in one join. Same names and definitions
    (``pg_get_constraintdef``), so the schema stays the migrations' one. If the load
    fails, the rollback of this block brings the keys back.
    """
    with transaction.atomic():
        keys = _drop_foreign_keys(table) if big and connection.vendor == "postgresql" else []
        yield
        with connection.cursor() as cursor:
            for name, definition in keys:
                cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def _drop_foreign_keys(table: str) -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        # Checks still pending (the meetings' COPY) would make PostgreSQL refuse to drop a
        # key that references their table: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE contype = 'f' AND conrelid = %s::regclass ORDER BY conname",
            [table],
        )
        keys = cursor.fetchall()
        for name, _definition in keys:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    return keys


UNIQUE = "attendance_unique_meeting_member"


def _drop_indexes() -> None:
    """Raw SQL: SQLite's schema editor would rebuild the whole table to drop a constraint."""
    with connection.cursor() as cursor:
        for index in Attendance._meta.indexes:
            cursor.execute(f'DROP INDEX IF EXISTS "{index.name}"')
        if connection.vendor == "postgresql":
            cursor.execute(f'ALTER TABLE activity_attendance DROP CONSTRAINT IF EXISTS "{UNIQUE}"')
        else:
            cursor.execute(f'DROP INDEX IF EXISTS "{UNIQUE}"')


def _create_indexes() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The COPY left deferred foreign-key checks pending: PostgreSQL refuses
            # ALTER TABLE until they have run.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                f'ALTER TABLE activity_attendance ADD CONSTRAINT "{UNIQUE}" UNIQUE (meeting_id, member_id)'
            )
        else:
            cursor.execute(
                f'CREATE UNIQUE INDEX "{UNIQUE}" ON activity_attendance (meeting_id, member_id)'
            )
    with connection.schema_editor(atomic=False) as editor:
        for index in Attendance._meta.indexes:
            editor.execute(index.create_sql(Attendance, editor))
