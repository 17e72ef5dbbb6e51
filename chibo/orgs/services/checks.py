"""Checks and dated periods shared by the tree's writes."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.lib.dates import dmy
from chibo.orgs.models import (
    ALLOWED_PARENTS,
    Org,
    OrgKind,
    OrgPeriod,
)


def _check_date(day: dt.date, field: str = "effective_date") -> None:
    if day > timezone.localdate():
        raise ValidationError({field: [_("The date cannot be in the future.")]})


def _check_parent(kind: str, parent: Org | None) -> None:
    allowed = ALLOWED_PARENTS[kind]
    parent_kind = parent.kind if parent else None
    if parent_kind not in allowed:
        raise ValidationError(
            {
                "parent": [
                    _("A %(kind)s cannot be placed under %(parent)s.")
                    % {
                        "kind": OrgKind(kind).label,
                        "parent": OrgKind(parent_kind).label
                        if parent_kind
                        else _("nothing (the root)"),
                    }
                ]
            }
        )
    if parent is not None and not parent.is_open:
        raise ValidationError({"parent": [_("The superior organization is closed.")]})


def _close_period(org: Org, on: dt.date) -> None:
    OrgPeriod.objects.filter(org=org, valid_to__isnull=True).update(valid_to=on)


def _open_period(org: Org, on: dt.date) -> None:
    OrgPeriod.objects.create(org=org, parent=org.parent, name=org.name, valid_from=on)


def _check_open(org: Org) -> None:
    if not org.is_open:
        raise ValidationError(_("%(org)s is closed.") % {"org": org.name})


def _check_not_before_history(org: Org, effective_date: dt.date) -> None:
    current = OrgPeriod.objects.filter(org=org, valid_to__isnull=True).first()
    if current and effective_date <= current.valid_from:
        raise ValidationError(
            {
                "effective_date": [
                    _("The date must be after the organization's last change (%(date)s).")
                    % {"date": dmy(current.valid_from)}
                ]
            }
        )
