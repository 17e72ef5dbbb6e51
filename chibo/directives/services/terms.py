"""The committee's terms (nhiệm kỳ): creating one, and the term in force on a day."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from chibo.core import audit
from chibo.core.roles import Cap
from chibo.core.scoping import require_cap_on
from chibo.directives.models import (
    CommitteeTerm,
)
from chibo.lib.dates import dmy
from chibo.orgs.models import Org

# --- committee terms and numbering ---------------------------------------------


def term_create(
    *,
    actor: Any,
    org: Org,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    congress: str = "",
) -> CommitteeTerm:
    """Declare a committee term (nhiệm kỳ): from the day after the congress that opened it
    closed to the close of the next; outgoing numbers restart at 01 in each (HD 36-HD/VPTW)."""
    require_cap_on(actor, org, Cap.DIRECTIVE_MANAGE)
    name = " ".join((name or "").split())
    if not name:  # named by its years; a congress term runs five years
        name = f"{starts_on.year}–{(ends_on.year if ends_on else starts_on.year + 5)}"
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": [_("The term cannot end before it starts.")]})
    overlapping = (
        CommitteeTerm.objects.filter(org=org, starts_on__lte=ends_on or dt.date.max)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on))
        .first()
    )
    if overlapping is not None:
        raise ValidationError(
            {
                "starts_on": [
                    _("This term overlaps the term %(term)s (%(start)s – %(end)s).")
                    % {
                        "term": overlapping.name,
                        "start": dmy(overlapping.starts_on),
                        "end": dmy(overlapping.ends_on, "…"),
                    }
                ]
            }
        )
    with transaction.atomic():
        term = CommitteeTerm.objects.create(
            org=org,
            name=name[:40],
            congress=" ".join((congress or "").split())[:200],
            starts_on=starts_on,
            ends_on=ends_on,
        )
        audit.record(
            actor=actor,
            action="directives.term_create",
            object_type="committee_term",
            object_id=term.pk,
            data={
                "org": org.code,
                "name": term.name,
                "congress": term.congress,
                "starts_on": starts_on,
                "ends_on": ends_on,
            },
        )
    return term


NO_TERM = "no_term"


def term_on(org: Org, day: dt.date) -> CommitteeTerm:
    """The committee's term containing ``day``; numbering restarts at 01 in each (HD 36-HD/VPTW).

    Without one the refusal says how to declare it (code ``no_term``; the views
    add a link to the terms page).
    """
    term = (
        CommitteeTerm.objects.filter(org=org, starts_on__lte=day)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
        .first()
    )
    if term is None:
        raise ValidationError(
            {
                "issued_on": [
                    ValidationError(
                        _(
                            "No committee term of %(org)s covers %(date)s: numbers run per term. "
                            "Declare the term first (page “Committee terms” of %(code)s, "
                            "POST /api/v1/directives/terms, or chibo term add %(code)s …)."
                        )
                        % {"org": org.name, "date": dmy(day), "code": org.code},
                        code=NO_TERM,
                        params={"org": org.code},
                    )
                ]
            }
        )
    return term
