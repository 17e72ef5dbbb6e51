"""What a request to record an event carries (``Decision``, ``EventRequest``) and how a kind is
declared (``Input``, ``EventSpec``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import models

from chibo.members.lifecycle.vocab import EventKind

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from chibo.members.models import Member
    from chibo.orgs.models import Org


# --- what a request to record an event carries ---------------------------------------


@dataclass
class Decision:
    """Who decided an event and under which document."""

    number: str = ""
    issuing_org: Org | None = None
    issuing_body: str = ""


@dataclass
class EventRequest:
    """One event to record: the common fields and the kind's own ``values`` (by input name)."""

    kind: str
    effective_date: dt.date
    decision: Decision = field(default_factory=Decision)
    note: str = ""
    reason: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    actor: Any = None


class InputType:
    DATE = "date"
    TEXT = "text"
    CHOICE = "choice"
    # An org named by its exact code, usually outside the actor's scope (a destination).
    ORG = "org"
    # A cell in the actor's scope where it may change members (the receiving cell).
    OWN_CELL = "own_cell"


@dataclass(frozen=True)
class Input:
    """A field an event kind takes beyond the common ones; forms and API bodies are built from it.

    ``label`` is what the form shows (translated) and, in English, the API's description.
    ``lead``: shown before the common fields. ``initial``: the form's initial value.
    """

    name: str
    kind: str  # an InputType
    label: StrOrPromise
    required: bool = False
    max_length: int = 0
    choices: type[models.TextChoices] | None = None
    help_text: StrOrPromise = ""
    lead: bool = True
    initial: Callable[[Member], Any] | None = None


@dataclass(frozen=True)
class EventSpec:
    kind: str
    # The statuses it may follow; empty: never recorded on an existing member by ``record``.
    allowed_from: tuple[str, ...] = ()
    status_after: str | None = None  # None: the status stays
    clears: tuple[str, ...] = ()  # member fields emptied (None)
    inputs: tuple[Input, ...] = ()
    check: Callable[[Member, EventRequest], None] | None = None
    data: Callable[[Any, EventRequest], dict[str, Any]] | None = None
    sets: Callable[[Member, EventRequest], dict[str, Any]] | None = None
    audit_action: str = ""
    # Not typed by the user: the event's date (recognition: the day probation ended);
    # such an event takes the state of that date and leaves the current state alone.
    dated: Callable[[Member, EventRequest], dt.date] | None = None
    available: Callable[[Member], bool] | None = None  # beyond the status
    # The input naming the org the member moves to; the actor needs the right over it.
    moves_to: str = ""
    # Recording it from the member's page and the API (admission, ceremony and
    # restructuring have their own paths).
    recordable: bool = True
    danger: bool = False
    decision_required: bool = False
    date_label: StrOrPromise | None = None
    note_label: StrOrPromise | None = None
    note_required: bool = False
    # The input that takes an imported row's free text (column ``ly_do``): "note", or an input
    # whose empty value reads "(not given)"; "" for none.
    file_text: str = "note"

    @property
    def action(self) -> str:
        return self.audit_action or f"members.{self.kind}"

    @property
    def label(self) -> Any:
        return EventKind(self.kind).label

    def event_data(self, before: Any, req: EventRequest) -> dict[str, Any]:
        """What the event stores in ``data``: ``before`` is the member as it was (or a stand-in)."""
        return self.data(before, req) if self.data is not None else dict(req.data)
