"""A backup written (SQLite through the online backup API, PostgreSQL through pg_dump on an
exported snapshot), sealed, with its checksum and signed manifest; old backups pruned.
"""

from __future__ import annotations

import gzip
import json
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections
from django.utils import timezone

from chibo.core import sealed
from chibo.core.backup.common import (
    _SKIP_TABLES,
    FORMAT,
    BackupError,
    _audit_head,
    _manifest_signature,
    _pg_bin,
    _pg_env,
    _private_file,
    _side_files,
    sha256_file,
)


@dataclass
class BackupResult:
    path: Path
    checksum_path: Path
    manifest_path: Path
    manifest: dict[str, Any]


def _default_output(vendor: str) -> Path:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    suffix = ".sqlite3.gz.enc" if vendor == "sqlite" else ".pgdump.enc"
    return Path(settings.CHIBO_BACKUP_DIR) / f"chibo-{stamp}{suffix}"


# --- backup ------------------------------------------------------------------------


def _backup_sqlite(conn: Any, out: Path) -> tuple[dict[str, int], dict[str, Any]]:
    conn.ensure_connection()
    with tempfile.TemporaryDirectory() as tmp:
        copy_path = Path(tmp) / "copy.sqlite3"
        dst = sqlite3.connect(copy_path)
        try:
            conn.connection.backup(dst)  # online backup API: a consistent copy
            dst.execute("PRAGMA journal_mode=DELETE")
            names = [
                r[0]
                for r in dst.execute(
                    "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name"
                )
                if r[0] not in _SKIP_TABLES
            ]
            counts = {n: dst.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in names}  # noqa: S608
            head = _audit_head(dst.cursor())
        finally:
            dst.close()
        with copy_path.open("rb") as src, _private_file(out) as fh:
            writer = sealed.SealingWriter(fh)
            with gzip.GzipFile(fileobj=writer, mode="wb", compresslevel=6) as gz:
                shutil.copyfileobj(src, gz, 1 << 20)
            writer.close()
    return counts, head


def _backup_postgres(conn: Any, out: Path) -> tuple[dict[str, int], dict[str, Any]]:
    import psycopg

    sd = conn.settings_dict
    args, env = _pg_env(sd)
    # One snapshot for the counts and the dump: export it from a REPEATABLE READ
    # transaction kept open while pg_dump runs on it.
    dsn_kwargs = {
        "host": sd.get("HOST") or "127.0.0.1",
        "port": sd.get("PORT") or None,
        "user": sd.get("USER") or None,
        "password": sd.get("PASSWORD") or None,
        "dbname": sd["NAME"],
    }
    with psycopg.connect(**{k: v for k, v in dsn_kwargs.items() if v}) as pg:
        pg.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = pg.execute("SELECT pg_export_snapshot()").fetchone()[0]  # type: ignore[index]
        names = [
            r[0]
            for r in pg.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        counts = {n: pg.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in names}  # type: ignore[index]  # noqa: S608
        cur = pg.cursor()
        head = _audit_head(cur)
        # pg_dump writes to a pipe, sealed as it comes: no plain dump on disk.
        with tempfile.TemporaryFile() as errors, _private_file(out) as fh:
            dump = subprocess.Popen(  # noqa: S603 — fixed program, arguments from settings
                [
                    _pg_bin("pg_dump"),
                    *args,
                    "-Fc",
                    "-Z",
                    "6",
                    f"--snapshot={snapshot}",
                    sd["NAME"],
                ],
                env=env,
                stdout=subprocess.PIPE,
                stderr=errors,
            )
            writer = sealed.SealingWriter(fh)
            assert dump.stdout is not None
            for block in iter(lambda: dump.stdout.read(1 << 20), b""):  # type: ignore[union-attr]
                writer.write(block)
            writer.close()
            returncode = dump.wait()
            errors.seek(0)
            stderr = errors.read().decode("utf-8", "replace")
        pg.execute("COMMIT")
    if returncode != 0:
        raise BackupError(f"pg_dump thất bại: {stderr.strip()[:500]}")
    return counts, head


def backup_create(*, output: Path | None = None, alias: str = "default") -> BackupResult:
    """Write the sealed snapshot, its checksum and its signed manifest (all 0600); returns where."""
    conn = connections[alias]
    out = Path(output) if output else _default_output(conn.vendor)
    out.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if out.exists():
        raise BackupError(f"Tệp {out} đã có: không ghi đè bản sao lưu.")
    kid, _key = sealed.ring()[0]  # a malformed CHIBO_BACKUP_KEY fails before any work
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if conn.vendor == "sqlite":
            counts, head = _backup_sqlite(conn, partial)
        elif conn.vendor == "postgresql":
            counts, head = _backup_postgres(conn, partial)
        else:  # pragma: no cover — settings allow only these two
            raise BackupError(f"Không hỗ trợ cơ sở dữ liệu {conn.vendor}")
        checksum = sha256_file(partial)
        partial.rename(out)  # a backup file exists only once complete
    finally:
        partial.unlink(missing_ok=True)
    checksum_path, manifest_path = _side_files(out)
    manifest = {
        "format": FORMAT,
        "vendor": conn.vendor,
        "created_at": timezone.now().isoformat(),
        "file": out.name,
        "sha256": checksum,
        "size": out.stat().st_size,
        "encryption": {"format": sealed.MAGIC.decode().strip(), "key_id": kid},
        "audit_head": head,
        "counts": counts,
    }
    manifest["sig"] = _manifest_signature(manifest)
    for side, text in (
        (checksum_path, f"{checksum}  {out.name}\n"),
        (manifest_path, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"),
    ):
        with _private_file(side) as fh:
            fh.write(text.encode())
    return BackupResult(out, checksum_path, manifest_path, manifest)


def backups_prune(*, keep_days: int, directory: Path | None = None) -> list[Path]:
    """Delete the backups (with their side files) in ``directory`` older than ``keep_days``."""
    folder = Path(directory or settings.CHIBO_BACKUP_DIR)
    cutoff = timezone.now().timestamp() - keep_days * 86400
    removed = []
    for path in sorted(folder.glob("chibo-*.enc")):
        if path.stat().st_mtime < cutoff:
            for side in (path, *_side_files(path)):
                side.unlink(missing_ok=True)
            removed.append(path)
    return removed
