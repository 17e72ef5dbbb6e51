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

from chibo.core.backup.common import FORMAT, BackupError, sha256_file, table_counts
from chibo.core.backup.create import BackupResult, backup_create, backups_prune
from chibo.core.backup.restore import (
    RestoreResult,
    backup_restore,
    read_manifest,
    verify_restored,
)

__all__ = [
    "FORMAT",
    "BackupError",
    "BackupResult",
    "RestoreResult",
    "backup_create",
    "backup_restore",
    "backups_prune",
    "read_manifest",
    "sha256_file",
    "table_counts",
    "verify_restored",
]
