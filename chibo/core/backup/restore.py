"""A backup restored into an empty database: manifest and checksum checked, the whole file opened
first, then the audit chain and every table's row count verified.
"""

from __future__ import annotations

import gzip
import hmac
import json
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connections

from chibo.core import sealed
from chibo.core.backup.common import (
    FORMAT,
    BackupError,
    _audit_head,
    _pg_bin,
    _pg_env,
    _private_file,
    _side_files,
    _signature_with,
    _tables,
    sha256_file,
    table_counts,
)

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
