"""The directives API's request and answer schemas."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema
from pydantic import AliasChoices

# --- schemas ---------------------------------------------------------------------


class RecipientOut(Schema):
    name: str
    org: str | None
    kind: str
    copies: int


class LinkOut(Schema):
    kind: str
    symbol: str
    id: int | None
    date: dt.date | None = None
    ambiguous: bool = False


class DocumentOut(Schema):
    id: int
    direction: str
    org: str
    symbol: str
    number: int
    doc_type: str
    issuer: str
    title: str
    issuing_body: str
    issued_on: dt.date
    urgency: str
    confidentiality: str
    incoming_number: str
    received_at: dt.datetime | None
    issuing_unit: str
    signature_for: str
    signer_title: str
    signer: str
    has_attachment: bool


class DocumentDetailOut(DocumentOut):
    recipients: list[RecipientOut]
    links_out: list[LinkOut]
    links_in: list[LinkOut]
    tasks: list[int]


class FileBody(Schema):
    name: str
    content_type: str = "application/octet-stream"
    data_base64: str


class RecipientIn(Schema):
    name: str = ""
    org: str | None = None
    copies: int = 1
    # "to": addressed (Kính gửi); "copy": also sent to (Nơi nhận)
    kind: str = "to"


class DocumentIn(Schema):
    org: str
    title: str
    issued_on: dt.date
    urgency: str = "normal"
    confidentiality: str = "normal"
    signer: str = ""
    signer_title: str = ""
    recipients: list[RecipientIn] = []
    body: str = ""
    forwards: list[str] = []
    cites: list[str] = []
    attachment: FileBody | None = None


class IncomingIn(DocumentIn):
    symbol: str
    issuing_body: str
    incoming_number: str = ""
    received_at: dt.datetime | None = None
    # The same symbol and date already in this register is refused unless true.
    allow_duplicate: bool = False


class OutgoingIn(DocumentIn):
    doc_type: str
    issuing_body: str = ""
    issuing_unit: str = "committee"
    # The signature block ("T/M BAN THƯỜNG VỤ", "" for an office head); null: the usual one.
    signature_for: str | None = None
    # A number already given on paper; null: the next number of the term.
    number: int | None = None


class AssignmentOut(Schema):
    id: int
    org: str | None
    unit: str


class AssignmentItem(Schema):
    id: int
    org: str | None
    unit: str
    task: int
    document: int


class AssignmentPage(Schema):
    items: list[AssignmentItem]
    next: str | None = Field(description="Pass it as `cursor` for the next page; null: the last")


class TaskOut(Schema):
    id: int
    document: int
    section: str
    title: str
    lead_person: str
    deadline: dt.date | None
    recurrence: str
    starts_on: dt.date
    assignments: list[AssignmentOut]


class TaskIn(Schema):
    section: str
    title: str
    text: str = ""
    lead_person: str = ""
    deadline: dt.date | None = None
    recurrence: str = "once"
    starts_on: dt.date | None = None
    report_due_days: int = 5
    orgs: list[str] = []
    named_units: list[str] = []


class ReportOut(Schema):
    id: int
    assignment: int
    unit: str
    period: str
    due_on: dt.date
    status: str
    text: str
    figures: dict[str, Any]
    submitted_at: dt.datetime | None
    late: bool
    review_comment: str
    version: int


# Every write that changes an existing report names the version it was based on
# (``expected_version``, its former name, is still read).
VERSION_HELP = "The report's `version` as you read it (required; a stale one is refused: 422)"


class ReportIn(Schema):
    period: str
    text: str = ""
    figures: dict[str, float] = {}
    submit: bool = False
    version: int = Field(
        ...,
        ge=0,
        validation_alias=AliasChoices("version", "expected_version"),
        description="The report's `version` as you read it, 0 when there is no report yet "
        "(required; a stale one is refused: 422)",
    )


class SubmitIn(Schema):
    version: int = Field(..., ge=1, description=VERSION_HELP)


class ReviewIn(Schema):
    accept: bool
    comment: str = ""
    version: int = Field(..., ge=1, description=VERSION_HELP)


class StatusRowOut(Schema):
    assignment: int
    unit: str
    org: str | None
    due_on: dt.date
    state: str
    overdue: bool
    late: bool


class StatusOut(Schema):
    task: int
    section: str
    period: str
    reported: int = Field(description="Units among `rows` that have reported")
    total: int = Field(description="Units in `rows`: those whose reports you may see")
    others: int = Field(
        0, description="Other units given this task, outside your scope: no status is shown"
    )
    rows: list[StatusRowOut]


class CompileIn(Schema):
    period: str
    issued_on: dt.date | None = None
    issuing_unit: str = "committee"
    signature_for: str | None = None
    signer: str = ""
    signer_title: str = ""
    recipients: list[str] | None = None


class CompiledOut(Schema):
    id: int
    directive: int
    period: str
    version: int
    draft: bool
    output: DocumentOut | None
    figures: dict[str, Any]


class TermIn(Schema):
    org: str
    name: str = ""
    congress: str = ""
    starts_on: dt.date
    ends_on: dt.date | None = None


class TermOut(Schema):
    id: int
    org: str
    name: str
    congress: str
    starts_on: dt.date
    ends_on: dt.date | None


class TermPage(Schema):
    items: list[TermOut]
    next: str | None = Field(description="Pass it as `cursor` for the next page; null: the last")


# --- documents -----------------------------------------------------------------------


class DocumentPage(Schema):
    items: list[DocumentOut]
    next: str | None = Field(description="Pass it as `cursor` for the next page; null: the last")
