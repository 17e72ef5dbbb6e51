"""What the training API takes and answers (every field a client receives is declared here)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

# --- responses (every field a client receives is declared here) ----------------------


class CourseOut(Schema):
    id: int
    kind: str
    title: str
    organizer: str = Field(description="Code of the organizing org")
    starts_on: dt.date | None
    ends_on: dt.date | None
    place: str


class EnrolmentOut(Schema):
    id: int
    course: int | None = Field(description="Course id; null for a certificate recorded alone")
    kind: str
    member: str | None = Field(description="Member code (a member participant)")
    candidate: int | None = Field(description="Candidate id (a candidate participant)")
    full_name: str
    org: str
    completed: bool
    completed_on: dt.date | None
    certificate_number: str
    certificate_date: dt.date | None
    valid_until: dt.date | None = Field(description="Null: valid without end")


class CourseDetail(CourseOut):
    participants: list[EnrolmentOut]


class MemberCertificatesOut(Schema):
    member: str
    certificates: list[EnrolmentOut]


class PostOut(Schema):
    id: int
    member: str
    post: str
    org: str
    from_on: dt.date | None
    to_on: dt.date | None


class LeaderGapOut(Schema):
    member: str
    full_name: str
    post: str
    org: str
    has: str | None = Field(description="The highest level completed; null: none")
    required: str


class NewMemberGapOut(Schema):
    member: str
    full_name: str
    org: str
    admitted_on: dt.date | None


class RequirementOut(Schema):
    post: str
    level: str
    note: str


class CourseIn(Schema):
    kind: str
    title: str = Field(..., max_length=255)
    organizer: str
    starts_on: dt.date
    ends_on: dt.date
    place: str = Field("", max_length=255)


class CoursePage(Schema):
    items: list[CourseOut]
    next: str | None = Field(description="Pass it as `cursor` for the next page; null: the last")


class EnrolIn(Schema):
    member: str = ""
    candidate: int | None = None


class CompleteIn(Schema):
    completed_on: dt.date
    certificate_number: str = Field("", max_length=64)
    certificate_date: dt.date | None = None
    issuer: str = Field("", max_length=255)


class CertificateIn(Schema):
    member: str
    kind: str
    certificate_number: str = Field(..., max_length=64)
    certificate_date: dt.date
    issuer: str = Field("", max_length=255)


class PostIn(Schema):
    member: str
    post: str
    org: str
    from_on: dt.date
    to_on: dt.date | None = None


class RequirementIn(Schema):
    level: str
    note: str = Field("", max_length=255)


class LeaderGapPage(Schema):
    items: list[LeaderGapOut]
    next: str | None = Field(description="Pass it as `cursor` for the next page; null: the last")


class NewMemberGapPage(Schema):
    items: list[NewMemberGapOut]
    next: str | None = Field(description="Pass it as `cursor` for the next page; null: the last")
