"""Roles and what each may do. A role is always held on an org and covers its subtree.

The vocabulary of ``core.scoping``; role assignments themselves are ``accounts.RoleAssignment``."""

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
    # Committee steps of admission: grassroots resolution, decision, recognition, overrides.
    ADMISSION_DECIDE = "admission.decide"
    # Directives (issue 6): read the register, manage documents and tasks, report on tasks.
    DIRECTIVE_VIEW = "directive.view"
    DIRECTIVE_MANAGE = "directive.manage"
    DIRECTIVE_REPORT = "directive.report"
    # Oversight and training (issue 9): plan inspections, decide discipline and
    # confirm evaluations (committees); propose evaluations and decide a cell's
    # own reprimand/warning (cells too); record courses and certificates.
    OVERSIGHT_MANAGE = "oversight.manage"
    OVERSIGHT_PROPOSE = "oversight.propose"
    TRAINING_MANAGE = "training.manage"
    # The working-day calendar's adjustments (issue 20): the city office keeps them.
    CALENDAR_MANAGE = "calendar.manage"


# The system administrator configures; by default never browses personal
# data (DESIGN.md). The city office analyses: it sees records, never the
# citizen ID or phone, and changes nothing here.
ROLE_CAPS: dict[str, frozenset[str]] = {
    Role.CELL_SECRETARY: frozenset(
        {Cap.ORG_VIEW, Cap.MEMBER_VIEW, Cap.MEMBER_VIEW_SENSITIVE, Cap.MEMBER_CHANGE}
    ),
    Role.GRASSROOTS_STAFF: frozenset(
        {
            Cap.ORG_VIEW,
            Cap.MEMBER_VIEW,
            Cap.MEMBER_VIEW_SENSITIVE,
            Cap.MEMBER_CHANGE,
            Cap.ORG_RESTRUCTURE,
            Cap.ADMISSION_DECIDE,
        }
    ),
    Role.SUPERIOR_STAFF: frozenset(
        {
            Cap.ORG_VIEW,
            Cap.MEMBER_VIEW,
            Cap.MEMBER_VIEW_SENSITIVE,
            Cap.MEMBER_CHANGE,
            Cap.ORG_RESTRUCTURE,
            Cap.ADMISSION_DECIDE,
        }
    ),
    Role.CITY_OFFICE: frozenset({Cap.ORG_VIEW, Cap.MEMBER_VIEW, Cap.CALENDAR_MANAGE}),
    Role.VIEWER: frozenset({Cap.ORG_VIEW, Cap.MEMBER_VIEW}),
    Role.SYSADMIN: frozenset({Cap.ORG_VIEW, Cap.ACCOUNTS_MANAGE}),
}

# Directives: every party organization keeps its register (HD 36-HD/VPTW): a cell
# its resolutions, a school's committee the directive it receives, forwards and
# gives to its cells, the city office and superior committees theirs. Each
# manages the register of its subtree and reports on the tasks given to it;
# everyone but the system administrator reads the register of their subtree.
_DIRECTIVE_CAPS: dict[str, set[str]] = {
    Role.CELL_SECRETARY: {Cap.DIRECTIVE_VIEW, Cap.DIRECTIVE_MANAGE, Cap.DIRECTIVE_REPORT},
    Role.GRASSROOTS_STAFF: {Cap.DIRECTIVE_VIEW, Cap.DIRECTIVE_MANAGE, Cap.DIRECTIVE_REPORT},
    Role.SUPERIOR_STAFF: {Cap.DIRECTIVE_VIEW, Cap.DIRECTIVE_MANAGE, Cap.DIRECTIVE_REPORT},
    Role.CITY_OFFICE: {Cap.DIRECTIVE_VIEW, Cap.DIRECTIVE_MANAGE},
    Role.VIEWER: {Cap.DIRECTIVE_VIEW},
}
for _role, _caps in _DIRECTIVE_CAPS.items():
    ROLE_CAPS[_role] = ROLE_CAPS[_role] | _caps

# Oversight and training (issue 9): reads use member.view; these are the writes.
_OVERSIGHT_CAPS: dict[str, set[str]] = {
    Role.CELL_SECRETARY: {Cap.OVERSIGHT_PROPOSE},
    Role.GRASSROOTS_STAFF: {Cap.OVERSIGHT_PROPOSE, Cap.OVERSIGHT_MANAGE, Cap.TRAINING_MANAGE},
    Role.SUPERIOR_STAFF: {Cap.OVERSIGHT_PROPOSE, Cap.OVERSIGHT_MANAGE, Cap.TRAINING_MANAGE},
}
for _role, _caps in _OVERSIGHT_CAPS.items():
    ROLE_CAPS[_role] = ROLE_CAPS[_role] | _caps
