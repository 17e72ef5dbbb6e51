"""/api/v1/training end to end: scoping (404), read-only (403), validity and gap lists."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tests.api.conftest import api_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_throttle() -> None:
    cache.clear()


def test_training_api_flow(world: dict) -> None:
    staff = api_for(world["staff"])
    course = staff.post(
        "/training/courses",
        {
            "kind": "new_member",
            "title": "Lớp đảng viên mới",
            "organizer": "BK",
            "starts_on": "2026-05-04",
            "ends_on": "2026-05-08",
        },
    )
    assert course.status_code == 201
    pk = course.json()["id"]
    enrol = staff.post(f"/training/courses/{pk}/enrolments", {"member": "DV-P1"})
    assert enrol.status_code == 201
    gaps = staff.get("/training/gaps/new-members").json()["items"]
    assert [g["member"] for g in gaps] == ["DV-P1"]
    done = staff.post(
        f"/training/enrolments/{enrol.json()['id']}/complete", {"completed_on": "2026-05-08"}
    )
    assert done.json()["completed"] is True
    assert staff.get("/training/gaps/new-members").json() == {"items": [], "next": None}
    assert (
        api_for(world["view"])
        .post(f"/training/courses/{pk}/enrolments", {"member": "DV-A1"})
        .status_code
        == 403
    )
    assert api_for(world["out"]).get(f"/training/courses/{pk}").status_code == 404
    cert = staff.post(
        "/training/certificates",
        {
            "member": "DV-A1",
            "kind": "awareness",
            "certificate_number": "5/GCN",
            "certificate_date": "2024-01-15",
        },
    )
    assert cert.json()["valid_until"] == "2029-01-15"
    post = staff.post(
        "/training/posts",
        {"member": "DV-A1", "post": "bi_thu", "org": "BK", "from_on": "2025-01-01"},
    )
    assert post.status_code == 201
    leaders = api_for(world["sup"]).get("/training/gaps/leaders").json()["items"]
    assert [g["member"] for g in leaders] == ["DV-A1"]
    assert (
        api_for(world["staff"])
        .client.put(
            "/api/v1/training/requirements/bi_thu",
            {"level": "theory_basic"},
            content_type="application/json",
            headers=staff.headers,
        )
        .status_code
        == 403
    )


def test_training_reads_answer_their_declared_fields(world: dict) -> None:
    staff = api_for(world["staff"])
    course = staff.post(
        "/training/courses",
        {
            "kind": "new_member",
            "title": "Lớp đảng viên mới",
            "organizer": "BK",
            "starts_on": "2026-05-04",
            "ends_on": "2026-05-08",
        },
    ).json()
    staff.post(f"/training/courses/{course['id']}/enrolments", {"member": "DV-P1"})
    listed = staff.get("/training/courses").json()["items"]
    assert [c["id"] for c in listed] == [course["id"]] and listed[0] == course
    assert set(course) == {"id", "kind", "title", "organizer", "starts_on", "ends_on", "place"}
    detail = staff.get(f"/training/courses/{course['id']}").json()
    assert [p["member"] for p in detail["participants"]] == ["DV-P1"]
    assert detail["participants"][0]["valid_until"] is None
    certificates = staff.get("/training/members/DV-P1/certificates").json()
    assert certificates == {"member": "DV-P1", "certificates": []}  # not completed yet
    requirements = staff.get("/training/requirements").json()
    assert requirements and set(requirements[0]) == {"post", "level", "note"}
