"""Signed checkpoints of the audit chain, kept outside the database.

A checkpoint is one JSON line ``{"seq", "head", "at", "keyed_from", "sig"}``:
the newest entry's sequence number and hash at a moment, signed with
HMAC-SHA256 under a key derived from ``CHIBO_AUDIT_KEY``. The lines are
appended to ``CHIBO_AUDIT_CHECKPOINTS`` (a file the database role cannot
write; mode 0600) and, with ``--syslog``, sent to the system log as well
(forwarded off the machine by rsyslog if configured: docs/security.md).

Someone who can rewrite the database can cut the newest entries and fix the
chain head, or empty the log; the keyed hashes cannot show that, the
checkpoints can: ``core.audit.verify`` checks that every checkpointed entry is
still there with the hash the checkpoint signed. ``chibo audit-verify
--checkpoint`` (daily, chibo-daily.service) and the 02:00 background check
write one after a clean verification.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    head: str
    at: str
    keyed_from: int

    @property
    def at_label(self) -> str:
        return timezone.localtime(dt.datetime.fromisoformat(self.at)).strftime("%d/%m/%Y %H:%M")

    def payload(self) -> dict[str, object]:
        return {"seq": self.seq, "head": self.head, "at": self.at, "keyed_from": self.keyed_from}


def path() -> Path:
    return Path(settings.CHIBO_AUDIT_CHECKPOINTS)


def _signature(payload: dict[str, object]) -> str:
    from chibo.core.audit import audit_key

    key = hmac.new(audit_key(), b"chibo-audit-checkpoint", hashlib.sha256).digest()
    message = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def read() -> tuple[list[Checkpoint], list[int]]:
    """The checkpoints with a valid signature, and the numbers of the lines without one."""
    file = path()
    if not file.exists():
        return [], []
    marks, bad = [], []
    for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            mark = Checkpoint(
                seq=int(data["seq"]),
                head=str(data["head"]),
                at=str(data["at"]),
                keyed_from=int(data["keyed_from"]),
            )
            ok = hmac.compare_digest(_signature(mark.payload()), str(data["sig"]))
        except (ValueError, KeyError, TypeError):
            ok = False
        if ok:
            marks.append(mark)
        else:
            bad.append(number)
    return marks, bad


def write(*, using: str = "default", syslog: bool = False) -> Checkpoint | None:
    """Append a checkpoint of the chain's head now (None when the log is empty)."""
    from chibo.core.models import AuditHead

    head = AuditHead.objects.using(using).filter(id=1).first()
    if head is None or head.last_seq == 0:
        return None
    mark = Checkpoint(
        seq=head.last_seq,
        head=head.last_hash,
        at=timezone.now().isoformat(),
        keyed_from=head.keyed_from,
    )
    line = json.dumps({**mark.payload(), "sig": _signature(mark.payload())}, sort_keys=True)
    file = path()
    file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (line + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    if syslog:
        import syslog as system_log

        system_log.openlog("chibo-audit", 0, system_log.LOG_AUTHPRIV)
        system_log.syslog(system_log.LOG_NOTICE, f"checkpoint {line}")
        system_log.closelog()
    return mark
