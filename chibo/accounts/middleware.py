"""Sessions expire after SESSION_IDLE_SECONDS without a request."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

_KEY = "chibo_last_seen"


class SessionIdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(_KEY)
            if last is not None and now - int(last) > settings.SESSION_IDLE_SECONDS:
                logout(request)
                request.session["chibo_idle_logout"] = True
            else:
                request.session[_KEY] = now
        return self.get_response(request)
