"""/api/v1/training: courses, participants, certificates, posts and the gap lists.

GET  /training/courses?kind=&limit=&cursor=  courses organized in scope (keyset pages)
POST /training/courses                       create a course (session)
GET  /training/courses/{id}                  a course with its participants
POST /training/courses/{id}/enrolments       add a member (member) or a candidate (candidate id)
POST /training/enrolments/{id}/complete      completion, certificate number and date
POST /training/certificates                  record an existing certificate of a member
GET  /training/members/{code}/certificates   a member's certificates with validity
POST /training/posts                         record a leadership post
GET  /training/gaps/leaders                  leaders below their post's required level
GET  /training/gaps/new-members              new members without the new-member course
GET  /training/requirements                  required level per post
PUT  /training/requirements/{post}           change it

The routes are here (their operation ids name this module); what they take and answer is in
``schemas``, the conversions from the models in ``convert``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from chibo.apitools import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    check_text,
    created,
    keyset_page,
    list_page,
    org_ref,
    path_code,
    require_cap,
)
from chibo.core.roles import Cap
from chibo.members.selectors import audit_list_read, member_detail
from chibo.training import selectors, services
from chibo.training.api.convert import _course, _date, _enrolment, _member_ref
from chibo.training.api.schemas import (
    CertificateIn,
    CompleteIn,
    CourseDetail,
    CourseIn,
    CourseOut,
    CoursePage,
    EnrolIn,
    EnrolmentOut,
    LeaderGapPage,
    MemberCertificatesOut,
    NewMemberGapPage,
    PostIn,
    PostOut,
    RequirementIn,
    RequirementOut,
)
from chibo.training.models import PostRequirement

router = Router(tags=["training"])


@router.get("/courses", response=CoursePage, summary="Courses organized in scope")
def course_list(
    request: HttpRequest,
    kind: str = "",
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    cursor: str = Query("", max_length=500, description="`next` of the page before"),
) -> dict[str, Any]:
    require_cap(request.user, Cap.MEMBER_VIEW)
    qs = selectors.courses_for(request.user).select_related("organizer")
    if kind:
        qs = qs.filter(kind=kind)
    rows, after = keyset_page(qs, ("-starts_on", "id"), limit, cursor)
    return {"items": [_course(c) for c in rows], "next": after}


@router.post(
    "/courses",
    response={201: CourseOut},
    summary="Create a course (a session with dates and organizer)",
)
def course_create(request: HttpRequest, payload: CourseIn) -> Status:
    require_cap(request.user, Cap.TRAINING_MANAGE)
    organizer = org_ref(request.user, payload.organizer, "organizer", Cap.TRAINING_MANAGE)
    course = services.course_create(
        actor=request.user,
        organizer=organizer,
        kind=payload.kind,
        title=check_text(payload.title, "title"),
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        place=check_text(payload.place, "place"),
    )
    return created(_course(course))


@router.get(
    "/courses/{int:course_id}", response=CourseDetail, summary="A course with its participants"
)
def course_detail(request: HttpRequest, course_id: int) -> dict[str, Any]:
    course = selectors.get_course_for(request.user, course_id)
    rows = list(course.enrolments.select_related("member", "org"))
    audit_list_read(
        request.user,
        [r.member for r in rows if r.member is not None],
        {"training": "course", "course": course_id},
    )
    return {**_course(course), "participants": [_enrolment(r) for r in rows]}


@router.post(
    "/courses/{int:course_id}/enrolments", response={201: EnrolmentOut}, summary="Add a participant"
)
def enrolment_create(request: HttpRequest, course_id: int, payload: EnrolIn) -> Status:
    course = selectors.get_course_for(request.user, course_id, write=True)
    member = _member_ref(request.user, payload.member) if payload.member else None
    candidate = None
    if payload.candidate is not None:
        from chibo.admissions.selectors import candidates_for

        candidate = candidates_for(request.user).filter(pk=payload.candidate).first()
        if candidate is None:
            raise ValidationError(
                {"candidate": [_("No candidate with this number in your scope.")]}
            )
    row = services.enrol(actor=request.user, course=course, member=member, candidate=candidate)
    return created(_enrolment(row))


@router.post(
    "/enrolments/{int:enrolment_id}/complete",
    response=EnrolmentOut,
    summary="Record completion and the certificate",
)
def enrolment_complete(
    request: HttpRequest, enrolment_id: int, payload: CompleteIn
) -> dict[str, Any]:
    enrolment = selectors.get_enrolment_for(request.user, enrolment_id, write=True)
    services.enrolment_complete(
        actor=request.user,
        enrolment=enrolment,
        completed_on=payload.completed_on,
        certificate_number=check_text(payload.certificate_number, "certificate_number"),
        certificate_date=payload.certificate_date,
        issuer=check_text(payload.issuer, "issuer"),
    )
    return _enrolment(enrolment)


@router.post(
    "/certificates",
    response={201: EnrolmentOut},
    summary="Record an existing certificate of a member",
)
def certificate_create(request: HttpRequest, payload: CertificateIn) -> Status:
    require_cap(request.user, Cap.TRAINING_MANAGE)
    member = _member_ref(request.user, payload.member)
    row = services.certificate_record(
        actor=request.user,
        member=member,
        kind=payload.kind,
        certificate_number=check_text(payload.certificate_number, "certificate_number"),
        certificate_date=payload.certificate_date,
        issuer=check_text(payload.issuer, "issuer"),
    )
    return created(_enrolment(row))


@router.get(
    "/members/{code}/certificates",
    response=MemberCertificatesOut,
    summary="A member's certificates with their validity",
)
def member_certificates(request: HttpRequest, code: str) -> dict[str, Any]:
    member = member_detail(request.user, path_code(code))
    return {
        "member": member.member_code,
        "certificates": [_enrolment(row) for row, _until in selectors.certificates_of(member)],
    }


@router.post("/posts", response={201: PostOut}, summary="Record a leadership post")
def post_create(request: HttpRequest, payload: PostIn) -> Status:
    require_cap(request.user, Cap.TRAINING_MANAGE)
    member = _member_ref(request.user, payload.member)
    org = org_ref(request.user, payload.org, "org", Cap.TRAINING_MANAGE)
    row = services.post_assign(
        actor=request.user,
        member=member,
        post=payload.post,
        org=org,
        from_on=payload.from_on,
        to_on=payload.to_on,
    )
    body = {
        "id": row.pk,
        "member": member.member_code,
        "post": row.post,
        "org": org.code,
        "from_on": _date(row.from_on),
        "to_on": _date(row.to_on),
    }
    return created(body)


@router.get(
    "/gaps/leaders",
    response=LeaderGapPage,
    summary="School leaders below the political-theory level their post requires, paged",
)
def gaps_leaders(
    request: HttpRequest,
    on: dt.date | None = None,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    cursor: str = Query("", max_length=500),
) -> dict[str, Any]:
    require_cap(request.user, Cap.MEMBER_VIEW)
    found = selectors.leaders_lacking_level(request.user, on or timezone.localdate())
    # Computed in Python (levels per member): cut as the other computed lists.
    gaps, after = list_page(found, lambda g: list(selectors.gap_key(g)), 4, limit, cursor)
    audit_list_read(request.user, [g.post.member for g in gaps], {"training": "gaps_leaders"})
    return {
        "items": [
            {
                "member": g.post.member.member_code,
                "full_name": g.post.member.full_name,
                "post": g.post.post,
                "org": g.post.org.code,
                "has": g.has or None,
                "required": g.required,
            }
            for g in gaps
        ],
        "next": after,
    }


@router.get(
    "/gaps/new-members",
    response=NewMemberGapPage,
    summary="New members without the new-member course, oldest admission first, paged",
)
def gaps_new_members(
    request: HttpRequest,
    on: dt.date | None = None,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    cursor: str = Query("", max_length=500),
) -> dict[str, Any]:
    require_cap(request.user, Cap.MEMBER_VIEW)
    rows, after = keyset_page(
        selectors.new_members_without_course(request.user, on or timezone.localdate()),
        selectors.NEW_MEMBER_ORDER,
        limit,
        cursor,
    )
    audit_list_read(request.user, rows, {"training": "gaps_new_members"})
    return {
        "items": [
            {
                "member": m.member_code,
                "full_name": m.full_name,
                "org": m.org.code,
                "admitted_on": _date(m.admitted_on),
            }
            for m in rows
        ],
        "next": after,
    }


@router.get(
    "/requirements",
    response=list[RequirementOut],
    summary="The political-theory level each post requires",
)
def requirement_list(request: HttpRequest) -> list[dict[str, Any]]:
    require_cap(request.user, Cap.MEMBER_VIEW)  # as the page: the sysadmin is refused
    return [
        {"post": r.post, "level": r.level, "note": r.note} for r in PostRequirement.objects.all()
    ]


@router.put(
    "/requirements/{post}",
    response=RequirementOut,
    summary="Change the level a post requires (city organizing staff)",
)
def requirement_put(request: HttpRequest, post: str, payload: RequirementIn) -> dict[str, Any]:
    require_cap(request.user, Cap.TRAINING_MANAGE)
    row = services.requirement_set(
        actor=request.user,
        post=path_code(post),
        level=payload.level,
        note=check_text(payload.note, "note"),
    )
    return {"post": row.post, "level": row.level, "note": row.note}
