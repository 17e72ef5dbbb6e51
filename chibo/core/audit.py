"""Append to and verify the keyed, hash-chained audit log.

Every service records its entry inside its own transaction, so a change and
its audit entry are written together or not at all. Reads of a person's
record (detail views, lists, exports) are recorded too.

Each entry's hash is HMAC-SHA256 under ``CHIBO_AUDIT_KEY`` (a secret that is
not in the database) over the previous entry's hash and this entry's content:
someone who can write the database but does not have the key cannot edit an
entry and recompute the chain after it. What the key cannot show (the newest
entries cut off with the head fixed, or the whole log emptied) the signed
checkpoints kept outside the database show (``core.checkpoints``).
Entries written before the key (seq ≤ ``AuditHead.keyed_from``) keep their
plain SHA-256 links; the first keyed entry's HMAC covers the last of them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import Field
from django.utils import timezone

from chibo.core.models import AuditEntry, AuditHead

GENESIS = "0" * 64

# Set by RequestIdMiddleware for the duration of a request; commands set their own.
current_request_id: ContextVar[str] = ContextVar("chibo_request_id", default="")


def _canonical(entry: AuditEntry) -> bytes:
    payload = {
        "seq": entry.seq,
        "created_at": entry.created_at.isoformat(),
        "actor_id": entry.actor_id,
        "actor_username": entry.actor_username,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "data": entry.data,
        "request_id": entry.request_id,
        "group_id": str(entry.group_id),
    }
    return json.dumps(
        payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    ).encode()


def development_key(secret_key: str) -> str:
    """The audit key used when CHIBO_AUDIT_KEY is not set (development only)."""
    return hashlib.sha256(b"chibo-audit-key|" + secret_key.encode()).hexdigest()


def audit_key() -> bytes:
    """``CHIBO_AUDIT_KEY`` (production requires it); in development one derived from SECRET_KEY."""
    raw = getattr(settings, "CHIBO_AUDIT_KEY", "") or ""
    return (raw or development_key(settings.SECRET_KEY)).encode()


@lru_cache(maxsize=4)
def _mac_for(key: bytes) -> hmac.HMAC:
    return hmac.new(key, digestmod=hashlib.sha256)


def compute_hash(
    prev_hash: str, entry: AuditEntry, *, keyed: bool = True, key: bytes | None = None
) -> str:
    """The entry's hash: HMAC-SHA256 under the audit key (``keyed=False``: the plain SHA-256
    of the entries written before the key)."""
    message = prev_hash.encode() + b"|" + _canonical(entry)
    if not keyed:
        return hashlib.sha256(message).hexdigest()
    mac = _mac_for(key if key is not None else audit_key()).copy()
    mac.update(message)
    return mac.hexdigest()


def _normalize(data: dict[str, Any]) -> dict[str, Any]:
    # Round-trip through JSON so the hash is computed over exactly what the
    # database will give back (dates become strings, tuples lists).
    normalized: dict[str, Any] = json.loads(json.dumps(data, default=str, ensure_ascii=False))
    return normalized


def record(
    *,
    actor: Any,
    action: str,
    object_type: str = "",
    object_id: Any = "",
    data: dict[str, Any] | None = None,
    group_id: uuid.UUID | None = None,
) -> AuditEntry:
    """Append one entry; call inside the service's transaction."""
    return record_many(
        actor=actor,
        entries=[(action, object_type, object_id, data or {})],
        group_id=group_id,
    )[0]


def record_many(
    *,
    actor: Any,
    entries: Iterable[tuple[str, str, Any, dict[str, Any]]],
    group_id: uuid.UUID | None = None,
) -> list[AuditEntry]:
    """Append several entries of one user action under one group id.

    The chain is extended after the head this connection last saw (``_append_after``: one
    statement on PostgreSQL, the head moved only if it is still that one); if another
    writer moved it meanwhile, or the head is not known yet, under the head row's lock
    (``_append_locked``). Both write the same entries and hashes."""
    group = group_id or uuid.uuid4()
    user = actor if getattr(actor, "is_authenticated", False) else None
    username = getattr(actor, "username", "") or ("system" if actor is None else "")
    items = [
        (action, object_type, str(object_id), _normalize(data))
        for action, object_type, object_id, data in entries
    ]
    using = router.db_for_write(AuditEntry)
    if 0 < len(items) <= _AFTER_MAX:
        rows = _append_after(using, user, username, items, group)
        if rows is not None:
            return rows
    return _append_locked(using, user, username, items, group)


