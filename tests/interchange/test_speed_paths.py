"""The shortcuts that make a large import fast give exactly what the slow way gives.

Batch encryption (``core.crypto.encrypt_many``), word-cached folding, indexes
dropped and rebuilt around a large first import on SQLite, the streamed
formula scan and CSV reading, the per-phase timings.
"""

from __future__ import annotations

import unicodedata
import zipfile

import pytest
from cryptography.fernet import Fernet
from django.db import connection

from chibo.core import bulk
from chibo.core.crypto import decrypt_value, encrypt_many, encrypt_value
from chibo.interchange import xlsx_guard
from chibo.interchange.members_write import Folder
from chibo.interchange.services import import_file
from chibo.lib.text import fold
from chibo.members.models import Member, MemberEvent
from chibo.members.services import replay
from tests.interchange.helpers import MEMBER_HEADER, member_row, write_csv, write_xlsx

pytestmark = pytest.mark.django_db


def test_encrypt_many_gives_aead_tokens_every_reader_accepts(settings) -> None:
    import base64

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    settings.CHIBO_FIELD_KEY = Fernet.generate_key().decode()
    already = encrypt_value("079201001234")
    values = [
        "079201001234",
        "",
        None,
        "0912345678",
        "x" * 16,
        "Số dài hơn ba mươi hai byte ạ",
        already,
    ]
    tokens = encrypt_many(values)
    assert [decrypt_value(t) for t in tokens] == [
        "079201001234",
        "",
        "",
        "0912345678",
        "x" * 16,
        "Số dài hơn ba mươi hai byte ạ",
        "079201001234",
    ]
    assert tokens[-1] == already  # an existing token is kept, as encrypt_value does
    # Plain AES-GCM from ``cryptography`` reads it: the standard AEAD, not a look-alike.
    header, payload = tokens[0].rsplit(":", 1)
    blob = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    key = base64.urlsafe_b64decode(settings.CHIBO_FIELD_KEY)
    assert AESGCM(key).decrypt(blob[:12], blob[12:], (header + ":").encode()) == b"079201001234"
    assert tokens[0] != encrypt_many(["079201001234"])[0]  # a random nonce per value
    assert len(tokens[0]) == len(encrypt_value("079201001234"))


def test_folder_equals_fold_word_by_word() -> None:
    folder = Folder()
    names = ["Đặng Thị Hồng Nhung", "Nguyễn Văn A0", "ĐOÀN văn Ánh", "Lê", "Trần \u0301 Bình"]
    for name in names * 2:  # the second round comes from the cache
        assert folder(" ".join(name.split())) == fold(name)


def _has_formulas(path) -> bool:
    with zipfile.ZipFile(path) as zf:
        return bool(xlsx_guard.inspect(zf, lambda names: names[0]).formulas)


def test_formula_scan_finds_formulas_only(tmp_path) -> None:
    from openpyxl import Workbook

    plain = write_xlsx(tmp_path / "plain.xlsx", ["a", "b"], [["f 1", "of>"], ["<f>", "x"]])
    assert not _has_formulas(plain)
    wb = Workbook()
    wb.active.append(["a"])
    wb.active.append(["=1+1"])
    wb.save(tmp_path / "formula.xlsx")
    assert _has_formulas(tmp_path / "formula.xlsx")
    # A namespace prefix on the element (some writers) is a formula too.
    prefixed = tmp_path / "prefixed.xlsx"
    with zipfile.ZipFile(tmp_path / "formula.xlsx") as src, zipfile.ZipFile(prefixed, "w") as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.startswith("xl/worksheets/"):
                data = data.replace(b"<f>", b"<x:f>").replace(b"</f>", b"</x:f>")
            out.writestr(info, data)
    assert _has_formulas(prefixed)


