"""`chibo backup` / `chibo restore`: a round trip on the database the suite runs on (SQLite or
PostgreSQL); encrypted, authenticated, private files; what the shipped systemd unit produces restores."""

from __future__ import annotations

import json
import sys
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


def _name(stem: str) -> str:
    return f"{stem}.sqlite3.gz.enc" if connection.vendor == "sqlite" else f"{stem}.pgdump.enc"


def _data() -> None:
    tree = f.tree()
    for i in range(5):
        f.member(tree["cell_a"], code=f"DV-B{i}", citizen_id=f"07920300{i:04d}")


def test_round_trip_restores_everything_and_verifies(tmp_path: Path, target: str) -> None:
    _data()
    result = backup_create(
        output=tmp_path
        / "b"
        / ("chibo.sqlite3.gz.enc" if connection.vendor == "sqlite" else "chibo.pgdump.enc")
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
    result = backup_create(output=tmp_path / _name("x"))
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
    result = backup_create(output=tmp_path / _name("y"))
    manifest = json.loads(result.manifest_path.read_text())
    manifest["counts"]["members_member"] = 6
    result.manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(BackupError, match="Chữ ký"):  # the manifest is signed
        backup_restore(result.path, alias=target)
    assert not connections[target].introspection.table_names()


def test_commands_print_and_refuse(tmp_path: Path, capsys: Any) -> None:
    _data()
    out = tmp_path / _name("c")
    call_command("backup", "--output", str(out))
    assert "SHA-256" in capsys.readouterr().out
    with pytest.raises(CommandError, match="đã có"):
        call_command("backup", "--output", str(out))
    with pytest.raises(CommandError, match=r"không trống|bộ nhớ"):
        call_command("restore", str(out))  # the suite's own database is not empty


# --- issue 16.20: encrypted, private, authenticated; the shipped unit's backups restore ------


def test_files_are_private_and_encrypted(tmp_path: Path) -> None:
    import stat

    _data()
    result = backup_create(output=tmp_path / "private" / _name("p"))
    for path in (result.path, result.checksum_path, result.manifest_path):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE(result.path.parent.stat().st_mode) == 0o700
    blob = result.path.read_bytes()
    assert blob.startswith(b"CHIBO-BACKUP-1\n")
    assert b"\x1f\x8b" not in blob[:64] and b"PGDMP" not in blob and b"DV-B1" not in blob
    assert result.manifest["encryption"]["key_id"] and result.manifest["sig"]


def test_an_edited_backup_with_recomputed_checksums_is_refused(tmp_path: Path, target: str) -> None:
    import hashlib

    _data()
    result = backup_create(output=tmp_path / _name("t"))
    blob = bytearray(result.path.read_bytes())
    blob[len(blob) // 2] ^= 0x01
    result.path.write_bytes(bytes(blob))
    digest = hashlib.sha256(bytes(blob)).hexdigest()
    result.checksum_path.write_text(f"{digest}  {result.path.name}\n")
    manifest = json.loads(result.manifest_path.read_text())
    manifest["sha256"] = digest
    result.manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(BackupError, match="Chữ ký"):
        backup_restore(result.path, alias=target)
    # Even with the manifest's signature left valid, the sealed chunks refuse the edit.
    from chibo.core.backup.restore import _open_sealed

    with pytest.raises(BackupError, match="xác thực"):
        _open_sealed(result.path, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert not connections[target].introspection.table_names()


def test_sealed_streams_refuse_cut_moved_and_foreign_files(tmp_path: Path, settings: Any) -> None:
    import io

    from chibo.core import sealed

    settings.CHIBO_BACKUP_KEY = "q7Hc3m0nQ2mYJ8kq3dQ3Q1m2QkVn0l8oYc6Wm1gT9uE="
    data = bytes(range(256)) * 9000  # a little over two chunks
    buffer = io.BytesIO()
    writer = sealed.SealingWriter(buffer)
    writer.write(data)
    writer.close()
    blob = buffer.getvalue()
    assert b"".join(sealed.open_chunks(io.BytesIO(blob))) == data
    with pytest.raises(sealed.SealError, match="cắt cụt"):
        list(sealed.open_chunks(io.BytesIO(blob[: len(blob) // 2])))
    first = sealed.HEADER_BYTES + 4 + sealed.CHUNK + 16
    second_end = first + 4 + sealed.CHUNK + 16
    swapped = (
        blob[: sealed.HEADER_BYTES]
        + blob[first:second_end]
        + blob[sealed.HEADER_BYTES : first]
        + blob[second_end:]
    )
    with pytest.raises(sealed.SealError):
        list(sealed.open_chunks(io.BytesIO(swapped)))
    with pytest.raises(sealed.SealError, match="thừa"):
        list(sealed.open_chunks(io.BytesIO(blob + b"x")))
    settings.CHIBO_BACKUP_KEY = "Wm2S0jcrOqGMd3xnpyKhPh1u2_X7lWlGrYRlbKTuvCg="
    with pytest.raises(sealed.SealError, match="khóa"):
        list(sealed.open_chunks(io.BytesIO(blob)))


def test_an_old_unencrypted_backup_is_not_restored(tmp_path: Path, target: str) -> None:
    _data()
    result = backup_create(output=tmp_path / _name("o"))
    manifest = json.loads(result.manifest_path.read_text())
    manifest["format"] = 1
    result.manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(BackupError, match="định dạng cũ"):
        backup_restore(result.path, alias=target)


def _unit_command(keep_days: str) -> list[str]:
    from tests.security.served import PROJECT

    unit = (PROJECT / "deploy" / "systemd" / "chibo-backup.service").read_text()
    line = next(x for x in unit.splitlines() if x.startswith("ExecStart="))
    argv = line.removeprefix("ExecStart=").replace("${BACKUP_KEEP_DAYS}", keep_days).split()
    assert argv[0] == "/opt/chibo/.venv/bin/chibo", argv
    assert "UMask=0077" in unit and "User=chibo" in unit
    return [str(Path(sys.executable).with_name("chibo")), *argv[1:]]


def test_the_shipped_systemd_unit_makes_a_backup_that_restores(
    tmp_path: Path, settings: Any
) -> None:
    import stat
    import subprocess

    from tests.security import served

    # The data is written with the keys the deployed processes hold.
    settings.CHIBO_FIELD_KEY = served.FIELD_KEY
    settings.CHIBO_AUDIT_KEY = served.AUDIT_KEY
    production_env = served.production_env
    _data()
    env = production_env(tmp_path)
    made = subprocess.run(  # noqa: S603 — the unit's own command line
        _unit_command("30"), env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert made.returncode == 0, made.stderr
    files = sorted((tmp_path / "backups").glob("chibo-*.enc"))
    assert len(files) == 1 and stat.S_IMODE(files[0].stat().st_mode) == 0o600
    # Restore it, as an operator would, into an empty database with the same keys.
    if connection.vendor == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        created = ""
    else:
        created = f"chibo_unit_{uuid.uuid4().hex[:8]}"
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{created}"')
        env["DATABASE_URL"] = env["DATABASE_URL"].rsplit("/", 1)[0] + "/" + created
    try:
        restored = subprocess.run(  # noqa: S603
            [str(Path(sys.executable).with_name("chibo")), "restore", str(files[0])],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert restored.returncode == 0, restored.stderr
        assert "Đã khôi phục và kiểm tra" in restored.stdout
        # Without the backup key, nothing restores.
        wrong = {**env, "CHIBO_BACKUP_KEY": "Wm2S0jcrOqGMd3xnpyKhPh1u2_X7lWlGrYRlbKTuvCg="}
        refused = subprocess.run(  # noqa: S603
            [str(Path(sys.executable).with_name("chibo")), "restore", str(files[0])],
            env=wrong,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert refused.returncode != 0 and "CHIBO_BACKUP_KEY" in refused.stderr
    finally:
        if created:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{created}"')
