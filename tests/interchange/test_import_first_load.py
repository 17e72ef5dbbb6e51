"""A large first import drops the members tables' secondary indexes (and on PostgreSQL their
foreign keys), writes, and rebuilds them in the same transaction (``core.bulk.indexes_deferred``):
afterwards the schema is the migrations' own, a failure half-way leaves schema and data as they
were, and an import into a populated database (or, on PostgreSQL, tables another transaction
holds) keeps them. Run on both databases (PostgreSQL: ``scripts/with-postgres``)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from chibo.core import bulk
from chibo.interchange import members_write
from chibo.interchange.services import import_file
from chibo.members.models import Member, MemberEvent
from chibo.members.services import replay
from tests.interchange.helpers import MEMBER_HEADER, member_row, write_csv

pytestmark = pytest.mark.django_db

TABLES = ("members_member", "members_memberevent")


def _schema() -> dict[str, list[tuple]]:
    """Every index and constraint on or pointing at the members tables, as the catalogue has them."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tablename, indexname, indexdef FROM pg_indexes "
                "WHERE schemaname = 'public' ORDER BY 1, 2"
            )
            indexes = cursor.fetchall()
            cursor.execute(
                "SELECT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid), "
                "convalidated, condeferrable, condeferred, confrelid::regclass::text "
                "FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2"
            )
            return {"indexes": indexes, "constraints": cursor.fetchall()}
        cursor.execute(
            "SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'index' ORDER BY 1, 2"
        )
        indexes = cursor.fetchall()
        keys = []
        for table in TABLES:
            cursor.execute(f"PRAGMA foreign_key_list({table})")
            keys += [(table, *row) for row in cursor.fetchall()]
        return {"indexes": indexes, "constraints": keys}


def _members_indexes(schema: dict[str, list[tuple]]) -> set[str]:
    return {row[1] for row in schema["indexes"] if row[0] in TABLES}


def _rows(count: int, start: int = 0) -> list[dict]:
    return [
        member_row(
            f"DV{n}",
            ngay_chinh_thuc="01/03/2023" if n % 2 else "",
            ma_to_chuc_ket_nap="BK-GV1" if n % 3 == 0 else "",
        )
        for n in range(start, start + count)
    ]


def _ddl(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith(("DROP INDEX", "ALTER TABLE", "LOCK TABLE", "CREATE INDEX"))
    ]


@pytest.fixture
def first_import(tree, monkeypatch):
    """A 'large' first import is 2 rows or more here."""
    monkeypatch.setattr(bulk, "DEFER_INDEXES_FROM", 2)
    monkeypatch.setattr(bulk, "DEFER_INDEXES_FROM_POSTGRESQL", 2)
    if connection.vendor == "postgresql":
        # The tree fixture's rows in this test's transaction still have their deferred key
        # checks queued; a real import's transaction starts with none.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    return tree


def test_a_large_first_import_leaves_the_schema_the_migrations_made(first_import, tmp_path):
    before = _schema()
    path = write_csv(tmp_path / "m.csv", MEMBER_HEADER, _rows(6))
    with CaptureQueriesContext(connection) as queries:
        result = import_file(actor=None, kind="members", path=path)
    assert result.ok and result.created == 6
    ddl = _ddl(queries)
    # The shortcut was taken: every secondary index of both tables dropped and built again…
    dropped = {sql.split('"')[1] for sql in ddl if sql.startswith("DROP INDEX")}
    assert dropped and dropped < _members_indexes(before)
    assert not any("_pkey" in name or "member_code" in name for name in dropped)
    if connection.vendor == "postgresql":
        # …and the tables' own foreign keys (8: orgs, users, events to members), added back
        # after the COPY; none that other tables hold on them.
        own = [row for row in before["constraints"] if row[0] in TABLES and row[2] == "f"]
        assert len(own) == 8
        assert sum(" DROP CONSTRAINT " in sql for sql in ddl) == 8
        assert sum(" ADD CONSTRAINT " in sql for sql in ddl) == 8
    # The catalogue afterwards is what it was: same names, same definitions, keys validated
    # and deferred as the migrations made them.
    assert _schema() == before
    assert MemberEvent.objects.count() == 6 + 3 + 2  # admitted, recognized, reassigned
    # The event data is JSON objects (PostgreSQL: a binary COPY of text already serialised).
    admitted = MemberEvent.objects.filter(kind="admitted").first()
    assert admitted.data["import"] is True and admitted.data["historical"] is True
    for member in Member.objects.all():
        for key, value in replay(member).items():
            assert getattr(member, key) == value, (member.member_code, key)
    # Same file again: nothing new, nothing dropped (the tables are no longer smaller).
    with CaptureQueriesContext(connection) as queries:
        again = import_file(actor=None, kind="members", path=path)
    assert again.ok and again.created == 0 and again.unchanged == 6
    assert not _ddl(queries)


