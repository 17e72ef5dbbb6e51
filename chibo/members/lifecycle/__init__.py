"""A member's lifecycle, declared once: every event kind, what it needs and what it does.

Each kind is one ``EventKind`` value and one ``EventSpec`` in ``SPECS``:

- the statuses it may follow (``allowed_from``) and the status after it (``status_after``);
- what it clears on the member (``clears``) and what it sets (``sets``);
- its fields beyond the common ones (``inputs``: effective date, decision, issuing body, note);
- its validation (``check``) and the data it stores on the event (``data``);
- its audit action (``members.<kind>`` unless ``audit_action`` says otherwise).

Everything else follows from the registry: ``record`` (validate, append, update the member,
audit, in one transaction), ``allowed_events`` (what the record page and the API offer),
the web forms (``members.forms``), the API bodies and routes (``members.api``), the
importer's status changes (``interchange.members_import``) and the event rows the bulk
writer inserts (``interchange.members_write``, held to ``record`` by
``tests/members/test_lifecycle.py``). ``replay`` recomputes a member's state from its log.

The package, by concern (import from ``chibo.members.lifecycle``, which re-exports every
public name):

- ``vocab``: the vocabularies (``Category``, ``Status``, ``EventKind``, …); ``members.models``
  imports them, so no module here imports a model except inside functions;
- ``spec``: ``Decision``, ``EventRequest``, ``Input``, ``EventSpec``;
- ``checks`` and ``transfers``: the kinds' checks and event data (transfers' deadlines);
- ``kinds``: the registry ``SPECS``, ``allowed_events``, ``import_kind``;
- ``log``: ``record``, ``lock``, ``state_on``, ``replay``.

To add an event kind: a value in ``EventKind`` (``vocab``) and its ``EventSpec`` in ``SPECS``
(``kinds``), its check beside the others if it needs one, then ``chibo makemigrations members``
(the field's choices) and the Vietnamese catalogue; the form, the API route and
``allowed_events`` need nothing more (docs/architecture.md, "The member lifecycle").
"""

from __future__ import annotations

from chibo.members.lifecycle.checks import check_age, check_cell, probation_end
from chibo.members.lifecycle.kinds import RECORDABLE, SPECS, allowed_events, import_kind
from chibo.members.lifecycle.log import lock, record, replay, state_on
from chibo.members.lifecycle.spec import Decision, EventRequest, EventSpec, Input, InputType
from chibo.members.lifecycle.transfers import (
    check_late_transfer_cleared,
    competent_committee,
    late_transfer_state,
    paperwork_due,
    temporary_bounds_text,
    temporary_span,
)
from chibo.members.lifecycle.vocab import (
    ON_ROLLS,
    TERMINAL,
    Category,
    EventKind,
    ExemptionCriterion,
    RemovalReason,
    Status,
    TempPurpose,
    TransferGrounds,
)

__all__ = [
    "ON_ROLLS",
    "RECORDABLE",
    "SPECS",
    "TERMINAL",
    "Category",
    "Decision",
    "EventKind",
    "EventRequest",
    "EventSpec",
    "ExemptionCriterion",
    "Input",
    "InputType",
    "RemovalReason",
    "Status",
    "TempPurpose",
    "TransferGrounds",
    "allowed_events",
    "check_age",
    "check_cell",
    "check_late_transfer_cleared",
    "competent_committee",
    "import_kind",
    "late_transfer_state",
    "lock",
    "paperwork_due",
    "probation_end",
    "record",
    "replay",
    "state_on",
    "temporary_bounds_text",
    "temporary_span",
]
