"""Scale benchmark: chibo's real code paths next to hand-written SQL for the same answer.

Runs against an already seeded database (``DATABASE_URL``; ``chibo seed-demo
--members N``) and prints one row per case: the median and p95 of the ORM
path (what a page or a report really runs), the median of the floor (the
same answer by hand-written SQL on the same connection) and the ratio.

    DATABASE_URL=postgres://... .venv/bin/python bench/scale.py [--repeat 15] [--json out.json]

Used by tests/scale/test_scale.py (``make bench``) and bench/run-scale
(``make bench-scale``, 5.5M). docs/performance.md explains the cases.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chibo.settings")
os.environ.setdefault("DEBUG", "false")  # no query log in memory
os.environ.setdefault("CHIBO_2FA_REQUIRED", "false")  # demo accounts have no second factor
os.environ.setdefault("TASKS_BACKEND", "immediate")

import django

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from chibo.lib.text import fold, prefix_upper_bound  # noqa: E402
from chibo.members import selectors as member_sel  # noqa: E402
from chibo.members.models import ON_ROLLS, Member  # noqa: E402
from chibo.orgs.models import Org  # noqa: E402
from chibo.orgs.selectors import subtree_member_counts  # noqa: E402

SEARCHES = [
    "nguyen van",
    "tran thi",
    "le",
    "an",
    "pham minh",
    "hoang",
    "vo thi",
    "dang",
    "huy",
    "ngoc",
]
ON_ROLLS_SQL = "(" + ", ".join(f"'{s}'" for s in ON_ROLLS) + ")"
COUNT_SUBTREE_SQL = (
    "SELECT COUNT(*) FROM members_member m JOIN orgs_org o ON o.id = m.org_id "  # noqa: S608
    f"WHERE o.path >= %s AND o.path < %s AND m.status IN {ON_ROLLS_SQL}"
)


def q(sql: str, params: list[Any] | tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    answer = fn()
    return (time.perf_counter() - started) * 1000, answer


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


class Bench:
    def __init__(self, repeat: int) -> None:
        self.repeat = repeat
        self.rows: list[dict[str, Any]] = []

    def case(
        self,
        name: str,
        orm: Callable[[], Any],
        floor: Callable[[], Any] | None,
        *,
        repeat: int | None = None,
        same: Callable[[Any, Any], bool] | None = None,
        kind: str = "page",
    ) -> None:
        n = repeat or self.repeat
        orm_times: list[float] = []
        sql_times: list[float] = []
        orm_answer = sql_answer = None
        orm()  # warm caches (both paths get one warm-up run)
        if floor:
            floor()
        for _ in range(n):  # interleaved: noise hits both sides alike
            ms, orm_answer = timed(orm)
            orm_times.append(ms)
            if floor:
                ms, sql_answer = timed(floor)
                sql_times.append(ms)
        row = {
            "case": name,
            "kind": kind,
            "runs": n,
            "orm_p50_ms": round(statistics.median(orm_times), 1),
            "orm_p95_ms": round(pct(orm_times, 95), 1),
            "sql_p50_ms": round(statistics.median(sql_times), 1) if sql_times else None,
            "ratio": round(
                statistics.median(orm_times) / max(statistics.median(sql_times), 0.01), 2
            )
            if sql_times
            else None,
            "same_answer": (same or (lambda a, b: a == b))(orm_answer, sql_answer)
            if floor
            else None,
        }
        self.rows.append(row)
        print(
            f"  {name:<44} orm p50 {row['orm_p50_ms']:>9.1f} ms  p95 {row['orm_p95_ms']:>9.1f}"
            f"  sql p50 {row['sql_p50_ms'] if row['sql_p50_ms'] is not None else '-':>9}"
            f"  ratio {row['ratio'] if row['ratio'] is not None else '-':>5}"
            f"  same={row['same_answer']}",
            flush=True,
        )


# --- the cases -------------------------------------------------------------------------


def member_search(b: Bench, actor: User) -> None:
    """The member list filtered by a name: count + first page of 50, whole city scope."""
    root = Org.objects.filter(parent__isnull=True).order_by("path").first()
    times_orm: list[float] = []
    times_sql: list[float] = []
    same = True
    for _ in range(max(1, b.repeat // 5)):
        for text in SEARCHES:
            flt = member_sel.MemberFilter(q=text, status="on_rolls")

            def orm(flt: member_sel.MemberFilter = flt) -> tuple[int, list[str]]:
                qs = member_sel.member_list(actor, flt)
                return qs.count(), [m.member_code for m in qs[:50]]

            folded = fold(text)
            bound = prefix_upper_bound(folded)
            given = "" if " " in folded else " OR (m.given_folded >= %s AND m.given_folded < %s)"
            where = (
                f"o.path >= %s AND o.path < %s AND m.status IN {ON_ROLLS_SQL} AND "
                f"((m.name_folded >= %s AND m.name_folded < %s) OR m.member_code IN (%s, %s){given})"
            )
            params = [root.path, root.path_bound, folded, bound, text, text.upper()]
            if given:
                params += [folded, bound]

            def floor(where: str = where, params: list[Any] = params) -> tuple[int, list[str]]:
                base = f"FROM members_member m JOIN orgs_org o ON o.id = m.org_id WHERE {where}"
                count = q(f"SELECT COUNT(*) {base}", params)[0][0]
                codes = q(
                    f"SELECT m.member_code {base} ORDER BY m.name_folded, m.member_code LIMIT 50",
                    params,
                )
                return count, [c for (c,) in codes]

            orm()
            ms, a = timed(orm)
            times_orm.append(ms)
            ms, f = timed(floor)
            times_sql.append(ms)
            same = same and a == f
    b.rows.append(
        {
            "case": "member search (10 names, city scope)",
            "kind": "page",
            "runs": len(times_orm),
            "orm_p50_ms": round(statistics.median(times_orm), 1),
            "orm_p95_ms": round(pct(times_orm, 95), 1),
            "sql_p50_ms": round(statistics.median(times_sql), 1),
            "ratio": round(
                statistics.median(times_orm) / max(statistics.median(times_sql), 0.01), 2
            ),
            "same_answer": same,
        }
    )
    r = b.rows[-1]
    print(
        f"  {r['case']:<44} orm p50 {r['orm_p50_ms']:>9.1f} ms  p95 {r['orm_p95_ms']:>9.1f}"
        f"  sql p50 {r['sql_p50_ms']:>9}  ratio {r['ratio']:>5}  same={same}",
        flush=True,
    )


def list_pages(b: Bench, actors: dict[str, User]) -> None:
    """The member list page, rendered (server time, in process), next to its two queries in SQL."""
    for label, actor in actors.items():
        client = Client()
        client.force_login(actor)
        session = client.session
        session["chibo_2fa_user"] = actor.pk  # the demo account's second factor, passed
        session.save()
        ranges = member_sel.scope_for(actor, "member.view").ranges
        path, bound = ranges[0]

        def orm(client: Client = client) -> int:
            response = client.get("/members/")
            assert response.status_code == 200, response.status_code
            return response.status_code

        def floor(path: str = path, bound: str = bound) -> int:
            base = (
                "FROM members_member m JOIN orgs_org o ON o.id = m.org_id "
                f"WHERE o.path >= %s AND o.path < %s AND m.status IN {ON_ROLLS_SQL}"
            )
            q(f"SELECT COUNT(*) {base}", [path, bound])
            q(
                f"SELECT m.*, o.* {base} ORDER BY m.name_folded, m.member_code LIMIT 50",
                [path, bound],
            )
            return 200

        b.case(f"member list page /members/ ({label})", orm, floor)

        member = member_sel.member_list(actor, member_sel.MemberFilter(status="on_rolls")).first()

        def detail(client: Client = client, code: str = member.member_code) -> int:
            response = client.get(f"/members/{code}/")
            assert response.status_code == 200, response.status_code
            return 200

        def detail_floor(pk: int = member.pk) -> int:
            q(
                "SELECT * FROM members_member m JOIN orgs_org o ON o.id = m.org_id WHERE m.id = %s",
                [pk],
            )
            q(
                "SELECT * FROM members_memberevent WHERE member_id = %s ORDER BY effective_date DESC, id DESC",
                [pk],
            )
            return 200

        b.case(f"member detail page ({label})", detail, detail_floor)


def subtree_counts(b: Bench) -> None:
    root = Org.objects.filter(parent__isnull=True).order_by("path").first()
    # A ward: the committee of a phường (or, failing that, the biggest depth-3 org).
    ward = (
        Org.objects.filter(name__icontains="phường", closed_on__isnull=True)
        .order_by("path")
        .first()
        or Org.objects.filter(parent__parent__parent=root).order_by("-id").first()
    )
    for label, org in (("city root", root), (f"ward {ward.code}", ward)):

        def orm(org: Org = org) -> int:
            return subtree_member_counts([org])[org.pk]

        def floor(org: Org = org) -> int:
            return q(
                COUNT_SUBTREE_SQL,
                [org.path, org.path_bound],
            )[0][0]

        b.case(f"org subtree count ({label})", orm, floor)


def reports(b: Bench, actor: User, as_of: dt.date) -> None:
    try:
        from chibo.reports import selectors as rep
    except ImportError:
        print("  reports: app not available (skipped)")
        return
    root = rep.report_root(actor)
    start, end = dt.date(as_of.year - 1, 1, 1), dt.date(as_of.year - 1, 12, 31)

    def adm() -> int:
        return rep.admissions(actor, root, start, end).counts.total

    def adm_floor() -> int:
        return q(
            "SELECT COUNT(*) FROM members_memberevent e JOIN orgs_org o ON o.id = e.org_id "
            "WHERE e.kind = 'admitted' AND e.effective_date BETWEEN %s AND %s "
            "AND o.path >= %s AND o.path < %s",
            [start, end, root.path, root.path_bound],
        )[0][0]

    b.case(f"admissions report {start.year} (whole scope)", adm, adm_floor, repeat=5, kind="report")

    def rem() -> int:
        report = rep.removals(actor, root, start, end)
        return report.removed + report.expelled

    def rem_floor() -> int:
        return q(
            "SELECT COUNT(*) FROM members_memberevent e JOIN orgs_org o ON o.id = e.org_id "
            "WHERE e.kind IN ('removed', 'expelled') AND e.effective_date BETWEEN %s AND %s "
            "AND o.path >= %s AND o.path < %s",
            [start, end, root.path, root.path_bound],
        )[0][0]

    b.case(
        f"removals report {start.year} (whole scope)",
        rem,
        rem_floor,
        repeat=5,
        kind="report",
        same=lambda a, f: a is not None and f is not None and abs(a - f) <= max(5, f // 50),
    )

    def comp() -> int:
        return rep.composition(actor, root, as_of).total

    def comp_floor() -> int:
        # Members on the rolls today (the data ends the day before as_of).
        return q(
            COUNT_SUBTREE_SQL,
            [root.path, root.path_bound],
        )[0][0]

    b.case("composition report today (whole scope)", comp, comp_floor, repeat=5, kind="report")


def activity(b: Bench, actor: User, as_of: dt.date) -> None:
    try:
        from chibo.activity import selectors as act
        from chibo.activity import services as act_services
        from chibo.activity.models import Meeting
    except ImportError:
        print("  activity: app not available (skipped)")
        return
    root = Org.objects.filter(parent__isnull=True).order_by("path").first()
    months = [
        dt.date(as_of.year - (1 if as_of.month <= i else 0), (as_of.month - 1 - i) % 12 + 1, 1)
        for i in range(12)
    ]
    first = min(months)

    def refresh() -> int:
        with transaction.atomic():
            counts = act_services.warnings_refresh(actor=None, org=root, as_of=as_of, send=False)
            transaction.set_rollback(True)  # measure, keep the stored warnings as they were
        return counts["warning"] + counts["removal_review"]

    def refresh_floor() -> int:
        # Lower bound, not the same answer: the two scans the refresh cannot avoid
        # (attendance and dues of the 12-month window, grouped per member).
        q(
            "SELECT member_id, COUNT(*) FROM activity_attendance WHERE month >= %s "
            "AND status <> 'present' GROUP BY member_id",
            [first],
        )
        q(
            "SELECT member_id, COUNT(*) FROM activity_duespayment WHERE period >= %s GROUP BY member_id",
            [first],
        )
        return -1

    b.case(
        "warnings refresh (whole city)",
        refresh,
        refresh_floor,
        repeat=3,
        kind="report",
        same=lambda a, f: None,
    )

    # One org's warnings page: the biggest grassroots org with warnings.
    row = q(
        "SELECT org_id FROM activity_memberwarning GROUP BY org_id ORDER BY COUNT(*) DESC LIMIT 1"
    )
    if row:
        cell = Org.objects.get(pk=row[0][0])
        viewer = _user_covering(cell)

        def page() -> int:
            return len(act.warnings_for(viewer, cell))

        def page_floor() -> int:
            return len(
                q(
                    "SELECT w.*, m.*, o.* FROM activity_memberwarning w JOIN orgs_org o ON o.id = w.org_id "
                    "JOIN members_member m ON m.id = w.member_id WHERE o.path >= %s AND o.path < %s",
                    [cell.path, cell.path_bound],
                )
            )

        b.case(f"warnings of one org ({cell.code})", page, page_floor)

    # Attendance sheet of a ~200-member cell: its latest meeting.
    row = q(
        "SELECT org_id FROM members_member WHERE status = 'active' GROUP BY org_id "
        "ORDER BY ABS(COUNT(*) - 200) LIMIT 1"
    )
    cell = Org.objects.get(pk=row[0][0])
    meeting = Meeting.objects.filter(org=cell).order_by("-held_on").first()
    if meeting is None:
        print(f"  attendance sheet: no meeting for {cell.code} (skipped)")
        return

    def sheet() -> int:
        s = act.attendance_sheet(meeting)
        return len(s.expected) + len(s.attached)

    def sheet_floor() -> int:
        return len(
            q(
                "SELECT m.id, m.member_code, m.full_name, a.status FROM members_member m "
                "LEFT JOIN activity_attendance a ON a.member_id = m.id AND a.meeting_id = %s "
                "WHERE m.org_id = %s AND m.status = 'active' ORDER BY m.name_folded",
                [meeting.pk, cell.pk],
            )
        )

    size = Member.objects.filter(org=cell, status="active").count()
    b.case(
        f"attendance sheet ({size}-member cell)",
        sheet,
        sheet_floor,
        same=lambda a, f: abs(a - f) <= max(2, f // 20),
    )


def _user_covering(org: Org) -> User:
    from chibo.accounts.models import RoleAssignment

    ra = (
        RoleAssignment.objects.filter(role__in=["city_office", "superior_staff"])
        .select_related("user", "org")
        .order_by("org__path")
    )
    for assignment in ra:
        if org.path.startswith(assignment.org.path):
            return assignment.user
    raise LookupError(org.code)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=int(os.environ.get("BENCH_REPEAT", "15")))
    parser.add_argument("--json", type=Path)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=None)
    args = parser.parse_args()
    members = Member.objects.count()
    as_of = args.as_of or (
        Member.objects.order_by("-last_event_on").values_list("last_event_on", flat=True).first()
        + dt.timedelta(days=1)
    )
    print(
        f"== chibo scale bench: {connection.vendor}, {members:,} members, as of {as_of}", flush=True
    )
    b = Bench(args.repeat)
    city = User.objects.get(username="vanphong")
    actors = {"city office, whole city": city}
    if User.objects.filter(username="bithu").exists():
        actors["cell secretary"] = User.objects.get(username="bithu")
    started = time.perf_counter()
    member_search(b, city)
    list_pages(b, actors)
    subtree_counts(b)
    reports(b, city, as_of)
    activity(b, city, as_of)
    result = {
        "vendor": connection.vendor,
        "members": members,
        "as_of": as_of.isoformat(),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": f"{os.cpu_count()} cores, {_mem_gib()} GiB",
        "seconds": round(time.perf_counter() - started, 1),
        "rows": b.rows,
    }
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, default=str))
    print(f"== done in {result['seconds']} s", flush=True)


def _mem_gib() -> int:
    try:
        with open("/proc/meminfo") as f:
            return round(int(f.readline().split()[1]) / 1024 / 1024)
    except OSError:
        return 0


if __name__ == "__main__":
    main()
