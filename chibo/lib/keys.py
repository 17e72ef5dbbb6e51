"""Keys as configured in the environment: url-safe base64 of 32 bytes, comma-separated rings.

No Django here: chibo.settings checks the keys at start with the same code that
chibo.core.crypto (CHIBO_FIELD_KEY) and chibo.core.sealed (CHIBO_BACKUP_KEY) use.
"""

from __future__ import annotations

import base64
import binascii


def decode_key(text: str) -> bytes | None:
    """The 32 bytes of a url-safe base64 key, or None if ``text`` is not one."""
    try:
        decoded = base64.urlsafe_b64decode(text.strip().encode())
    except (ValueError, binascii.Error):
        return None
    return decoded if len(decoded) == 32 else None


def key_ring(raw: str) -> list[bytes]:
    """``"K1,K2"`` → [K1, K2] (the first encrypts); ValueError if one is not a key; [] if none."""
    keys = []
    for text in (k for k in raw.split(",") if k.strip()):
        key = decode_key(text)
        if key is None:
            raise ValueError("not url-safe base64 of 32 bytes")
        keys.append(key)
    return keys