def _indexes(table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = %s", [table]
        )
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's catalogue (both: test_import_first_load.py)"
)
def test_large_first_import_rebuilds_the_indexes_it_dropped(tree, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(bulk, "DEFER_INDEXES_FROM", 2)
    before = (_indexes("members_member"), _indexes("members_memberevent"))
    rows = [member_row(f"DV{i}", ngay_chinh_thuc="01/03/2023" if i % 2 else "") for i in range(6)]
    path = write_xlsx(tmp_path / "m.xlsx", MEMBER_HEADER, rows)
    dry = import_file(actor=None, kind="members", path=path, dry_run=True)
    assert dry.ok and Member.objects.count() == 0
    assert (_indexes("members_member"), _indexes("members_memberevent")) == before
    result = import_file(actor=None, kind="members", path=path)
    assert result.ok and result.created == 6 and MemberEvent.objects.count() == 9
    assert (_indexes("members_member"), _indexes("members_memberevent")) == before
    with connection.cursor() as cursor:  # and the planner has statistics for them (ANALYZE)
        cursor.execute("SELECT DISTINCT tbl FROM sqlite_stat1 WHERE tbl LIKE 'members_member%%'")
        assert {row[0] for row in cursor.fetchall()} == {"members_member", "members_memberevent"}
    for member in Member.objects.all():
        for key, value in replay(member).items():
            assert getattr(member, key) == value, (member.member_code, key)
    # Same file again: nothing new, nothing dropped (the table is no longer smaller).
    again = import_file(actor=None, kind="members", path=path)
    assert again.ok and again.created == 0 and again.unchanged == 6


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only")
def test_deferred_indexes_come_back_when_the_transaction_rolls_back(tree) -> None:
    from django.db import transaction

    before = _indexes("members_member")
    with (
        pytest.raises(RuntimeError),
        transaction.atomic(),
        bulk.indexes_deferred([(Member, 10)], minimum=1),
    ):
        assert _indexes("members_member") < before  # dropped…
        raise RuntimeError
    assert _indexes("members_member") == before  # …and restored by the rollback


def test_nfd_cells_are_stored_as_nfc(tree, tmp_path) -> None:
    nfd = unicodedata.normalize("NFD", "Đặng Thị Hồng Nhung")
    path = write_xlsx(tmp_path / "m.xlsx", MEMBER_HEADER, [member_row("DV1", ho_ten=nfd)])
    assert import_file(actor=None, kind="members", path=path).ok
    assert Member.objects.get().full_name == unicodedata.normalize("NFC", nfd)


def test_phases_are_timed(tree, tmp_path) -> None:
    path = write_csv(tmp_path / "m.csv", MEMBER_HEADER, [member_row("DV1"), member_row("DV2")])
    result = import_file(actor=None, kind="members", path=path)
    assert result.ok and set(result.phases) == {"parse", "validate", "write"}
    assert all(seconds >= 0 for seconds in result.phases.values())
    assert result.seconds == round(sum(result.phases.values()), 2)


def test_translated_rows_are_copied_only_when_a_value_changes() -> None:
    """Issue 22: a mapped column whose cells already read as the importer reads them (an
    org's code, most rows of a file) passes the reader's own row on, uncopied; a row whose
    value is mapped gets a copy with the value, and the reader's row is left as it was."""
    from chibo.interchange.mapping.plan import _translated

    translate = {1: {"BK-SV1": "BK-SV1", "Chi bộ Sinh viên 1": "BK-SV1", 2.0: 2.0}}
    same, named, number = ["DV1", "BK-SV1"], ["DV2", "Chi bộ Sinh viên 1"], ["DV3", 2.0]
    out = list(_translated(iter([(2, same), (3, named), (4, number), (5, ["DV4"])]), translate))
    assert out[0][1] is same
    assert out[1][1] == ["DV2", "BK-SV1"] and named == ["DV2", "Chi bộ Sinh viên 1"]
    assert out[2][1] is number
    assert out[3][1] == ["DV4"]


def test_sqlite_binds_none_without_a_failed_adapter_lookup(tree) -> None:
    """``bulk.prepare`` registers ``None``'s sqlite3 adapter (one dict hit instead of an
    AttributeError built and dropped per NULL); NULLs are stored as NULLs all the same."""
    import sqlite3

    if connection.vendor != "sqlite":
        pytest.skip("sqlite3's adapters")
    bulk.prepare()
    adapter = sqlite3.adapters.get((type(None), sqlite3.PrepareProtocol))
    assert adapter is not None and adapter(None) is None
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE nulls (a, b)")
        bulk.insert_rows("nulls", ["a", "b"], [(1, None), (None, "x")])
        cursor.execute("SELECT a IS NULL, b IS NULL FROM nulls ORDER BY rowid")
        assert cursor.fetchall() == [(0, 1), (1, 0)]
