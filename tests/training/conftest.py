from __future__ import annotations

from tests.oversight.conftest import _english_messages, client_for, full_member, world  # noqa: F401
