"""Per-request id, carried into every audit entry of the request."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_cache_control

from chibo.core.audit import current_request_id

_SAFE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        token = current_request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response


class LanguageMiddleware(LocaleMiddleware):
    """Vietnamese by default in the UI; English only when the user picks it.

    The UI ignores the browser's Accept-Language (many school laptops run an
    English Windows): the language comes from the switch's cookie, else
    LANGUAGE_CODE. The API honours Accept-Language, as API clients expect.
    """

    def process_request(self, request: HttpRequest) -> None:
        if request.path.startswith("/api/"):
            language = translation.get_language_from_request(request)
        else:
            chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
            language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class NoStoreMiddleware:
    """``Cache-Control: no-store, private`` on every answer that may carry personal data:
    any page or file for a signed-in user, and every API answer. A browser's or a
    proxy's cache then keeps no copy of a member's record after logout (a shared
    school computer). Public pages (the login) and static files are left alone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in or request.path.startswith("/api/"):
            patch_cache_control(response, no_store=True, private=True)
            response.headers.pop("Expires", None)
        return response
