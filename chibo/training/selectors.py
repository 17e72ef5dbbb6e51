"""Reads for training: scoped course lists, certificates and their validity, the two gap lists."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.core.roles import Cap
from chibo.core.rules import RuleMissing, rule_in_force
from chibo.core.scoping import scope_for
from chibo.core.validity import certificate_valid_until
from chibo.lib.dates import add_months
from chibo.members.models import Member, Status
from chibo.members.selectors import members_for
from chibo.orgs.models import Org
from chibo.training.models import (
    THEORY_LEVELS,
    Course,
    CourseKind,
    Enrolment,
    LeadershipPost,
    PostRequirement,
)

# Which rule sets a certificate's validity, per course kind (none: no expiry).
VALIDITY_RULES: dict[str, str] = {CourseKind.AWARENESS: "admission.certificate_valid_months"}


def courses_for(actor: Any) -> QuerySet[Course]:
    """Courses organized in the actor's scope."""
    scope = scope_for(actor, Cap.MEMBER_VIEW)
    if scope.is_empty:
        return Course.objects.none()
    return Course.objects.filter(scope.q("organizer__")).select_related("organizer")


def get_course_for(actor: Any, pk: int, *, write: bool = False) -> Course:
    course = courses_for(actor).filter(pk=pk).first()
    if course is None:
        raise Http404(_("No such course in your scope."))
    if write and not scope_for(actor, Cap.TRAINING_MANAGE).covers(course.organizer):
        raise PermissionDenied(_("Your role may view this course but not change it."))
    return course


def get_enrolment_for(actor: Any, pk: int, *, write: bool = False) -> Enrolment:
    scope = scope_for(actor, Cap.MEMBER_VIEW)
    enrolment = (
        Enrolment.objects.filter(scope.q("course__organizer__") | scope.q("org__"), pk=pk)
        .select_related("course", "course__organizer", "member", "org")
        .first()
        if not scope.is_empty
        else None
    )
    if enrolment is None:
        raise Http404(_("No such participant in your scope."))
    org = enrolment.course.organizer if enrolment.course is not None else enrolment.org
    if write and not scope_for(actor, Cap.TRAINING_MANAGE).covers(org):
        raise PermissionDenied(_("Your role may view this record but not change it."))
    return enrolment


def valid_until(
    kind: str, certificate_date: dt.date | None, on: dt.date | None = None
) -> dt.date | None:
    """The last day a certificate counts, where a rule sets a validity (awareness course: 60 months).

    The one definition admissions uses too (``core.validity.certificate_valid_until``):
    the validity the rule in force at the check date (default today) sets.
    """
    key = VALIDITY_RULES.get(kind)
    if key is None or certificate_date is None:
        return None
    try:
        return certificate_valid_until(certificate_date, on or timezone.localdate(), key)
    except RuleMissing:
        return None


@dataclass(frozen=True)
class Certificate:
    number: str
    issuer: str
    issued_on: dt.date
    valid_until: dt.date | None

    def is_valid_on(self, day: dt.date) -> bool:
        return self.issued_on <= day and (self.valid_until is None or day <= self.valid_until)


def awareness_certificate(person: Any) -> Certificate | None:
    """The latest awareness-course certificate of a candidate (admissions.Candidate) or a member.

    For admissions: number, date, and valid_until (60 months, rule
    ``admission.certificate_valid_months``). None if none is recorded here.
    """
    field = "candidate" if person.__class__.__name__ == "Candidate" else "member"
    row = (
        Enrolment.objects.filter(**{field: person}, kind=CourseKind.AWARENESS, completed=True)
        .exclude(certificate_date__isnull=True)
        .order_by("-certificate_date", "-id")
        .first()
    )
    if row is None:
        return None
    issued_on = row.certificate_date
    assert issued_on is not None  # excluded above
    return Certificate(
        row.certificate_number,
        row.issuer,
        issued_on,
        valid_until(row.kind, issued_on),
    )


def certificates_of(member: Member) -> list[tuple[Enrolment, dt.date | None]]:
    rows = (
        member.enrolments.filter(completed=True).select_related("course").order_by("-completed_on")
    )
    return [(row, valid_until(row.kind, row.certificate_date)) for row in rows]


def theory_level(member_ids: list[int]) -> dict[int, str]:
    """The highest political-theory level each member has completed."""
    rank: dict[str, int] = {kind: i for i, kind in enumerate(THEORY_LEVELS)}
    best: dict[int, str] = {}
    for member_id, kind in Enrolment.objects.filter(
        member_id__in=member_ids, kind__in=THEORY_LEVELS, completed=True
    ).values_list("member_id", "kind"):
        if member_id not in best or rank[kind] > rank[best[member_id]]:
            best[member_id] = kind
    return best


@dataclass
class LeaderGap:
    post: LeadershipPost
    required: str
    has: str

    @property
    def has_label(self) -> str:
        return str(CourseKind(self.has).label) if self.has else ""

    @property
    def required_label(self) -> str:
        return str(CourseKind(self.required).label)


def leaders_lacking_level(actor: Any, on: dt.date, root: Org | None = None) -> list[LeaderGap]:
    """School leaders in scope (posts held on ``on``) below the level their post requires."""
    scope = scope_for(actor, Cap.MEMBER_VIEW)
    if scope.is_empty:
        return []
    required = dict(PostRequirement.objects.values_list("post", "level"))
    posts = (
        LeadershipPost.objects.filter(scope.q("org__"), from_on__lte=on)
        .filter(Q(to_on__isnull=True) | Q(to_on__gt=on))
        .exclude(org__school_level="")
        .select_related("member", "org")
    )
    if root is not None:
        posts = posts.filter(root.subtree_filter("org__"))
    held = [
        p
        for p in posts
        if p.post in required and p.member.status not in (Status.EXPELLED, Status.DECEASED)
    ]
    levels = theory_level([p.member_id for p in held])
    rank: dict[str, int] = {kind: i for i, kind in enumerate(THEORY_LEVELS)}
    gaps = []
    for post in held:
        has = levels.get(post.member_id, "")
        if has == "" or rank[has] < rank[required[post.post]]:
            gaps.append(LeaderGap(post, required[post.post], has))
    return sorted(gaps, key=gap_key)


def gap_key(g: LeaderGap) -> tuple[str, str, str, str]:
    """The leaders' order (school, post, name, then the post's id): the page's and the API's."""
    return (g.post.org.path, g.post.post, g.post.member.name_folded, f"{g.post.pk:012d}")


def new_members_without_course(
    actor: Any, on: dt.date, root: Org | None = None
) -> QuerySet[Member]:
    """Members admitted within the rule's months before ``on`` with no completed new-member course."""
    months = int(rule_in_force("training.new_member_course_months", on=on).value)
    since = add_months(on, -months)
    qs = members_for(actor).filter(status=Status.ACTIVE, admitted_on__gt=since, admitted_on__lte=on)
    if root is not None:
        qs = qs.filter(root.subtree_filter("org__"))
    done = Enrolment.objects.filter(
        kind=CourseKind.NEW_MEMBER, completed=True, member__isnull=False
    )
    return (
        qs.exclude(pk__in=done.values("member_id"))
        .select_related("org")
        .order_by(*NEW_MEMBER_ORDER)
    )


# Oldest admission first (the course is most overdue), then by name: the page's and the API's.
NEW_MEMBER_ORDER = ("admitted_on", "name_folded", "id")
