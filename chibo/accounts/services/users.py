"""Creating a user and setting a password."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chibo.core import audit


def user_create(
    *, actor: Any, username: str, password: str | None, full_name: str = "", email: str = ""
) -> User:
    """A new account with no role. ``password=None``: no usable password yet (an invitation
    lets the person choose one: ``views_users``)."""
    username = username.strip()
    if not username:
        raise ValidationError({"username": [_("Enter a username.")]})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(
            {"username": [_("The username %(name)s is taken.") % {"name": username}]}
        )
    first, _sep, last = full_name.strip().rpartition(" ")
    user = User(username=username, email=email.strip(), first_name=first, last_name=last)
    if password is not None:
        validate_password(password, user)
    with transaction.atomic():
        if password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save()
        audit.record(
            actor=actor,
            action="accounts.user_create",
            object_type="user",
            object_id=username,
            data={"invitation": password is None},
        )
    return user


def user_set_password(*, user: User, form: Any) -> None:
    """An invited user chose a password (``SetPasswordForm`` validated it). Audited."""
    with transaction.atomic():
        form.save()
        audit.record(
            actor=user,
            action="accounts.invitation_used",
            object_type="user",
            object_id=user.username,
        )
