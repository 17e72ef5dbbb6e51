"""The oversight API's request and answer schemas."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

# --- responses (every field a client receives is declared here) ----------------------


class InspectionOut(Schema):
    id: int
    org: str = Field(description="Code of the committee that runs it")
    year: int
    kind: str
    topic: str
    target_org: str | None
    target_member: str | None = Field(description="Member code when one member is inspected")
    team: str
    starts_on: dt.date | None
    ends_on: dt.date | None
    status: str
    concluded_on: dt.date | None
    conclusion_number: str


class FollowUpOut(Schema):
    id: int
    action: str
    responsible: str
    due_on: dt.date | None
    done_on: dt.date | None


class AttachmentOut(Schema):
    id: int
    name: str
    size: int


class InspectionDetail(InspectionOut):
    findings: str
    conclusion: str
    conclusion_document_id: int | None = Field(description="The conclusion in the register")
    followups: list[FollowUpOut]
    attachments: list[AttachmentOut]


class CoverageRowOut(Schema):
    org: str
    name: str
    in_period: int = Field(description="Inspections or supervisions in the period")
    last_on: dt.date | None = Field(description="The last one ever; null: never")
    never: bool


class CoverageOut(Schema):
    org: str
    date_from: dt.date
    date_to: dt.date
    schools: list[CoverageRowOut]
    covered: int
    never: int


class CaseOut(Schema):
    id: int
    member: str | None = Field(description="Member code (a case against a member)")
    org: str | None = Field(description="Org code (a case against an organization)")
    violation: str
    opened_on: dt.date | None
    status: str
    hold_reason: str
    hold_ends_on: dt.date | None
    penalty: str
    deciding_org: str | None
    by_cell_vote: bool
    decision_number: str
    decided_on: dt.date | None
    effective_on: dt.date | None
    received_on: dt.date | None
    appeal_on: dt.date | None
    appeal_outcome: str


class MemberDisciplineOut(Schema):
    member: str
    discipline: list[CaseOut]


class SavedGradeOut(Schema):
    member: str
    grade: str
    score: int | None
    status: str


class CapOut(Schema):
    excellent: int = Field(description="Members proposed or graded HTXSNV")
    good: int
    limit: int = Field(description="The most HTXSNV grades the cap allows")
    ok: bool


class ProposalOut(Schema):
    saved: list[SavedGradeOut]
    cap: CapOut | None
    failed_twice: list[str] = Field(description="Member codes graded KHTNV two years running")
    warnings: list[str]


class MemberGradesOut(Schema):
    HTXSNV: int
    HTTNV: int
    HTNV: int
    KHTNV: int
    proposed: int
    confirmed: int
    evaluated: int


class OrgGradesOut(Schema):
    HTXSNV: int
    HTTNV: int
    HTNV: int
    KHTNV: int
    evaluated: int


class EvaluationSummaryOut(Schema):
    org: str
    year: int
    source: str = Field(description="The regulation the grades follow")
    members: MemberGradesOut
    orgs: OrgGradesOut
    cap: CapOut | None
    failed_twice: int


class ConfirmOut(Schema):
    confirmed: int
    summary: EvaluationSummaryOut


class InspectionIn(Schema):
    org: str
    year: int = Field(..., ge=2000, le=2100)
    kind: str
    topic: str = Field(..., max_length=255)
    target_org: str = ""
    target_member: str = ""
    team: str = ""
    starts_on: dt.date
    ends_on: dt.date


class InspectionPage(Schema):
    items: list[InspectionOut]
    next: str | None = Field(description="Pass it as `cursor` for the next page; null: the last")


class ConclusionIn(Schema):
    findings: str = ""
    conclusion: str
    concluded_on: dt.date
    conclusion_number: str = Field("", max_length=64)
    issue_number: bool = False


class FollowUpIn(Schema):
    action: str = Field(..., max_length=255)
    responsible: str = Field("", max_length=255)
    due_on: dt.date


# --- discipline ----------------------------------------------------------------


class CaseIn(Schema):
    member: str = ""
    org: str = ""
    violation: str
    opened_on: dt.date


class CasePage(Schema):
    items: list[CaseOut]
    next: str | None = Field(description="Pass it as `cursor` for the next page; null: the last")


class HoldIn(Schema):
    reason: str
    since: dt.date
    child_born_on: dt.date | None = None
    note: str = ""


class ReleaseIn(Schema):
    on: dt.date


class DecideIn(Schema):
    penalty: str
    deciding_org: str
    decided_on: dt.date
    decision_number: str = Field("", max_length=64)
    effective_on: dt.date | None = None
    received_on: dt.date | None = None
    by_cell_vote: bool = False
    votes_for: int | None = Field(None, ge=0)
    votes_total: int | None = Field(None, ge=0)
    post: str = Field("", max_length=120)


class AppealIn(Schema):
    filed_on: dt.date
    received_on: dt.date | None = None
    note: str = ""


# --- evaluation ------------------------------------------------------------------


class GradeIn(Schema):
    member: str
    grade: str = ""
    score: int | None = Field(None, ge=0, le=100)
    note: str = ""


class ProposeIn(Schema):
    cell: str
    year: int = Field(..., ge=2000, le=2100)
    grades: list[GradeIn]


class ConfirmIn(Schema):
    unit: str
    year: int = Field(..., ge=2000, le=2100)
    overrides: dict[str, str] = Field(default_factory=dict, description="member code → grade")
