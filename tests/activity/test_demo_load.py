"""The big-load path of the activity demo seed keeps the schema the migrations made (PostgreSQL)."""

from __future__ import annotations

import pytest
from django.db import connection

from chibo.activity import demo

pytestmark = [
    pytest.mark.django_db,  # PostgreSQL DDL is transactional: the test's rollback undoes it
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="foreign keys are dropped on PostgreSQL only"
    ),
]

TABLES = ("activity_attendance", "activity_duespayment")


def _keys(table: str) -> list[tuple[str, str, bool, bool]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid), condeferrable, condeferred"
            " FROM pg_constraint WHERE contype = 'f' AND conrelid = %s::regclass ORDER BY conname",
            [table],
        )
        return cursor.fetchall()


@pytest.mark.parametrize("table", TABLES)
def test_keys_come_back_after_a_load(table: str) -> None:
    before = _keys(table)
    assert before and all(deferrable and deferred for *_rest, deferrable, deferred in before)
    with demo._load(table, big=True):
        assert _keys(table) == []  # the COPY runs without them
    assert _keys(table) == before


@pytest.mark.parametrize("table", TABLES)
def test_a_failed_load_leaves_the_keys(table: str) -> None:
    before = _keys(table)
    with pytest.raises(RuntimeError), demo._load(table, big=True):
        raise RuntimeError("the COPY failed")
    assert _keys(table) == before


def test_a_bad_row_is_refused_when_the_keys_come_back() -> None:
    before = _keys("activity_attendance")
    with (
        pytest.raises(Exception, match="foreign key"),
        demo._load("activity_attendance", big=True),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "INSERT INTO activity_attendance (meeting_id, member_id, status, note, expected,"
            " attached, org_id, month) VALUES (999999, 999999, 'present', '', true, false,"
            " 999999, '2026-01-01')"
        )
    assert _keys("activity_attendance") == before
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM activity_attendance")
        assert cursor.fetchone()[0] == 0
