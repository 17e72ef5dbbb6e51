"""Two-factor login: TOTP (RFC 6238, ``cryptography``'s implementation) with single-use recovery codes.

Required for every role above cell secretary (grassroots, superior, city
office) and for system administrators when ``CHIBO_2FA_REQUIRED`` is on;
optional for the others, but once a user has enrolled, every login asks
for a code. After the password, ``TwoFactorMiddleware`` sends a session that
is not yet verified to the enrolment or verification page and refuses it
the session-authenticated API. Creating a token needs a verified session
(``views_tokens``), and the token records it: while the user's roles require
the second factor, a token created without it is refused (``tokens.token_user``).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.twofactor import InvalidToken
from cryptography.hazmat.primitives.twofactor.totp import TOTP
from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from chibo.accounts.models import RecoveryCode, RoleAssignment, TwoFactorDevice
from chibo.core import audit
from chibo.core.roles import Role
from chibo.core.web import is_htmx

STEP = 30  # seconds per code (RFC 6238 default)
DIGITS = 6
WINDOW = 1  # accept the previous and the next step too (clock drift)
RECOVERY_CODES = 10
ISSUER = "chibo"
SESSION_KEY = "chibo_2fa_user"
ROLES_REQUIRING_2FA = frozenset(
    {Role.GRASSROOTS_STAFF, Role.SUPERIOR_STAFF, Role.CITY_OFFICE, Role.SYSADMIN}
)

# --- TOTP (RFC 6238): cryptography's implementation, HMAC-SHA1, 6 digits, 30 s ----

_ALGORITHMS: dict[str, type[hashes.SHA1 | hashes.SHA256 | hashes.SHA512]] = {
    "sha1": hashes.SHA1,
    "sha256": hashes.SHA256,
    "sha512": hashes.SHA512,
}


def new_secret() -> str:
    """160 random bits, base32 without padding (what authenticator apps expect)."""
    return base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")


def _totp(secret: str, digits: int, algorithm: str) -> TOTP:
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    # RFC 4226 asks for at least 128-bit keys; ours are 160. The check is off so
    # that the RFC's own test vectors (and any legacy secret) verify too.
    return TOTP(key, digits, _ALGORITHMS[algorithm](), STEP, enforce_key_length=False)


def totp(
    secret: str, at: float | None = None, *, digits: int = DIGITS, algorithm: str = "sha1"
) -> str:
    """The code for ``secret`` at time ``at`` (now by default)."""
    moment = int(time.time() if at is None else at)
    return _totp(secret, digits, algorithm).generate(moment).decode()


def match_step(secret: str, code: str, at: float | None = None) -> int | None:
    """The time step ``code`` is valid for (±WINDOW), or None (constant-time comparison)."""
    code = "".join(ch for ch in code if ch.isdigit())
    if len(code) != DIGITS:
        return None
    generator = _totp(secret, DIGITS, "sha1")
    now_step = int((time.time() if at is None else at) // STEP)
    for step in range(now_step - WINDOW, now_step + WINDOW + 1):
        try:
            generator.verify(code.encode(), step * STEP)
        except InvalidToken:
            continue
        return step
    return None


def provisioning_uri(secret: str, username: str) -> str:
    label = quote(f"{ISSUER}:{username}")
    return f"otpauth://totp/{label}?" + urlencode(
        {"secret": secret, "issuer": ISSUER, "digits": DIGITS, "period": STEP}
    )


# --- who needs it ----------------------------------------------------------------


def required_for(user: Any) -> bool:
    """Must this user pass a second factor? (setting on, and a committee or admin role in force)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if getattr(user, "is_superuser", False):
        return bool(settings.CHIBO_2FA_REQUIRED)
    if not settings.CHIBO_2FA_REQUIRED:
        return False
    from chibo.core.scoping import _roles

    # The very rows the request's scope is computed from (one query, cached on
    # the user object): a role granted a moment ago counts here as it does there.
    return any(role in ROLES_REQUIRING_2FA for role, _path in _roles(user))


def device_for(user: Any) -> TwoFactorDevice | None:
    return TwoFactorDevice.objects.filter(user=user).first()


