"""Encryption at rest of sensitive personal fields (Decree 13/2023).

Citizen ID, phone and TOTP secrets are stored encrypted with AES-256-GCM
(``cryptography``'s AEAD: confidentiality and integrity in one primitive,
a random 96-bit nonce per value) under the key ring in ``CHIBO_FIELD_KEY``:

    c2:<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>

``c2`` is the format's version; the key id (8 hex digits of a hash of the
key) names the key that encrypted the value, so decryption never guesses.
Several keys, comma-separated, rotate: the first encrypts, all decrypt.
Values written before this format, as Fernet tokens (``gAAAAA…``, under the
same keys), stay readable; ``chibo reencrypt-fields`` (and the migrations
``*_field_aead``) rewrite every value still in an old format or under an
old key with the first key, after which the old key can be dropped.

Encryption is randomised, so an encrypted column cannot be searched or
compared in SQL; nothing in chibo looks members up by citizen ID or phone.
The ORM encrypts and decrypts through ``EncryptedCharField``; the raw bulk
writers (demo data, imports) call ``encrypt_many`` / ``encrypt_value``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

from chibo.lib.keys import key_ring

VERSION = "c2"
TOKEN_PREFIX = VERSION + ":"  # the current format
LEGACY_PREFIX = "gAAAAA"  # a Fernet token (version byte 0x80), the format before c2
NONCE_BYTES = 12


@dataclass(frozen=True)
class KeyRing:
    """The configured keys: the first encrypts; any of them decrypts (by key id)."""

    primary_id: str
    aead: dict[str, AESGCM]
    fernet: MultiFernet

    @property
    def primary(self) -> AESGCM:
        return self.aead[self.primary_id]


def key_id(key: bytes) -> str:
    return hashlib.sha256(b"chibo-field-key-id|" + key).hexdigest()[:8]


def development_key(secret_key: str) -> str:
    """The field key used when CHIBO_FIELD_KEY is not set (development only), as configured."""
    return base64.urlsafe_b64encode(
        hashlib.sha256(b"chibo-field-key|" + secret_key.encode()).digest()
    ).decode()


def _raw_keys(raw: str, secret_key: str, production: bool) -> list[bytes]:
    if not raw.strip():
        if production:
            raise ImproperlyConfigured("CHIBO_FIELD_KEY must be set when CHIBO_ENV=production")
        # Development without a key (the documented default of `make run`): the
        # derived key, silently; `seed-demo` says so in Vietnamese
        # (``uses_development_key``) and production refuses to start without one.
        raw = development_key(secret_key)
    try:
        return key_ring(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(
            "CHIBO_FIELD_KEY must be url-safe base64 of 32 bytes, comma-separated to rotate "
            "(make one: python -c 'import base64, os; "
            "print(base64.urlsafe_b64encode(os.urandom(32)).decode())')"
        ) from exc


@lru_cache(maxsize=4)
def _ring_for(raw: str, secret_key: str, production: bool) -> KeyRing:
    keys = _raw_keys(raw, secret_key, production)
    return KeyRing(
        primary_id=key_id(keys[0]),
        aead={key_id(k): AESGCM(k) for k in keys},
        # Fernet splits its 32 bytes the same way it always did: old tokens stay readable.
        fernet=MultiFernet([Fernet(base64.urlsafe_b64encode(k)) for k in keys]),
    )


def _settings_key() -> tuple[str, str, bool]:
    return (
        getattr(settings, "CHIBO_FIELD_KEY", "") or "",
        settings.SECRET_KEY,
        bool(getattr(settings, "PRODUCTION", False)),
    )


def uses_development_key() -> bool:
    """No CHIBO_FIELD_KEY: the key is derived from SECRET_KEY (development only; production refuses)."""
    return not _settings_key()[0].strip()


def ring() -> KeyRing:
    """The key ring from the settings (cached per key, so tests may override it)."""
    return _ring_for(*_settings_key())


def is_encrypted(value: str) -> bool:
    return value.startswith((TOKEN_PREFIX, LEGACY_PREFIX))


def is_current(value: str) -> bool:
    """Encrypted in the current format under the first key (nothing to re-encrypt)."""
    return value.startswith(f"{TOKEN_PREFIX}{ring().primary_id}:")


def _seal(keys: KeyRing, nonce: bytes, plain: bytes) -> str:
    header = f"{TOKEN_PREFIX}{keys.primary_id}:"
    # The header is authenticated with the value: a value cannot be moved to another key id.
    sealed = keys.primary.encrypt(nonce, plain, header.encode())
    return header + base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")


def encrypt_value(value: str | None) -> str:
    """The stored form of ``value``: a ``c2`` token, or "" for an empty value."""
    if not value:
        return ""
    if is_encrypted(value):
        return value
    return _seal(ring(), os.urandom(NONCE_BYTES), value.encode())


def encrypt_many(values: Sequence[str | None]) -> list[str]:
    """``encrypt_value`` of each value, for the bulk writers (one key lookup, one read of the
    OS random generator for every nonce)."""
    keys = ring()
    prefixes = (TOKEN_PREFIX, LEGACY_PREFIX)
    todo = [i for i, v in enumerate(values) if v and not v.startswith(prefixes)]
    pool = os.urandom(NONCE_BYTES * len(todo))
    out = [value or "" for value in values]
    # _seal's work, with what is the same for every value taken out of the loop (the
    # base64 of urlsafe_b64encode: b2a_base64, then + and / translated to - and _).
    header = f"{TOKEN_PREFIX}{keys.primary_id}:"
    associated, encrypt, b2a = header.encode(), keys.primary.encrypt, binascii.b2a_base64
    for n, index in enumerate(todo):
        nonce = pool[n * NONCE_BYTES : (n + 1) * NONCE_BYTES]
        sealed = encrypt(nonce, values[index].encode(), associated)  # type: ignore[union-attr]
        text = b2a(nonce + sealed, newline=False).translate(_URLSAFE).decode()
        out[index] = header + text.rstrip("=")
    return out


_URLSAFE = bytes.maketrans(b"+/", b"-_")


def _wrong_key() -> ImproperlyConfigured:
    # A wrong or missing key must fail loudly, never show ciphertext as data.
    return ImproperlyConfigured(
        "A sensitive field cannot be decrypted: CHIBO_FIELD_KEY does not hold the key it was "
        "written with, or the stored value was altered (add the old key after the new one "
        "to rotate)."
    )


def decrypt_value(value: str | None) -> str:
    """The plain value; plain text written before encryption passes through."""
    if not value:
        return ""
    if value.startswith(TOKEN_PREFIX):
        keys = ring()
        _version, kid, payload = value.split(":", 2)
        aead = keys.aead.get(kid)
        if aead is None:
            raise _wrong_key()
        try:
            blob = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
            plain = aead.decrypt(
                blob[:NONCE_BYTES], blob[NONCE_BYTES:], f"{TOKEN_PREFIX}{kid}:".encode()
            )
        except (InvalidTag, ValueError, binascii.Error) as exc:
            raise _wrong_key() from exc
        return plain.decode()
    if value.startswith(LEGACY_PREFIX):
        try:
            return ring().fernet.decrypt(value.encode()).decode()
        except InvalidToken as exc:
            raise _wrong_key() from exc
    return value


def legacy_encrypt(value: str) -> str:
    """A Fernet token under the first key (only to reverse the ``*_field_aead`` migrations)."""
    if not value:
        return ""
    return ring().fernet.encrypt(decrypt_value(value).encode()).decode()


def to_current(value: str) -> str:
    """Any stored form (plain, Fernet, ``c2`` under an old key) → ``c2`` under the first key."""
    if not value or is_current(value):
        return value or ""
    return encrypt_value(decrypt_value(value))


class EncryptedCharField(models.CharField):  # type: ignore[type-arg]
    """A CharField stored encrypted (``c2`` tokens); ``max_length`` is the column's (the token's).

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


