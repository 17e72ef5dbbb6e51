"""What the admissions API takes and answers (every field a client receives is declared here)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema
from pydantic import AliasChoices

from chibo.apitools import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
)


class ListFilters(Schema):
    org: str = Field("", description="Org code: its whole subtree")
    category: str = ""
    stage: str = ""
    overdue: bool = False
    include_closed: bool = False
    history_overdue: bool = Field(False, description="Personal histories past their deadline")
    escalated: bool = Field(False, description="Recognition cases sent to the upper committee")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: str = Field("", max_length=500, description="`next` of the page before")


class RegisterIn(Schema):
    org: str
    full_name: str = Field(..., max_length=120)
    date_of_birth: dt.date
    gender: str
    category: str
    registered_on: dt.date
    mentor: str = Field(..., description="Member code of the mentor (a full member of the cell)")
    youth_union_exists: bool = True
    education_level: str = Field(
        "",
        description="below_primary, primary, lower_secondary, upper_secondary or higher; "
        "empty: not recorded yet (the cell's review refuses until it is)",
    )
    ethnicity: str = "Kinh"
    citizen_id: str = ""
    phone: str = ""
    note: str = ""
    confirm: bool = Field(
        False, description="Record an unusual value anyway (after a confirmation_required answer)"
    )


class IntroducerIn(Schema):
    member: str
    months_together: int = Field(..., ge=0)


# Every write that changes an existing candidate names the version it was based on
# (``expected_version``, its former name, is still read).
VERSION_HELP = "The candidate's `version` as you read it (required; a stale one is refused: 422)"


class StepIn(Schema):
    done_on: dt.date
    document_number: str = Field("", max_length=64)
    note: str = ""
    data: dict[str, Any] = Field(
        default_factory=dict, description="Figures the step needs (see docs/admissions.md)"
    )
    introducers: list[IntroducerIn] = Field(default_factory=list)
    version: int = Field(
        ...,
        ge=1,
        validation_alias=AliasChoices("version", "expected_version"),
        description=VERSION_HELP,
    )


class DecisionReceivedIn(Schema):
    received_on: dt.date = Field(..., description="The date the cell received the decision")
    version: int = Field(..., ge=1, description=VERSION_HELP)


class MemberHistoryIn(Schema):
    declared_on: dt.date = Field(
        ..., description="The date the new member declared the personal history (lý lịch đảng viên)"
    )
    late_reason: str = Field(
        "", max_length=2000, description="Required when the date is after the deadline"
    )
    version: int = Field(..., ge=1, description=VERSION_HELP)


class EducationIn(Schema):
    education_level: str = Field(
        ..., description="below_primary, primary, lower_secondary, upper_secondary or higher"
    )
    version: int = Field(..., ge=1, description=VERSION_HELP)


class ReplaceIntroducerIn(Schema):
    member: str = Field(
        ..., description="Member code of the new introducer (a full member of the cell)"
    )
    replaced_on: dt.date = Field(..., description="The day the cell assigned the new introducer")
    reason: str = Field(..., description="moved, disciplined or other")
    reason_text: str = Field("", max_length=1000, description="Required when reason is other")
    months_together: int = Field(0, ge=0, description="Not checked for a replacement")
    document_number: str = Field("", max_length=64, description="The cell's minutes or resolution")
    version: int = Field(..., ge=1, description=VERSION_HELP)


class OverrideIn(Schema):
    stage: str
    rule_key: str
    reason: str


# --- responses (every field a client receives is declared here) ----------------------


class MemberHistoryOut(Schema):
    due_on: str | None = Field(description="30 working days after the admission ceremony")
    declared_on: str | None
    late_reason: str
    overdue: bool


class RecognitionVoteOut(Schema):
    done_on: str
    passed: bool = Field(description="false: the vote did not reach 2/3")
    document_number: str
    full_members: int | None
    absent_excluded: int | None
    votes_for: int | None


class CandidateOut(Schema):
    id: int
    full_name: str
    date_of_birth: str
    gender: str
    category: str
    org: str = Field(description="Code of the candidate's cell")
    stage: str
    stage_on: str
    next_step: str | None
    next_due: str | None
    overdue: bool
    member_code: str | None = Field(description="Set once the candidate was admitted")
    version: int
    education_level: str | None = Field(description="Null until recorded")
    decision_received_on: str | None
    member_history: MemberHistoryOut | None = Field(
        description="The new member's personal history after the ceremony (null before it)"
    )
    escalated_on: str | None = Field(
        description="The third recognition vote without 2/3: the upper committee decides"
    )
    citizen_id: str | None = Field(None, description="Only for roles that see it")
    phone: str | None = Field(None, description="Only for roles that see it")


class CertificateOut(Schema):
    number: str
    issuer: str
    issued_on: str
    expires_on: str


class CandidateMemberOut(Schema):
    member_code: str
    admitted_on: str | None
    ceremony_on: str | None
    probation_ends_on: str | None
    recognized_on: str | None
    is_full: bool


class PathStepOut(Schema):
    stage: str
    state: str = Field(description="done, next, todo or skipped")
    done_on: str | None
    document_number: str
    recorded_by: str | None
    data: dict[str, Any]


class OverrideOut(Schema):
    stage: str
    rule: str
    reason: str
    by: str | None


class IntroducerOut(Schema):
    id: int
    member: str | None = Field(description="Member code; null for the Youth Union committee")
    full_name: str | None
    youth_union_body: str
    months_together: int
    introduced_on: str
    active: bool = Field(description="False once replaced")
    replaced_on: str | None
    replaces: str | None = Field(description="Member code of the introducer this one replaced")
    replacement_reason: str | None = Field(description="moved, disciplined or other")
    replacement_note: str
    document_number: str


class CandidateDetail(CandidateOut):
    mentor: str | None
    youth_union_exists: bool
    introducers: list[IntroducerOut]
    member: CandidateMemberOut | None
    allowed_steps: list[str]
    certificate: CertificateOut | None
    path: list[PathStepOut]
    recognition_votes: list[RecognitionVoteOut]
    overrides: list[OverrideOut]


class CandidatePage(Schema):
    items: list[CandidateOut]
    next: str | None = Field(description="Pass it as `cursor` for the next page; null: the last")
    total: int
    counts: dict[str, int]
    overdue: int


class ProbationItem(Schema):
    member_code: str
    full_name: str
    org: str
    ceremony_on: str
    probation_ends_on: str
    vote_due: str
    state: str = Field(description="upcoming, due or overdue")


class ProbationOut(Schema):
    items: list[ProbationItem]


class OverrideCreated(Schema):
    id: int
    stage: str
    rule_key: str
    reason: str


# --- the admission dossier -----------------------------------------------------------------


class DossierIssueIn(Schema):
    signer: str = Field("", max_length=120)
    signer_title: str = Field("", max_length=60)


class DossierEntryOut(Schema):
    kind: str
    label: str
    step_done_on: dt.date | None = Field(description="When the admission step was done")
    issuer: str | None = Field(description="Code of the org that issues the document")
    applicable: bool
    symbol: str = Field(description="Its number and symbol once entered in the register")
    document: int | None = Field(description="The document in the register")
    may_issue: bool = Field(description="The caller may enter it in the register now")


class DossierOut(Schema):
    items: list[DossierEntryOut]


class DossierIssued(Schema):
    kind: str
    document: int
    symbol: str
    org: str
