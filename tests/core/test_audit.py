from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from chibo.core import audit
from chibo.core.models import AuditEntry, AuditHead

pytestmark = pytest.mark.django_db


def _three_entries() -> None:
    audit.record(
        actor=None, action="test.one", object_type="member", object_id="DV1", data={"a": 1}
    )
    audit.record(
        actor=None,
        action="test.two",
        object_type="member",
        object_id="DV2",
        data={"ngày": "2024-01-02"},
    )
    audit.record(actor=None, action="test.three", object_type="member", object_id="DV3")


def test_chain_of_untouched_entries_verifies() -> None:
    _three_entries()
    assert list(audit.verify()) == []
    call_command("audit-verify")


def test_entries_are_append_only_through_the_orm() -> None:
    _three_entries()
    entry = AuditEntry.objects.get(seq=2)
    entry.action = "changed"
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()


def _raw(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_audit_verify_detects_an_edited_entry() -> None:
    _three_entries()
    _raw("UPDATE core_auditentry SET object_id = %s WHERE seq = %s", ["DV999", 2])
    problems = list(audit.verify())
    assert [p.seq for p in problems] == [2]
    with pytest.raises(CommandError, match="BROKEN"):
        call_command("audit-verify")


def test_audit_verify_detects_a_deleted_entry_in_the_middle() -> None:
    _three_entries()
    _raw("DELETE FROM core_auditentry WHERE seq = %s", [2])
    problems = list(audit.verify())
    assert problems and problems[0].seq == 2


def test_audit_verify_detects_removed_newest_entries() -> None:
    _three_entries()
    _raw("DELETE FROM core_auditentry WHERE seq = %s", [3])
    assert any("newest" in p.problem for p in audit.verify())


def test_audit_verify_detects_a_rehashed_forgery_of_one_entry() -> None:
    _three_entries()
    forged = AuditEntry.objects.get(seq=2)
    forged.object_id = "DV999"
    new_hash = audit.compute_hash(forged.prev_hash, forged)
    _raw(
        "UPDATE core_auditentry SET object_id = %s, entry_hash = %s WHERE seq = %s",
        ["DV999", new_hash, 2],
    )
    # The next entry still links to the old hash.
    assert [p.seq for p in audit.verify()] == [3]


def test_group_of_entries_shares_one_group_id_and_advances_head() -> None:
    rows = audit.record_many(
        actor=None, entries=[("x.a", "member", 1, {}), ("x.b", "member", 2, {})]
    )
    assert rows[0].group_id == rows[1].group_id
    head = AuditHead.objects.get(id=1)
    assert head.last_seq == 2 and head.last_hash == rows[1].entry_hash
