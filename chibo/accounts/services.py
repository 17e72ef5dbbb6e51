"""Accounts: create users, grant and revoke roles, login throttling."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.accounts.models import LoginFailure, RoleAssignment
from chibo.accounts.roles import Cap, Role
from chibo.core import audit
from chibo.core.scoping import forget_scopes, require_cap_on
from chibo.orgs.models import Org


def user_create(
    *, actor: Any, username: str, password: str, full_name: str = "", email: str = ""
) -> User:
    username = username.strip()
    if not username:
        raise ValidationError({"username": [_("Enter a username.")]})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(
            {"username": [_("The username %(name)s is taken.") % {"name": username}]}
        )
    first, _sep, last = full_name.strip().rpartition(" ")
    user = User(username=username, email=email.strip(), first_name=first, last_name=last)
    validate_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save()
        audit.record(
            actor=actor, action="accounts.user_create", object_type="user", object_id=username
        )
    return user


def role_grant(
    *,
    actor: Any,
    user: User,
    role: str,
    org: Org,
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
) -> RoleAssignment:
    if role not in Role.values:
        raise ValidationError(
            {
                "role": [
                    _("Unknown role %(role)s; use one of: %(roles)s")
                    % {"role": role, "roles": ", ".join(Role.values)}
                ]
            }
        )
    require_cap_on(actor, org, Cap.ACCOUNTS_MANAGE)
    if not org.is_open:
        raise ValidationError({"org": [_("%(org)s is closed.") % {"org": org.name}]})
    if valid_from and valid_until and valid_until < valid_from:
        raise ValidationError({"valid_until": [_("The end date is before the start date.")]})
    with transaction.atomic():
        assignment, created = RoleAssignment.objects.get_or_create(
            user=user,
            role=role,
            org=org,
            defaults={
                "granted_by": actor if getattr(actor, "pk", None) else None,
                "valid_from": valid_from,
                "valid_until": valid_until,
            },
        )
        if not created:
            raise ValidationError(
                _("%(user)s already holds this role on %(org)s.")
                % {"user": user.username, "org": org.code}
            )
        audit.record(
            actor=actor,
            action="accounts.role_grant",
            object_type="user",
            object_id=user.username,
            data={
                "role": role,
                "org": org.code,
                "valid_from": valid_from,
                "valid_until": valid_until,
            },
        )
    forget_scopes(user)
    return assignment


def role_revoke(*, actor: Any, user: User, role: str, org: Org) -> None:
    require_cap_on(actor, org, Cap.ACCOUNTS_MANAGE)
    with transaction.atomic():
        deleted, _count = RoleAssignment.objects.filter(user=user, role=role, org=org).delete()
        if not deleted:
            raise ValidationError(
                _("%(user)s does not hold this role on %(org)s.")
                % {"user": user.username, "org": org.code}
            )
        audit.record(
            actor=actor,
            action="accounts.role_revoke",
            object_type="user",
            object_id=user.username,
            data={"role": role, "org": org.code},
        )
    forget_scopes(user)


def role_set_dates(
    *,
    actor: Any,
    assignment: RoleAssignment,
    valid_from: dt.date | None,
    valid_until: dt.date | None,
) -> RoleAssignment:
    """Change when an assignment is in force (e.g. end it on a date); audited."""
    require_cap_on(actor, assignment.org, Cap.ACCOUNTS_MANAGE)
    if valid_from and valid_until and valid_until < valid_from:
        raise ValidationError({"valid_until": [_("The end date is before the start date.")]})
    with transaction.atomic():
        before = {"valid_from": assignment.valid_from, "valid_until": assignment.valid_until}
        assignment.valid_from = valid_from
        assignment.valid_until = valid_until
        assignment.save(update_fields=["valid_from", "valid_until"])
        audit.record(
            actor=actor,
            action="accounts.role_dates",
            object_type="user",
            object_id=assignment.user.username,
            data={
                "role": assignment.role,
                "org": assignment.org.code,
                "before": before,
                "valid_from": valid_from,
                "valid_until": valid_until,
            },
        )
    forget_scopes(assignment.user)
    return assignment


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
