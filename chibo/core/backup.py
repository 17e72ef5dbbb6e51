"""Consistent, compressed, encrypted and authenticated backups, and restores that prove themselves.

``backup_create`` writes three files, each mode 0600 (the directory 0700):

* the snapshot, sealed with ``CHIBO_BACKUP_KEY`` (``core.sealed``: AES-256-GCM in
  chunks, a changed, moved or missing byte is refused): SQLite through the online
  backup API (``sqlite3.Connection.backup``, consistent while others write),
  gzip-compressed → ``chibo-<stamp>.sqlite3.gz.enc``; PostgreSQL through ``pg_dump -Fc``
  (compressed custom format) run on a snapshot exported from a REPEATABLE READ
  transaction, piped straight into the sealing (no plain file on disk) →
  ``chibo-<stamp>.pgdump.enc``;
* ``<file>.sha256``: its SHA-256, in ``sha256sum`` format (a checksum, not a signature);
* ``<file>.manifest.json``: the row count of every table and the audit chain head,
  read from the very snapshot that was dumped, the file's SHA-256, signed with an
  HMAC under the backup key (``sig``).

``backup_restore`` refuses a non-empty database, checks the manifest's signature and
the file's SHA-256, opens the whole file (every chunk authenticated) into a private
temporary directory before anything is written, restores, then verifies the audit
chain (``core.audit.verify``), its head and every table's row count against the
manifest. Restores are same-engine (SQLite → SQLite, PostgreSQL → PostgreSQL).
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import hmac
import json
import os
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

FORMAT = 2  # 1: plain gzip/pg_dump with a checksum (no longer restored: not authenticated)
_SKIP_TABLES = {"sqlite_sequence", "sqlite_stat1", "sqlite_stat4"}


class BackupError(Exception):
    """A backup or a restore that cannot be trusted; the message says why (Vietnamese for the CLI)."""


@dataclass
class BackupResult:
    path: Path
    checksum_path: Path
    manifest_path: Path
    manifest: dict[str, Any]


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


def _default_output(vendor: str) -> Path:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    suffix = ".sqlite3.gz.enc" if vendor == "sqlite" else ".pgdump.enc"
    return Path(settings.CHIBO_BACKUP_DIR) / f"chibo-{stamp}{suffix}"


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


# --- restore -----------------------------------------------------------------------


@dataclass
class RestoreResult:
    tables: int
    rows: int
    audit_entries: int


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest beside ``path``, once its signature and the file's SHA-256 check out."""
    checksum_path, manifest_path = _side_files(path)
    if not path.exists():
        raise BackupError(f"Không có tệp {path}.")
    if not checksum_path.exists() or not manifest_path.exists():
        raise BackupError(
            f"Thiếu {checksum_path.name} hoặc {manifest_path.name} bên cạnh bản sao lưu."
        )
    try:
        manifest: dict[str, Any] = json.loads(manifest_path.read_text())
    except ValueError as exc:
        raise BackupError(f"Bản kê {manifest_path.name} hỏng: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(
            "Bản sao lưu định dạng cũ (không mã hóa, không xác thực): chibo không khôi phục nó, "
            "vì không thể biết nó có bị sửa hay không."
        )
    keys = dict(sealed.ring())
    key = keys.get(str(manifest.get("encryption", {}).get("key_id", "")))
    if key is None:
        raise BackupError("Không có khóa CHIBO_BACKUP_KEY nào mở được bản sao lưu này.")
    if not hmac.compare_digest(_signature_with(key, manifest), str(manifest.get("sig", ""))):
        raise BackupError(
            "Chữ ký của bản kê (manifest) không đúng: bản kê đã bị sửa, hoặc sai khóa."
        )
    expected = checksum_path.read_text().split()[0]
    actual = sha256_file(path)
    if actual != manifest.get("sha256") or actual != expected:
        raise BackupError(
            f"Mã kiểm tra SHA-256 không khớp ({actual} ≠ {manifest.get('sha256')}): "
            "tệp đã hỏng hoặc bị sửa."
        )
    return manifest


