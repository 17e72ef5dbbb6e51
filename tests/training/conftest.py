from __future__ import annotations

from tests.oversight.conftest import _english_messages, _fast_hasher, client_for, full_member, world  # noqa: F401
