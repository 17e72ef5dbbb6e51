"""/api/v1/me: who the caller is and what roles it holds."""

from __future__ import annotations

from typing import Any

from ninja import Router, Schema

from chibo.accounts.models import RoleAssignment
from chibo.accounts.requests import SignedInRequest
from chibo.core.roles import Role

router = Router(tags=["accounts"])


class RoleOut(Schema):
    role: str
    role_label: str
    org_code: str
    org_name: str


class MeOut(Schema):
    username: str
    full_name: str
    roles: list[RoleOut]


@router.get("/me", response=MeOut, summary="The authenticated user and their roles")
def me(request: SignedInRequest) -> dict[str, Any]:
    user = request.user
    roles = [
        {
            "role": a.role,
            "role_label": str(Role(a.role).label),
            "org_code": a.org.code,
            "org_name": a.org.name,
        }
        for a in RoleAssignment.objects.filter(user=user)
        .select_related("org")
        .order_by("org__path", "role")
    ]
    return {"username": user.username, "full_name": user.get_full_name(), "roles": roles}
