"""One definition of the awareness-course certificate's 60 months (issue 20, item 1).

"Valid 60 months from the date of issue" (HD 06-HD/TW §5.4): the check at the cell's
review, the expiry the page and the API show, the board's overdue flag and the reminders
all use ``core.validity.certificate_valid_until``. Issued 31/05/2021: the review on
31/05/2026 passes, on 01/06/2026 (60 months and one day) it is refused.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from chibo.admissions import services
from chibo.admissions.models import Candidate, Stage
from chibo.admissions.remind import overdue_steps, remind_overdue
from chibo.core.models import Notification
from chibo.lib.dates import add_months
from tests import factories as f
from tests.admissions.test_api import Api

pytestmark = pytest.mark.django_db
ISSUED = dt.date(2021, 5, 31)
VOTE = {"full_members": 3, "absent_excluded": 0, "votes_for": 3}


def ready_for_review(
    world: dict, issued_on: dt.date, steps_on: dt.date | None = None, name: str = "Trần Thị Cúc"
) -> Candidate:
    """A candidate whose course certificate is of ``issued_on``, the steps after it up to the
    opinions done on ``steps_on`` (default: the same day); the review may follow any day."""
    c = f.candidate(
        world["tree"]["cell_a"],
        world["full"][0],
        full_name=name,
        date_of_birth=dt.date(2000, 1, 1),
        registered_on=issued_on,
    )
    steps = [
        (Stage.COURSE, {"cert_number": "1/GCN", "cert_issuer": "TTCT"}, None),
        (Stage.APPLICATION, {}, None),
        (Stage.HISTORY, {}, None),
        (Stage.BACKGROUND_CHECK, {}, None),
        (Stage.INTRODUCERS, {}, [(world["full"][0], 24)]),
        (Stage.YOUTH_UNION, {"youth_union_body": "BCH Đoàn trường"}, None),
        (Stage.OPINIONS, {}, None),
    ]
    for stage, data, introducers in steps:
        services.candidate_record_step(
            actor=None,
            candidate=c,
            stage=stage,
            done_on=issued_on if stage == Stage.COURSE else (steps_on or issued_on),
            document_number="1/GCN" if stage == Stage.COURSE else "",
            data=data,
            introducers=introducers,
        )
    c.refresh_from_db()
    return c


def review(c: Candidate, on: dt.date) -> None:
    services.candidate_record_step(
        actor=None, candidate=c, stage=Stage.CELL_RESOLUTION, done_on=on, data=VOTE
    )


@pytest.mark.parametrize(
    ("on", "accepted"),
    [
        (dt.date(2026, 5, 30), True),  # the day before the last valid day
        (dt.date(2026, 5, 31), True),  # 60 months to the day: the last valid day
        (dt.date(2026, 6, 1), False),  # 60 months and one day
    ],
)
def test_the_cell_review_through_the_service(world: dict, on: dt.date, accepted: bool) -> None:
    c = ready_for_review(world, ISSUED, dt.date(2026, 5, 20))
    assert c.next_due == dt.date(2026, 5, 31)  # the board's date: the same last valid day
    if accepted:
        review(c, on)
        assert c.stage == Stage.CELL_RESOLUTION
        return
    with pytest.raises(ValidationError) as err:
        review(c, on)
    message = " ".join(err.value.messages)
    assert "31/05/2026" in message and "01/06/2026" in message and "HD 06-HD/TW" in message
    c.refresh_from_db()
    assert c.stage == Stage.OPINIONS  # nothing written


@pytest.mark.parametrize(
    ("on", "status"), [("2026-05-30", 200), ("2026-05-31", 200), ("2026-06-01", 422)]
)
def test_the_cell_review_through_the_api(world: dict, on: str, status: int) -> None:
    c = ready_for_review(world, ISSUED, dt.date(2026, 5, 20))
    r = Api(world["users"]["sec"]).post(
        f"/{c.pk}/steps/cell_resolution", {"done_on": on, "data": VOTE}
    )
    assert r.status_code == status, r.json()
    if status == 422:
        assert "HD 06-HD/TW điểm 5.4" in r.json()["error"]["message"]


@pytest.mark.parametrize(("days_before", "overdue"), [(-1, False), (0, False), (1, True)])
def test_shown_expiry_board_and_reminders_agree_with_the_check(
    world: dict, days_before: int, overdue: bool
) -> None:
    """Certificate issued 60 months before today, one day later or one day earlier."""
    today = timezone.localdate()
    issued = add_months(today, -60) - dt.timedelta(days=days_before)
    c = ready_for_review(world, issued)
    expires = add_months(issued, 60)
    sec = Api(world["users"]["sec"])
    detail = sec.get(f"/{c.pk}").json()
    assert detail["certificate"]["expires_on"] == expires.isoformat()
    assert detail["next_due"] == expires.isoformat()
    assert detail["overdue"] is overdue
    assert sec.get("").json()["overdue"] == int(overdue)
    assert sec.get("", overdue=True).json()["total"] == int(overdue)
    reminded = [o for o in overdue_steps(today) if o.what == "certificate"]
    assert [o.name for o in reminded] == (["Trần Thị Cúc"] if overdue else [])
    remind_overdue(today=today)
    notices = list(Notification.objects.filter(user=world["users"]["sec"]))
    assert len(notices) == int(overdue)
    if overdue:
        assert expires.strftime("%d/%m/%Y") in notices[0].message
        assert "học lại" in notices[0].message
    # The review today follows the same date.
    if overdue:
        with pytest.raises(ValidationError):
            review(c, today)
    else:
        review(c, today)
