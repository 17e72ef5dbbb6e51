from __future__ import annotations

import io
import uuid

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

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


# --- issue 16.13: a keyed chain and signed checkpoints outside the database -----------


def _many(n: int) -> None:
    audit.record_many(
        actor=None, entries=[("test.read", "member", f"DV{i}", {"i": i}) for i in range(n)]
    )


def _rewrite_from(seq: int, key: bytes | None) -> None:
    """What someone with the database (and without CHIBO_AUDIT_KEY) can do: recompute every
    hash from ``seq`` on and the head, with the plain algorithm or a key of his own."""
    prev = AuditEntry.objects.get(seq=seq - 1).entry_hash if seq > 1 else audit.GENESIS
    for entry in AuditEntry.objects.filter(seq__gte=seq).order_by("seq"):
        new = (
            audit.compute_hash(prev, entry, keyed=False)
            if key is None
            else audit.compute_hash(prev, entry, key=key)
        )
        _raw(
            "UPDATE core_auditentry SET prev_hash = %s, entry_hash = %s WHERE seq = %s",
            [prev, new, entry.seq],
        )
        prev = new
    _raw("UPDATE core_audithead SET last_hash = %s WHERE id = 1", [prev])


@pytest.mark.parametrize("attacker_key", [None, b"a key of his own"], ids=["sha256", "own-key"])
def test_an_edit_with_every_later_hash_and_the_head_recomputed_is_caught(
    attacker_key: bytes | None, capsys: pytest.CaptureFixture
) -> None:
    _many(300)
    _raw("UPDATE core_auditentry SET object_id = %s WHERE seq = %s", ["DV999", 150])
    _rewrite_from(150, attacker_key)
    problems = list(audit.verify())
    assert problems and problems[0].seq == 150 and "keyed hash" in problems[0].problem
    assert audit.altered_range(problems)[0] == 150
    with pytest.raises(CommandError, match="BROKEN"):
        call_command("audit-verify")
    assert "altered range: seq 150..300" in capsys.readouterr().err


def test_the_tail_deleted_and_the_head_fixed_is_caught_by_the_checkpoint(
    capsys: pytest.CaptureFixture,
) -> None:
    _many(300)
    call_command("audit-verify", "--checkpoint")  # the daily run signs seq 300
    _many(20)  # the day goes on: 301..320, after the checkpoint
    last_kept = AuditEntry.objects.get(seq=200)
    _raw("DELETE FROM core_auditentry WHERE seq > %s", [200])
    _raw(
        "UPDATE core_audithead SET last_seq = %s, last_hash = %s WHERE id = 1",
        [200, last_kept.entry_hash],
    )
    assert not list(audit.verify(checkpoints=False))  # the key alone cannot see it
    problems = list(audit.verify())
    assert [p.problem for p in problems if "removed" in p.problem]
    assert audit.altered_range(problems) == (201, 300)
    with pytest.raises(CommandError, match="BROKEN"):
        call_command("audit-verify")
    assert "entries 201..300 were removed" in capsys.readouterr().err


def test_everything_deleted_is_caught_by_the_checkpoint(capsys: pytest.CaptureFixture) -> None:
    _many(300)
    call_command("audit-verify", "--checkpoint")
    _raw("DELETE FROM core_auditentry", [])
    _raw("DELETE FROM core_audithead", [])
    problems = list(audit.verify())
    assert audit.altered_range(problems) == (1, 300)
    with pytest.raises(CommandError, match="BROKEN"):
        call_command("audit-verify")
    assert "entries 1..300 were removed" in capsys.readouterr().err


def test_a_rewritten_chain_under_a_checkpoint_names_the_range_up_to_it() -> None:
    _many(100)
    call_command("audit-verify", "--checkpoint")
    _many(100)
    call_command("audit-verify", "--checkpoint")
    # Everything replaced by a fresh chain of the same length, keyed with the attacker's key.
    _raw("UPDATE core_auditentry SET action = %s", ["test.forged"])
    _rewrite_from(1, b"a key of his own")
    problems = list(audit.verify())
    assert any("rewritten" in p.problem for p in problems)
    assert audit.altered_range(problems) == (1, 200)


def test_checkpoints_are_signed_and_kept_outside_the_database(settings: object) -> None:
    import json

    from chibo.core import checkpoints

    _many(5)
    out = io.StringIO()
    call_command("audit-verify", "--checkpoint", stdout=out)
    assert "checkpoint written: seq 5" in out.getvalue()
    file = checkpoints.path()
    assert file.exists() and (file.stat().st_mode & 0o777) == 0o600
    line = json.loads(file.read_text().splitlines()[0])
    assert line["seq"] == 5 and line["head"] == AuditHead.objects.get(id=1).last_hash
    # A forged line (someone writes "seq 2" to hide a cut) has no valid signature.
    forged = {**line, "seq": 2}
    with file.open("a") as fh:
        fh.write(json.dumps(forged) + "\n")
    problems = list(audit.verify())
    assert [p.problem for p in problems] == [
        "checkpoint line 2 has no valid signature (forged or damaged)"
    ]


def test_the_daily_task_writes_a_checkpoint_when_the_chain_is_intact() -> None:
    from chibo.core import checkpoints, tasks

    _many(3)
    summary = tasks.audit_verify_and_alert()
    assert summary["problems"] == 0 and summary["checkpoint"] == 3
    assert [m.seq for m in checkpoints.read()[0]] == [3]


def test_entries_from_before_the_key_still_verify_and_are_covered_by_the_first_keyed_one() -> None:
    # A database from before the key: plain SHA-256 links, keyed_from marks their end.
    prev = audit.GENESIS
    for seq in (1, 2):
        entry = AuditEntry(
            seq=seq,
            created_at=timezone.now(),
            action="old.entry",
            object_id=str(seq),
            data={},
            group_id=uuid.uuid4(),
            prev_hash=prev,
        )
        entry.data = {}
        entry.entry_hash = audit.compute_hash(prev, entry, keyed=False)
        entry.save()
        prev = entry.entry_hash
    AuditHead.objects.create(id=1, last_seq=2, last_hash=prev, keyed_from=2)
    audit.record(actor=None, action="new.entry")
    assert list(audit.verify()) == []
    _raw("UPDATE core_auditentry SET object_id = %s WHERE seq = %s", ["x", 1])
    _rewrite_from(1, None)  # the old links recomputed: the first keyed entry still sees it
    assert [p.seq for p in audit.verify()] == [3]
