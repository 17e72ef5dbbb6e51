"""The field cipher chibo used before issue 16.19, kept ONLY as the benchmark's "before".

A hand-written AES-CBC built from AES-ECB, chaining many values together, to
imitate Fernet tokens faster than ``Fernet.encrypt``. Replaced by AES-GCM
(``chibo.core.crypto``); nothing in chibo imports this module. The benchmark
(``tests/interchange/test_cipher_bench.py::test_bench_field_cipher``) times it against
the AEAD, in isolation and inside a whole import.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import struct
import time
from collections.abc import Sequence

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


def _keys() -> tuple[bytes, bytes]:
    from chibo.core import crypto

    ring = crypto.ring()
    # The first key's Fernet halves, as the old code split it.
    raw = ring.fernet._fernets[0]
    return raw._signing_key, raw._encryption_key


def encrypt_many(values: Sequence[str | None]) -> list[str]:
    signing, encryption = _keys()
    todo = [i for i, v in enumerate(values) if v and not v.startswith(("gAAAAA", "c2:"))]
    pool = os.urandom(16 * len(todo))
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
    block = Cipher(algorithms.AES(key), modes.ECB()).encryptor()  # noqa: S305 — the old hand-made CBC
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
