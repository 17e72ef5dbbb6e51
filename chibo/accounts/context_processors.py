from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from chibo.core.roles import Cap
from chibo.core.scoping import has_cap


def roles(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "can_view_members": has_cap(user, Cap.MEMBER_VIEW),
        "can_change_members": has_cap(user, Cap.MEMBER_CHANGE),
        "can_restructure": has_cap(user, Cap.ORG_RESTRUCTURE),
        "can_manage_accounts": has_cap(user, Cap.ACCOUNTS_MANAGE),
    }
