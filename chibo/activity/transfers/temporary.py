"""Temporary transfers out: each member away, and whose expected end is near or past."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Exists, OuterRef, Q, TextField, Value, When
from django.db.models.fields.json import KeyTextTransform
from django.http import Http404
from django.utils.translation import gettext as _

from chibo.core.roles import Cap
from chibo.core.scoping import scope_for
from chibo.lib.dates import add_months
from chibo.members.models import EventKind, Member, MemberEvent, Status
from chibo.orgs.models import Org

# A temporary transfer is listed as "ending" from this many months before its expected end:
# time for the member to return or ask an extension (issue 20, item 10).
TEMP_ENDING_MONTHS = 1


TEMP_STATES = ("away", "ending", "overdue", "no_end")


@dataclass
class TempAway:
    """A member temporarily transferred out and not back, with the transfer's expected end.

    States on a day: ``away``; ``ending`` from ``warn_from`` (TEMP_ENDING_MONTHS before
    ``until``) through ``until``; ``overdue`` after it; ``no_end`` when the record has no
    expected end (entered before issue 20 or imported).
    """

    event: MemberEvent
    purpose: str
    until: dt.date | None

    @property
    def member(self) -> Member:
        return self.event.member

    @property
    def host(self) -> str:
        return (self.event.data or {}).get("host") or ""

    @property
    def warn_from(self) -> dt.date | None:
        return add_months(self.until, -TEMP_ENDING_MONTHS) if self.until else None

    @property
    def purpose_label(self) -> str:
        from chibo.members.lifecycle import TempPurpose

        return str(TempPurpose(self.purpose).label) if self.purpose in TempPurpose.values else ""

    def state(self, today: dt.date) -> str:
        return "no_end" if self.until is None else self.state_on(self.until, today)

    @staticmethod
    def state_on(until: dt.date, today: dt.date) -> str:
        if today > until:
            return "overdue"
        return "ending" if today >= add_months(until, -TEMP_ENDING_MONTHS) else "away"


def temporary_away_events(actor: Any, org: Org, *, as_of: dt.date, state: str | None = None) -> Any:
    """The latest temporary transfer of each member of ``org``'s subtree away and not back, by
    expected end (``until_key``, ISO; none: last), then name (a queryset: the page counts and
    pages it). The states follow the end (overdue, ending, away, then no end), so this is also
    the overdue first. ``state``: narrowed by the end in the query; ``ending`` and ``away``
    still need ``TempAway.state`` (the warning month is a calendar month)."""
    if not scope_for(actor, Cap.MEMBER_VIEW).covers(org):
        raise Http404(_("No such party organization in your scope."))
    newer = MemberEvent.objects.filter(member_id=OuterRef("member_id"), kind=EventKind.TEMP_OUT)
    newer = newer.filter(
        Q(effective_date__gt=OuterRef("effective_date"))
        | Q(effective_date=OuterRef("effective_date"), id__gt=OuterRef("id"))
    )
    events = (
        MemberEvent.objects.filter(
            org.subtree_filter("member__org__"),
            kind=EventKind.TEMP_OUT,
            member__status=Status.TEMP_AWAY,
        )
        .filter(~Exists(newer))
        .annotate(
            # No end (key missing, JSON null — which SQLite reads as the text "null" — or
            # empty): NO_END, so the key is never null.
            until_key=Case(
                When(
                    Q(data__until__isnull=True) | Q(data__until=None) | Q(data__until=""),
                    then=Value(NO_END),
                ),
                default=KeyTextTransform("until", "data"),
                output_field=TextField(),
            )
        )
        .select_related("member", "member__org")
        .order_by("until_key", "member__name_folded", "id")
    )
    day = as_of.isoformat()
    if state == "overdue":
        events = events.filter(until_key__lt=day)
    elif state == "no_end":
        events = events.filter(until_key=NO_END)
    elif state in ("ending", "away"):
        events = events.filter(until_key__gte=day, until_key__lt=NO_END)
    return events


NO_END = "9999-12-31"  # the sort key of a temporary transfer without an expected end


def temp_away_of(event: MemberEvent) -> TempAway:
    data = event.data or {}
    until = data.get("until")
    return TempAway(
        event, data.get("purpose") or "", dt.date.fromisoformat(until) if until else None
    )


def temporary_away(
    actor: Any, org: Org, *, as_of: dt.date, state: str | None = None
) -> list[TempAway]:
    """Every member of ``org``'s subtree temporarily transferred out and not back, in the order
    of ``temporary_away_events``; ``state``: only those in that state on ``as_of``."""
    events = temporary_away_events(actor, org, as_of=as_of, state=state)
    out = [temp_away_of(e) for e in events]
    return [t for t in out if state is None or t.state(as_of) == state]
