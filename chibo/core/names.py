"""How pages and messages name a user: by the full name, as people read it."""

from __future__ import annotations

from typing import Any


def person_name(user: Any) -> str:
    """``Lê Văn Hùng`` (``get_full_name``), the username only when no name is recorded; "" for none."""
    if user is None:
        return ""
    full = (user.get_full_name() or "").strip() if hasattr(user, "get_full_name") else ""
    return full or getattr(user, "username", "") or str(user)