def _open_sealed(path: Path, plain: Path) -> None:
    """Decrypt ``path`` into ``plain`` (0600), authenticating every chunk; BackupError if not."""
    try:
        with path.open("rb") as src, _private_file(plain) as fh:
            for chunk in sealed.open_chunks(src):
                fh.write(chunk)
    except sealed.SealError as exc:
        plain.unlink(missing_ok=True)
        raise BackupError(str(exc)) from exc


def _is_empty(alias: str) -> bool:
    return not _tables(connections[alias])


def _restore_sqlite(path: Path, conn: Any) -> None:
    name = conn.settings_dict["NAME"]
    if str(name) in {":memory:", ""} or "mode=memory" in str(name):
        raise BackupError("Không khôi phục vào cơ sở dữ liệu SQLite trong bộ nhớ.")
    conn.close()
    with tempfile.TemporaryDirectory() as tmp:
        packed = Path(tmp) / "restore.sqlite3.gz"
        _open_sealed(path, packed)
        plain = Path(tmp) / "restore.sqlite3"
        with gzip.open(packed, "rb") as gz, plain.open("wb") as fh:
            shutil.copyfileobj(gz, fh, 1 << 20)
        src = sqlite3.connect(plain)
        dst = sqlite3.connect(name)
        try:
            src.backup(dst)
        finally:
            src.close()
            dst.close()


def _restore_postgres(path: Path, conn: Any) -> None:
    sd = conn.settings_dict
    args, env = _pg_env(sd)
    conn.close()
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / "restore.pgdump"
        _open_sealed(path, dump)  # every chunk authenticated before pg_restore runs
        result = subprocess.run(  # noqa: S603 — fixed program, arguments from settings
            [
                _pg_bin("pg_restore"),
                *args,
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                "-d",
                sd["NAME"],
                str(dump),
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    if result.returncode != 0:
        raise BackupError(f"pg_restore thất bại: {result.stderr.strip()[:500]}")


def verify_restored(manifest: dict[str, Any], alias: str = "default") -> RestoreResult:
    """The audit chain is intact, its head and every table's row count match the manifest."""
    from chibo.core import audit

    # The chain as it was at the backup (the live checkpoints may be newer than it).
    problems = list(audit.verify(using=alias, checkpoints=False))
    if problems:
        first = problems[0]
        raise BackupError(
            f"Chuỗi nhật ký kiểm toán bị phá vỡ sau khôi phục: seq {first.seq}: {first.problem}"
        )
    with connections[alias].cursor() as cursor:
        head = _audit_head(cursor)
    if head != manifest["audit_head"]:
        raise BackupError(f"Đầu chuỗi kiểm toán {head} khác bản kê {manifest['audit_head']}.")
    counts = table_counts(alias)
    diff = {
        t: (manifest["counts"].get(t), counts.get(t))
        for t in set(manifest["counts"]) | set(counts)
        if manifest["counts"].get(t) != counts.get(t)
    }
    if diff:
        sample = ", ".join(f"{t}: {a}→{b}" for t, (a, b) in sorted(diff.items())[:5])
        raise BackupError(f"Số dòng khác bản kê ở {len(diff)} bảng: {sample}")
    return RestoreResult(
        tables=len(counts), rows=sum(counts.values()), audit_entries=head["last_seq"]
    )


def backup_restore(path: Path, *, alias: str = "default") -> RestoreResult:
    """Restore ``path`` into the EMPTY database ``alias`` and prove it (see module doc)."""
    path = Path(path)
    manifest = read_manifest(path)
    conn = connections[alias]
    if manifest.get("vendor") != conn.vendor:
        raise BackupError(
            f"Bản sao lưu của {manifest.get('vendor')} không khôi phục vào {conn.vendor}."
        )
    if not _is_empty(alias):
        raise BackupError(
            "Cơ sở dữ liệu đích không trống: chỉ khôi phục vào cơ sở dữ liệu mới, trống "
            "(không ghi đè dữ liệu đang có)."
        )
    if conn.vendor == "sqlite":
        _restore_sqlite(path, conn)
    else:
        _restore_postgres(path, conn)
    return verify_restored(manifest, alias)
