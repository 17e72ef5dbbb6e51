"""Citizen ID and phone: encrypted at rest, decrypted by the ORM, masked elsewhere, reads audited."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import Client
from django.urls import reverse

from chibo.core import crypto
from chibo.core.models import AuditEntry
from chibo.core.roles import Role
from chibo.members.models import Member
from tests import factories as f
from tests.security.conftest import full_member


def _raw(table: str, pk: int) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT citizen_id, phone FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()


def test_encrypt_decrypt_round_trip_and_empty_and_plain_passthrough(settings: Any) -> None:
    settings.CHIBO_FIELD_KEY = Fernet.generate_key().decode()
    token = crypto.encrypt_value("079203001234")
    assert token.startswith(crypto.TOKEN_PREFIX) and "079203001234" not in token
    assert crypto.encrypt_value("079203001234") != token  # random IV: equal values do not show
    assert crypto.decrypt_value(token) == "079203001234"
    assert crypto.encrypt_value("") == "" and crypto.decrypt_value("") == ""
    assert crypto.decrypt_value("0912345689") == "0912345689"  # written before encryption
    assert crypto.encrypt_value(token) == token  # never twice


def test_wrong_key_fails_loudly_and_rotation_keeps_old_values_readable(settings: Any) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.CHIBO_FIELD_KEY = old
    token = crypto.encrypt_value("0912345689")
    settings.CHIBO_FIELD_KEY = new
    with pytest.raises(ImproperlyConfigured, match="CHIBO_FIELD_KEY"):
        crypto.decrypt_value(token)
    settings.CHIBO_FIELD_KEY = f"{new},{old}"
    assert crypto.decrypt_value(token) == "0912345689"
    settings.CHIBO_FIELD_KEY = "not-a-key"
    with pytest.raises(ImproperlyConfigured, match="base64"):
        crypto.encrypt_value("x")


def test_production_refuses_to_run_without_a_key(settings: Any) -> None:
    settings.CHIBO_FIELD_KEY = ""
    settings.PRODUCTION = True
    with pytest.raises(ImproperlyConfigured, match="CHIBO_FIELD_KEY"):
        crypto.encrypt_value("x")


@pytest.mark.django_db
def test_member_and_candidate_fields_are_ciphertext_in_the_database(tree: dict) -> None:
    m = f.member(tree["cell_a"], citizen_id="079203001234", phone="0912345689")
    cid, phone = _raw("members_member", m.pk)
    assert cid.startswith(crypto.TOKEN_PREFIX) and phone.startswith(crypto.TOKEN_PREFIX)
    m = Member.objects.get(pk=m.pk)
    assert (m.citizen_id, m.phone) == ("079203001234", "0912345689")
    assert m.masked_phone == "0*******89"
    assert Member.objects.filter(pk=m.pk).values_list("citizen_id", flat=True)[0] == "079203001234"
    c = f.candidate(
        tree["cell_a"],
        full_member(tree["cell_a"], "DV-M"),
        citizen_id="079204009999",
        phone="0987654321",
    )
    assert all(v.startswith(crypto.TOKEN_PREFIX) for v in _raw("admissions_candidate", c.pk))


@pytest.mark.django_db
def test_migration_helper_encrypts_plain_rows_and_reverses(tree: dict) -> None:
    m = f.member(tree["cell_a"])
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE members_member SET citizen_id = %s, phone = %s WHERE id = %s",
            ["079203001234", "0912345689", m.pk],
        )

    class Editor:
        connection = connection

    assert (
        crypto.reencrypt_columns(Editor, "members_member", ("citizen_id", "phone"), encrypt=True)
        == 1
    )
    assert _raw("members_member", m.pk)[0].startswith(crypto.TOKEN_PREFIX)
    assert (
        crypto.reencrypt_columns(Editor, "members_member", ("citizen_id", "phone"), encrypt=True)
        == 0
    )
    crypto.reencrypt_columns(Editor, "members_member", ("citizen_id", "phone"), encrypt=False)
    assert _raw("members_member", m.pk) == ("079203001234", "0912345689")


@pytest.mark.django_db
def test_imported_members_are_stored_encrypted(tree: dict, tmp_path: Path) -> None:
    from chibo.interchange.services import import_file
    from tests.interchange.helpers import MEMBER_HEADER, member_row, write_xlsx

    path = write_xlsx(
        tmp_path / "m.xlsx", MEMBER_HEADER, [member_row("DV1"), member_row("DV2", so_cccd="")]
    )
    result = import_file(actor=None, kind="members", path=path)
    assert result.ok
    m = Member.objects.get(member_code="DV1")
    assert _raw("members_member", m.pk)[0].startswith(crypto.TOKEN_PREFIX)
    assert (m.citizen_id, m.phone) == ("079201001234", "0912345678")
    assert Member.objects.get(member_code="DV2").citizen_id == ""
    # Importing the same file again changes nothing (values compared decrypted).
    again = import_file(actor=None, kind="members", path=path)
    assert again.ok and Member.objects.get(member_code="DV1").version == m.version


@pytest.mark.django_db
def test_demo_writer_stores_encrypted_values() -> None:
    import datetime as dt

    from chibo.members.demo.generate import build_plan
    from chibo.members.demo.writer import write_plan

    write_plan(build_plan(members=120, seed=7, as_of=dt.date(2026, 6, 1)))
    m = Member.objects.order_by("id").first()
    raw_cid, raw_phone = _raw("members_member", m.pk)
    assert raw_cid.startswith(crypto.TOKEN_PREFIX) and raw_phone.startswith(crypto.TOKEN_PREFIX)
    assert m.citizen_id.startswith("079") and len(m.citizen_id) == 12


@pytest.mark.django_db
def test_sensitive_read_is_audited_only_for_roles_that_see_it(tree: dict) -> None:
    m = f.member(tree["cell_a"], code="DV-A")
    sec = f.user("bithu", Role.CELL_SECRETARY, tree["cell_a"])
    viewer = f.user("xem", Role.VIEWER, tree["uni"])
    outsider = f.user("q1", Role.CELL_SECRETARY, tree["school"])
    client = Client()
    client.force_login(sec)
    page = client.get(reverse("members:detail", args=[m.member_code])).content.decode()
    assert "079203001234" in page
    assert AuditEntry.objects.filter(action="members.view_sensitive", actor=sec).count() == 1
    client.force_login(viewer)
    page = client.get(reverse("members:detail", args=[m.member_code])).content.decode()
    assert "079203001234" not in page and "0*******89" in page
    assert not AuditEntry.objects.filter(action="members.view_sensitive", actor=viewer).exists()
    client.force_login(outsider)
    assert client.get(reverse("members:detail", args=[m.member_code])).status_code == 404
    # The API too.
    from chibo.accounts.tokens import token_create

    _t, raw = token_create(actor=None, user=sec, expires_days=1)
    body = (
        Client().get(f"/api/v1/members/{m.member_code}", HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    )
    assert body["citizen_id"] == "079203001234"
    assert AuditEntry.objects.filter(action="members.view_sensitive", actor=sec).count() == 2


@pytest.mark.django_db
def test_member_export_carries_the_exporting_user_and_time(tree: dict, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from chibo.interchange.export import export

    f.member(tree["cell_a"], code="DV-A")
    sec = f.user("bithu", Role.CELL_SECRETARY, tree["cell_a"])
    sec.first_name, sec.last_name = "Trần Thị", "Mai"
    sec.save()
    out = tmp_path / "dv.xlsx"
    with out.open("wb") as fh:
        assert export(actor=sec, kind="members", root=None, fmt="xlsx", out=fh) == 1
    wb = load_workbook(out)
    assert wb.properties.creator == "Trần Thị Mai (bithu)"
    assert wb.properties.lastModifiedBy == "Trần Thị Mai (bithu)"
    props = {p.name: p.value for p in wb.custom_doc_props}
    assert (
        props["chibo_exported_by"] == "Trần Thị Mai (bithu)"
        and props["chibo_exported_at"][:4] >= "2026"
    )
    footer = wb.worksheets[0].oddFooter.left.text
    assert "bithu" in footer and "/" in footer
    assert wb.worksheets[0].max_row == 2  # the footer is not a row: the file still imports


# --- issue 16.19: a maintained AEAD with a key ring and a version prefix ------------


def _key() -> str:
    return Fernet.generate_key().decode()  # url-safe base64 of 32 bytes


def test_values_are_aes_gcm_tokens_with_version_and_key_id(settings: Any) -> None:
    settings.CHIBO_FIELD_KEY = _key()
    token = crypto.encrypt_value("079203001234")
    version, kid, payload = token.split(":")
    assert version == "c2" and kid == crypto.ring().primary_id and len(kid) == 8
    assert "079203001234" not in payload


def test_a_tampered_or_moved_value_is_refused(settings: Any) -> None:
    settings.CHIBO_FIELD_KEY = f"{_key()},{_key()}"
    token = crypto.encrypt_value("079203001234")
    head, payload = token.rsplit(":", 1)
    flipped = payload[:10] + ("A" if payload[10] != "A" else "B") + payload[11:]
    with pytest.raises(ImproperlyConfigured):
        crypto.decrypt_value(f"{head}:{flipped}")
    other = list(crypto.ring().aead)[1]
    with pytest.raises(ImproperlyConfigured):  # the key id is authenticated with the value
        crypto.decrypt_value(f"c2:{other}:{payload}")
    with pytest.raises(ImproperlyConfigured):
        crypto.decrypt_value(f"c2:deadbeef:{payload}")


def test_old_fernet_tokens_stay_readable_and_are_rewritten(settings: Any) -> None:
    key = _key()
    settings.CHIBO_FIELD_KEY = key
    legacy = Fernet(key.encode()).encrypt(b"0912345689").decode()
    assert crypto.is_encrypted(legacy) and not crypto.is_current(legacy)
    assert crypto.decrypt_value(legacy) == "0912345689"
    current = crypto.to_current(legacy)
    assert current.startswith("c2:") and crypto.decrypt_value(current) == "0912345689"
    assert crypto.to_current(current) == current


@pytest.mark.django_db
def test_the_migration_rewrites_fernet_tokens_and_plain_values_and_reverses(
    tree: dict, settings: Any
) -> None:
    import importlib

    key = _key()
    settings.CHIBO_FIELD_KEY = key
    m1 = f.member(tree["cell_a"])
    m2 = f.member(tree["cell_a"])
    fernet = Fernet(key.encode())
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE members_member SET citizen_id = %s, phone = %s WHERE id = %s",
            [fernet.encrypt(b"079203001234").decode(), "0912345689", m1.pk],
        )

    class Editor:
        connection = connection

    migration = importlib.import_module("chibo.members.migrations.0006_field_aead")
    migration.forward(None, Editor)
    for pk in (m1.pk, m2.pk):
        assert all(
            v.startswith(f"c2:{crypto.ring().primary_id}:") for v in _raw("members_member", pk)
        )
    assert Member.objects.get(pk=m1.pk).citizen_id == "079203001234"
    assert Member.objects.get(pk=m1.pk).phone == "0912345689"
    migration.backward(None, Editor)
    assert all(v.startswith(crypto.LEGACY_PREFIX) for v in _raw("members_member", m1.pk))
    assert fernet.decrypt(_raw("members_member", m1.pk)[0].encode()) == b"079203001234"


@pytest.mark.django_db
def test_rotation_rewrites_every_field_then_the_old_key_can_go(tree: dict, settings: Any) -> None:
    from django.core.management import call_command

    from chibo.accounts import twofactor

    old, new = _key(), _key()
    settings.CHIBO_FIELD_KEY = old
    m = f.member(tree["cell_a"], citizen_id="079203001234", phone="0912345689")
    user = f.user("bithu", Role.CELL_SECRETARY, tree["cell_a"])
    device = twofactor.enrol_start(user=user)
    settings.CHIBO_FIELD_KEY = f"{new},{old}"
    assert Member.objects.get(pk=m.pk).citizen_id == "079203001234"  # old key still reads
    out = io.StringIO()
    call_command("reencrypt-fields", stdout=out)
    assert "members_member" in out.getvalue() and "accounts_twofactordevice" in out.getvalue()
    settings.CHIBO_FIELD_KEY = new
    assert Member.objects.get(pk=m.pk).phone == "0912345689"
    assert type(device).objects.get(pk=device.pk).secret == device.secret
    again = io.StringIO()
    call_command("reencrypt-fields", stdout=again)
    assert "Xong: 0 dòng" in again.getvalue()


RFC_6238 = [  # RFC 6238 appendix B: time, SHA-1, SHA-256, SHA-512 (8 digits)
    (59, "94287082", "46119246", "90693936"),
    (1111111109, "07081804", "68084774", "25091201"),
    (1111111111, "14050471", "67062674", "99943326"),
    (1234567890, "89005924", "91819424", "93441116"),
    (2000000000, "69279037", "90698825", "38618901"),
    (20000000000, "65353130", "77737706", "47863826"),
]


@pytest.mark.parametrize(("at", "sha1", "sha256", "sha512"), RFC_6238)
def test_totp_matches_every_rfc_6238_test_vector(
    at: int, sha1: str, sha256: str, sha512: str
) -> None:
    import base64

    from chibo.accounts import twofactor

    seeds = {
        "sha1": b"12345678901234567890",
        "sha256": b"12345678901234567890123456789012",
        "sha512": b"1234567890" * 6 + b"1234",
    }
    for algorithm, expected in (("sha1", sha1), ("sha256", sha256), ("sha512", sha512)):
        secret = base64.b32encode(seeds[algorithm]).decode()
        assert twofactor.totp(secret, at=at, digits=8, algorithm=algorithm) == expected
    secret = base64.b32encode(seeds["sha1"]).decode()
    assert twofactor.totp(secret, at=at) == sha1[-6:]  # what the app shows: 6 digits, SHA-1
    assert twofactor.match_step(secret, sha1[-6:], at=at) == at // 30
