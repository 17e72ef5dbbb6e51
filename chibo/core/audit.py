"""Append to and verify the hash-chained audit log.

Every service records its entry inside its own transaction, so a change and
its audit entry are written together or not at all. Reads of a person's
record (detail views, lists, exports) are recorded too.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db import transaction
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


def compute_hash(prev_hash: str, entry: AuditEntry) -> str:
    return hashlib.sha256(prev_hash.encode() + b"|" + _canonical(entry)).hexdigest()


def _normalize(data: dict[str, Any]) -> dict[str, Any]:
    # Round-trip through JSON so the hash is computed over exactly what the
    # database will give back (dates become strings, tuples lists).
    return json.loads(json.dumps(data, default=str, ensure_ascii=False))


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
    """Append several entries of one user action under one group id."""
    group = group_id or uuid.uuid4()
    user = actor if getattr(actor, "is_authenticated", False) else None
    username = getattr(actor, "username", "") or ("system" if actor is None else "")
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(id=1)
        now = timezone.now()
        rows: list[AuditEntry] = []
        prev = head.last_hash
        seq = head.last_seq
        for action, object_type, object_id, data in entries:
            seq += 1
            entry = AuditEntry(
                seq=seq,
                created_at=now,
                actor=user,
                actor_username=username,
                action=action,
                object_type=object_type,
                object_id=str(object_id),
                data=_normalize(data),
                request_id=current_request_id.get(),
                group_id=group,
                prev_hash=prev,
            )
            entry.entry_hash = compute_hash(prev, entry)
            prev = entry.entry_hash
            rows.append(entry)
        if rows:
            AuditEntry.objects.bulk_create(rows, batch_size=500)
            AuditHead.objects.filter(id=1).update(last_seq=seq, last_hash=prev)
        return rows


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    problem: str


def verify(batch_size: int = 5000, using: str = "default") -> Iterator[ChainProblem]:
    """Yield every break in the chain (none means the log is intact); ``using``: database alias."""
    prev = GENESIS
    expected_seq = 1
    last_seq = 0
    qs = AuditEntry.objects.using(using).order_by("seq")
    for entry in qs.iterator(chunk_size=batch_size):
        if entry.seq != expected_seq:
            yield ChainProblem(expected_seq, f"entries {expected_seq}..{entry.seq - 1} are missing")
        if entry.prev_hash != prev:
            yield ChainProblem(
                entry.seq, "previous-hash link broken (an entry before it was changed or removed)"
            )
        if compute_hash(entry.prev_hash, entry) != entry.entry_hash:
            yield ChainProblem(entry.seq, "content does not match its hash (entry was edited)")
        prev = entry.entry_hash
        expected_seq = entry.seq + 1
        last_seq = entry.seq
    head = AuditHead.objects.using(using).filter(id=1).first()
    if head is not None and (head.last_seq != last_seq or head.last_hash != prev):
        yield ChainProblem(
            head.last_seq, "the newest entries were removed (chain head does not match)"
        )
