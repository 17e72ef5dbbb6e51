"""Login throttling: locks per (username, client address), per address, per username."""

from __future__ import annotations

import datetime as dt
import unicodedata

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from chibo.accounts.models import LoginFailure
from chibo.core import audit

# --- login throttling -------------------------------------------------------
#
# A lock is keyed on (username, client address): one address's failures never
# lock the account for anyone else. An address that fails with many usernames
# is locked by itself (x4). A username is locked for everyone only when its
# failures come from many addresses (x10; each address stops at the limit),
# which bounds a distributed guess at one password. The username is the one
# Django authenticates (``login_key``), so a look-alike spelling of a locked
# name is the same lock. The client address comes from core.clientip
# (X-Forwarded-For only through CHIBO_TRUSTED_PROXIES).

ADDRESS_FACTOR = 4
DISTRIBUTED_FACTOR = 10


def login_key(username: str) -> str:
    """The lock key of a typed username: what ``AuthenticationForm`` authenticates, folded.

    Django's ``UsernameField`` strips the input and applies NFKC (``ｐｒｏｂｅ1``,
    ``𝐩𝐫𝐨𝐛𝐞1`` and ``probe¹`` all sign in as ``probe1``); usernames are
    unique regardless of case (``user_create``), so the key is lowercased too.
    """
    return unicodedata.normalize("NFKC", username.strip()).strip().lower()[:150]


def _window_start() -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=settings.LOGIN_LOCK_SECONDS)


def login_locked(*, username: str, ip_address: str) -> bool:
    """Too many recent failures for this username from this address, from this address
    (any username, x4), or for this username from many addresses (x10)."""
    recent = LoginFailure.objects.filter(at__gte=_window_start())
    limit = settings.LOGIN_FAILURE_LIMIT
    key = login_key(username)
    mine = recent.filter(username=key)
    return (
        mine.filter(ip_address=ip_address).count() >= limit
        or recent.filter(ip_address=ip_address).count() >= limit * ADDRESS_FACTOR
        or mine.count() >= limit * DISTRIBUTED_FACTOR
    )


def login_failed(*, username: str, ip_address: str) -> None:
    with transaction.atomic():
        LoginFailure.objects.filter(at__lt=timezone.now() - dt.timedelta(days=1)).delete()
        LoginFailure.objects.create(
            username=login_key(username), ip_address=ip_address, at=timezone.now()
        )
        audit.record(
            actor=None,
            action="accounts.login_failed",
            object_type="user",
            object_id=username.strip()[:64],
            data={"ip": ip_address},
        )


def login_succeeded(*, user: User, ip_address: str) -> None:
    """Clears this address's failures for the user (never another address's)."""
    with transaction.atomic():
        LoginFailure.objects.filter(
            username=login_key(user.username), ip_address=ip_address
        ).delete()
        audit.record(
            actor=user,
            action="accounts.login",
            object_type="user",
            object_id=user.username,
            data={"ip": ip_address},
        )
