"""Sessions expire after SESSION_IDLE_SECONDS without a request and are bound to the user agent.

The last-seen time is written at most every SESSION_IDLE_SECONDS / 30 (60 s
for the default 30 minutes), not on every request: a session write is an
UPDATE and a commit per page view. A session thus ends between
SESSION_IDLE_SECONDS and that much more after its last request.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

_KEY = "chibo_last_seen"
_AGENT_KEY = "chibo_agent"


def _agent_hash(request: HttpRequest) -> str:
    return hashlib.sha256(request.META.get("HTTP_USER_AGENT", "").encode()).hexdigest()[:32]


class SessionIdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(_KEY)
            agent = request.session.get(_AGENT_KEY)
            if agent is not None and agent != _agent_hash(request):
                # A session cookie replayed from another browser: end the session.
                logout(request)
            elif last is not None and now - int(last) > settings.SESSION_IDLE_SECONDS:
                logout(request)
                request.session["chibo_idle_logout"] = True
            else:
                if last is None or now - int(last) >= settings.SESSION_IDLE_SECONDS // 30:
                    request.session[_KEY] = now
                if agent is None:
                    request.session[_AGENT_KEY] = _agent_hash(request)
        return self.get_response(request)
