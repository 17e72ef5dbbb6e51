"""What a backup and a restore both read: the format, the tables and their row counts, the audit
head, the PostgreSQL tools, private files and the manifest's signature.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from django.db import connections

from chibo.core import sealed

FORMAT = 2  # 1: plain gzip/pg_dump with a checksum (no longer restored: not authenticated)


_SKIP_TABLES = {"sqlite_sequence", "sqlite_stat1", "sqlite_stat4"}


class BackupError(Exception):
    """A backup or a restore that cannot be trusted; the message says why (Vietnamese for the CLI)."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _quote(conn: Any, name: str) -> str:
    quoted: str = conn.ops.quote_name(name)
    return quoted


def _tables(conn: Any) -> list[str]:
    with conn.cursor() as cursor:
        names = conn.introspection.table_names(cursor)
    return sorted(n for n in names if n not in _SKIP_TABLES)


def table_counts(alias: str = "default") -> dict[str, int]:
    conn = connections[alias]
    counts: dict[str, int] = {}
    with conn.cursor() as cursor:
        for table in _tables(conn):
            cursor.execute(f"SELECT COUNT(*) FROM {_quote(conn, table)}")  # noqa: S608 — introspected names
            counts[table] = cursor.fetchone()[0]
    return counts


def _audit_head(cursor: Any) -> dict[str, Any]:
    cursor.execute("SELECT last_seq, last_hash FROM core_audithead WHERE id = 1")
    row = cursor.fetchone()
    return {"last_seq": row[0], "last_hash": row[1]} if row else {"last_seq": 0, "last_hash": ""}


def _pg_bin(name: str) -> str:
    """``pg_dump``/``pg_restore`` of the installed server (same major version), else from PATH."""
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        bindir = subprocess.run(  # noqa: S603
            [shutil.which("pg_config") or "pg_config", "--bindir"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
        candidate = Path(bindir) / name
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"Không tìm thấy {name}: cài postgresql-client cùng phiên bản với máy chủ."
        )
    return found


def _pg_env(settings_dict: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = ["-h", str(settings_dict.get("HOST") or "127.0.0.1")]
    if settings_dict.get("PORT"):
        args += ["-p", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["-U", str(settings_dict["USER"])]
    env = {**os.environ}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return args, env


def _private_file(path: Path) -> Any:
    """A new file only its owner can read (0600), opened for binary writing."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    return os.fdopen(fd, "wb")


def _manifest_signature(manifest: dict[str, Any]) -> str:
    """HMAC-SHA256 of the manifest (without ``sig``) under a key derived from the backup key."""
    _kid, key = sealed.ring()[0]
    return _signature_with(key, manifest)


def _signature_with(key: bytes, manifest: dict[str, Any]) -> str:
    body = {k: v for k, v in manifest.items() if k != "sig"}
    message = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    mac_key = hmac.new(key, b"chibo-backup-manifest", hashlib.sha256).digest()
    return hmac.new(mac_key, message.encode(), hashlib.sha256).hexdigest()


def _side_files(path: Path) -> tuple[Path, Path]:
    return path.with_name(path.name + ".sha256"), path.with_name(path.name + ".manifest.json")
