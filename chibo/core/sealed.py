"""Encrypted, authenticated files for backups: AES-256-GCM in 1 MiB chunks.

A backup may be gigabytes, so it is sealed as a stream (the construction of
Tink's and age's streaming AEAD, on ``cryptography``'s AES-GCM):

    header  = MAGIC ‖ key id (8 ASCII hex) ‖ salt (32 random bytes)
    key     = HKDF-SHA256(CHIBO_BACKUP_KEY, salt, "chibo-backup")   (one per file)
    chunk i = len (4 bytes) ‖ AES-256-GCM(key, nonce = i (11 bytes) ‖ last (1 byte),
                                           plain chunk, associated data = header)

Each chunk is authenticated with its position and with whether it is the
last one, so a changed byte, a chunk moved or dropped, a cut-off end, or a
file sealed under another key are all refused (``SealError``). The key is
``CHIBO_BACKUP_KEY`` (url-safe base64 of 32 bytes; comma-separated to rotate:
the first seals, any opens), from the environment, never in the database.
"""

from __future__ import annotations

import base64
import hashlib
import os
import struct
from collections.abc import Iterator
from functools import lru_cache
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from chibo.lib.keys import key_ring

MAGIC = b"CHIBO-BACKUP-1\n"
CHUNK = 1 << 20
_SALT = 32
_TAG = 16
HEADER_BYTES = len(MAGIC) + 8 + _SALT


class SealError(Exception):
    """The file is not a sealed backup, was changed, or no configured key opens it."""


def _keys_from(raw: str, secret_key: str) -> dict[str, bytes]:
    if not raw.strip():  # development: derived from SECRET_KEY (settings refuse this in production)
        raw = base64.urlsafe_b64encode(
            hashlib.sha256(b"chibo-backup-key|" + secret_key.encode()).digest()
        ).decode()
    try:
        keys = key_ring(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(
            "CHIBO_BACKUP_KEY must be url-safe base64 of 32 bytes, comma-separated to rotate"
        ) from exc
    return {hashlib.sha256(b"chibo-backup-key-id|" + k).hexdigest()[:8]: k for k in keys}


@lru_cache(maxsize=4)
def _ring_for(raw: str, secret_key: str) -> tuple[tuple[str, bytes], ...]:
    return tuple(_keys_from(raw, secret_key).items())


def ring() -> tuple[tuple[str, bytes], ...]:
    """(key id, key) of every configured backup key, the sealing one first."""
    return _ring_for(getattr(settings, "CHIBO_BACKUP_KEY", "") or "", settings.SECRET_KEY)


def _file_key(key: bytes, salt: bytes) -> AESGCM:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"chibo-backup").derive(
        key
    )
    return AESGCM(derived)


def _nonce(index: int, last: bool) -> bytes:
    return index.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


class SealingWriter:
    """A write-only file object: what is written is sealed into ``out`` chunk by chunk."""

    def __init__(self, out: BinaryIO) -> None:
        kid, key = ring()[0]
        salt = os.urandom(_SALT)
        self._header = MAGIC + kid.encode() + salt
        self._aead = _file_key(key, salt)
        self._out = out
        self._buffer = bytearray()
        self._index = 0
        self._closed = False
        out.write(self._header)

    def _emit(self, data: bytes, last: bool) -> None:
        sealed = self._aead.encrypt(_nonce(self._index, last), data, self._header)
        self._out.write(struct.pack(">I", len(sealed)) + sealed)
        self._index += 1

    def write(self, data: bytes) -> int:
        self._buffer += data
        while len(self._buffer) > CHUNK:  # keep at least one byte back: the last chunk is marked
            self._emit(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]
        return len(data)

    def flush(self) -> None:
        self._out.flush()

    def close(self) -> None:
        if not self._closed:
            self._emit(bytes(self._buffer), last=True)
            self._buffer.clear()
            self._closed = True
            self._out.flush()

    def writable(self) -> bool:
        return True


def open_chunks(source: BinaryIO) -> Iterator[bytes]:
    """The plain bytes of a sealed stream, chunk by chunk; SealError on anything wrong."""
    header = source.read(HEADER_BYTES)
    if len(header) != HEADER_BYTES or not header.startswith(MAGIC):
        raise SealError("Tệp không phải bản sao lưu đã mã hóa của chibo (định dạng 1).")
    kid = header[len(MAGIC) : len(MAGIC) + 8].decode("ascii", "replace")
    key = dict(ring()).get(kid)
    if key is None:
        raise SealError(
            f"Không có khóa CHIBO_BACKUP_KEY nào mở được bản sao lưu này (mã khóa {kid})."
        )
    aead = _file_key(key, header[-_SALT:])
    index = 0
    while True:
        size_bytes = source.read(4)
        if len(size_bytes) < 4:
            raise SealError("Bản sao lưu bị cắt cụt: thiếu phần cuối.")
        (size,) = struct.unpack(">I", size_bytes)
        if size < _TAG or size > CHUNK + _TAG:
            raise SealError("Bản sao lưu bị hỏng hoặc bị sửa (độ dài khối sai).")
        sealed = source.read(size)
        if len(sealed) < size:
            raise SealError("Bản sao lưu bị cắt cụt: thiếu phần cuối.")
        for last in (False, True):
            try:
                plain = aead.decrypt(_nonce(index, last), sealed, header)
            except InvalidTag:
                continue
            break
        else:
            raise SealError("Bản sao lưu đã bị sửa hoặc hỏng: kiểm tra xác thực không qua.")
        yield plain
        index += 1
        if last:
            if source.read(1):
                raise SealError("Bản sao lưu có dữ liệu thừa sau phần cuối: đã bị sửa.")
            return
