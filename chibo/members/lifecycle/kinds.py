"""The registry: every event kind's ``EventSpec`` in ``SPECS``, what may be recorded now
(``allowed_events``) and what an import records (``import_kind``).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _l

from chibo.members.lifecycle.checks import (
    _ORG_HELP,
    _admitted_data,
    _ceremony_data,
    _check_card,
    _check_category,
    _check_ceremony,
    _check_exemption,
    _check_exemption_end,
    _check_expulsion,
    _check_recognition,
    _check_removal,
    _code,
    _not_given,
    _pending_cell,
)
from chibo.members.lifecycle.spec import EventRequest, EventSpec, Input, InputType
from chibo.members.lifecycle.transfers import (
    _check_temp_out,
    _check_transfer_in,
    _check_transfer_out,
    _transfer_out_data,
)
from chibo.members.lifecycle.vocab import (
    ON_ROLLS,
    Category,
    EventKind,
    ExemptionCriterion,
    RemovalReason,
    Status,
    TempPurpose,
    TransferGrounds,
)

if TYPE_CHECKING:
    from chibo.members.models import Member


def _recognition_date(m: Member, req: EventRequest) -> dt.date:
    """Recognition takes effect the day probation ended (its check refused a member without one)."""
    assert m.probation_ends_on is not None
    return m.probation_ends_on


SPECS: dict[str, EventSpec] = {
    spec.kind: spec
    for spec in (
        EventSpec(
            EventKind.RECOGNIZED,
            allowed_from=ON_ROLLS,
            inputs=(
                Input(
                    "decided_on",
                    InputType.DATE,
                    _l("Decision date"),
                    required=True,
                    help_text=_l("The recognition takes effect on the day probation ended."),
                ),
            ),
            check=_check_recognition,
            data=lambda m, req: {"decided_on": req.values["decided_on"].isoformat()},
            sets=lambda m, req: {"is_full": True, "recognized_on": m.probation_ends_on},
            dated=_recognition_date,
            available=lambda m: not m.is_full and m.probation_ends_on is not None,
        ),
        EventSpec(
            EventKind.CARD_ISSUED,
            allowed_from=ON_ROLLS,
            inputs=(Input("card_number", InputType.TEXT, _l("Party card number"), True, 32),),
            check=_check_card,
            data=lambda m, req: {"card_number": req.values["card_number"].strip()},
            sets=lambda m, req: {"party_card_number": req.values["card_number"].strip()},
        ),
        EventSpec(
            EventKind.CATEGORY_CHANGED,
            allowed_from=ON_ROLLS,
            inputs=(
                Input("category", InputType.CHOICE, _l("New category"), True, choices=Category),
            ),
            check=_check_category,
            data=lambda m, req: {"from": m.category, "to": req.values["category"]},
            sets=lambda m, req: {"category": req.values["category"]},
        ),
        EventSpec(
            EventKind.TEMP_OUT,
            allowed_from=(Status.ACTIVE,),
            status_after=Status.TEMP_AWAY,
            inputs=(
                Input("host_org", InputType.ORG, _l("Host cell in chibo (code)"), lead=False),
                Input("host", InputType.TEXT, _l("Host outside chibo"), max_length=255, lead=False),
                Input(
                    "purpose",
                    InputType.CHOICE,
                    _l("Purpose"),
                    required=True,
                    choices=TempPurpose,
                    lead=False,
                ),
                Input(
                    "until",
                    InputType.DATE,
                    _l("Expected end"),
                    required=True,
                    help_text=_l(
                        "Work or residence: from 3 months to under 1 year; full-time study: "
                        "from 3 months to 2 years (QĐ 294-QĐ/TW, point 6.3.2)."
                    ),
                    lead=False,
                ),
            ),
            check=_check_temp_out,
            data=lambda m, req: {
                "host_org": _code(req.values.get("host_org")),
                "host": _not_given(req.values.get("host", ""), req.values.get("host_org")),
                "until": req.values["until"].isoformat() if req.values.get("until") else None,
                **({"purpose": req.values["purpose"]} if req.values.get("purpose") else {}),
            },
            sets=lambda m, req: {"temp_host_org": req.values.get("host_org")},
            file_text="host",
        ),
        EventSpec(
            EventKind.TEMP_BACK,
            allowed_from=(Status.TEMP_AWAY,),
            status_after=Status.ACTIVE,
            clears=("temp_host_org",),
            file_text="",
        ),
        EventSpec(
            EventKind.EXEMPTED,
            allowed_from=(Status.ACTIVE,),
            status_after=Status.EXEMPTED,
            inputs=(
                Input(
                    "criterion",
                    InputType.CHOICE,
                    _l("Criterion for the exemption"),
                    required=True,
                    choices=ExemptionCriterion,
                    help_text=_l(
                        "By the member's application and the cell's resolution; the upper "
                        "level is informed (Party Charter Art. 7)."
                    ),
                ),
            ),
            check=_check_exemption,
            data=lambda before, req: {"criterion": req.values.get("criterion") or None},
            note_label=_l("Reason for the exemption"),
            note_required=True,
        ),
        EventSpec(
            EventKind.EXEMPTION_ENDED,
            allowed_from=(Status.EXEMPTED,),
            status_after=Status.ACTIVE,
            inputs=(
                Input(
                    "application_on",
                    InputType.DATE,
                    _l("Date of the member's application to return"),
                    required=True,
                ),
            ),
            check=_check_exemption_end,
            data=lambda before, req: {
                "application_on": req.values["application_on"].isoformat()
                if req.values.get("application_on")
                else None
            },
            file_text="",
        ),
        EventSpec(
            EventKind.TRANSFER_OUT,
            allowed_from=ON_ROLLS,
            status_after=Status.TRANSFERRED_OUT,
            clears=("temp_host_org",),
            inputs=(
                Input(
                    "destination_org",
                    InputType.ORG,
                    _l("Destination cell in chibo (code)"),
                    help_text=_ORG_HELP,
                    lead=False,
                ),
                Input(
                    "destination",
                    InputType.TEXT,
                    _l("Destination outside chibo"),
                    max_length=255,
                    lead=False,
                ),
                Input(
                    "grounds",
                    InputType.CHOICE,
                    _l("Grounds"),
                    choices=TransferGrounds,
                    lead=False,
                ),
                Input(
                    "grounds_on",
                    InputType.DATE,
                    _l("Date of the decision or of the change of residence"),
                    help_text=_l(
                        "The paperwork is due within 60 working days of it (QĐ 294-QĐ/TW, "
                        "point 6.3.1)."
                    ),
                    lead=False,
                ),
                Input(
                    "late_reason",
                    InputType.TEXT,
                    _l("Reason for the late transfer"),
                    max_length=500,
                    help_text=_l(
                        "Needed after the 60 working days; the competent committee decides."
                    ),
                    lead=False,
                ),
            ),
            check=_check_transfer_out,
            data=_transfer_out_data,
            sets=lambda m, req: {"pending_org": req.values.get("destination_org")},
            file_text="destination",
        ),
        EventSpec(
            EventKind.TRANSFER_IN,
            allowed_from=(Status.TRANSFERRED_OUT,),
            status_after=Status.ACTIVE,
            clears=("pending_org",),
            inputs=(
                Input(
                    "org",
                    InputType.OWN_CELL,
                    _l("Receiving cell (code)"),
                    required=True,
                    initial=_pending_cell,
                ),
            ),
            check=_check_transfer_in,
            data=lambda m, req: {"from_org": m.org.code},
            sets=lambda m, req: {"org": req.values["org"]},
            moves_to="org",
            file_text="",
        ),
        EventSpec(
            EventKind.REMOVED,
            allowed_from=(*ON_ROLLS, Status.TRANSFERRED_OUT),
            status_after=Status.REMOVED,
            clears=("pending_org", "temp_host_org"),
            inputs=(
                Input(
                    "reason", InputType.CHOICE, _l("Reason"), required=True, choices=RemovalReason
                ),
            ),
            check=_check_removal,
            danger=True,
            decision_required=True,
        ),
        EventSpec(
            EventKind.EXPELLED,
            allowed_from=(*ON_ROLLS, Status.TRANSFERRED_OUT),
            status_after=Status.EXPELLED,
            clears=("pending_org", "temp_host_org"),
            check=_check_expulsion,
            danger=True,
            decision_required=True,
        ),
        EventSpec(
            EventKind.DECEASED,
            allowed_from=(*ON_ROLLS, Status.TRANSFERRED_OUT),
            status_after=Status.DECEASED,
            clears=("pending_org", "temp_host_org"),
            danger=True,
            date_label=_l("Date of death"),
        ),
        EventSpec(
            EventKind.CEREMONY,
            allowed_from=ON_ROLLS,
            check=_check_ceremony,
            data=_ceremony_data,
            sets=lambda m, req: {
                "ceremony_on": req.effective_date,
                "probation_ends_on": dt.date.fromisoformat(req.data["probation_ends_on"]),
            },
            recordable=False,
        ),
        # Written by their own services: a new member (members.services.admission),
        # restructuring (members.services.reassignment).
        EventSpec(
            EventKind.ADMITTED,
            status_after=Status.ACTIVE,
            data=_admitted_data,
            recordable=False,
        ),
        EventSpec(
            EventKind.REASSIGNED,
            data=lambda m, req: {"from_org": m.org.code},
            recordable=False,
        ),
    )
}


RECORDABLE: tuple[str, ...] = tuple(kind for kind, spec in SPECS.items() if spec.recordable)


def allowed_events(member: Member) -> list[str]:
    """The kinds a user may record now on ``member`` (its status and standing), in menu order."""
    kinds = []
    for kind in RECORDABLE:
        spec = SPECS[kind]
        if member.status in spec.allowed_from and (
            spec.available is None or spec.available(member)
        ):
            kinds.append(kind)
    return kinds


def import_kind(old: str, new: str) -> str | None:
    """The kind an import records to take a member from status ``old`` to ``new`` (None: none may)."""
    for kind in RECORDABLE:
        spec = SPECS[kind]
        if spec.status_after == new and old in spec.allowed_from and not spec.moves_to:
            return kind
    return None
