"""Role assignments (a role on an org subtree) and login throttling."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chibo.accounts.roles import Role


class RoleAssignment(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="role_assignments")
    granted_at = models.DateTimeField(auto_now_add=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "org"], name="role_assignment_unique"),
        ]
        verbose_name = _("role assignment")

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} @ {self.org.code}"


class LoginFailure(models.Model):
    """One failed login; recent failures per username or address lock the login."""

    username = models.CharField(max_length=150, db_index=True)
    ip_address = models.CharField(max_length=45, db_index=True)
    at = models.DateTimeField(db_index=True)
