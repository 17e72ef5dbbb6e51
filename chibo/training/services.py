"""Writes for training: courses, enrolments and completion, certificates, leaders' posts, requirements."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chibo.core import audit
from chibo.core.roles import Cap
from chibo.core.scoping import require_cap_on
from chibo.core.services import check_not_future
from chibo.members.models import ON_ROLLS, Member
from chibo.orgs.models import Org
from chibo.training.models import (
    THEORY_LEVELS,
    Course,
    CourseKind,
    Enrolment,
    LeadershipPost,
    Post,
    PostRequirement,
)


def course_create(
    *,
    actor: Any,
    organizer: Org,
    kind: str,
    title: str,
    starts_on: dt.date,
    ends_on: dt.date,
    place: str = "",
) -> Course:
    require_cap_on(actor, organizer, Cap.TRAINING_MANAGE)
    errors: dict[str, list[str]] = {}
    if kind not in CourseKind.values:
        errors["kind"] = [_("Choose the course.")]
    if not title.strip():
        errors["title"] = [_("Enter the title.")]
    if ends_on < starts_on:
        errors["ends_on"] = [_("The course cannot end before it starts.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        course = Course.objects.create(
            kind=kind,
            title=title.strip(),
            organizer=organizer,
            starts_on=starts_on,
            ends_on=ends_on,
            place=place.strip(),
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit.record(
            actor=actor,
            action="training.course_create",
            object_type="course",
            object_id=course.pk,
            data={"organizer": organizer.code, "kind": kind, "starts_on": starts_on},
        )
    return course


def enrol(
    *, actor: Any, course: Course, member: Member | None = None, candidate: Any = None
) -> Enrolment:
    """Add a member or a candidate (admissions) to a course."""
    require_cap_on(actor, course.organizer, Cap.TRAINING_MANAGE)
    person = member or candidate
    if (member is None) == (candidate is None):
        raise ValidationError({"member": [_("Choose a member or a candidate.")]})
    if member is not None and member.status not in ON_ROLLS:
        raise ValidationError({"member": [_("This member is no longer on the rolls.")]})
    clash = (
        Enrolment.objects.filter(course=course, member=member)
        if member
        else Enrolment.objects.filter(course=course, candidate=candidate)
    )
    if clash.exists():
        raise ValidationError(
            {"member": [_("%(name)s is already in this course.") % {"name": person.full_name}]}
        )
    with transaction.atomic():
        enrolment = Enrolment.objects.create(
            course=course,
            kind=course.kind,
            member=member,
            candidate=candidate,
            org=person.org,
            full_name=person.full_name,
        )
        audit.record(
            actor=actor,
            action="training.enrol",
            object_type="course",
            object_id=course.pk,
            data={
                "member": member.member_code if member else "",
                "candidate": candidate.pk if candidate else None,
            },
        )
    return enrolment


def enrolment_complete(
    *,
    actor: Any,
    enrolment: Enrolment,
    completed_on: dt.date,
    certificate_number: str = "",
    certificate_date: dt.date | None = None,
    issuer: str = "",
) -> Enrolment:
    """Record completion and the certificate (number and date)."""
    course = enrolment.course
    org = course.organizer if course is not None else enrolment.org
    require_cap_on(actor, org, Cap.TRAINING_MANAGE)
    check_not_future(completed_on, "completed_on")
    if course is not None and completed_on < course.starts_on:
        raise ValidationError(
            {"completed_on": [_("Completion cannot come before the course starts.")]}
        )
    cert_date = certificate_date or (completed_on if certificate_number.strip() else None)
    if cert_date is not None and cert_date < completed_on:
        raise ValidationError(
            {"certificate_date": [_("The certificate cannot predate the completion.")]}
        )
    if enrolment.kind in (CourseKind.AWARENESS, *THEORY_LEVELS) and not certificate_number.strip():
        raise ValidationError({"certificate_number": [_("Enter the certificate number.")]})
    with transaction.atomic():
        enrolment.completed = True
        enrolment.completed_on = completed_on
        enrolment.certificate_number = certificate_number.strip()
        enrolment.certificate_date = cert_date
        enrolment.issuer = issuer.strip() or (course.organizer.name if course is not None else "")
        enrolment.save()
        audit.record(
            actor=actor,
            action="training.complete",
            object_type="enrolment",
            object_id=enrolment.pk,
            data={
                "member": enrolment.member.member_code if enrolment.member is not None else "",
                "candidate": enrolment.candidate_id,
                "certificate_number": enrolment.certificate_number,
                "completed_on": completed_on,
            },
        )
    return enrolment


def certificate_record(
    *,
    actor: Any,
    member: Member,
    kind: str,
    certificate_number: str,
    certificate_date: dt.date,
    issuer: str = "",
) -> Enrolment:
    """A certificate earned before chibo (or elsewhere), recorded without a course."""
    require_cap_on(actor, member.org, Cap.TRAINING_MANAGE)
    if kind not in CourseKind.values:
        raise ValidationError({"kind": [_("Choose the course.")]})
    if not certificate_number.strip():
        raise ValidationError({"certificate_number": [_("Enter the certificate number.")]})
    check_not_future(certificate_date, "certificate_date")
    with transaction.atomic():
        enrolment = Enrolment.objects.create(
            kind=kind,
            member=member,
            org=member.org,
            full_name=member.full_name,
            completed=True,
            completed_on=certificate_date,
            certificate_number=certificate_number.strip(),
            certificate_date=certificate_date,
            issuer=issuer.strip(),
        )
        audit.record(
            actor=actor,
            action="training.certificate_record",
            object_type="member",
            object_id=member.member_code,
            data={"kind": kind, "number": enrolment.certificate_number},
        )
    return enrolment


def post_assign(
    *,
    actor: Any,
    member: Member,
    post: str,
    org: Org,
    from_on: dt.date,
    to_on: dt.date | None = None,
) -> LeadershipPost:
    """Record that a member holds a leadership post (secretary, principal…) in an org."""
    require_cap_on(actor, org, Cap.TRAINING_MANAGE)
    if post not in Post.values:
        raise ValidationError({"post": [_("Choose the post.")]})
    if to_on is not None and to_on < from_on:
        raise ValidationError({"to_on": [_("The post cannot end before it starts.")]})
    with transaction.atomic():
        row = LeadershipPost.objects.create(
            member=member, post=post, org=org, from_on=from_on, to_on=to_on
        )
        audit.record(
            actor=actor,
            action="training.post_assign",
            object_type="member",
            object_id=member.member_code,
            data={"post": post, "org": org.code, "from_on": from_on, "to_on": to_on},
        )
    return row


def post_end(*, actor: Any, post: LeadershipPost, to_on: dt.date) -> LeadershipPost:
    require_cap_on(actor, post.org, Cap.TRAINING_MANAGE)
    if to_on < post.from_on:
        raise ValidationError({"to_on": [_("The post cannot end before it starts.")]})
    with transaction.atomic():
        post.to_on = to_on
        post.save(update_fields=["to_on"])
        audit.record(
            actor=actor,
            action="training.post_end",
            object_type="member",
            object_id=post.member.member_code,
            data={"post": post.post, "to_on": to_on},
        )
    return post


def may_set_requirements(actor: Any) -> bool:
    """Whether ``actor`` may change the required levels: ``training.manage`` on the city root."""
    from chibo.orgs.selectors import orgs_for

    return orgs_for(actor, Cap.TRAINING_MANAGE).filter(parent__isnull=True).exists()


def requirement_set(*, actor: Any, post: str, level: str, note: str = "") -> PostRequirement:
    """Configure the political-theory level a post requires (a committee-wide setting)."""
    if actor is not None and not may_set_requirements(actor):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(
            _("Only the city's organizing staff may change the required levels.")
        )
    if post not in Post.values:
        raise ValidationError({"post": [_("Choose the post.")]})
    if level not in THEORY_LEVELS:
        raise ValidationError({"level": [_("Choose a political-theory level.")]})
    with transaction.atomic():
        row, _created = PostRequirement.objects.update_or_create(
            post=post, defaults={"level": level, "note": note.strip()}
        )
        audit.record(
            actor=actor,
            action="training.requirement_set",
            object_type="post_requirement",
            object_id=post,
            data={"level": level},
        )
    return row


def enrolments_anonymize(candidate_ids: list[int], dry_run: bool) -> int:
    """The enrolments of purged candidates keep their counts but lose the name (the purge's
    audit entry covers them); returns how many. Called by ``admissions.retention``."""
    from chibo.admissions.retention import ANONYMIZED_NAME

    enrolments = Enrolment.objects.filter(candidate_id__in=candidate_ids)
    count = enrolments.count()
    if not dry_run and count:
        enrolments.update(candidate=None, full_name=ANONYMIZED_NAME, certificate_number="", note="")
    return count