def is_enrolled(user: Any) -> bool:
    return TwoFactorDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def needs_second_factor(user: Any) -> bool:
    """Required by role, or chosen by the user (enrolled)."""
    return required_for(user) or is_enrolled(user)


def is_verified(request: HttpRequest) -> bool:
    return request.session.get(SESSION_KEY) == request.user.pk


def mark_verified(request: HttpRequest) -> None:
    # A new session key after the second factor too (fixation).
    request.session.cycle_key()
    request.session[SESSION_KEY] = request.user.pk


# --- services ----------------------------------------------------------------------


def _hash_code(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").strip().lower().encode()).hexdigest()


def enrol_start(*, user: User) -> TwoFactorDevice:
    """An unconfirmed device with a fresh secret (replaces an unconfirmed one)."""
    with transaction.atomic():
        device = TwoFactorDevice.objects.select_for_update().filter(user=user).first()
        if device is not None and device.confirmed_at is not None:
            return device
        if device is None:
            device = TwoFactorDevice(user=user)
        device.secret = new_secret()
        device.save()
    return device


def _new_recovery_codes(user: User) -> list[str]:
    codes = [f"{secrets.token_hex(4)}-{secrets.token_hex(4)}" for _ in range(RECOVERY_CODES)]
    RecoveryCode.objects.filter(user=user).delete()
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, code_hash=_hash_code(c)) for c in codes
    )
    return codes


def enrol_confirm(*, user: User, code: str, at: float | None = None) -> list[str] | None:
    """Confirm enrolment with a first code; returns the recovery codes (shown once) or None."""
    with transaction.atomic():
        device = TwoFactorDevice.objects.select_for_update().filter(user=user).first()
        if device is None or device.confirmed_at is not None:
            return None
        step = match_step(device.secret, code, at)
        if step is None:
            return None
        device.confirmed_at = timezone.now()
        device.last_step = step
        device.save(update_fields=["confirmed_at", "last_step"])
        codes = _new_recovery_codes(user)
        audit.record(
            actor=user, action="accounts.2fa_enrol", object_type="user", object_id=user.username
        )
    return codes


CODE_OK = "ok"
CODE_REUSED = "reused"  # right code, but already used for a login in its 30 s window
CODE_WRONG = "wrong"


def check_code(*, user: User, code: str, at: float | None = None) -> str:
    """A TOTP code (not reused) or an unused recovery code → CODE_OK; a code already used
    → CODE_REUSED (a replay: refused, but the person is told to wait for the next one);
    anything else → CODE_WRONG. Audited either way."""
    code = code.strip()
    with transaction.atomic():
        device = (
            TwoFactorDevice.objects.select_for_update()
            .filter(user=user, confirmed_at__isnull=False)
            .first()
        )
        if device is None:
            return CODE_WRONG
        step = match_step(device.secret, code, at)
        if step is not None and step > device.last_step:
            device.last_step = step
            device.save(update_fields=["last_step"])
            audit.record(
                actor=user,
                action="accounts.2fa_verify",
                object_type="user",
                object_id=user.username,
            )
            return CODE_OK
        used = RecoveryCode.objects.filter(
            user=user, code_hash=_hash_code(code), used_at__isnull=True
        ).update(used_at=timezone.now())
        if used:
            left = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
            audit.record(
                actor=user,
                action="accounts.2fa_recovery_used",
                object_type="user",
                object_id=user.username,
                data={"left": left},
            )
            return CODE_OK
    outcome = CODE_REUSED if step is not None else CODE_WRONG
    audit.record(
        actor=user,
        action="accounts.2fa_failed",
        object_type="user",
        object_id=user.username,
        data={"reused": True} if outcome == CODE_REUSED else {},
    )
    return outcome


def verify_code(*, user: User, code: str, at: float | None = None) -> bool:
    """True for a code that passes (``check_code``)."""
    return check_code(user=user, code=code, at=at) == CODE_OK


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def regenerate_recovery_codes(*, user: User) -> list[str]:
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        audit.record(
            actor=user,
            action="accounts.2fa_recovery_regenerated",
            object_type="user",
            object_id=user.username,
        )
    return codes


