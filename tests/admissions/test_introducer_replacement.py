"""Replacing an introducer who moved or was disciplined (issue 20 item 7).

Rule ``admission.introducer_replacement`` (H/M): the cell assigns another full member, for
whom the 12 months worked or studied together are waived. Boundaries: a replacement with
fewer than 12 months is accepted; an introducer recorded at the introducers step with 11
months is still refused (12 accepted); a replacement who is not a full member on the cell's
rolls that day is refused (the day before the recognition) and accepted on the day of it.
Through the service, the API and the pages.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from chibo.admissions import services
from chibo.admissions.models import Candidate, Introducer, Stage
from chibo.core.models import AuditEntry
from tests import factories as f
from tests.admissions.conftest import client_for, full_member, walk
from tests.admissions.test_api import Api

pytestmark = pytest.mark.django_db
INTRODUCED = dt.date(2025, 1, 6)


def _introduced(world: dict) -> Candidate:
    c = f.candidate(world["tree"]["cell_a"], world["full"][0])
    return walk(world, c, Stage.INTRODUCERS)  # DV-F1 introduces, 24 months together


def _replace(world: dict, c: Candidate, member: object, on: dt.date, **kw: object) -> Introducer:
    old = c.introducers.get(member=world["full"][0])
    return services.candidate_replace_introducer(
        actor=world["users"]["sec"],
        candidate=c,
        introducer=old,
        member=member,  # type: ignore[arg-type]
        replaced_on=on,
        reason=kw.pop("reason", "moved"),  # type: ignore[arg-type]
        **kw,  # type: ignore[arg-type]
    )


def test_replacement_with_fewer_than_12_months_is_accepted(world: dict) -> None:
    c = _introduced(world)
    version = c.version
    new = _replace(
        world, c, world["full"][1], dt.date(2025, 1, 8), months_together=2, document_number="BB-3"
    )
    old = c.introducers.get(member=world["full"][0])
    assert old.replaced_on == dt.date(2025, 1, 8) and not old.is_active
    assert new.replaces == old and new.months_together == 2 and new.is_active
    assert new.replacement_reason == "moved" and new.introduced_on == dt.date(2025, 1, 8)
    c.refresh_from_db()
    assert c.version == version + 1
    entry = AuditEntry.objects.filter(action="admissions.introducer_replaced").latest("id")
    assert entry.data["replaced"] == "DV-F1" and entry.data["member"] == "DV-F2"
    assert entry.data["months_waived"] is True and "QĐ 24-QĐ/TW" in entry.data["citation"]
    # The path goes on; the replaced introducer cannot be replaced twice.
    with pytest.raises(ValidationError) as exc:
        _replace(world, c, world["full"][2], dt.date(2025, 1, 9))
    assert "introducer" in exc.value.message_dict


@pytest.mark.parametrize(("months", "passes"), [(11, False), (12, True)])
def test_a_first_introducer_still_needs_12_months(world: dict, months: int, passes: bool) -> None:
    c = f.candidate(world["tree"]["cell_a"], world["full"][0])
    walk(world, c, Stage.BACKGROUND_CHECK)

    def record() -> None:
        services.candidate_record_step(
            actor=None,
            candidate=c,
            stage=Stage.INTRODUCERS,
            done_on=INTRODUCED,
            introducers=[(world["full"][1], months)],
        )

    if passes:
        record()
        return
    with translation.override("vi"), pytest.raises(ValidationError) as exc:
        record()
    message = " ".join(exc.value.message_dict["introducers"])
    assert "11 tháng, chưa đủ 12" in message and "QĐ 24-QĐ/TW" in message


def test_replacement_must_be_a_full_member_on_the_cells_rolls(world: dict) -> None:
    c = _introduced(world)
    cell = world["tree"]["cell_a"]
    probationary = f.member(cell, code="DV-P1", full_name="Ngô Thị Lan")
    with translation.override("vi"), pytest.raises(ValidationError) as exc:
        _replace(world, c, probationary, dt.date(2025, 1, 8))
    message = " ".join(exc.value.message_dict["member"])
    assert "không phải đảng viên chính thức" in message
    assert "chi bộ phân công đảng viên chính thức khác" in message  # the rule's title
    assert "QĐ 24-QĐ/TW" in message  # its source on 08/01/2025 (before QĐ 232)
    other_cell = full_member(world["tree"]["cell_b"], "DV-B1", "Đặng Văn Lộc")
    with pytest.raises(ValidationError):
        _replace(world, c, other_cell, dt.date(2025, 1, 8))
    # Recognized as full member on a known day: refused the day before, accepted on it.
    newly = full_member(cell, "DV-N1", "Bùi Thị Mai", admitted_on=dt.date(2024, 1, 8))
    day = newly.recognized_on
    assert day is not None and day > INTRODUCED
    with pytest.raises(ValidationError):
        _replace(world, c, newly, day - dt.timedelta(days=1))
    assert _replace(world, c, newly, day).member == newly
    assert not c.introducers.filter(member__in=[probationary, other_cell]).exists()


def test_reason_other_needs_its_text_and_date_is_checked(world: dict) -> None:
    c = _introduced(world)
    with pytest.raises(ValidationError) as exc:
        _replace(world, c, world["full"][1], dt.date(2025, 1, 8), reason="other")
    assert "reason_text" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        _replace(world, c, world["full"][1], dt.date(2025, 1, 8), reason="left")
    assert "reason" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        _replace(world, c, world["full"][1], dt.date(2025, 1, 5))  # before the introduction
    assert "replaced_on" in exc.value.message_dict
    with pytest.raises(ValidationError):  # an active introducer cannot replace himself
        _replace(world, c, world["full"][0], dt.date(2025, 1, 8))
    new = _replace(
        world, c, world["full"][1], dt.date(2025, 1, 8), reason="other", reason_text="Nghỉ hưu"
    )
    assert new.replacement_note == "Nghỉ hưu"


def test_no_replacement_after_the_decision(world: dict) -> None:
    c = f.candidate(world["tree"]["cell_a"], world["full"][0])
    walk(world, c, Stage.DECISION, actor=world["users"]["uni"])
    with pytest.raises(ValidationError):
        _replace(world, c, world["full"][1], dt.date(2025, 3, 11))


def test_api_replace_introducer(world: dict) -> None:
    sec, viewer = Api(world["users"]["sec"]), Api(world["users"]["viewer"])
    c = _introduced(world)
    old = c.introducers.get(member=world["full"][0])
    url = f"/{c.pk}/introducers/{old.pk}/replace"
    body = {
        "member": "DV-F2",
        "replaced_on": "2025-01-08",
        "reason": "disciplined",
        "months_together": 3,
        "version": c.version,
    }
    assert viewer.post(url, body).status_code == 403
    assert sec.post(f"/{c.pk}/introducers/999999/replace", body).status_code == 404
    assert sec.post(url, {**body, "version": c.version - 1}).status_code == 422  # stale
    assert sec.post(url, {**body, "reason": "other"}).status_code == 422  # no reason_text
    f.member(world["tree"]["cell_a"], code="DV-P2", full_name="Hồ Văn Nam")
    with translation.override("vi"):
        refused = sec.post(url, {**body, "member": "DV-P2"})
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert "member" in error["fields"] and "QĐ 24-QĐ/TW" in error["message"]
    r = sec.post(url, body)
    assert r.status_code == 200, r.content
    intros = r.json()["introducers"]
    assert [(i["member"], i["active"]) for i in intros] == [("DV-F1", False), ("DV-F2", True)]
    assert intros[0]["replaced_on"] == "2025-01-08"
    assert intros[1]["replaces"] == "DV-F1" and intros[1]["replacement_reason"] == "disciplined"
    assert intros[1]["months_together"] == 3
    # The case goes on with the new introducer.
    r = sec.post(
        f"/{c.pk}/steps/youth_union",
        {"done_on": "2025-01-10", "data": {"youth_union_body": "BCH Đoàn"}},
    )
    assert r.status_code == 200


def test_pages_replace_and_show_the_history(world: dict) -> None:
    c = _introduced(world)
    old = c.introducers.get(member=world["full"][0])
    client = client_for(world["users"]["sec"])
    with translation.override("vi"):
        page = client.get(f"/admissions/{c.pk}/").content.decode()
    url = f"/admissions/{c.pk}/introducers/{old.pk}/replace/"
    assert f'href="{url}"' in page
    assert client.get(url).status_code == 200
    r = client.post(
        url,
        {
            "reason": "moved",
            "replaced_on": "08/01/2025",
            "member": "DV-F2",
            "months_together": "",
            "version": c.version,
        },
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    with translation.override("vi"):
        page = client.get(f"/admissions/{c.pk}/").content.decode()
    assert "chi bộ phân công thay Lê Văn Minh" in page and "thôi giới thiệu" in page
    assert f'href="{url}"' not in page  # replaced: no second replacement
    viewer = client_for(world["users"]["viewer"])
    assert viewer.post(url, {"reason": "moved"}).status_code == 403
    assert f'href="{url}"' not in viewer.get(f"/admissions/{c.pk}/").content.decode()
