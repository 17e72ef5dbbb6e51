"""What the import and export commands share: the acting user."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError


def acting_user(username: str | None) -> Any:
    """``--user USERNAME`` scopes the command to that user's subtree; without it the system acts."""
    if not username:
        return None
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"Không có tài khoản đang hoạt động tên {username!r}.")
    return user
