"""Personal API tokens: issue (shown once), look up by hash, revoke.

A token records whether it was created after the two-step login
(``second_factor``: the token page in a verified session). While the user's
roles require the two-step login (``twofactor.required_for``), a token
without it is refused: ``token_user`` raises ``TokenNeedsSecondFactor`` and
the API answers 401 saying so. So a token made as a cell secretary stops
working the moment a committee role is granted, instead of carrying the
wider scope without the second factor.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.accounts import twofactor
from chibo.accounts.models import ApiToken
from chibo.core import audit


class TokenNeedsSecondFactor(Exception):
    """A valid token made without the two-step login, for a user whose roles now require it."""


TOKEN_PREFIX = "chb_"  # noqa: S105 — a public marker, not a secret
MAX_DAYS = 365


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_create(
    *,
    actor: Any,
    user: User,
    name: str = "",
    expires_days: int = 90,
    second_factor: bool = False,
) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the row and the raw token (never stored).

    ``second_factor``: the request creating it had passed the two-step login.
    """
    if actor is not None and getattr(actor, "pk", None) != user.pk:
        raise PermissionDenied(_("You can only create tokens for yourself."))
    if not 1 <= expires_days <= MAX_DAYS:
        raise ValidationError(
            {"expires_days": [_("A token lasts between 1 and %(max)s days.") % {"max": MAX_DAYS}]}
        )
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name.strip()[:80] or _("API token"),
            prefix=raw[:12],
            key_hash=_hash(raw),
            expires_at=timezone.now() + dt.timedelta(days=expires_days),
            second_factor=second_factor,
        )
        audit.record(
            actor=actor or user,
            action="accounts.token_create",
            object_type="user",
            object_id=user.username,
            data={
                "token_id": token.pk,
                "expires_days": expires_days,
                "second_factor": second_factor,
            },
        )
    return token, raw


def token_revoke(*, actor: Any, token: ApiToken) -> None:
    if token.user_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("You can only revoke your own tokens."))
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        audit.record(
            actor=actor,
            action="accounts.token_revoke",
            object_type="user",
            object_id=token.user.username,
            data={"token_id": token.pk},
        )


def token_user(raw: str) -> User | None:
    """The active user behind a raw token, or None (unknown, expired, revoked).

    Raises ``TokenNeedsSecondFactor`` for a valid token made without the
    two-step login while the user's roles require it.
    """
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 100:
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=_hash(raw)).first()
    now = timezone.now()
    if (
        token is None
        or token.revoked_at is not None
        or token.expires_at <= now
        or not token.user.is_active
    ):
        return None
    if not token.second_factor and twofactor.required_for(token.user):
        raise TokenNeedsSecondFactor(token.prefix)
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
