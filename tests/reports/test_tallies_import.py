"""Imports and the dashboard's event tallies (``reports.tallies``, issue 24).

A first import (``core.bulk.indexes_deferred``: the members tables near-empty and the
batch large) turns the tally triggers off, writes, and adds its events to the tallies in
ONE set-based statement before commit; an import into a populated database keeps the
triggers (PostgreSQL: once per statement; SQLite: once per row). After either, the
tallies equal a full recount from the events (``chibo tallies`` finds no difference),
and the triggers are on again for the next write. Run on both databases
(PostgreSQL: ``scripts/with-postgres``)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chibo.core import bulk
from chibo.interchange.services import import_file
from chibo.members.models import MemberEvent
from chibo.reports import tallies
from tests.interchange.helpers import MEMBER_HEADER, member_row, write_csv

pytestmark = pytest.mark.django_db


def _rows(count: int, start: int = 0) -> list[dict]:
    return [
        member_row(
            f"DV{n}",
            ho_ten=f"Phạm Thị Đào {n}",
            ngay_chinh_thuc="01/03/2023" if n % 2 else "",
            ma_to_chuc="BK-GV1" if n % 3 == 0 else "BK-SV1",
            doi_tuong="Giảng viên" if n % 3 == 0 else "Sinh viên",
            ma_to_chuc_ket_nap="BK-SV1" if n % 3 == 0 else "",
            doi_tuong_khi_ket_nap="Sinh viên" if n % 3 == 0 else "",
            ngay_sinh="17/05/1990" if n % 3 == 0 else "17/05/2001",
            ngay_ket_nap=f"{1 + n % 27:02d}/{1 + n % 12:02d}/{2015 + n % 8}",
        )
        for n in range(start, start + count)
    ]


def _triggers() -> dict[str, bool]:
    """The tally triggers on the events table: name -> enabled."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname, tgenabled <> 'D' FROM pg_trigger"
                " WHERE tgrelid = 'members_memberevent'::regclass AND NOT tgisinternal"
            )
        else:
            cursor.execute(
                "SELECT name, 1 FROM sqlite_master WHERE type = 'trigger'"
                " AND tbl_name = 'members_memberevent'"
            )
        return {name: bool(on) for name, on in cursor.fetchall()}


def _tally_rows() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {tallies.TABLE} WHERE n <> 0")  # noqa: S608
        return int(cursor.fetchone()[0])


def _turned_off(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("DROP TRIGGER") or " DISABLE TRIGGER " in q["sql"]
    ]


def _catch_ups(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("WITH g AS") and f"INSERT INTO {tallies.TABLE}" in q["sql"]
    ]


def _no_difference() -> None:
    assert tallies.differences() == []
    out = io.StringIO()
    call_command("tallies", stdout=out)  # exit status 0: raises CommandError otherwise
    assert "khớp" in out.getvalue()


@pytest.fixture
def first_import(tree, monkeypatch):
    """A 'large' first import is 2 rows or more here."""
    monkeypatch.setattr(bulk, "DEFER_INDEXES_FROM", 2)
    monkeypatch.setattr(bulk, "DEFER_INDEXES_FROM_POSTGRESQL", 2)
    if connection.vendor == "postgresql":
        # The tree fixture's queued key checks (a real import's transaction has none).
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    return tree


def test_a_first_import_adds_its_events_to_the_tallies_in_one_statement(first_import, tmp_path):
    triggers = _triggers()
    assert set(triggers) == set(tallies.TRIGGERS) and all(triggers.values())
    path = write_csv(tmp_path / "m.csv", MEMBER_HEADER, _rows(12))
    with CaptureQueriesContext(connection) as queries:
        result = import_file(actor=None, kind="members", path=path)
    assert result.ok and result.created == 12
    # The triggers were off during the load, and the events were added by one statement…
    assert len(_turned_off(queries)) == len(tallies.TRIGGERS)
    assert len(_catch_ups(queries)) == 1
    # …which counted every one of them, and the triggers are back, on.
    assert _triggers() == triggers
    assert MemberEvent.objects.filter(kind="admitted").count() == 12
    assert _tally_rows() > 0
    _no_difference()
    # The next write goes through the triggers again.
    MemberEvent.objects.filter(kind="admitted", member__member_code="DV1").delete()
    _no_difference()


def test_a_small_import_into_a_populated_database_keeps_the_triggers(first_import, tmp_path):
    first = write_csv(tmp_path / "a.csv", MEMBER_HEADER, _rows(6))
    assert import_file(actor=None, kind="members", path=first).ok
    more = write_csv(tmp_path / "b.csv", MEMBER_HEADER, _rows(4, start=6))
    with CaptureQueriesContext(connection) as queries:
        result = import_file(actor=None, kind="members", path=more)
    assert result.ok and result.created == 4
    assert not _turned_off(queries) and not _catch_ups(queries)
    assert MemberEvent.objects.filter(kind="admitted").count() == 10
    _no_difference()


def test_a_large_import_into_a_populated_database(first_import, tmp_path, monkeypatch):
    """SQLite replaces the row triggers by the one statement here too (one writer at a time);
    PostgreSQL keeps its statement-level triggers (turning them off would hold every other
    writer of events until commit)."""
    first = write_csv(tmp_path / "a.csv", MEMBER_HEADER, _rows(6))
    assert import_file(actor=None, kind="members", path=first).ok
    monkeypatch.setattr(bulk, "TRIGGERS_REPLACED_FROM", 3)
    triggers = _triggers()
    more = write_csv(tmp_path / "b.csv", MEMBER_HEADER, _rows(4, start=6))
    with CaptureQueriesContext(connection) as queries:
        result = import_file(actor=None, kind="members", path=more)
    assert result.ok and result.created == 4
    assert not any(q["sql"].startswith("DROP INDEX") for q in queries.captured_queries)
    replaced = connection.vendor == "sqlite"
    assert len(_turned_off(queries)) == (len(tallies.TRIGGERS) if replaced else 0)
    assert len(_catch_ups(queries)) == (1 if replaced else 0)
    assert _triggers() == triggers
    assert MemberEvent.objects.filter(kind="admitted").count() == 10
    _no_difference()


def test_a_first_import_failing_half_way_leaves_triggers_and_tallies(
    first_import, tmp_path, monkeypatch
):
    triggers = _triggers()
    before = _tally_rows()
    catch_up = bulk._TRIGGERS["members_memberevent"]

    def failing(cursor, vendor, after_id):
        raise RuntimeError("the disk is full")

    monkeypatch.setitem(bulk._TRIGGERS, "members_memberevent", (catch_up[0], failing))
    path = write_csv(tmp_path / "m.csv", MEMBER_HEADER, _rows(6))
    with pytest.raises(RuntimeError):
        import_file(actor=None, kind="members", path=path)
    assert _triggers() == triggers
    assert _tally_rows() == before and MemberEvent.objects.count() == 0
    _no_difference()
