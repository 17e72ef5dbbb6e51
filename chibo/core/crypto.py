"""Encryption at rest of sensitive personal fields (Decree 13/2023).

Citizen ID and phone are stored as Fernet tokens (AES-128-CBC + HMAC-SHA256,
a random IV each time) under the key in ``CHIBO_FIELD_KEY``. Several keys,
comma-separated, rotate: the first encrypts, all decrypt. Encryption is
randomised, so an encrypted column cannot be searched or compared in SQL;
nothing in chibo looks members up by citizen ID or phone.

The ORM encrypts and decrypts through ``EncryptedCharField``; the raw bulk
writers (demo data, imports) call ``encrypt_value`` themselves.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import struct
import time
import warnings
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

# Every Fernet token starts with its version byte 0x80, "gAAAAA" in base64.
TOKEN_PREFIX = "gAAAAA"  # noqa: S105 — a format marker, not a secret


class FieldKeyWarning(UserWarning):
    """The development key derived from SECRET_KEY is in use."""


def _derive(raw: str, secret_key: str, production: bool) -> tuple[bytes, ...]:
    keys = tuple(k.strip().encode() for k in raw.split(",") if k.strip())
    if keys:
        return keys
    if production:
        raise ImproperlyConfigured("CHIBO_FIELD_KEY must be set when CHIBO_ENV=production")
    warnings.warn(
        "CHIBO_FIELD_KEY is not set: sensitive fields are encrypted with a key derived from "
        "SECRET_KEY (development only; set CHIBO_FIELD_KEY in production).",
        FieldKeyWarning,
        stacklevel=4,
    )
    digest = hashlib.sha256(b"chibo-field-key|" + secret_key.encode()).digest()
    return (base64.urlsafe_b64encode(digest),)


@lru_cache(maxsize=4)
def _fernet_for(raw: str, secret_key: str, production: bool) -> MultiFernet:
    try:
        return MultiFernet([Fernet(k) for k in _derive(raw, secret_key, production)])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "CHIBO_FIELD_KEY must be url-safe base64 of 32 bytes "
            "(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')"
        ) from exc


def _settings_key() -> tuple[str, str, bool]:
    return (
        getattr(settings, "CHIBO_FIELD_KEY", "") or "",
        settings.SECRET_KEY,
        bool(getattr(settings, "PRODUCTION", False)),
    )


def fernet() -> MultiFernet:
    """The key ring from the settings (cached per key, so tests may override it)."""
    return _fernet_for(*_settings_key())


@lru_cache(maxsize=4)
def _primary_for(raw: str, secret_key: str, production: bool) -> tuple[bytes, bytes]:
    with warnings.catch_warnings():  # fernet() has already warned about a development key
        warnings.simplefilter("ignore", FieldKeyWarning)
        fernet_key = base64.urlsafe_b64decode(_derive(raw, secret_key, production)[0])
    return fernet_key[:16], fernet_key[16:]  # (signing key, encryption key), as Fernet splits it


def is_encrypted(value: str) -> bool:
    return value.startswith(TOKEN_PREFIX)


def encrypt_value(value: str | None) -> str:
    """The stored form of ``value``: a token, or "" for an empty value."""
    if not value:
        return ""
    if is_encrypted(value):
        return value
    return fernet().encrypt(value.encode()).decode()


def encrypt_many(values: Sequence[str | None]) -> list[str]:
    """``encrypt_value`` of each value, for the bulk writers: the same Fernet tokens, 2–3× cheaper.

    ``Fernet.encrypt`` builds a new AES-CBC context and HMAC key per value,
    which dominated a 100,000-member import. Here one AES block cipher does the
    CBC chaining of all values together, block by block (C₁ = AES(P₁ ⊕ IV),
    Cᵢ = AES(Pᵢ ⊕ Cᵢ₋₁)), and the HMAC key schedule is computed once. The IV
    is random per value (``os.urandom``); a token is version 0x80 ‖ time ‖ IV ‖
    ciphertext ‖ HMAC-SHA256, exactly the Fernet spec, so ``decrypt_value`` and
    ``Fernet.decrypt`` read it (tests/interchange/test_speed_paths.py).
    """
    fernet()  # validates the configured key (ImproperlyConfigured), as encrypt_value does
    signing, encryption = _primary_for(*_settings_key())
    todo = [i for i, v in enumerate(values) if v and not is_encrypted(v)]
    pool = os.urandom(16 * len(todo))  # one read of the OS generator for every IV
    ivs = [pool[start : start + 16] for start in range(0, len(pool), 16)]
    ciphers = _cbc_many(encryption, [values[i].encode() for i in todo], ivs)  # type: ignore[union-attr]
    mac = hmac.new(signing, digestmod=hashlib.sha256)
    head = b"\x80" + struct.pack(">Q", int(time.time()))
    out = [value or "" for value in values]
    for index, iv, cipher in zip(todo, ivs, ciphers, strict=True):
        data = head + iv + cipher
        signer = mac.copy()
        signer.update(data)
        out[index] = base64.urlsafe_b64encode(data + signer.digest()).decode()
    return out


def _cbc_many(key: bytes, plains: list[bytes], ivs: list[bytes]) -> list[bytes]:
    """AES-CBC with PKCS7 padding of each plain text under its IV, all chained together:
    round k encrypts the k-th block of every text still that long in one call."""
    block = Cipher(algorithms.AES(key), modes.ECB()).encryptor()  # noqa: S305 — CBC by hand
    padded = [p + bytes((16 - len(p) % 16,)) * (16 - len(p) % 16) for p in plains]
    chains = [int.from_bytes(iv, "big") for iv in ivs]
    ciphers = [bytearray() for _ in plains]
    offset = 0
    while live := [n for n, text in enumerate(padded) if len(text) > offset]:
        mixed = b"".join(
            (int.from_bytes(padded[n][offset : offset + 16], "big") ^ chains[n]).to_bytes(16, "big")
            for n in live
        )
        encrypted = block.update(mixed)
        for k, n in enumerate(live):
            piece = encrypted[16 * k : 16 * k + 16]
            chains[n] = int.from_bytes(piece, "big")
            ciphers[n] += piece
        offset += 16
    return [bytes(cipher) for cipher in ciphers]


def decrypt_value(value: str | None) -> str:
    """The plain value; plain text written before encryption passes through."""
    if not value:
        return ""
    if not is_encrypted(value):
        return value
    try:
        return fernet().decrypt(value.encode()).decode()
    except InvalidToken as exc:
        # A wrong or missing key must fail loudly, never show ciphertext as data.
        raise ImproperlyConfigured(
            "A sensitive field cannot be decrypted: CHIBO_FIELD_KEY is not the key it was "
            "written with (add the old key after the new one to rotate)."
        ) from exc


class EncryptedCharField(models.CharField):
    """A CharField stored as a Fernet token; ``max_length`` is the column's (the token's).

    The plain value's length is checked by the forms, the API and the importers.
    """

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return value
        return decrypt_value(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None:
            return value
        return encrypt_value(str(value))


def reencrypt_columns(
    schema_editor: Any, table: str, columns: tuple[str, ...], *, encrypt: bool
) -> int:
    """Encrypt (or decrypt, to reverse) ``columns`` of every row of ``table`` in raw SQL.

    Used by the data migrations that turn plain columns into encrypted ones;
    values already in the target form are left alone. Returns rows changed.
    """
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    convert = encrypt_value if encrypt else decrypt_value
    cols = ", ".join(quote(c) for c in columns)
    sets = ", ".join(f"{quote(c)} = %s" for c in columns)
    changed = 0
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, {cols} FROM {quote(table)}")  # noqa: S608 — names from the models
        rows = cursor.fetchall()
        updates = []
        for pk, *values in rows:
            new = [convert(v or "") for v in values]
            if new != [v or "" for v in values]:
                updates.append((*new, pk))
        for start in range(0, len(updates), 2000):
            cursor.executemany(
                f"UPDATE {quote(table)} SET {sets} WHERE id = %s",  # noqa: S608
                updates[start : start + 2000],
            )
        changed = len(updates)
    return changed
