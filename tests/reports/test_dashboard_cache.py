"""The dashboard's figures come from the shared cache, per scope, and are never stale."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.cache import cache
from django.utils import timezone

from chibo.core.roles import Role
from chibo.members import services as member_services
from chibo.members.models import Category, RemovalReason
from chibo.reports import cache as dashboard_cache
from chibo.reports import selectors, services
from chibo.reports.models import Indicator
from tests import factories
from tests.reports import data

pytestmark = pytest.mark.django_db


@pytest.fixture
def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def users(tree, today):
    cache.clear()
    data.admissions(tree["cell_a"], 3, Category.STUDENT, [dt.date(today.year, 1, 1)])
    data.admissions(tree["school"], 2, Category.PUPIL, [dt.date(today.year, 1, 1)])
    return {
        "uni": factories.user("cosoviec", Role.GRASSROOTS_STAFF, tree["uni"]),
        "school": factories.user("truonghoc", Role.GRASSROOTS_STAFF, tree["school"]),
        "city": factories.user("vanphong", Role.CITY_OFFICE, tree["city"]),
    }


def _total(actor, root, today) -> int:
    return selectors.dashboard(actor, root, today)["admissions"]["total_admissions"]


def test_a_second_call_is_served_from_the_cache(tree, users, today) -> None:
    key = dashboard_cache.dashboard_key(users["uni"], tree["uni"], today)
    assert cache.get(key) is None
    first = selectors.dashboard(users["uni"], tree["uni"], today)
    assert cache.get(key)["value"]["admissions"] == first["admissions"]
    assert (
        selectors.dashboard(users["uni"], tree["uni"], today)["admissions"] == first["admissions"]
    )


def test_another_subtree_never_gets_the_cached_figures(tree, users, today) -> None:
    city = tree["city"]
    assert _total(users["city"], city, today) == 5  # cached for the city's scope
    # Same org, same day, same data: other scopes count only their own subtree.
    assert _total(users["uni"], city, today) == 3
    assert _total(users["school"], city, today) == 2
    assert _total(users["city"], city, today) == 5
    keys = {dashboard_cache.dashboard_key(users[u], city, today) for u in users}
    assert len(keys) == 3
    assert dashboard_cache.dashboard_key(None, city, today) not in keys


def test_a_member_event_shows_in_the_next_dashboard(tree, users, today) -> None:
    assert _total(users["uni"], tree["uni"], today) == 3
    member = factories.member(tree["cell_a"], admitted_on=dt.date(today.year, 1, 2))
    assert _total(users["uni"], tree["uni"], today) == 4
    before = selectors.dashboard(users["uni"], tree["uni"], today)["students_abandoned"]
    member_services.member_remove(
        actor=None,
        member=member,
        effective_date=today,
        decision=member_services.Decision("3-QĐ/ĐU"),
        reason=RemovalReason.ABANDONED_ACTIVITY,
    )
    after = selectors.dashboard(users["uni"], tree["uni"], today)["students_abandoned"]
    assert after == before + 1


def test_a_target_shows_at_once(tree, users, today) -> None:
    assert selectors.dashboard(users["uni"], tree["uni"], today)["target"] is None
    services.target_set(
        actor=factories.user("captren", Role.SUPERIOR_STAFF, tree["khoi"]),
        org=tree["uni"],
        year=today.year,
        indicator=Indicator.SCHOOL_STUDENT_PUPIL_ADMISSIONS,
        value=6,
    )
    context = selectors.dashboard(users["uni"], tree["uni"], today)
    assert context["target"].value == 6
    assert context["target_pct"] == 50  # 3 of 6


def test_a_row_changed_in_place_renews_the_generation(
    users, django_capture_on_commit_callbacks
) -> None:
    from chibo.reports.apps import CHANGED_IN_PLACE

    assert "activity.Meeting" in CHANGED_IN_PLACE
    before = dashboard_cache.generation()
    with django_capture_on_commit_callbacks(execute=True):
        dashboard_cache.bump_generation()  # after the commit
    assert dashboard_cache.generation() != before


def test_the_data_version_reads_each_table_by_its_newest_id(tree, users) -> None:
    version = dashboard_cache.data_version()
    factories.member(tree["cell_a"])
    assert dashboard_cache.data_version() != version


def test_a_warnings_refresh_renews_the_generation(
    tree, users, today, django_capture_on_commit_callbacks
) -> None:
    """A refresh that only deletes warnings leaves the ids alone: its signal renews the entry."""
    from chibo.activity.services import warnings_refresh

    before = dashboard_cache.generation()
    with django_capture_on_commit_callbacks(execute=True):
        warnings_refresh(actor=None, org=tree["uni"], as_of=today, send=False)
    assert dashboard_cache.generation() != before


# --- writes renew only what they change (issue 24) ------------------------------------


def _events_sql(queries) -> list[str]:
    """The queries that group members' events (the costly part of the dashboard)."""
    return [q["sql"] for q in queries if "FROM members_memberevent e" in q["sql"]]


