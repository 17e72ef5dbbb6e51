"""Vote figures come from the rolls on the vote's date (issue 20, item 5).

"9 full members" was accepted for a cell with 17 on its rolls that day. Now the count is the
rolls' (``members.selectors.cell_roll``); the exempted and the temporarily transferred out
are shown as those who may be left out; a typed figure that differs needs a reason, kept.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from chibo.admissions import services
from chibo.admissions.models import Candidate, Stage
from chibo.members import services as ms
from chibo.members.selectors import cell_roll
from tests import factories as f
from tests.admissions.conftest import full_member, walk
from tests.admissions.test_api import Api

pytestmark = pytest.mark.django_db
EXEMPTED_ON = dt.date(2025, 2, 3)  # the happy path's cell review


@pytest.fixture
def cell(world: dict) -> dict:
    """cell_a: the three mentors, one more full member exempted on 03/02/2025 and one
    temporarily transferred out, and a probationary member (not counted)."""
    org = world["tree"]["cell_a"]
    old = full_member(org, "DV-EX", "Ngô Văn Nghỉ")
    ms.member_exempt(actor=None, member=old, effective_date=EXEMPTED_ON, note="Ốm dài ngày")
    away = full_member(org, "DV-TA", "Đinh Thị Xa")
    ms.member_temp_transfer_out(
        actor=None,
        member=away,
        effective_date=dt.date(2024, 9, 1),
        host="Đảng bộ Bệnh viện",
        until=dt.date(2025, 6, 30),
    )
    f.member(org, code="DV-DB", full_name="Lý Văn Dự", admitted_on=dt.date(2024, 10, 1))
    return world


@pytest.mark.parametrize(
    ("day", "full", "excludable"),
    [
        (EXEMPTED_ON - dt.timedelta(days=1), 5, ["DV-TA"]),  # the day before the exemption
        (EXEMPTED_ON, 5, ["DV-EX", "DV-TA"]),  # the day of it
        (EXEMPTED_ON + dt.timedelta(days=1), 5, ["DV-EX", "DV-TA"]),  # the day after
        (dt.date(2020, 1, 9), 0, []),  # before any of them was admitted
    ],
)
def test_the_rolls_on_a_day(cell: dict, day: dt.date, full: int, excludable: list[str]) -> None:
    roll = cell_roll(cell["tree"]["cell_a"], day)
    assert len(roll.full) == full
    assert sorted(m.member_code for m in roll.excludable) == excludable
    assert "DV-DB" not in [m.member_code for m in roll.full]


def ready(world: dict) -> Candidate:
    c = f.candidate(world["tree"]["cell_a"], world["full"][0])
    return walk(world, c, Stage.OPINIONS)


def vote(c: Candidate, **data) -> None:
    services.candidate_record_step(
        actor=None,
        candidate=c,
        stage=Stage.CELL_RESOLUTION,
        done_on=EXEMPTED_ON,
        document_number="06-NQ/CB",
        data=data,
    )


def test_no_count_typed_takes_the_rolls(cell: dict) -> None:
    c = ready(cell)
    vote(c, absent_excluded=2, votes_for=2)  # 2 of the 3 counted: 2/3
    step = c.steps.get(stage=Stage.CELL_RESOLUTION)
    assert step.data["full_members"] == step.data["roll_full_members"] == 5
    assert step.data["roll_excludable"] == ["DV-EX", "DV-TA"]
    assert "figures_reason" not in step.data


@pytest.mark.parametrize("typed", [4, 6, 9])
def test_a_count_that_differs_needs_a_reason(cell: dict, typed: int) -> None:
    c = ready(cell)
    with pytest.raises(ValidationError) as err:
        vote(c, full_members=typed, absent_excluded=0, votes_for=typed)
    message = " ".join(err.value.messages)
    assert "5" in message and "Ngô Văn Nghỉ" in message and "full_members" in err.value.error_dict
    c.refresh_from_db()
    assert c.stage == Stage.OPINIONS
    vote(c, full_members=typed, absent_excluded=0, votes_for=typed, figures_reason="Biên bản ghi")
    step = c.steps.get(stage=Stage.CELL_RESOLUTION)
    assert step.data["full_members"] == typed and step.data["figures_reason"] == "Biên bản ghi"
    assert step.data["roll_full_members"] == 5


def test_more_left_out_than_may_be_needs_a_reason(cell: dict) -> None:
    c = ready(cell)
    with pytest.raises(ValidationError) as err:
        vote(c, full_members=5, absent_excluded=3, votes_for=2)
    assert "absent_excluded" in err.value.error_dict
    vote(c, full_members=5, absent_excluded=2, votes_for=2)  # the two on the rolls: no reason


def test_through_the_api(cell: dict) -> None:
    c = ready(cell)
    sec = Api(cell["users"]["sec"])
    url = f"/{c.pk}/steps/cell_resolution"
    r = sec.post(url, {"done_on": "2025-02-03", "data": {"full_members": 9, "votes_for": 9}})
    assert r.status_code == 422 and "full_members" in r.json()["error"]["fields"]
    r = sec.post(url, {"done_on": "2025-02-03", "data": {"votes_for": 4}})
    assert r.status_code == 200, r.json()
    data = next(p for p in r.json()["path"] if p["stage"] == "cell_resolution")["data"]
    assert data["full_members"] == 5 and data["roll_excludable"] == ["DV-EX", "DV-TA"]


def test_the_form_shows_the_rolls(cell: dict) -> None:
    from tests.admissions.conftest import client_for

    c = ready(cell)
    page = client_for(cell["users"]["sec"]).get(f"/admissions/{c.pk}/step/cell_resolution/")
    body = page.content.decode()
    assert "Ngô Văn Nghỉ" in body and "Đinh Thị Xa" in body and 'name="figures_reason"' in body