def twofactor_reset(*, actor: Any, user: User) -> None:
    """An administrator removes a user's device (lost phone); the user enrols again.

    Only for a user whose every role lies inside the administrator's subtree (a
    city-level user is reset by a city-level administrator), never one's own, and a
    superuser only by a superuser."""
    from django.core.exceptions import PermissionDenied
    from django.utils.translation import gettext as _

    from chibo.core.roles import Cap
    from chibo.core.scoping import has_cap, scope_for

    if actor is not None:
        if not has_cap(actor, Cap.ACCOUNTS_MANAGE):
            raise PermissionDenied
        if getattr(actor, "pk", None) == user.pk:
            raise PermissionDenied(
                _("Reset your own two-step login with another administrator's help.")
            )
        scope = scope_for(actor, Cap.ACCOUNTS_MANAGE)
        outside = [
            ra.org.code
            for ra in RoleAssignment.objects.filter(user=user).select_related("org")
            if not scope.covers(ra.org)
        ]
        if outside or (user.is_superuser and not getattr(actor, "is_superuser", False)):
            raise PermissionDenied(
                _(
                    "%(user)s also holds roles outside your organizations (%(orgs)s): an "
                    "administrator over all of them resets the two-step login."
                )
                % {"user": user.username, "orgs": ", ".join(outside) or "—"}
            )
    with transaction.atomic():
        TwoFactorDevice.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()
        audit.record(
            actor=actor, action="accounts.2fa_reset", object_type="user", object_id=user.username
        )


def set_recovery_codes(*, user: User, codes: list[str]) -> None:
    """Store exactly these recovery codes (hashed) for ``user``: the demo accounts' published set."""
    RecoveryCode.objects.filter(user=user).delete()
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, code_hash=_hash_code(c)) for c in codes
    )


def unused_codes_among(*, user: User, codes: list[str]) -> list[str]:
    """Which of ``codes`` are still unused recovery codes of ``user`` (the demo's printout)."""
    unused = set(
        RecoveryCode.objects.filter(user=user, used_at__isnull=True).values_list(
            "code_hash", flat=True
        )
    )
    return [c for c in codes if _hash_code(c) in unused]


def enrol_with_secret(*, user: User, secret: str) -> None:
    """Set a confirmed device with a known secret (demo accounts only; the secret is published)."""
    TwoFactorDevice.objects.update_or_create(
        user=user, defaults={"secret": secret, "confirmed_at": timezone.now(), "last_step": 0}
    )


# --- middleware ----------------------------------------------------------------------

_EXEMPT_PREFIXES = (
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/2fa/",
    "/i18n/",
    "/static/",
    # The installable app's files hold no personal data (home/pwa.py).
    "/manifest.webmanifest",
    "/sw.js",
    "/offline/",
)


_ENROLLED_KEY = "chibo_2fa_enrolled"
_RECHECK_SECONDS = 300


def _needs(request: HttpRequest) -> bool:
    """Required by a role in force *now* (checked on every request, from the same rows
    as the scope, so a wider role granted mid-session asks for the second factor
    before its scope applies), or chosen by the user (enrolled; that is re-read
    every few minutes, it never widens a scope)."""
    user = request.user
    if required_for(user):
        return True
    cached = request.session.get(_ENROLLED_KEY)
    now = int(time.time())
    if cached and cached[0] == user.pk and now - cached[1] < _RECHECK_SECONDS:
        return bool(cached[2])
    enrolled = is_enrolled(user)
    request.session[_ENROLLED_KEY] = [user.pk, now, enrolled]
    return enrolled


class TwoFactorMiddleware:
    """Until the second factor is passed, a session reaches only the login and 2FA pages."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not is_verified(request)
            and not request.path.startswith(_EXEMPT_PREFIXES)
            and _needs(request)
        ):
            if request.path.startswith("/api/"):
                # The session does not authenticate the API yet; a bearer token still does.
                request.user = AnonymousUser()
                return self.get_response(request)
            target = reverse("accounts:2fa_verify" if is_enrolled(user) else "accounts:2fa_enrol")
            if request.method == "GET" and not is_htmx(request):
                target += "?" + urlencode({"next": request.get_full_path()})
            return redirect(target)
        return self.get_response(request)
