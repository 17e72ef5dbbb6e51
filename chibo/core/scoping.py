"""The one place that decides what an actor may see and change.

Every query of orgs or personal data starts from ``scope_for(actor, cap)``:
the union of the subtrees of the actor's role assignments whose role grants
``cap``. Object access goes through the ``get_*_for`` helpers, which answer
404 for what the actor cannot see and 403 for what it may see but not
change: ``orgs.selectors.orgs_for`` / ``get_org_for`` and
``members.selectors.members_for`` / ``get_member_for`` (they live with their
models: core may not import the apps above it). Views, the API, exports and
commands all call these; none filters by hand.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from chibo.core.prepared import Prepared
from chibo.core.roles import ROLE_CAPS
from chibo.lib.text import prefix_upper_bound


@dataclass(frozen=True)
class Scope:
    """Covered subtrees as (path, bound) ranges, none nested in another."""

    ranges: tuple[tuple[str, str], ...]

    @property
    def is_empty(self) -> bool:
        return not self.ranges

    def q(self, prefix: str = "") -> Q:
        """Q over Org (``prefix`` is the lookup path to the Org, e.g. ``org__``)."""
        if not self.ranges:
            return Q(pk__in=[])
        query = Q()
        for path, bound in self.ranges:
            query |= Q(**{f"{prefix}path__gte": path, f"{prefix}path__lt": bound})
        return query

    def covers_path(self, path: str) -> bool:
        return any(start <= path < bound for start, bound in self.ranges)

    def covers(self, org: Any) -> bool:
        return org is not None and self.covers_path(org.path)


EMPTY = Scope(())


def in_force(day: dt.date, prefix: str = "") -> Q:
    """Role assignments in force on ``day`` (valid_from/valid_until inclusive, empty = open);
    ``prefix``: the lookup path to the assignment (``role_assignments__`` from a user)."""
    return (Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": day})) & (
        Q(**{f"{prefix}valid_until__isnull": True}) | Q(**{f"{prefix}valid_until__gte": day})
    )


_in_force = in_force


def remember_roles(user: Any, rows: list[tuple[str, str]]) -> None:
    """(role, org path) of ``user``'s assignments in force today, read with the user (the
    sign-in backend reads both in one statement): ``_roles`` reads them no more."""
    user._chibo_roles = rows


_ROLES: dict[type, Prepared] = {}  # per assignment model (one: accounts.RoleAssignment)


def _roles(user: Any) -> list[tuple[str, str]]:
    """(role, org path) of the user's assignments in force: one query per user object."""
    rows: list[tuple[str, str]] | None = getattr(user, "_chibo_roles", None)
    if rows is None:
        from django.utils import timezone

        # accounts.RoleAssignment, through the user's reverse relation (core is below accounts).
        # Read on every request: the ORM's statement compiled once per process (``Prepared``:
        # building it cost 0.4–0.8 ms of Python a request), run with the user and today.
        model = user.role_assignments.model
        if model not in _ROLES:
            _ROLES[model] = Prepared(
                model,
                lambda user_id, day: model.objects.filter(
                    _in_force(day), user_id=user_id
                ).values_list("role", "org__path"),
                -7_000_001,
                dt.date(1901, 2, 3),
            )
        rows = [(role, path) for role, path in _ROLES[model].rows(user.pk, timezone.localdate())]
        user._chibo_roles = rows
    return rows


def roles_in_force(user: Any) -> set[str]:
    """The roles of the user's assignments in force today (no query after the first per request)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    return {role for role, _path in _roles(user)}


def _compute(user: Any, cap: str) -> Scope:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return EMPTY
    paths = sorted({path for role, path in _roles(user) if cap in ROLE_CAPS.get(role, frozenset())})
    roots: list[str] = []
    for path in paths:  # sorted: an ancestor comes before its descendants
        if not roots or not path.startswith(roots[-1]):
            roots.append(path)
    return Scope(tuple((path, prefix_upper_bound(path)) for path in roots))


def scope_for(user: Any, cap: str) -> Scope:
    """The actor's scope for ``cap``, computed once per user object (per request)."""
    cache: dict[str, Scope] | None = getattr(user, "_chibo_scopes", None)
    if cache is None:
        cache = {}
        try:
            user._chibo_scopes = cache
        except AttributeError:  # AnonymousUser is immutable enough; don't cache
            return _compute(user, cap)
    if cap not in cache:
        cache[cap] = _compute(user, cap)
    return cache[cap]


def forget_scopes(user: Any) -> None:
    for name in ("_chibo_scopes", "_chibo_roles"):
        if hasattr(user, name):
            delattr(user, name)


def has_cap(user: Any, cap: str) -> bool:
    return not scope_for(user, cap).is_empty


def require_cap_on(user: Any, org: Any, cap: str) -> None:
    """Raise 403 unless ``user`` holds ``cap`` over ``org`` (services call this).

    ``user=None`` is the system itself (set-up, demo data, trusted commands);
    views and the API always pass the request's user, never None.
    """
    if user is None:
        return
    if not scope_for(user, cap).covers(org):
        raise PermissionDenied(
            _("You do not have the right to do this for %(org)s.") % {"org": org.name}
        )
