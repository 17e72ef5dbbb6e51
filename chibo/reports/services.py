"""Writes of the reports app: targets, and the audit entry of a personal-list export."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chibo.core import audit
from chibo.orgs.models import Org
from chibo.reports.models import TARGET_MAX, Indicator, Target
from chibo.reports.selectors import can_set_target


def target_set(
    *, actor: Any, org: Org, year: int, indicator: str, value: int, note: str = ""
) -> Target:
    """Set (or change) ``org``'s target for ``year``; only its superior may (restructuring right over the parent)."""
    if actor is not None and not can_set_target(actor, org):
        raise PermissionDenied(
            _("Only the superior committee of %(org)s may set its targets.") % {"org": org.name}
        )
    errors: dict[str, list[str]] = {}
    if indicator not in Indicator.values:
        errors["indicator"] = [_("Choose an indicator.")]
    if not 2000 <= int(year) <= 2100:
        errors["year"] = [_("Enter a year between 2000 and 2100.")]
    if not 0 <= int(value) <= TARGET_MAX:
        errors["value"] = [
            _("A target is a whole number from 0 to %(max)s.")
            % {"max": f"{TARGET_MAX:,}".replace(",", ".")}
        ]
    if errors:
        raise ValidationError(errors)
    user = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        target, created = Target.objects.update_or_create(
            org=org,
            year=year,
            indicator=indicator,
            defaults={"value": value, "note": note.strip(), "set_by": user},
        )
        audit.record(
            actor=actor,
            action="reports.target_set",
            object_type="org",
            object_id=org.code,
            data={"year": year, "indicator": indicator, "value": value, "created": created},
        )
    return target


def export_recorded(
    *, actor: Any, kind: str, org: Org, params: dict[str, Any], member_codes: list[str]
) -> None:
    """A list of persons left the system: record who took which records (Decree 13/2023)."""
    audit.record(
        actor=actor,
        action="reports.export",
        object_type="member",
        object_id="",
        data={"kind": kind, "org": org.code, **params, "members": member_codes},
    )
