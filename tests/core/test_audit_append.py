"""An audit entry is appended after the head this connection last saw, in one statement on
PostgreSQL, and only if that is still the head; else under the head's lock as before. The
chain is the same either way (issue 22: the entry of every ``GET /api/v1/members`` cost five
statements, a quarter of the request).
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from chibo.core import audit
from chibo.core.models import AuditEntry, AuditHead


def _read(n: int = 0) -> list[AuditEntry]:
    return audit.record_many(actor=None, entries=[("test.read", "member", f"DV{n}", {"n": n})])


def _chain() -> list[int]:
    assert list(audit.verify(checkpoints=False)) == []
    return list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))


@pytest.mark.django_db
def test_an_entry_after_the_head_this_connection_wrote_is_one_statement() -> None:
    _read(1)
    with CaptureQueriesContext(connection) as seen:
        rows = _read(2)
    statements = [q["sql"] for q in seen.captured_queries]
    if connection.vendor == "postgresql":
        assert len(statements) == 1, statements  # was 5: BEGIN, FOR UPDATE, INSERT, UPDATE, COMMIT
    else:  # the entries if the head is that one, then the head (one transaction, no lock read)
        assert len(statements) == 2, statements
    assert not any("FOR UPDATE" in sql for sql in statements)
    assert rows[0].pk == AuditEntry.objects.get(seq=2).pk
    head = AuditHead.objects.get(id=1)
    assert (head.last_seq, head.last_hash) == (2, rows[0].entry_hash)
    assert _chain() == [1, 2]


@pytest.mark.django_db
def test_a_head_moved_by_another_writer_is_read_again_and_the_chain_links() -> None:
    _read(1)
    seen_by_this_process = connection.chibo_audit_head
    _read(2)  # another process's entry: this one's guess is now stale
    connection.chibo_audit_head = seen_by_this_process
    third = _read(3)
    assert third[0].seq == 3 and third[0].prev_hash == AuditEntry.objects.get(seq=2).entry_hash
    assert _chain() == [1, 2, 3]


@pytest.mark.django_db
def test_an_entry_rolled_back_leaves_no_gap() -> None:
    _read(1)
    with transaction.atomic():
        _read(2)
        transaction.set_rollback(True)
    _read(3)
    assert _chain() == [1, 2]
    assert AuditEntry.objects.get(seq=2).data == {"n": 3}


@pytest.mark.django_db
def test_a_batch_of_entries_links_as_one_chain() -> None:
    audit.record_many(actor=None, entries=[("t.a", "member", i, {"i": i}) for i in range(3)])
    rows = audit.record_many(
        actor=None, entries=[("t.b", "member", i, {"i": i}) for i in range(70)]
    )  # beyond one statement's batch: under the lock
    assert [r.seq for r in rows] == list(range(4, 74))
    audit.record_many(actor=None, entries=[("t.c", "member", i, {}) for i in range(2)])
    assert _chain() == list(range(1, 76))


@pytest.mark.django_db(transaction=True)
def test_two_writers_at_once_extend_one_chain() -> None:
    """A writer holding the head (its transaction open) makes the other wait; the other then
    finds the head moved and appends after it (PostgreSQL: two connections)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    _read(0)
    first_in = threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with transaction.atomic():
                connection.chibo_audit_head = (1, AuditEntry.objects.get(seq=1).entry_hash)
                _read(1)
                first_in.set()
                threading.Event().wait(0.5)  # the other writer waits on the head meanwhile
        except BaseException as exc:
            errors.append(exc)
            first_in.set()
        finally:
            connections.close_all()

    def second() -> None:
        try:
            first_in.wait(5)
            connection.chibo_audit_head = (1, AuditEntry.objects.get(seq=1).entry_hash)
            _read(2)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert not errors
    assert _chain() == [1, 2, 3]
    assert [e.data["n"] for e in AuditEntry.objects.order_by("seq")] == [0, 1, 2]