def _entries(
    items: list[tuple[str, str, str, dict[str, Any]]],
    user: Any,
    username: str,
    group: uuid.UUID,
    seq: int,
    prev: str,
) -> list[AuditEntry]:
    """The entries after (``seq``, ``prev``), hashed in chain order."""
    now = timezone.now()
    request_id = current_request_id.get()
    rows: list[AuditEntry] = []
    for action, object_type, object_id, data in items:
        seq += 1
        entry = AuditEntry(
            seq=seq,
            created_at=now,
            actor=user,
            actor_username=username,
            action=action,
            object_type=object_type,
            object_id=object_id,
            data=data,
            request_id=request_id,
            group_id=group,
            prev_hash=prev,
        )
        entry.entry_hash = compute_hash(prev, entry)
        prev = entry.entry_hash
        rows.append(entry)
    return rows


def _append_locked(
    using: str,
    user: Any,
    username: str,
    items: list[tuple[str, str, str, dict[str, Any]]],
    group: uuid.UUID,
) -> list[AuditEntry]:
    """Append under the head row's lock (``SELECT … FOR UPDATE``): writers one at a time."""
    with transaction.atomic(using=using):
        head, _ = AuditHead.objects.using(using).select_for_update().get_or_create(id=1)
        rows = _entries(items, user, username, group, head.last_seq, head.last_hash)
        if rows:
            AuditEntry.objects.using(using).bulk_create(rows, batch_size=500)
            seq, prev = rows[-1].seq, rows[-1].entry_hash
            AuditHead.objects.using(using).filter(id=1).update(last_seq=seq, last_hash=prev)
            _seen(using, (seq, prev))
        return rows


# Entries written by one statement after the head last seen (``_append_after``); a longer
# batch (an import's entries) takes the lock.
_AFTER_MAX = 50
_COLUMNS = (
    "seq", "created_at", "actor", "actor_username", "action", "object_type", "object_id",
    "data", "request_id", "group_id", "prev_hash", "entry_hash",
)  # fmt: skip


def _seen(using: str, head: tuple[int, str] | None) -> None:
    """The head as this connection last wrote or read it (a guess: the write checks it)."""
    setattr(connections[using], "chibo_audit_head", head)  # noqa: B010


def _fields() -> list[Field[Any, Any]]:
    return [cast("Field[Any, Any]", AuditEntry._meta.get_field(name)) for name in _COLUMNS]


_AFTER_SQL: dict[tuple[str, int], str] = {}


def _after_sql(connection: Any, n: int) -> str:
    """The statement that appends ``n`` entries if the head is still the one given."""
    key = (connection.vendor, n)
    if key not in _AFTER_SQL:
        _AFTER_SQL[key] = _write_after_sql(connection, n)
    return _AFTER_SQL[key]


def _write_after_sql(connection: Any, n: int) -> str:
    qn = connection.ops.quote_name
    fields = _fields()
    table, head = qn(AuditEntry._meta.db_table), qn(AuditHead._meta.db_table)
    columns = ", ".join(qn(f.column) for f in fields)
    if connection.vendor == "postgresql":
        # The VALUES' types are the columns' (a NULL actor is no text).
        row = "(" + ", ".join(f"%s::{f.db_type(connection)}" for f in fields) + ")"
        return (
            f"WITH up AS (UPDATE {head} SET last_seq = %s, last_hash = %s "  # noqa: S608
            "WHERE id = 1 AND last_seq = %s AND last_hash = %s RETURNING id) "
            f"INSERT INTO {table} ({columns}) SELECT v.* FROM (VALUES "
            + ", ".join([row] * n)
            + ") v WHERE EXISTS (SELECT 1 FROM up) RETURNING id, seq"
        )
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    return (
        f"INSERT INTO {table} ({columns}) SELECT * FROM (VALUES "  # noqa: S608
        + ", ".join([row] * n)
        + f") WHERE EXISTS (SELECT 1 FROM {head} WHERE id = 1 AND last_seq = %s "  # noqa: S608
        "AND last_hash = %s) RETURNING id, seq"
    )


def _append_after(
    using: str,
    user: Any,
    username: str,
    items: list[tuple[str, str, str, dict[str, Any]]],
    group: uuid.UUID,
) -> list[AuditEntry] | None:
    """Append after the head this connection last saw, if it is still the head; None if not
    (nothing written). PostgreSQL: one statement moves the head only where it is still
    (seq, hash) — waiting on a writer that holds it, then finding it moved — and inserts
    the entries only if it moved it. SQLite (one writer at a time): the entries only if the
    head is that one, then the head, in one transaction."""
    connection = connections[using]
    known: tuple[int, str] | None = getattr(connection, "chibo_audit_head", None)
    if known is None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT last_seq, last_hash FROM {AuditHead._meta.db_table} WHERE id = 1"  # noqa: S608
            )
            found = cursor.fetchone()
        if found is None:
            return None  # no head yet: created under the lock
        known = (int(found[0]), str(found[1]))
    seq, last_hash = known
    rows = _entries(items, user, username, group, seq, last_hash)
    new_seq, new_hash = rows[-1].seq, rows[-1].entry_hash
    fields = _fields()
    values = [
        field.get_db_prep_save(getattr(entry, field.attname), connection)
        for entry in rows
        for field in fields
    ]
    sql = _after_sql(connection, len(rows))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, [new_seq, new_hash, seq, last_hash, *values])
            written = cursor.fetchall()
    else:
        with transaction.atomic(using=using, savepoint=False), connection.cursor() as cursor:
            cursor.execute(sql, [*values, seq, last_hash])
            written = cursor.fetchall()
            if written:
                cursor.execute(
                    f"UPDATE {AuditHead._meta.db_table} SET last_seq = %s, last_hash = %s "  # noqa: S608
                    "WHERE id = 1",
                    [new_seq, new_hash],
                )
    if len(written) != len(rows):
        _seen(using, None)
        return None
    ids = {int(s): pk for pk, s in written}
    for entry in rows:
        entry.pk = ids[entry.seq]
        entry._state.adding = False
        entry._state.db = using
    _seen(using, (new_seq, new_hash))
    return rows


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    problem: str
    # The range of entries found altered or missing (first, last), when known.
    first: int = 0
    last: int = 0


