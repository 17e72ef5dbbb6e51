"""Accounts: create users, grant and revoke roles, login throttling.

The package re-exports every public name, so callers import from
``chibo.accounts.services``:

- ``users``: creating a user, setting a password;
- ``roles``: proposing, approving, granting, re-dating and revoking roles (four eyes);
- ``logins``: login throttling per username and client address.
"""

from chibo.accounts.services.logins import (
    ADDRESS_FACTOR,
    DISTRIBUTED_FACTOR,
    login_failed,
    login_key,
    login_locked,
    login_succeeded,
)
from chibo.accounts.services.roles import (
    dates_widen_access,
    role_grant,
    role_propose,
    role_propose_dates,
    role_request_approve,
    role_request_reject,
    role_revoke,
    role_set_dates,
)
from chibo.accounts.services.users import user_create, user_set_password

__all__ = [
    "ADDRESS_FACTOR",
    "DISTRIBUTED_FACTOR",
    "dates_widen_access",
    "login_failed",
    "login_key",
    "login_locked",
    "login_succeeded",
    "role_grant",
    "role_propose",
    "role_propose_dates",
    "role_request_approve",
    "role_request_reject",
    "role_revoke",
    "role_set_dates",
    "user_create",
    "user_set_password",
]