def convert_columns(
    connection: Any, table: str, columns: tuple[str, ...], convert: Callable[[str], str]
) -> int:
    """Rewrite ``columns`` of every row of ``table`` through ``convert``, in raw SQL, in batches
    of 2,000 rows by id (the whole table is never in memory). Returns rows changed."""
    quote = connection.ops.quote_name
    cols = ", ".join(quote(c) for c in columns)
    sets = ", ".join(f"{quote(c)} = %s" for c in columns)
    changed = 0
    last = 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                f"SELECT id, {cols} FROM {quote(table)} WHERE id > %s ORDER BY id LIMIT 2000",  # noqa: S608 — names from the models
                [last],
            )
            rows = cursor.fetchall()
            if not rows:
                return changed
            updates = []
            for pk, *values in rows:
                new = [convert(v or "") for v in values]
                if new != [v or "" for v in values]:
                    updates.append((*new, pk))
            if updates:
                cursor.executemany(
                    f"UPDATE {quote(table)} SET {sets} WHERE id = %s",  # noqa: S608
                    updates,
                )
            changed += len(updates)
            last = rows[-1][0]


def reencrypt_columns(
    schema_editor: Any, table: str, columns: tuple[str, ...], *, encrypt: bool
) -> int:
    """Encrypt (to the current format and key) or decrypt (``encrypt=False``) ``columns``.

    Used by the data migrations that turn plain columns into encrypted ones and
    move old tokens to the current format; values already there are left alone.
    """
    return convert_columns(
        schema_editor.connection, table, columns, to_current if encrypt else decrypt_value
    )


def encrypted_columns() -> list[tuple[str, tuple[str, ...]]]:
    """(table, columns) of every ``EncryptedCharField`` of the installed models."""
    from django.apps import apps

    found = []
    for model in apps.get_models():
        cols = tuple(
            f.column for f in model._meta.concrete_fields if isinstance(f, EncryptedCharField)
        )
        if cols:
            found.append((model._meta.db_table, cols))
    return sorted(found)