def verify(
    batch_size: int = 5000, using: str = "default", *, checkpoints: bool = True
) -> Iterator[ChainProblem]:
    """Yield every break in the chain (none means the log is intact); ``using``: database alias.

    With ``checkpoints`` (the default) the chain is also held against the signed
    checkpoints kept outside the database (``core.checkpoints``)."""
    head = AuditHead.objects.using(using).filter(id=1).first()
    keyed_from = head.keyed_from if head is not None else 0
    key = audit_key()
    prev = GENESIS
    expected_seq = 1
    last_seq = 0
    present: dict[int, str] = {}
    wanted = set()
    marks: list[Any] = []
    if checkpoints:
        from chibo.core import checkpoints as cp

        marks, bad_lines = cp.read()
        for line in bad_lines:
            yield ChainProblem(
                0, f"checkpoint line {line} has no valid signature (forged or damaged)"
            )
        wanted = {mark.seq for mark in marks}
    qs = AuditEntry.objects.using(using).order_by("seq")
    for entry in qs.iterator(chunk_size=batch_size):
        if entry.seq != expected_seq:
            yield ChainProblem(
                expected_seq,
                f"entries {expected_seq}..{entry.seq - 1} are missing",
                expected_seq,
                entry.seq - 1,
            )
        if entry.prev_hash != prev:
            yield ChainProblem(
                entry.seq,
                "previous-hash link broken (an entry before it was changed or removed)",
                entry.seq - 1,
                entry.seq,
            )
        keyed = entry.seq > keyed_from
        if compute_hash(entry.prev_hash, entry, keyed=keyed, key=key) != entry.entry_hash:
            yield ChainProblem(
                entry.seq,
                "content does not match its keyed hash (entry was edited)"
                if keyed
                else "content does not match its hash (entry was edited)",
                entry.seq,
                entry.seq,
            )
        if entry.seq in wanted:
            present[entry.seq] = entry.entry_hash
        prev = entry.entry_hash
        expected_seq = entry.seq + 1
        last_seq = entry.seq
    if head is not None and (head.last_seq != last_seq or head.last_hash != prev):
        yield ChainProblem(
            head.last_seq,
            "the newest entries were removed (chain head does not match)",
            last_seq + 1,
            max(head.last_seq, last_seq + 1),
        )
    if checkpoints:
        yield from _against_checkpoints(marks, present, last_seq, keyed_from)


def _against_checkpoints(
    marks: list[Any], present: dict[int, str], last_seq: int, keyed_from: int
) -> Iterator[ChainProblem]:
    newest_good = 0
    for mark in sorted(marks, key=lambda m: m.seq):
        when = mark.at_label
        if mark.seq > last_seq:
            yield ChainProblem(
                mark.seq,
                f"entries {last_seq + 1}..{mark.seq} were removed: the checkpoint of {when} "
                f"saw entry {mark.seq}",
                last_seq + 1,
                mark.seq,
            )
        elif present.get(mark.seq) != mark.head:
            yield ChainProblem(
                mark.seq,
                f"entries {newest_good + 1}..{mark.seq} were rewritten: entry {mark.seq} is not "
                f"the one the checkpoint of {when} signed",
                newest_good + 1,
                mark.seq,
            )
        else:
            newest_good = mark.seq
        if mark.keyed_from != keyed_from:
            yield ChainProblem(
                mark.seq,
                f"the start of the keyed chain moved ({mark.keyed_from} → {keyed_from})",
                min(mark.keyed_from, keyed_from) + 1,
                mark.seq,
            )


def altered_range(problems: list[ChainProblem]) -> tuple[int, int] | None:
    """The smallest range of sequence numbers covering every problem found, or None."""
    spans = [(p.first, p.last) for p in problems if p.first or p.last]
    if not spans:
        return None
    return min(first for first, _ in spans), max(last for _, last in spans)
