"""The JSON API under /api/v1/: one NinjaAPI, a router per app.

Auth: ``Authorization: Bearer <token>`` (personal tokens, accounts.tokens)
or the browser session (with CSRF) for the UI's own calls. Every error is
``{"error": {"code": ..., "message": ..., "fields": {...}}}`` with the
right status, in the request's language (Accept-Language; Vietnamese by
default). Each app adds its endpoints in its own ``api.py`` as ``router``
and is listed in ROUTERS below. Shared helpers for routers: chibo.apitools.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from csp.decorators import csp_update
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from ninja.operation import Operation
from ninja.parser import Parser
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder
from ninja.security import APIKeyCookie, HttpBearer
from ninja.throttling import AnonRateThrottle, UserRateThrottle

from chibo.accounts.tokens import TokenNeedsSecondFactor, token_user
from chibo.apitools import validation_message
from chibo.core.busy import (
    RETRY_AFTER_SECONDS,
    busy_message,
    disk_full_message,
    is_busy,
    is_disk_full,
)
from chibo.core.clientip import client_ip
from chibo.core.plausibility import NeedsConfirmation
from chibo.core.rules import RuleViolation

log = logging.getLogger(__name__)

# Failed bearer tokens per client address per minute before a 429: guessing
# tokens is throttled even though a failed request never gets authenticated.
BAD_TOKEN_LIMIT = getattr(settings, "CHIBO_API_BAD_TOKEN_LIMIT", 20)
ANON_RATE = getattr(settings, "CHIBO_API_ANON_RATE", "30/m")
USER_RATE = getattr(settings, "CHIBO_API_USER_RATE", "600/m")


_SESSION_KEY = re.compile(r"[a-z0-9]{8,64}")
_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")


def _refuse_unstorable_text(request: HttpRequest) -> None:
    """422 for a NUL byte or lone surrogate anywhere in the path, query or JSON body.

    No database column can hold them (PostgreSQL refuses NUL outright), so
    every endpoint would otherwise fail with a 500 on such input. Runs in the
    authentication step, before any handler.
    """
    fields = [
        name
        for name, values in request.GET.lists()
        for v in [name, *values]
        if _UNSTORABLE.search(v)
    ]
    # Only JSON bodies are looked at (reading a large upload here would load it into memory).
    body = request.body if request.content_type == "application/json" else b""
    if _UNSTORABLE.search(request.path) or b"\\u0000" in body or b"\x00" in body:
        fields.append("request")
    if fields:
        raise DjangoValidationError(
            {name: [_("The text contains characters that are not allowed.")] for name in fields}
        )


class SecondFactorRequired(AuthenticationError):
    """A valid token made without the two-step login; the user's roles now require it."""


