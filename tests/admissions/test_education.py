"""Education (issue 20 item 6): at least lower secondary (THCS) at the cell's review.

Rule ``admission.education_min_level`` (QĐ 24 / QĐ 232 / QĐ 294 point 1.2.1, H). The
boundary is the level: missing and below are refused quoting rule and source, exactly
lower secondary and above pass; a committee override (Secretariat's guidance for remote
areas) lets a lower level pass. Through the service and the API.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from chibo.admissions import services
from chibo.admissions.models import Candidate, Stage
from chibo.core.models import AuditEntry
from chibo.core.rules import rule_in_force
from tests import factories as f
from tests.admissions.conftest import VOTE, client_for, walk
from tests.admissions.test_api import Api

pytestmark = pytest.mark.django_db
REVIEW = dt.date(2025, 2, 3)


def _ready(world: dict, level: str) -> Candidate:
    c = f.candidate(world["tree"]["cell_a"], world["full"][0], education_level=level)
    return walk(world, c, Stage.OPINIONS)


def _review(c: Candidate, on: dt.date = REVIEW) -> None:
    services.candidate_record_step(
        actor=None, candidate=c, stage=Stage.CELL_RESOLUTION, done_on=on, data=dict(VOTE)
    )


@pytest.mark.parametrize(
    ("level", "passes"),
    [
        ("", False),  # not recorded
        ("below_primary", False),
        ("primary", False),  # one below
        ("lower_secondary", True),  # exactly the minimum
        ("upper_secondary", True),  # one above
        ("higher", True),
    ],
)
def test_review_checks_the_level(world: dict, level: str, passes: bool) -> None:
    c = _ready(world, level)
    if passes:
        _review(c)
        c.refresh_from_db()
        assert c.stage == Stage.CELL_RESOLUTION
        return
    with translation.override("vi"), pytest.raises(ValidationError) as exc:
        _review(c)
    message = " ".join(exc.value.message_dict["education_level"])
    assert "tốt nghiệp trung học cơ sở trở lên" in message  # the rule's title
    assert "QĐ 232-QĐ/TW (20/1/2025)" in message and "điểm 1.2.1" in message  # its source
    if level:
        assert "thấp hơn mức tối thiểu" in message
    else:
        assert "chưa ghi trình độ học vấn" in message
    c.refresh_from_db()
    assert c.stage == Stage.OPINIONS and not c.steps.filter(stage=Stage.CELL_RESOLUTION).exists()


def test_the_source_follows_the_review_date() -> None:
    assert (
        "QĐ 24-QĐ/TW"
        in rule_in_force("admission.education_min_level", on=dt.date(2025, 1, 19)).source
    )
    assert (
        "QĐ 232-QĐ/TW"
        in rule_in_force("admission.education_min_level", on=dt.date(2025, 1, 20)).source
    )
    assert (
        "QĐ 232-QĐ/TW"
        in rule_in_force("admission.education_min_level", on=dt.date(2025, 6, 30)).source
    )
    now = rule_in_force("admission.education_min_level", on=dt.date(2025, 7, 1))
    assert "QĐ 294-QĐ/TW" in now.source and now.value == "lower_secondary" and now.confidence == "H"


def test_override_lets_a_lower_level_pass(world: dict) -> None:
    c = _ready(world, "primary")
    with pytest.raises(ValidationError):
        _review(c)
    services.candidate_override(
        actor=world["users"]["uni"],
        candidate=c,
        stage=Stage.CELL_RESOLUTION,
        rule_key="admission.education_min_level",
        reason="Vùng đồng bào dân tộc thiểu số: văn bản 12-CV/TU",
    )
    _review(c)
    step = c.steps.get(stage=Stage.CELL_RESOLUTION)
    assert step.data["overridden"] == ["admission.education_min_level"]


def test_recording_the_level_later_is_audited_and_unblocks(world: dict) -> None:
    c = _ready(world, "")
    with pytest.raises(ValidationError):
        _review(c)
    services.candidate_set_education(
        actor=world["users"]["sec"],
        candidate=c,
        education_level="lower_secondary",
        expected_version=c.version,
    )
    entry = AuditEntry.objects.filter(action="admissions.education").latest("id")
    assert entry.data == {"education_level": "lower_secondary", "previous": ""}
    _review(c)
    with pytest.raises(ValidationError) as exc:  # after the review it is no longer changed
        services.candidate_set_education(
            actor=world["users"]["sec"], candidate=c, education_level="primary"
        )
    assert "education_level" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.candidate_set_education(
            actor=world["users"]["sec"], candidate=_ready(world, ""), education_level="phd"
        )


def test_api_register_with_level_set_it_and_review(world: dict) -> None:
    sec, viewer = Api(world["users"]["sec"]), Api(world["users"]["viewer"])
    c = _ready(world, "")
    assert sec.get(f"/{c.pk}").json()["education_level"] is None
    with translation.override("vi"):
        refused = sec.post(
            f"/{c.pk}/steps/cell_resolution", {"done_on": "2025-02-03", "data": VOTE}
        )
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert "education_level" in error["fields"] and "QĐ 232-QĐ/TW" in error["message"]
    body = {"education_level": "primary", "version": c.version}
    assert viewer.post(f"/{c.pk}/education", body).status_code == 403
    assert sec.post(f"/{c.pk}/education", {**body, "education_level": "x"}).status_code == 422
    r = sec.post(f"/{c.pk}/education", body)
    assert r.status_code == 200 and r.json()["education_level"] == "primary"
    assert sec.post(f"/{c.pk}/education", body).status_code == 422  # stale version
    assert (
        sec.post(
            f"/{c.pk}/steps/cell_resolution", {"done_on": "2025-02-03", "data": VOTE}
        ).status_code
        == 422
    )
    r = sec.post(
        f"/{c.pk}/education", {"education_level": "lower_secondary", "version": r.json()["version"]}
    )
    assert r.status_code == 200
    r = sec.post(f"/{c.pk}/steps/cell_resolution", {"done_on": "2025-02-03", "data": VOTE})
    assert r.status_code == 200 and r.json()["stage"] == "cell_resolution"
    # Registration takes the level; an unknown one is refused on its field.
    payload = {
        "org": "BK-SV1",
        "full_name": "Đỗ Văn Hải",
        "date_of_birth": "2004-03-03",
        "gender": "male",
        "category": "student",
        "registered_on": "2024-09-02",
        "mentor": "DV-F1",
    }
    r = sec.post("", {**payload, "education_level": "upper_secondary"})
    assert r.status_code == 201 and r.json()["education_level"] == "upper_secondary"
    r = sec.post("", {**payload, "education_level": "grade9"})
    assert r.status_code == 422 and "education_level" in r.json()["error"]["fields"]


def test_pages_register_and_record_the_level(world: dict) -> None:
    client = client_for(world["users"]["sec"])
    with translation.override("vi"):
        page = client.get("/admissions/new/")
    assert 'name="education_level"' in page.content.decode()
    c = _ready(world, "")
    page = client.get(f"/admissions/{c.pk}/").content.decode()
    assert f'action="/admissions/{c.pk}/education/"' in page
    r = client.post(
        f"/admissions/{c.pk}/education/",
        {"education_level": "lower_secondary", "version": c.version},
    )
    assert r.status_code == 302
    c.refresh_from_db()
    assert c.education_level == "lower_secondary"
    assert (
        client_for(world["users"]["viewer"])
        .post(f"/admissions/{c.pk}/education/", {"education_level": "higher"})
        .status_code
        == 403
    )
