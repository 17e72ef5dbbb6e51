"""Corrections of a member's identity fields (not lifecycle events: no event is appended)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.core import audit
from chibo.core.roles import Cap
from chibo.core.scoping import require_cap_on
from chibo.lib.text import fold
from chibo.members.lifecycle import check_age, lock
from chibo.members.models import Member

IDENTITY_FIELDS = (
    "full_name",
    "date_of_birth",
    "gender",
    "ethnicity",
    "expected_graduation",
    "citizen_id",
    "phone",
)
SENSITIVE_FIELDS = ("citizen_id", "phone")


def member_update_identity(
    *, actor: Any, member: Member, changes: dict[str, Any], expected_version: int | None = None
) -> Member:
    """Correct identity fields. Sensitive values are not copied into the audit log."""
    require_cap_on(actor, member.org, Cap.MEMBER_CHANGE)
    unknown = set(changes) - set(IDENTITY_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields cannot be edited here: %(fields)s")
            % {"fields": ", ".join(sorted(unknown))}
        )
    with transaction.atomic():
        m = lock(member, expected_version)
        changed = {}
        for name, value in changes.items():
            if isinstance(value, str):
                value = " ".join(value.split()) if name == "full_name" else value.strip()
            if getattr(m, name) != value:
                changed[name] = value
                setattr(m, name, value)
        if not changed:
            return m
        if "date_of_birth" in changed:
            check_age(m.date_of_birth, m.category, timezone.localdate())
        if "full_name" in changed:
            m.name_folded = fold(m.full_name)
            m.given_folded = m.name_folded.rsplit(" ", 1)[-1]
        m.full_clean(exclude=["name_folded", "given_folded"])
        m.version += 1
        m.save()
        audit.record(
            actor=actor,
            action="members.identity_update",
            object_type="member",
            object_id=m.member_code,
            data={
                name: ("***" if name in SENSITIVE_FIELDS else value)
                for name, value in changed.items()
            },
        )
    member.__dict__.update({k: v for k, v in m.__dict__.items() if not k.startswith("_")})
    return m
