"""Roles and what each may do. A role is always held on an org and covers its subtree."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CELL_SECRETARY = "cell_secretary", _("Cell secretary")
    GRASSROOTS_STAFF = "grassroots_staff", _("Grassroots committee staff")
    SUPERIOR_STAFF = "superior_staff", _("Superior committee staff")
    CITY_OFFICE = "city_office", _("City party office")
    VIEWER = "viewer", _("Read-only viewer")
    SYSADMIN = "sysadmin", _("System administrator")


class Cap(models.TextChoices):
    """Capabilities; each role grants a set of them over its subtree."""

    ORG_VIEW = "org.view"
    ORG_RESTRUCTURE = "org.restructure"
    MEMBER_VIEW = "member.view"
    MEMBER_VIEW_SENSITIVE = "member.view_sensitive"
    MEMBER_CHANGE = "member.change"
    ACCOUNTS_MANAGE = "accounts.manage"


# The system administrator configures; by default never browses personal
# data (DESIGN.md). The city office analyses: it sees records, never the
# citizen ID or phone, and changes nothing here.
ROLE_CAPS: dict[str, frozenset[str]] = {
    Role.CELL_SECRETARY: frozenset(
        {Cap.ORG_VIEW, Cap.MEMBER_VIEW, Cap.MEMBER_VIEW_SENSITIVE, Cap.MEMBER_CHANGE}
    ),
    Role.GRASSROOTS_STAFF: frozenset(
        {Cap.ORG_VIEW, Cap.MEMBER_VIEW, Cap.MEMBER_VIEW_SENSITIVE, Cap.MEMBER_CHANGE, Cap.ORG_RESTRUCTURE}
    ),
    Role.SUPERIOR_STAFF: frozenset(
        {Cap.ORG_VIEW, Cap.MEMBER_VIEW, Cap.MEMBER_VIEW_SENSITIVE, Cap.MEMBER_CHANGE, Cap.ORG_RESTRUCTURE}
    ),
    Role.CITY_OFFICE: frozenset({Cap.ORG_VIEW, Cap.MEMBER_VIEW}),
    Role.VIEWER: frozenset({Cap.ORG_VIEW, Cap.MEMBER_VIEW}),
    Role.SYSADMIN: frozenset({Cap.ORG_VIEW, Cap.ACCOUNTS_MANAGE}),
}
