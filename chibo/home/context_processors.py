"""What every page's top bar shows: the role's menu and the unread notifications' count.

The menu costs no query beyond the user's roles (read once per request for
scoping anyway); the count is one indexed count.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from chibo.home import notices
from chibo.home.menu import menu_for


def home(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    match = getattr(request, "resolver_match", None)
    main, _other = menu_for(
        user, getattr(match, "namespace", "") or "", getattr(match, "url_name", "") or ""
    )
    return {"unread_notifications": notices.unread_count(user), "menu": main}