class BearerToken(HttpBearer):
    """``Authorization: Bearer <token>``. Failed tokens are counted per client
    address (core.clientip): past BAD_TOKEN_LIMIT a minute that address gets 429,
    and nobody else does; a valid token always works (it is 256 random bits, so
    the counter is about noise, not about guessing)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        _refuse_unstorable_text(request)
        try:
            user = token_user(token)
        except TokenNeedsSecondFactor as exc:
            raise SecondFactorRequired() from exc
        if user is None:
            key = f"chibo:api-bad-token:{client_ip(request)}"
            if cache.get(key, 0) >= BAD_TOKEN_LIMIT:
                raise Throttled(wait=60)
            if not cache.add(key, 1, timeout=60):
                try:
                    cache.incr(key)
                except ValueError:  # expired between add and incr
                    cache.add(key, 1, timeout=60)
            return None
        request.user = user
        return user


class ClientAnonRateThrottle(AnonRateThrottle):
    """Anonymous calls per client address (ninja's own trusts any X-Forwarded-For)."""

    def get_ident(self, request: HttpRequest) -> str | None:
        return client_ip(request)


class SessionAuth(APIKeyCookie):
    """The UI's own calls: Django's session cookie, CSRF-checked on writes.

    The CSRF check applies only to a request that a signed-in session would
    authenticate. A request that sends ``Authorization`` (a script with a bad,
    expired or revoked token) or has no signed-in session is simply not
    authenticated: 401 with ``WWW-Authenticate``, never a CSRF 403.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        if "authorization" in request.headers:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        # Only a well-formed session key reaches the session store (a NUL byte
        # in a forged cookie would be a database error on PostgreSQL).
        if not key or not _SESSION_KEY.fullmatch(key):
            return None
        _refuse_unstorable_text(request)
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated else None


class JsonParser(Parser):
    """JSON as its specification allows it: a number may have any number of digits.

    Python refuses to read an integer of more than 4,300 digits, which would
    make the body "unreadable" (400). Such a number is read as one too large for
    any field instead, so the field's bounds (or the database) refuse it: 422.
    """

    def parse_body(self, request: HttpRequest) -> Any:
        return json.loads(request.body, parse_int=_json_int)


def _json_int(text: str) -> int:
    return int(text) if len(text) <= 4000 else 10 ** len(text)


def _docs_csp(view: Callable) -> Callable:
    """The docs page and openapi.json: signed-in users only in production; the page's CSP.

    In production the schema is no public map of the API: a signed-in session
    (second factor passed) or a valid bearer token sees it; anyone else is sent
    to the login (the page) or gets 401 (the JSON). Swagger UI sets inline style
    attributes: style-src is relaxed for the docs page only.
    """
    relaxed = csp_update({"style-src": ["'unsafe-inline'"]})(view)

    @wraps(view)
    def gated(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not settings.CHIBO_API_DOCS_PUBLIC and not _signed_in(request):
            if request.path.endswith(".json"):
                return _unauthorized(request, AuthenticationError())
            return redirect_to_login(request.get_full_path())
        response = relaxed(request, *args, **kwargs)
        if not settings.CHIBO_API_DOCS_PUBLIC:
            response["Cache-Control"] = "no-store, private"
        return response

    return gated


def _signed_in(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return True
    header = request.headers.get("authorization", "")
    scheme, _sep, token = header.partition(" ")
    try:
        return scheme.lower() == "bearer" and token_user(token.strip()) is not None
    except TokenNeedsSecondFactor:
        return False


class _Encoder(NinjaJSONEncoder):
    def default(self, o: Any) -> Any:
        # A date first (a page of members holds a hundred): the same text as Django's encoder,
        # without ninja's and Django's chain of type tests for each one.
        if type(o) is dt.date:
            return o.isoformat()
        return super().default(o)


class _Json(JSONRenderer):
    encoder_class = _Encoder


class _Api(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        """``chibo_<app>_api_<function>``, whichever module of the app's API package declares the
        route: an operation's id is the clients' contract, the files behind it are not."""
        module = operation.view_func.__module__
        app_api, split, _ = module.partition(".api.")
        return f"{app_api + '.api' if split else module}_{operation.view_func.__name__}".replace(
            ".", "_"
        )

    def validation_error_from_error_contexts(self, error_contexts: list[Any]) -> Any:
        """Ninja drops what was sent; keep the text of each bad value for our own message
        (``2024-02-31`` does not exist, rather than "enter a date"). Never echoed back."""
        sent = [
            err.get("input")
            for context in error_contexts
            for err in context.pydantic_validation_error.errors(include_url=False)
        ]
        exc = super().validation_error_from_error_contexts(error_contexts)
        for err, value in zip(exc.errors, sent, strict=False):
            if isinstance(value, str):
                err["input"] = value[:40]
        return exc


api = _Api(
    title="chibo API",
    version="1",
    description=(
        "Party-building records for school party organizations (directive 1000-CV/TU). "
        "Authenticate with `Authorization: Bearer <token>` (create a token under "
        "Account → API tokens, or `chibo create-token USERNAME`). Errors are "
        '`{"error": {"code", "message", "fields"}}`.'
    ),
    urls_namespace="api",
    parser=JsonParser(),
    renderer=_Json(),
    auth=[BearerToken(), SessionAuth(csrf=True)],
    throttle=[ClientAnonRateThrottle(ANON_RATE), UserRateThrottle(USER_RATE)],
    docs_url="/docs",
    openapi_url="/openapi.json",
    docs_decorator=_docs_csp,
)


def error_response(
    request: HttpRequest,
    status: int,
    code: str,
    message: str,
    fields: dict[str, list[str]] | None = None,
) -> HttpResponse:
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
    if isinstance(exc, SecondFactorRequired):
        response = error_response(
            request,
            401,
            "second_factor_required",
            _(
                "This API token was created without the two-step login, and your roles now "
                "require it. Log in with the two-step login and create a new token "
                "(Account → API tokens)."
            ),
        )
        # RFC 9470: the token is valid, the authentication behind it is not enough.
        response["WWW-Authenticate"] = (
            'Bearer realm="chibo", error="insufficient_user_authentication"'
        )
        return response
    response = error_response(request, 401, "unauthorized", _("Log in or send a valid API token."))
    # RFC 6750 §3: say how to authenticate, and that a token sent was not accepted.
    challenge = 'Bearer realm="chibo"'
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        challenge += ', error="invalid_token"'
    response["WWW-Authenticate"] = challenge
    return response


@api.exception_handler(DjangoValidationError)
def _invalid(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    fields = dict(exc.message_dict) if hasattr(exc, "error_dict") else None
    message = "; ".join(exc.messages)
    code = "rule_violation" if isinstance(exc, RuleViolation) else "invalid"
    if isinstance(exc, NeedsConfirmation):  # send the same request with "confirm": true
        code = "confirmation_required"
    return error_response(request, 422, code, message, fields)


@api.exception_handler(OperationalError)
def _database_error(request: HttpRequest, exc: OperationalError) -> HttpResponse:
    if is_busy(exc):
        response = error_response(request, 503, "busy", busy_message())
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if is_disk_full(exc):
        return error_response(request, 507, "disk_full", disk_full_message())
    return _server_error(request, exc)


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def _out_of_range(request: HttpRequest, exc: Exception) -> HttpResponse:
    # An integer past a 64-bit column (SQLite: OverflowError; PostgreSQL:
    # "out of range", a DataError): the client's number, not a server fault.
    log.warning("API value out of range on %s %s: %s", request.method, request.path, exc)
    return error_response(request, 422, "invalid", _("A number is out of range."))


@api.exception_handler(NinjaValidationError)
def _schema_invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = [
            str(part)
            for part in err.get("loc", [])
            if part not in ("body", "query", "path", "payload")
        ]
        fields.setdefault(".".join(loc) or "request", []).append(validation_message(err))
    message = _("Invalid input: %(fields)s") % {"fields": ", ".join(fields)}
    return error_response(request, 422, "invalid", message, fields)


@api.exception_handler(Throttled)
def _throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    response = error_response(
        request, 429, "throttled", _("Too many requests. Wait a minute, then try again.")
    )
    if exc.wait:
        response["Retry-After"] = str(int(exc.wait))
    return response


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}.get(
        exc.status_code, "error"
    )
    return error_response(request, exc.status_code, code, str(exc))


@api.exception_handler(Exception)
def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Still a 500 (and logged with its traceback), but in the API's shape.
    log.exception("API error on %s %s", request.method, request.path)
    return error_response(
        request, 500, "server_error", _("Something went wrong on the server. Try again later.")
    )


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
    ("oversight", "/oversight"),
    ("training", "/training"),
    ("home", "/notifications"),
    ("core", "/calendar"),
]
_register()
