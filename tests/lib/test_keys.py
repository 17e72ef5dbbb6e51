from __future__ import annotations

import base64

import pytest

from chibo.lib.keys import decode_key, key_ring

pytestmark = pytest.mark.database_free

KEY = base64.urlsafe_b64encode(bytes(range(32))).decode()


def test_a_key_is_url_safe_base64_of_32_bytes() -> None:
    assert decode_key(KEY) == bytes(range(32))
    assert decode_key(" " + KEY + "\n") == bytes(range(32))
    assert decode_key("change-me") is None
    assert decode_key(base64.urlsafe_b64encode(b"short").decode()) is None


def test_a_ring_keeps_its_order_and_refuses_a_bad_member() -> None:
    other = base64.urlsafe_b64encode(bytes(32)).decode()
    assert key_ring(f"{KEY}, {other},") == [bytes(range(32)), bytes(32)]
    assert key_ring("") == []
    with pytest.raises(ValueError):
        key_ring(f"{KEY},change-me")
