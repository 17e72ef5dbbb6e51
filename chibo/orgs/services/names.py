"""Changes of an organization's name: rename (dated), set its abbreviation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chibo.core import audit
from chibo.core.roles import Cap
from chibo.core.scoping import require_cap_on, scope_for
from chibo.core.services import user_or_none
from chibo.lib.text import fold
from chibo.orgs import letterhead
from chibo.orgs.models import (
    Org,
    OrgEvent,
)
from chibo.orgs.services.checks import (
    _check_date,
    _check_not_before_history,
    _check_open,
    _close_period,
    _open_period,
)


def org_rename(
    *, actor: Any, org: Org, name: str, effective_date: dt.date, decision_number: str = ""
) -> Org:
    require_cap_on(actor, org, Cap.ORG_RESTRUCTURE)
    _check_open(org)
    _check_date(effective_date)
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": [_("The name cannot be empty.")]})
    if name == org.name:
        raise ValidationError({"name": [_("The new name is the same as the current one.")]})
    _check_not_before_history(org, effective_date)
    old = org.name
    with transaction.atomic():
        Org.objects.filter(pk=org.pk).update(name=name, name_folded=fold(name))
        org.refresh_from_db()
        _close_period(org, effective_date)
        _open_period(org, effective_date)
        OrgEvent.objects.create(
            org=org,
            kind=OrgEvent.Kind.RENAMED,
            effective_date=effective_date,
            decision_number=decision_number,
            actor=user_or_none(actor),
            data={"from": old, "to": name},
        )
        audit.record(
            actor=actor,
            action="orgs.rename",
            object_type="org",
            object_id=org.code,
            data={"from": old, "to": name, "effective_date": effective_date},
        )
    return org


def org_set_abbreviation(*, actor: Any, org: Org, abbreviation: str) -> Org:
    """Change the issuer part of the org's document symbols (HD 36-HD/VPTW), audited.

    Documents already numbered keep their symbols; new ones use the new abbreviation.
    """
    if actor is not None and not (
        scope_for(actor, Cap.ORG_RESTRUCTURE).covers(org)
        or scope_for(actor, Cap.DIRECTIVE_MANAGE).covers(org)
    ):
        require_cap_on(actor, org, Cap.ORG_RESTRUCTURE)  # raises the usual 404 / 403
    value = letterhead.clean_abbreviation(abbreviation)
    if value == org.abbreviation:
        return org
    old = org.abbreviation
    with transaction.atomic():
        Org.objects.filter(pk=org.pk).update(abbreviation=value)
        org.abbreviation = value
        audit.record(
            actor=actor,
            action="orgs.abbreviation",
            object_type="org",
            object_id=org.code,
            data={"from": old, "to": value},
        )
    return org
