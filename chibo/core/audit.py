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
from typing import Any

from django.conf import settings
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