def _shown(context: dict) -> dict:
    """The figures the dashboard shows (the target and the org itself are read on every call)."""
    return {k: v for k, v in context.items() if k not in {"root", "target", "target_pct"}}


def test_a_meeting_edit_or_an_attendance_sheet_never_recounts_the_events(
    tree, users, today, django_capture_on_commit_callbacks
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from chibo.activity import services as activity

    city = tree["city"]
    before = selectors.dashboard(users["city"], city, today)
    factories.member(tree["cell_a"], admitted_on=dt.date(today.year - 1, 6, 1))
    held_on = today.replace(day=1)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = activity.meeting_create(
            actor=None, org=tree["cell_a"], kind="regular", held_on=held_on, confirm=True
        )
    selectors.dashboard(users["city"], city, today)  # the new member counted
    writes = [
        lambda: activity.meeting_update(actor=None, meeting=meeting, topic="Học tập Nghị quyết"),
        lambda: activity.attendance_record(
            actor=None,
            meeting=meeting,
            entries=[
                activity.AttendanceEntry(meeting.attendance.first().member.member_code, "unexcused")
            ],
        ),
    ]
    for write in writes:
        with django_capture_on_commit_callbacks(execute=True):
            write()
        with CaptureQueriesContext(connection) as queries:
            after = selectors.dashboard(users["city"], city, today)
        assert _events_sql(queries.captured_queries) == []
        assert after["admissions"]["total_admissions"] == before["admissions"]["total_admissions"]


def test_a_member_event_adds_only_the_newer_events_to_the_counts(tree, users, today) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    city = tree["city"]
    assert _total(users["city"], city, today) == 5
    member = factories.member(tree["ward"], admitted_on=today, category=Category.CADRE)
    with CaptureQueriesContext(connection) as queries:
        assert _total(users["city"], city, today) == 6
    grouped = _events_sql(queries.captured_queries)
    assert len(grouped) == 1, "the newer events are read once, for every period and kind"
    assert all("e.id >" in sql for sql in grouped), grouped  # by the primary key, never the period
    with connection.cursor() as cursor:  # and the plan reads that range, not the kind's index
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {grouped[0]}")
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
            assert "INTEGER PRIMARY KEY" in plan, plan
        else:
            # A test's table holds a few rows: once another test has run ANALYZE (an
            # import does), the planner rightly reads it whole. With whole-table reads
            # priced out, the range must still be the condition an index is read by
            # (the key, or an index ending in it), never a filter over the kind's index.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {grouped[0]}")
            plan = " ".join(row[0] for row in cursor.fetchall())
            cursor.execute("SET LOCAL enable_seqscan = on")
            assert "Index Cond: ((id >" in plan, plan
    member_services.member_remove(
        actor=None,
        member=member,
        effective_date=today,
        decision=member_services.Decision("4-QĐ/ĐU"),
        reason=RemovalReason.OTHER,
        note="Chuyển công tác ra nước ngoài",
    )
    context = selectors.dashboard(users["city"], city, today)
    cache.clear()
    assert _shown(context) == _shown(selectors.dashboard(users["city"], city, today))


def test_a_member_event_renews_the_activity_counts_only_when_it_empties_or_fills_a_cell(
    tree, users, today, monkeypatch
) -> None:
    """Who is on the rolls decides which cells are judged: an admission to a cell that
    already has members keeps the activity counts (no recount, no read of the whole
    org table); one to an empty cell renews them, and so does the removal that empties it."""
    city = tree["city"]
    computed: list[str] = []
    original = selectors.activity

    def counted(actor, root, as_of, **kwargs):
        computed.append(root.code)
        return original(actor, root, as_of, **kwargs)

    monkeypatch.setattr(selectors, "activity", counted)
    first = selectors.dashboard(users["city"], city, today)["activity"]
    assert computed == ["TU"]
    factories.member(tree["cell_a"], admitted_on=today, category=Category.CADRE)
    assert selectors.dashboard(users["city"], city, today)["activity"] == first
    assert computed == ["TU"], "cell_a already had members: the counts are kept"
    member = factories.member(tree["ward"], admitted_on=today, category=Category.CADRE)
    after = selectors.dashboard(users["city"], city, today)["activity"]
    assert computed == ["TU", "TU"], "the ward's cell had no member: the counts are renewed"
    assert after["cells_without_activity_data"] == first["cells_without_activity_data"] + 1
    member_services.member_remove(
        actor=None,
        member=member,
        effective_date=today,
        decision=member_services.Decision("5-QĐ/ĐU"),
        reason=RemovalReason.OTHER,
        note="Chuyển công tác",
    )
    emptied = selectors.dashboard(users["city"], city, today)["activity"]
    assert computed == ["TU", "TU", "TU"]
    assert emptied == first


def test_the_counts_kept_by_increments_equal_a_full_recount_after_random_writes(
    tree, users, today, monkeypatch
) -> None:
    """A random sequence of admissions, removals, expulsions and transfers through the services:
    after each, every scope's dashboard (kept up to date by increments) equals a recount
    from an empty cache.

    Two cells are tracked, so the activity counts judge them (a cell emptied or filled by
    an event changes them), and the school cell was moved from the district to the universities
    last year: an admission backdated to before the move counts under its old unit. Cells
    move again at random (``org_move``), and now and then an event is deleted or its org
    changed in place. After every step the tallies (``reports.tallies``, kept by triggers)
    equal a recount from the events, and a dashboard counted from an empty cache with the
    tallies equals one counted from the events alone."""
    import random

    from chibo.activity import tracking
    from chibo.members.models import ON_ROLLS, Member
    from chibo.orgs import services as org_services
    from chibo.reports import tallies

    rng = random.Random(24)
    cells = [tree[c] for c in ("cell_a", "cell_b", "school", "ward")]
    scopes = [(users["city"], tree["city"]), (users["uni"], tree["uni"]), (None, tree["city"])]
    scopes.append((users["school"], tree["school"]))
    scopes.append((users["city"], tree["district"]))
    start = dt.date(today.year - 1, 1, 1)
    days = (today - start).days
    for cell in (tree["cell_b"], tree["ward"]):
        tracking.tracking_set(actor=None, org=cell, set_on=start)
    moved_on = start + dt.timedelta(days=days // 2)
    org_services.org_move(
        actor=None, org=tree["school"], new_parent=tree["khoi"], effective_date=moved_on
    )
    for cell in cells:
        cell.refresh_from_db()
    movable = [tree[c] for c in ("school", "ward", "uni")]  # the university with its cells
    last_moved = {c.pk: moved_on for c in movable}
    committees = [tree["uni"], tree["district"], tree["khoi"]]
    for step in range(36):
        for actor, root in scopes:  # warm every scope's entries before the write
            selectors.dashboard(actor, root, today)
        on_rolls = list(Member.objects.filter(status__in=ON_ROLLS).order_by("id"))
        op = rng.choice(["admit", "admit", "remove", "expel", "transfer", "move"])
        decision = member_services.Decision(f"{step}-QĐ/ĐU")
        if op == "move":
            cell = rng.choice(movable)
            cell.refresh_from_db()
            gap = (today - last_moved[cell.pk]).days
            parents = [tree[c] for c in ("district", "khoi") if tree[c].pk != cell.parent_id]
            if gap >= 2:
                day = last_moved[cell.pk] + dt.timedelta(days=rng.randrange(1, min(gap, 60)))
                last_moved[cell.pk] = day
                org_services.org_move(
                    actor=None, org=cell, new_parent=rng.choice(parents), effective_date=day
                )
                for c in (*cells, *committees):
                    c.refresh_from_db()
        elif op == "admit" or not on_rolls:
            factories.member(
                rng.choice(cells),
                admitted_on=start + dt.timedelta(days=rng.randrange(days + 1)),
                category=rng.choice([Category.STUDENT, Category.PUPIL, Category.CADRE]),
            )
        else:
            member = rng.choice(on_rolls)
            if op == "remove":
                member_services.member_remove(
                    actor=None,
                    member=member,
                    effective_date=today,
                    decision=decision,
                    reason=rng.choice(list(RemovalReason.values)),
                    note="Ghi chú",
                )
            elif op == "expel":
                member_services.member_expel(
                    actor=None,
                    member=member,
                    effective_date=today,
                    decision=decision,
                    note="Kỷ luật",
                )
            else:
                target = rng.choice([c for c in cells if c.pk != member.org_id])
                member_services.member_transfer_out(
                    actor=None,
                    member=member,
                    effective_date=today,
                    decision=decision,
                    destination_org=target,
                )
        assert tallies.differences() == [], f"step {step} ({op})"
        kept = [_shown(selectors.dashboard(actor, root, today)) for actor, root in scopes]
        cache.clear()
        tallied = [_shown(selectors.dashboard(actor, root, today)) for actor, root in scopes]
        cache.clear()
        with monkeypatch.context() as patch:  # from the events alone
            patch.setattr(selectors, "_tally_spans", lambda *args: {})
            recounted = [_shown(selectors.dashboard(actor, root, today)) for actor, root in scopes]
        cache.clear()
        for i, r in enumerate(recounted):
            actor, root = scopes[i]
            without = tracking.cells_without_data(actor, under=root, as_of=today).count()
            assert r["activity"]["cells_without_activity_data"] == without
            for name, other in (("increments", kept[i]), ("tallies", tallied[i])):
                diff = {key: (other[key], r[key]) for key in r if other.get(key) != r[key]}
                assert not diff, f"step {step} ({op}), scope {i}, {name}: {diff}"
    # Events deleted, or their org or day changed in place: the triggers follow.
    from chibo.members.models import MemberEvent

    events = list(MemberEvent.objects.filter(kind="admitted").order_by("id"))
    MemberEvent.objects.filter(pk=events[0].pk).update(org=tree["ward"])
    MemberEvent.objects.filter(pk=events[1].pk).update(effective_date=start)
    MemberEvent.objects.filter(pk__in=[e.pk for e in events[2:4]]).delete()
    assert tallies.differences() == []


def test_the_first_dashboard_reads_the_tallies_and_only_this_month_of_events(tree, users) -> None:
    """After a restart (empty cache) the dashboard reads the tallies for whole months and
    the events only for the month in progress; the figures equal a count from the events."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from chibo.reports import tallies

    day = dt.date(2026, 12, 7)
    for year in (2022, 2025, 2026):
        data.admissions(tree["cell_a"], 2, Category.STUDENT, [dt.date(year, 3, 1)])
    data.admissions(tree["school"], 1, Category.PUPIL, [dt.date(2026, 12, 2)])
    cache.clear()
    city = tree["city"]
    with CaptureQueriesContext(connection) as queries:
        context = selectors.dashboard(users["city"], city, day)
    read = [q["sql"] for q in queries.captured_queries if tallies.TABLE in q["sql"]]
    assert len(read) == 1, "one statement reads every period's tallies"
    for sql in _events_sql(queries.captured_queries):
        # only the days of December (this year's, and last year's for the same period)
        assert re.search(
            r"date >= '\d{4}-12-01'(::date)? AND e.effective_date <= '\d{4}-12-07'", sql
        )
    trend = {r["year"]: r["total_admissions"] for r in context["admissions_trend"]}
    assert trend[2022] == 2 and trend[2025] == 2
    cache.clear()
    original = selectors._tally_spans
    selectors._tally_spans = lambda *args: {}
    try:
        counted = selectors.dashboard(users["city"], city, day)
    finally:
        selectors._tally_spans = original
    assert _shown(counted) == _shown(context)


def test_the_tallies_command_verifies_and_rebuilds(tree, users, today) -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError
    from django.db import connection

    from chibo.reports import tallies

    out = io.StringIO()
    call_command("tallies", stdout=out)
    assert "khớp" in out.getvalue()
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {tallies.TABLE} SET n = n + 1")  # noqa: S608
    with pytest.raises(CommandError, match="dòng số đếm sai"):
        call_command("tallies", stdout=io.StringIO())
    out = io.StringIO()
    call_command("tallies", "--rebuild", stdout=out)
    assert "Đã đếm lại" in out.getvalue()
    assert tallies.differences() == []


# --- a write renews only the dashboards whose subtree holds it (issue 24, session 6) -----


def _spy(monkeypatch, module, name: str) -> list[tuple]:
    """Each call of ``module.name``: its arguments, then its keyword arguments (the call
    still runs)."""
    calls: list[tuple] = []
    original = getattr(module, name)

    def spied(*args, **kwargs):
        calls.append((*args, kwargs))
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, spied)
    return calls


def test_an_event_in_another_subtree_folds_and_counts_nothing_again(
    tree, users, today, monkeypatch
) -> None:
    """An admission in the district, a new meeting there and a meeting moved to another month
    there leave the university's dashboard as it was: its figures are not folded again and
    its activity counts not recounted (before: every scope's were, after any of them).
    The city's dashboard, whose subtree holds them, shows them."""
    from chibo.activity import services as activity

    uni, city = tree["uni"], tree["city"]
    for cell in (tree["ward"], tree["cell_a"]):
        factories.member(cell, admitted_on=dt.date(today.year - 1, 3, 1))
    selectors.dashboard(users["uni"], uni, today)
    selectors.dashboard(users["city"], city, today)
    folded = _spy(monkeypatch, selectors.figures, "admissions")
    counted = _spy(monkeypatch, selectors, "activity")
    held_on = today.replace(day=1)
    factories.member(tree["ward"], admitted_on=today, category=Category.CADRE)
    meeting = activity.meeting_create(
        actor=None, org=tree["school"], kind="regular", held_on=held_on, confirm=True
    )
    meeting.attendance.all().delete()  # a sheet keeps the meeting in its month
    earlier = (held_on - dt.timedelta(days=1)).replace(day=1)
    activity.meeting_update(actor=None, meeting=meeting, held_on=earlier, confirm=True)
    kept = selectors.dashboard(users["uni"], uni, today)
    assert folded == [] and counted == [], "nothing of the university's subtree changed"
    assert kept["admissions"]["total_admissions"] == 3
    shown = _shown(selectors.dashboard(users["city"], city, today))
    assert [args[1].code for args in counted] == ["TU"]
    assert shown["admissions"]["total_admissions"] == 6
    cache.clear()
    assert shown == _shown(selectors.dashboard(users["city"], city, today))
    assert _shown(kept) == _shown(selectors.dashboard(users["uni"], uni, today))


def test_a_meeting_edit_renews_the_activity_counts_only_when_a_counted_field_changes(
    tree, users, today, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    """A meeting's topic or minutes change no figure: nothing is counted again (before:
    every dashboard's counts were). Moved to another month, the meeting renews the counts
    of the dashboards above its cell only."""
    from chibo.activity import services as activity

    city, district = tree["city"], tree["district"]
    factories.member(tree["cell_a"], admitted_on=dt.date(today.year - 1, 3, 1))
    held_on = today.replace(day=1)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = activity.meeting_create(
            actor=None, org=tree["cell_b"], kind="regular", held_on=held_on, confirm=True
        )
    meeting.attendance.all().delete()  # a sheet keeps the meeting in its month
    for root in (city, district, tree["uni"]):
        selectors.dashboard(users["city"], root, today)
    counted = _spy(monkeypatch, selectors, "activity")
    with django_capture_on_commit_callbacks(execute=True):
        activity.meeting_update(
            actor=None, meeting=meeting, topic="Học tập Nghị quyết", minutes="Biên bản"
        )
    for root in (city, district, tree["uni"]):
        selectors.dashboard(users["city"], root, today)
    assert counted == []
    earlier = (held_on - dt.timedelta(days=1)).replace(day=1)
    with django_capture_on_commit_callbacks(execute=True):
        activity.meeting_update(actor=None, meeting=meeting, held_on=earlier, confirm=True)
    moved = {
        root.code: selectors.dashboard(users["city"], root, today)["activity"]
        for root in (city, district, tree["uni"])
    }
    assert sorted(args[1].code for args in counted) == ["BK", "TU"]
    cache.clear()
    for root in (city, district, tree["uni"]):
        assert moved[root.code] == selectors.dashboard(users["city"], root, today)["activity"]


def test_an_admission_in_the_subtree_ranks_only_its_unit_again(
    tree, users, today, monkeypatch
) -> None:
    """After an admission in the city, this year's admissions are not folded again unit by
    unit: the unit's counts are added to the kept sums, the shown units ranked among the
    first ones and that unit; the figures equal a count from an empty cache."""
    city = tree["city"]
    selectors.dashboard(users["city"], city, today)
    folded = _spy(monkeypatch, selectors.figures, "admissions")
    factories.member(tree["ward"], admitted_on=today, category=Category.CADRE)
    context = selectors.dashboard(users["city"], city, today)
    assert folded, "the other periods are folded from their rows (one unit: the city)"
    for *_args, kwargs in folded:
        assert {row[0] for row in kwargs["rows"]} <= {city.pk}, "no unit folded again"
    assert context["admissions"]["total_admissions"] == 6
    by_unit = {r["org"]: r["total_admissions"] for r in context["admissions_by_unit"]}
    assert by_unit == {"KDHCD": 3, "Q1": 3}
    cache.clear()
    assert _shown(context) == _shown(selectors.dashboard(users["city"], city, today))