def test_the_first_import_has_fresh_statistics(first_import, tmp_path):
    path = write_csv(tmp_path / "m.csv", MEMBER_HEADER, _rows(6))
    assert import_file(actor=None, kind="members", path=path).ok
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT DISTINCT tablename FROM pg_stats WHERE tablename = ANY(%s)", [list(TABLES)]
            )
        else:
            cursor.execute("SELECT DISTINCT tbl FROM sqlite_stat1 WHERE tbl LIKE 'members_%%'")
        assert {row[0] for row in cursor.fetchall()} >= set(TABLES)


def test_a_first_import_failing_half_way_leaves_schema_and_data_untouched(
    first_import, tmp_path, monkeypatch
):
    """The third batch fails while it is built, after two were written (on PostgreSQL:
    handed to the COPY worker): the import rolls back whole, schema included."""
    monkeypatch.setattr(members_write, "BATCH", 2)
    before = _schema()
    batch = members_write._Rows.batch
    built = []

    def third_fails(self, *args):
        built.append(1)
        if len(built) == 3:
            raise RuntimeError("the disk is full")
        return batch(self, *args)

    monkeypatch.setattr(members_write._Rows, "batch", third_fails)
    path = write_csv(tmp_path / "m.csv", MEMBER_HEADER, _rows(6))
    with CaptureQueriesContext(connection) as queries, pytest.raises(RuntimeError):
        import_file(actor=None, kind="members", path=path)
    assert len(built) == 3
    assert any(sql.startswith("DROP INDEX") for sql in _ddl(queries))
    assert _schema() == before
    assert Member.objects.count() == 0 and MemberEvent.objects.count() == 0
    # The same file then imports whole.
    monkeypatch.setattr(members_write._Rows, "batch", batch)
    assert import_file(actor=None, kind="members", path=path).ok
    assert Member.objects.count() == 6 and MemberEvent.objects.count() == 11


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite keeps its foreign keys")
def test_the_foreign_keys_come_back_checked(first_import, tmp_path, monkeypatch):
    """A row pointing at no org (which the import never writes) is refused when the keys are
    added back: the import fails and leaves nothing, schema included."""
    before = _schema()
    batch = members_write._Rows.batch

    def wrong_org(self, *args):
        members, events = batch(self, *args)
        members = [(*m[:13], 987654321, *m[14:]) if m[1] == "DV5" else m for m in members]
        return members, events

    monkeypatch.setattr(members_write._Rows, "batch", wrong_org)
    path = write_csv(tmp_path / "m.csv", MEMBER_HEADER, _rows(6))
    with pytest.raises(IntegrityError):
        import_file(actor=None, kind="members", path=path)
    assert _schema() == before
    assert Member.objects.count() == 0


def test_an_import_into_a_populated_database_keeps_the_indexes(first_import, tmp_path):
    first = write_csv(tmp_path / "a.csv", MEMBER_HEADER, _rows(6))
    assert import_file(actor=None, kind="members", path=first).ok
    before = _schema()
    more = write_csv(tmp_path / "b.csv", MEMBER_HEADER, _rows(4, start=6))
    with CaptureQueriesContext(connection) as queries:
        result = import_file(actor=None, kind="members", path=more)
    assert result.ok and result.created == 4
    assert not _ddl(queries)
    assert _schema() == before
    assert Member.objects.count() == 10


def test_a_dry_run_of_a_first_import_leaves_the_schema(first_import, tmp_path):
    before = _schema()
    path = write_csv(tmp_path / "m.csv", MEMBER_HEADER, _rows(6))
    result = import_file(actor=None, kind="members", path=path, dry_run=True)
    assert result.ok and result.created == 6 and not result.written
    assert _schema() == before
    assert Member.objects.count() == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's table locks")
def test_tables_another_transaction_holds_make_the_import_keep_its_indexes(
    first_import, tmp_path, monkeypatch
):
    """A reader holding the members table (here: another connection in an open transaction)
    is not made to wait for the import, nor the import to fail: after ``LOCK_WAIT`` it
    writes with the indexes and keys in place."""
    import psycopg

    monkeypatch.setattr(bulk, "LOCK_WAIT", "200ms")
    before = _schema()
    settings = connection.settings_dict
    other = psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"],
        port=settings["PORT"],
        password=settings["PASSWORD"],
    )
    try:
        other.execute("SELECT 1 FROM members_member LIMIT 1")  # holds ACCESS SHARE until rollback
        path = write_csv(tmp_path / "m.csv", MEMBER_HEADER, _rows(6))
        with CaptureQueriesContext(connection) as queries:
            result = import_file(actor=None, kind="members", path=path)
    finally:
        other.rollback()
        other.close()
    assert result.ok and result.created == 6
    ddl = _ddl(queries)
    assert any(sql.startswith("LOCK TABLE") for sql in ddl)
    assert not any(sql.startswith("DROP INDEX") for sql in ddl)
    assert _schema() == before
    assert MemberEvent.objects.count() == 11


