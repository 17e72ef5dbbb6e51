"""The JSON API under /api/v1/: one NinjaAPI, a router per app.

Auth: ``Authorization: Bearer <token>`` (personal tokens, accounts.tokens)
or the browser session (with CSRF) for the UI's own calls. Every error is
``{"error": {"code": ..., "message": ..., "fields": {...}}}`` with the
right status, in the request's language. Each app adds its endpoints in
its own ``api.py`` as ``router`` and is listed in ROUTERS below.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.throttling import AnonRateThrottle, AuthRateThrottle

from chibo.accounts.tokens import token_user


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_user(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The UI's own calls: Django's session cookie, CSRF-checked on writes."""

    param_name = settings.SESSION_COOKIE_NAME

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated else None


api = NinjaAPI(
    title="chibo API",
    version="1",
    description="Party-building records for school party organizations (directive 1000-CV/TU).",
    urls_namespace="api",
    auth=[BearerToken(), SessionAuth(csrf=True)],
    throttle=[AnonRateThrottle("30/m"), AuthRateThrottle("600/m")],
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def error_response(request: HttpRequest, status: int, code: str, message: str,
                   fields: dict[str, list[str]] | None = None) -> HttpResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return api.create_response(request, {"error": body}, status=status)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, "not_found", str(exc) or _("Not found."))


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error_response(request, 403, "forbidden", str(exc) or _("You may not do this."))


@api.exception_handler(AuthenticationError)
def _unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(request, 401, "unauthorized", _("Log in or send a valid API token."))


@api.exception_handler(DjangoValidationError)
def _invalid(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    fields = dict(exc.message_dict) if hasattr(exc, "error_dict") else None
    message = "; ".join(exc.messages)
    return error_response(request, 422, "invalid", message, fields)


@api.exception_handler(NinjaValidationError)
def _schema_invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = [str(part) for part in err.get("loc", []) if part not in ("body", "query", "path", "payload")]
        fields.setdefault(".".join(loc) or "request", []).append(err.get("msg", ""))
    message = _("Invalid input: %(fields)s") % {"fields": ", ".join(fields)}
    return error_response(request, 422, "invalid", message, fields)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = {401: "unauthorized", 403: "forbidden", 404: "not_found", 429: "throttled"}.get(exc.status_code, "error")
    return error_response(request, exc.status_code, code, str(exc))


def _register() -> None:
    from importlib import import_module

    for app, prefix in ROUTERS:
        module = import_module(f"chibo.{app}.api")
        api.add_router(prefix, module.router)


# (app, URL prefix). Each app's api.py defines ``router``.
ROUTERS: list[tuple[str, str]] = [
    ("accounts", "/"),
    ("orgs", "/orgs"),
    ("members", "/members"),
    ("admissions", "/candidates"),
    ("activity", "/activity"),
    ("directives", "/directives"),
    ("reports", "/reports"),
    ("interchange", "/interchange"),
    ("oversight", "/oversight"),
    ("training", "/training"),
]
_register()
