"""`chibo backup` / `chibo restore`: a round trip on the database the suite runs on (SQLite or PostgreSQL)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections

from chibo.core import audit
from chibo.core.backup import BackupError, backup_create, backup_restore, table_counts
from chibo.core.models import AuditEntry
from chibo.members.models import Member
from tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def target(tmp_path: Path) -> Iterator[str]:
    """A second, empty database on the same server/engine, as the alias "restore_target"."""
    alias = "restore_target"
    base = dict(connections.settings["default"])
    created = ""
    if connection.vendor == "sqlite":
        base["NAME"] = str(tmp_path / "restored.sqlite3")
    else:
        created = f"chibo_restore_{uuid.uuid4().hex[:8]}"
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{created}"')
        base["NAME"] = created
    # Registered as a connection object only (not in settings): Django's test
    # isolation then treats it as a dynamically created connection.
    from django.db.utils import load_backend

    connections[alias] = load_backend(base["ENGINE"]).DatabaseWrapper(base, alias)
    try:
        yield alias
    finally:
        connections[alias].close()
        del connections[alias]
        if created:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{created}"')


def _data() -> None:
    tree = f.tree()
    for i in range(5):
        f.member(tree["cell_a"], code=f"DV-B{i}", citizen_id=f"07920300{i:04d}")


def test_round_trip_restores_everything_and_verifies(tmp_path: Path, target: str) -> None:
    _data()
    result = backup_create(
        output=tmp_path
        / "b"
        / ("chibo.sqlite3.gz" if connection.vendor == "sqlite" else "chibo.pgdump")
    )
    manifest = json.loads(result.manifest_path.read_text())
    assert manifest["counts"]["members_member"] == 5
    assert manifest["audit_head"]["last_seq"] == AuditEntry.objects.count() > 0
    assert result.checksum_path.read_text().split()[0] == manifest["sha256"]
    restored = backup_restore(result.path, alias=target)
    assert restored.rows == sum(manifest["counts"].values())
    assert table_counts(target) == table_counts("default")
    assert not list(audit.verify(using=target))
    # Encrypted values come back readable (same key).
    assert Member.objects.using(target).get(member_code="DV-B3").citizen_id == "079203000003"
    # A second restore into the now non-empty database is refused.
    with pytest.raises(BackupError, match=r"không trống"):
        backup_restore(result.path, alias=target)


def test_a_changed_byte_is_caught_before_anything_is_written(tmp_path: Path, target: str) -> None:
    _data()
    result = backup_create(
        output=tmp_path / ("x.sqlite3.gz" if connection.vendor == "sqlite" else "x.pgdump")
    )
    blob = bytearray(result.path.read_bytes())
    blob[len(blob) // 2] ^= 0xFF
    result.path.write_bytes(bytes(blob))
    with pytest.raises(BackupError, match="SHA-256"):
        backup_restore(result.path, alias=target)
    assert not connections[target].introspection.table_names()


def test_a_manifest_that_does_not_match_the_data_fails_the_restore(
    tmp_path: Path, target: str
) -> None:
    _data()
    result = backup_create(
        output=tmp_path / ("y.sqlite3.gz" if connection.vendor == "sqlite" else "y.pgdump")
    )
    manifest = json.loads(result.manifest_path.read_text())
    manifest["counts"]["members_member"] = 6
    result.manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(BackupError, match="members_member"):
        backup_restore(result.path, alias=target)


def test_commands_print_and_refuse(tmp_path: Path, capsys: Any) -> None:
    _data()
    out = tmp_path / ("c.sqlite3.gz" if connection.vendor == "sqlite" else "c.pgdump")
    call_command("backup", "--output", str(out))
    assert "SHA-256" in capsys.readouterr().out
    with pytest.raises(CommandError, match="đã có"):
        call_command("backup", "--output", str(out))
    with pytest.raises(CommandError, match=r"không trống|bộ nhớ"):
        call_command("restore", str(out))  # the suite's own database is not empty
