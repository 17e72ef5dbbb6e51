"""Roles: nobody changes their own; a second person approves what gives access."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.accounts.models import RoleAssignment, RoleRequest
from chibo.core import audit
from chibo.core.roles import Cap, Role
from chibo.core.scoping import forget_scopes, require_cap_on

if TYPE_CHECKING:  # a role is held on an org; accounts sits below orgs
    from chibo.orgs.models import Org


# --- roles: nobody changes their own; a second person approves what gives access --------
#
# Every role gives access: five roles read personal data, and the sysadmin role
# approves others' requests (an administrator who could grant a puppet account
# that role at once could then approve his own proposals). So every grant, and
# every change of dates that widens when a role is in force, is a proposal
# (``role_propose``) that takes effect only when a *second* person holding
# accounts.manage over the org approves it (``role_request_approve``); neither
# the proposer nor the user concerned may approve. Ending or revoking a role
# takes access away and applies at once. ``actor=None`` is the system itself
# (set-up, demo data, ``chibo grant-role`` run by the server's operator).


def _not_self(actor: Any, user: User) -> None:
    if actor is not None and getattr(actor, "pk", None) == user.pk:
        raise PermissionDenied(
            _("Nobody grants or changes their own roles: ask another administrator.")
        )


def _check_grant(
    role: str, org: Org, valid_from: dt.date | None, valid_until: dt.date | None
) -> None:
    if role not in Role.values:
        raise ValidationError(
            {
                "role": [
                    _("Unknown role %(role)s; use one of: %(roles)s")
                    % {"role": role, "roles": ", ".join(Role.values)}
                ]
            }
        )
    if not org.is_open:
        raise ValidationError({"org": [_("%(org)s is closed.") % {"org": org.name}]})
    if valid_from and valid_until and valid_until < valid_from:
        raise ValidationError({"valid_until": [_("The end date is before the start date.")]})


def role_grant(
    *,
    actor: Any,
    user: User,
    role: str,
    org: Org,
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
) -> RoleAssignment:
    """Grant at once: the system only (``actor=None``). People propose; another approves."""
    if actor is not None:
        raise PermissionDenied(
            _("A role takes effect when a second administrator approves it: propose it.")
        )
    _check_grant(role, org, valid_from, valid_until)
    return _grant(
        actor=None, user=user, role=role, org=org, valid_from=valid_from, valid_until=valid_until
    )


def _grant(
    *,
    actor: Any,
    user: User,
    role: str,
    org: Org,
    valid_from: dt.date | None,
    valid_until: dt.date | None,
    extra: dict[str, Any] | None = None,
) -> RoleAssignment:
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
                **(extra or {}),
            },
        )
    forget_scopes(user)
    return assignment


def _approvers(org: Org, *, exclude: set[int]) -> list[User]:
    """Active administrators whose accounts.manage covers ``org`` (for the notice)."""
    from chibo.core.scoping import scope_for

    candidates = User.objects.filter(
        is_active=True,
        pk__in=RoleAssignment.objects.filter(role=Role.SYSADMIN).values("user_id"),
    ).exclude(pk__in=exclude)
    return [u for u in candidates if scope_for(u, Cap.ACCOUNTS_MANAGE).covers(org)]


def _propose(*, actor: Any, request: RoleRequest, action_data: dict[str, Any]) -> RoleRequest:
    from chibo.core.notify import notify

    with transaction.atomic():
        request.save()
        audit.record(
            actor=actor,
            action="accounts.role_proposed",
            object_type="user",
            object_id=request.user.username,
            data={"request": request.pk, "kind": request.kind, **action_data},
        )
        for approver in _approvers(request.org, exclude={actor.pk, request.user_id}):
            notify(
                user=approver,
                kind="role_request",
                message=_(
                    "%(who)s proposes: %(role)s on %(org)s for %(user)s. It needs your approval."
                )
                % {
                    "who": actor.get_full_name() or actor.username,
                    "role": Role(request.role).label,
                    "org": request.org.code,
                    "user": request.user.get_full_name() or request.user.username,
                },
                url="/accounts/roles/#requests",
                dedupe_key=f"role-request:{request.pk}",
            )
    return request


def role_propose(
    *,
    actor: Any,
    user: User,
    role: str,
    org: Org,
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
    note: str = "",
) -> RoleRequest:
    """Propose a grant; it takes effect when another administrator approves it."""
    _check_grant(role, org, valid_from, valid_until)
    require_cap_on(actor, org, Cap.ACCOUNTS_MANAGE)
    _not_self(actor, user)
    if RoleAssignment.objects.filter(user=user, role=role, org=org).exists():
        raise ValidationError(
            _("%(user)s already holds this role on %(org)s.")
            % {"user": user.username, "org": org.code}
        )
    if RoleRequest.objects.filter(
        user=user, role=role, org=org, status=RoleRequest.Status.PENDING
    ).exists():
        raise ValidationError(
            _("The same request for %(user)s is already waiting for approval.")
            % {"user": user.username}
        )
    request = RoleRequest(
        kind=RoleRequest.Kind.GRANT,
        user=user,
        role=role,
        org=org,
        valid_from=valid_from,
        valid_until=valid_until,
        proposed_by=actor,
        note=note.strip()[:300],
    )
    return _propose(
        actor=actor,
        request=request,
        action_data={
            "role": role,
            "org": org.code,
            "valid_from": valid_from,
            "valid_until": valid_until,
        },
    )


def dates_widen_access(
    assignment: RoleAssignment, valid_from: dt.date | None, valid_until: dt.date | None
) -> bool:
    """Would the new dates put the role in force on a day it is not now?"""
    earlier = assignment.valid_from is not None and (
        valid_from is None or valid_from < assignment.valid_from
    )
    later = assignment.valid_until is not None and (
        valid_until is None or valid_until > assignment.valid_until
    )
    return earlier or later


def role_set_dates(
    *,
    actor: Any,
    assignment: RoleAssignment,
    valid_from: dt.date | None,
    valid_until: dt.date | None,
) -> RoleAssignment:
    """Change when an assignment is in force; only narrowing applies at once (widening is
    proposed: ``role_propose_dates``). Audited."""
    require_cap_on(actor, assignment.org, Cap.ACCOUNTS_MANAGE)
    _not_self(actor, assignment.user)
    if valid_from and valid_until and valid_until < valid_from:
        raise ValidationError({"valid_until": [_("The end date is before the start date.")]})
    if actor is not None and dates_widen_access(assignment, valid_from, valid_until):
        raise PermissionDenied(
            _("Longer dates give access: a second administrator must approve them.")
        )
    return _set_dates(
        actor=actor, assignment=assignment, valid_from=valid_from, valid_until=valid_until
    )


def _set_dates(
    *,
    actor: Any,
    assignment: RoleAssignment,
    valid_from: dt.date | None,
    valid_until: dt.date | None,
    extra: dict[str, Any] | None = None,
) -> RoleAssignment:
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
                **(extra or {}),
            },
        )
    forget_scopes(assignment.user)
    return assignment


def role_propose_dates(
    *,
    actor: Any,
    assignment: RoleAssignment,
    valid_from: dt.date | None,
    valid_until: dt.date | None,
) -> RoleRequest:
    """Propose new dates that widen a role (another administrator approves)."""
    require_cap_on(actor, assignment.org, Cap.ACCOUNTS_MANAGE)
    _not_self(actor, assignment.user)
    if valid_from and valid_until and valid_until < valid_from:
        raise ValidationError({"valid_until": [_("The end date is before the start date.")]})
    request = RoleRequest(
        kind=RoleRequest.Kind.DATES,
        user=assignment.user,
        role=assignment.role,
        org=assignment.org,
        assignment=assignment,
        valid_from=valid_from,
        valid_until=valid_until,
        proposed_by=actor,
    )
    return _propose(
        actor=actor,
        request=request,
        action_data={
            "role": assignment.role,
            "org": assignment.org.code,
            "valid_from": valid_from,
            "valid_until": valid_until,
        },
    )


def _decidable(actor: Any, request: RoleRequest) -> None:
    require_cap_on(actor, request.org, Cap.ACCOUNTS_MANAGE)
    if request.status != RoleRequest.Status.PENDING:
        raise ValidationError(_("This request was already decided."))


def role_request_approve(*, actor: Any, request: RoleRequest) -> RoleAssignment:
    """The second person approves: the grant or the new dates take effect now. Audited."""
    with transaction.atomic():
        request = RoleRequest.objects.select_for_update().get(pk=request.pk)
        _decidable(actor, request)
        _not_self(actor, request.user)
        if request.proposed_by_id == getattr(actor, "pk", None):
            raise PermissionDenied(
                _("You proposed this change: another administrator must approve it.")
            )
        extra = {"request": request.pk, "proposed_by": getattr(request.proposed_by, "username", "")}
        if request.kind == RoleRequest.Kind.GRANT:
            _check_grant(request.role, request.org, request.valid_from, request.valid_until)
            assignment = _grant(
                actor=actor,
                user=request.user,
                role=request.role,
                org=request.org,
                valid_from=request.valid_from,
                valid_until=request.valid_until,
                extra=extra,
            )
        else:
            if request.assignment is None:
                raise ValidationError(_("The role of this request no longer exists."))
            assignment = _set_dates(
                actor=actor,
                assignment=request.assignment,
                valid_from=request.valid_from,
                valid_until=request.valid_until,
                extra=extra,
            )
        request.status = RoleRequest.Status.APPROVED
        request.decided_by = actor
        request.decided_at = timezone.now()
        request.save(update_fields=["status", "decided_by", "decided_at"])
        audit.record(
            actor=actor,
            action="accounts.role_approved",
            object_type="user",
            object_id=request.user.username,
            data={**extra, "kind": request.kind, "role": request.role, "org": request.org.code},
        )
    return assignment


def role_request_reject(*, actor: Any, request: RoleRequest, note: str = "") -> RoleRequest:
    """Another administrator rejects the request, or its proposer withdraws it. Audited."""
    with transaction.atomic():
        request = RoleRequest.objects.select_for_update().get(pk=request.pk)
        _decidable(actor, request)
        own = request.proposed_by_id == getattr(actor, "pk", None)
        request.status = RoleRequest.Status.CANCELLED if own else RoleRequest.Status.REJECTED
        request.decided_by = actor
        request.decided_at = timezone.now()
        if note.strip():
            request.note = note.strip()[:300]
        request.save(update_fields=["status", "decided_by", "decided_at", "note"])
        audit.record(
            actor=actor,
            action="accounts.role_withdrawn" if own else "accounts.role_rejected",
            object_type="user",
            object_id=request.user.username,
            data={"request": request.pk, "role": request.role, "org": request.org.code},
        )
    return request


def role_revoke(*, actor: Any, user: User, role: str, org: Org) -> None:
    require_cap_on(actor, org, Cap.ACCOUNTS_MANAGE)
    _not_self(actor, user)
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
