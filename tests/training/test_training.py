"""Training: certificate validity (awareness 60 months), leaders below their post's level, new members."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chibo.training import selectors, services
from chibo.training.models import CourseKind, Post, PostRequirement
from tests import factories as f
from tests.training.conftest import client_for

pytestmark = pytest.mark.django_db
D = dt.date


def _course(world: dict, kind: str = CourseKind.AWARENESS, start: dt.date | None = None) -> object:
    start = start or D(2021, 3, 1)
    return services.course_create(
        actor=world["staff"],
        organizer=world["uni"],
        kind=kind,
        title="Lớp bồi dưỡng",
        starts_on=start,
        ends_on=start + dt.timedelta(days=5),
        place="Hội trường A",
    )


def test_awareness_certificate_valid_60_months_to_the_day(world: dict) -> None:
    course = _course(world)
    candidate = f.candidate(world["cell_a"], world["members"][0])
    row = services.enrol(actor=world["staff"], course=course, candidate=candidate)
    services.enrolment_complete(
        actor=world["staff"],
        enrolment=row,
        completed_on=D(2021, 3, 6),
        certificate_number="123/GCN",
        certificate_date=D(2021, 3, 10),
    )
    cert = selectors.awareness_certificate(candidate)
    assert cert.number == "123/GCN" and cert.valid_until == D(2026, 3, 10)
    assert cert.is_valid_on(D(2026, 3, 10)) and not cert.is_valid_on(D(2026, 3, 11))


def test_awareness_course_needs_a_certificate_number(world: dict) -> None:
    row = services.enrol(actor=world["staff"], course=_course(world), member=world["members"][0])
    with pytest.raises(ValidationError, match="certificate"):
        services.enrolment_complete(actor=world["staff"], enrolment=row, completed_on=D(2021, 3, 6))


def test_enrolment_rights(world: dict) -> None:
    course = _course(world)
    for user in (world["sec"], world["view"], world["out"]):
        with pytest.raises(PermissionDenied):
            services.enrol(actor=user, course=course, member=world["members"][0])
    services.enrol(actor=world["staff"], course=course, member=world["members"][0])
    with pytest.raises(ValidationError, match="already"):
        services.enrol(actor=world["staff"], course=course, member=world["members"][0])


def test_leaders_below_required_level(world: dict) -> None:
    secretary, principal = world["members"][0], world["members"][1]
    services.post_assign(
        actor=world["staff"],
        member=secretary,
        post=Post.SECRETARY,
        org=world["uni"],
        from_on=D(2025, 1, 1),
    )
    services.post_assign(
        actor=world["staff"],
        member=principal,
        post=Post.PRINCIPAL,
        org=world["uni"],
        from_on=D(2025, 1, 1),
    )
    services.certificate_record(
        actor=world["staff"],
        member=principal,
        kind=CourseKind.THEORY_BASIC,
        certificate_number="SC-1",
        certificate_date=D(2019, 6, 1),
    )
    today = D(2026, 11, 1)
    gaps = {
        g.post.member.member_code: g for g in selectors.leaders_lacking_level(world["sup"], today)
    }
    assert set(gaps) == {"DV-A1", "DV-A2"}
    assert (
        gaps["DV-A2"].has == CourseKind.THEORY_BASIC
        and gaps["DV-A2"].required == CourseKind.THEORY_INTERMEDIATE
    )
    # A higher level satisfies the requirement; the required level is configurable.
    services.certificate_record(
        actor=world["staff"],
        member=secretary,
        kind=CourseKind.THEORY_ADVANCED,
        certificate_number="CC-1",
        certificate_date=D(2020, 6, 1),
    )
    services.requirement_set(actor=None, post=Post.PRINCIPAL, level=CourseKind.THEORY_BASIC)
    assert selectors.leaders_lacking_level(world["sup"], today) == []
    assert selectors.leaders_lacking_level(world["out"], today) == []
    with pytest.raises(PermissionDenied):
        services.requirement_set(
            actor=world["staff"], post=Post.PRINCIPAL, level=CourseKind.THEORY_ADVANCED
        )
    assert PostRequirement.objects.get(post=Post.PRINCIPAL).level == CourseKind.THEORY_BASIC


def test_new_members_without_the_course_within_12_months(world: dict) -> None:
    recent = world["probationary"]  # admitted 01/03/2026
    on = D(2027, 2, 28)
    assert list(selectors.new_members_without_course(world["staff"], on)) == [recent]
    assert (
        list(selectors.new_members_without_course(world["staff"], D(2027, 3, 1))) == []
    )  # 12 months: no longer new
    course = _course(world, CourseKind.NEW_MEMBER, D(2026, 5, 4))
    row = services.enrol(actor=world["staff"], course=course, member=recent)
    assert list(selectors.new_members_without_course(world["staff"], on)) == [recent]
    services.enrolment_complete(actor=world["staff"], enrolment=row, completed_on=D(2026, 5, 8))
    assert list(selectors.new_members_without_course(world["staff"], on)) == []


def test_training_pages_inside_outside_viewer(world: dict) -> None:
    course = _course(world)
    staff, out, viewer = (
        client_for(world["staff"]),
        client_for(world["out"]),
        client_for(world["view"]),
    )
    for url in (
        "/training/",
        "/training/gaps/",
        "/training/requirements/",
        f"/training/courses/{course.pk}/",
        "/training/members/DV-A1/",
    ):
        assert staff.get(url).status_code == 200, url
    assert out.get(f"/training/courses/{course.pk}/").status_code == 404
    assert out.get("/training/members/DV-A1/").status_code == 404
    assert viewer.get(f"/training/courses/{course.pk}/").status_code == 200
    assert viewer.get(f"/training/courses/{course.pk}/enrol/").status_code == 403
    assert viewer.get("/training/courses/new/").status_code == 403
    assert (
        viewer.post(
            "/training/requirements/", {"post": "bi_thu", "level": "theory_basic"}
        ).status_code
        == 403
    )
    response = staff.post(f"/training/courses/{course.pk}/enrol/", {"member": "DV-A3"})
    assert response.status_code == 302
    row = course.enrolments.get()
    assert (
        staff.post(
            f"/training/enrolments/{row.pk}/complete/",
            {
                "completed_on": "06/03/2021",
                "certificate_number": "77/GCN",
                "certificate_date": "08/03/2021",
            },
        ).status_code
        == 302
    )
    assert out.get(f"/training/enrolments/{row.pk}/complete/").status_code == 404
    page = staff.get(f"/training/courses/{course.pk}/")
    assert "08/03/2026" in page.content.decode()  # valid until: 60 months
    assert (
        staff.post(
            "/training/courses/new/",
            {
                "kind": "theory_basic",
                "title": "Sơ cấp LLCT K12",
                "organizer": "BK",
                "starts_on": "01/09/2026",
                "ends_on": "30/09/2026",
            },
        ).status_code
        == 302
    )
    assert (
        staff.post(
            "/training/posts/new/",
            {"member": "DV-A1", "post": "bi_thu", "org": "BK", "from_on": "01/01/2025"},
        ).status_code
        == 302
    )
    assert "DV-A1" not in out.get("/training/gaps/").content.decode()