def _stored() -> list[tuple]:
    """Every member with its events, as the import wrote them (ids included)."""
    return [
        (
            member.pk,
            member.member_code,
            member.org_id,
            member.category,
            member.recognized_on,
            sorted(
                (e.kind, e.effective_date, e.org_id, e.category_after, e.data["import"])
                for e in member.events.all()
            ),
        )
        for member in Member.objects.order_by("member_code").prefetch_related("events")
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY in a thread on PostgreSQL")
def test_batches_copied_by_the_worker_are_the_rows_the_services_give(
    first_import, tmp_path, monkeypatch
):
    """Three batches COPYed by the worker thread while the next is built: the members in the
    file's order on one block of ids, their events on them, replay-consistent."""
    import threading

    monkeypatch.setattr(members_write, "BATCH", 2)
    copied_by = set()
    dumper = bulk._json_text_dumper

    def seen():
        copied_by.add(threading.current_thread().name)
        return dumper()

    monkeypatch.setattr(bulk, "_json_text_dumper", seen)
    path = write_csv(tmp_path / "m.csv", MEMBER_HEADER, _rows(6))
    result = import_file(actor=None, kind="members", path=path)
    assert result.ok and result.created == 6 and result.events == 11
    assert copied_by == {"chibo-bulk-copy"}
    stored = _stored()
    assert [row[1] for row in stored] == [f"DV{n}" for n in range(6)]
    assert [row[0] for row in stored] == list(range(stored[0][0], stored[0][0] + 6))
    assert sum(len(row[5]) for row in stored) == 11
    for member in Member.objects.all():
        for key, value in replay(member).items():
            assert getattr(member, key) == value, (member.member_code, key)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY in a thread on PostgreSQL")
def test_a_row_the_server_refuses_in_the_worker_leaves_nothing(first_import, tmp_path, monkeypatch):
    """The server refuses an event of the second batch inside the worker's COPY (a value
    longer than its column): the error reaches the import, which rolls back whole (no
    member, no event, the schema and the sequence's step as they were)."""
    from django.db import DataError

    monkeypatch.setattr(members_write, "BATCH", 2)
    before = _schema()
    batch = members_write._Rows.batch

    def too_long(self, chunk, *args):
        members, events = batch(self, chunk, *args)
        if any(member[1] == "DV3" for member in members):
            events = [(*e[:4], "9" * 100, *e[5:]) for e in events]  # decision_number: 64
        return members, events

    monkeypatch.setattr(members_write._Rows, "batch", too_long)
    path = write_csv(tmp_path / "m.csv", MEMBER_HEADER, _rows(6))
    with pytest.raises(DataError):
        import_file(actor=None, kind="members", path=path)
    assert _schema() == before
    assert Member.objects.count() == 0 and MemberEvent.objects.count() == 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT seqincrement FROM pg_sequence "
            "WHERE seqrelid = pg_get_serial_sequence('members_member', 'id')::regclass"
        )
        assert cursor.fetchone()[0] == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's sequences")
def test_a_first_import_takes_its_ids_in_one_block(first_import, tmp_path):
    """Holding the members table alone, the import takes its ids with one ALTER SEQUENCE
    block instead of a nextval per member; the sequence keeps its step of 1 and the next
    member created the ordinary way gets the id after the block."""
    path = write_csv(tmp_path / "m.csv", MEMBER_HEADER, _rows(6))
    with CaptureQueriesContext(connection) as queries:
        assert import_file(actor=None, kind="members", path=path).ok
    sql = [q["sql"] for q in queries.captured_queries]
    assert not any("generate_series" in q and "nextval" in q for q in sql)
    assert sum(q.startswith("ALTER SEQUENCE") for q in sql) == 3
    ids = sorted(Member.objects.values_list("pk", flat=True))
    assert ids == list(range(ids[0], ids[0] + 6))
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('members_member', 'id'))")
        assert cursor.fetchone()[0] == ids[-1] + 1
        cursor.execute(
            "SELECT seqincrement FROM pg_sequence "
            "WHERE seqrelid = pg_get_serial_sequence('members_member', 'id')::regclass"
        )
        assert cursor.fetchone()[0] == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's sequences")
def test_an_import_that_does_not_hold_the_table_takes_ids_one_by_one(tree, tmp_path):
    """Without the table held alone (a small import: nothing dropped, nothing locked) the
    sequence is never altered: other writers go on taking ids meanwhile."""
    path = write_csv(tmp_path / "m.csv", MEMBER_HEADER, _rows(3))
    with CaptureQueriesContext(connection) as queries:
        assert import_file(actor=None, kind="members", path=path).ok
    assert not any(q["sql"].startswith("ALTER SEQUENCE") for q in queries.captured_queries)
    assert Member.objects.count() == 3
