"""The one place that decides what an actor may see and change.

Every query of orgs or personal data starts from ``scope_for(actor, cap)``:
the union of the subtrees of the actor's role assignments whose role grants
``cap``. Object access goes through the ``get_*_for`` helpers, which answer
404 for what the actor cannot see and 403 for what it may see but not
change. Views, the API, exports and commands all call these; none filters
by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from chibo.accounts.roles import ROLE_CAPS, Cap
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


def _in_force_today() -> Q:
    """Role assignments in force today (valid_from/valid_until inclusive, empty = open)."""
    from django.utils import timezone

    today = timezone.localdate()
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=today)) & (
        Q(valid_until__isnull=True) | Q(valid_until__gte=today)
    )


def _roles(user: Any) -> list[tuple[str, str]]:
    """(role, org path) of the user's assignments in force: one query per user object."""
    from chibo.accounts.models import RoleAssignment

    rows: list[tuple[str, str]] | None = getattr(user, "_chibo_roles", None)
    if rows is None:
        rows = list(
            RoleAssignment.objects.filter(_in_force_today())
            .filter(user=user)
            .values_list("role", "org__path")
        )
        user._chibo_roles = rows
    return rows


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


def orgs_for(user: Any, cap: str = Cap.ORG_VIEW) -> QuerySet:
    from chibo.orgs.models import Org

    return Org.objects.filter(scope_for(user, cap).q())


def members_for(user: Any, cap: str = Cap.MEMBER_VIEW) -> QuerySet:
    from chibo.members.models import Member

    scope = scope_for(user, cap)
    if scope.is_empty:
        return Member.objects.none()
    return Member.objects.filter(scope.q("org__"))


def get_org_for(
    user: Any, code: str, *, cap: str = Cap.ORG_VIEW, write_cap: str | None = None
) -> Any:
    """The org ``code`` if ``user`` may see it (404 otherwise); 403 without ``write_cap``."""

    org = orgs_for(user, cap).filter(code=code).first()
    if org is None:
        raise Http404(_("No such party organization in your scope."))
    if write_cap and not scope_for(user, write_cap).covers(org):
        raise PermissionDenied(_("Your role may view this organization but not change it."))
    return org


def get_member_for(user: Any, code: str, *, write: bool = False) -> Any:
    """The member ``code`` if ``user`` may see it (404 otherwise); 403 on write without the right."""
    member = members_for(user).select_related("org").filter(member_code=code).first()
    if member is None:
        raise Http404(_("No such party member in your scope."))
    if write and not scope_for(user, Cap.MEMBER_CHANGE).covers(member.org):
        raise PermissionDenied(_("Your role may view this member but not change the record."))
    return member


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
