"""The new member's personal history after the ceremony (issue 20, item 8).

The new member declares the personal history (lý lịch đảng viên) within 30 working days
of the admission ceremony (rule ``admission.member_history_working_days``). The happy
path's ceremony is on 25/03/2025: counting 30 working days crosses the Hùng Kings' day
(7/4), 30/4 and 1/5 (days off), the make-up working Saturday 26/4/2025 and Friday 2/5/2025
(off, made up by it), so the last day is Friday 09/05/2025. Without the calendar's
adjustment (26/4 not worked) it would be Monday 12/05/2025: the day after is refused
without a reason only because the adjustment counts.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError

from chibo.admissions import services
from chibo.admissions.models import Candidate, Stage
from chibo.admissions.remind import histories_due_soon, overdue_steps, remind_overdue
from chibo.core.models import AuditEntry, CalendarAdjustment, Notification
from chibo.core.rules import RuleViolation
from chibo.home.work import compute
from chibo.lib.workdays import add_working_days
from tests import factories as f
from tests.admissions.conftest import walk
from tests.admissions.test_api import Api

pytestmark = pytest.mark.django_db
CEREMONY = dt.date(2025, 3, 25)
DUE = dt.date(2025, 5, 9)


def _new_member(world: dict, name: str = "Trần Thị Mới") -> Candidate:
    c = f.candidate(world["tree"]["cell_a"], world["full"][0], full_name=name)
    return walk(world, c, Stage.CEREMONY)


def test_the_deadline_is_30_working_days_after_the_ceremony_across_the_holidays(
    world: dict,
) -> None:
    c = _new_member(world)
    assert c.member.ceremony_on == CEREMONY
    assert c.history_due_on == DUE == add_working_days(CEREMONY, 30)
    # The make-up Saturday counts: without it the deadline moves a day later.
    assert CalendarAdjustment.objects.filter(day=dt.date(2025, 4, 26), working=True).exists()
    CalendarAdjustment.objects.filter(day=dt.date(2025, 4, 26)).delete()
    assert add_working_days(CEREMONY, 30) == dt.date(2025, 5, 12)


@pytest.mark.parametrize(
    ("declared_on", "late"),
    [(DUE - dt.timedelta(days=1), False), (DUE, False), (DUE + dt.timedelta(days=1), True)],
    ids=["day-before", "day-of", "day-after"],
)
def test_declared_the_day_before_of_and_after_the_deadline(
    world: dict, declared_on: dt.date, late: bool
) -> None:
    c = _new_member(world)
    sec = world["users"]["sec"]
    if late:
        with pytest.raises(RuleViolation) as exc:
            services.candidate_record_member_history(
                actor=sec, candidate=c, declared_on=declared_on, expected_version=c.version
            )
        text = " ".join(exc.value.messages)
        assert "09/05/2025" in text and "25/03/2025" in text  # the deadline and the ceremony
        assert "lý do" in text  # in Vietnamese: give the reason
        assert "HD 12-HD/BTCTW" in text and "QĐ 232-QĐ/TW" in text  # rule and source of 2025
        assert "lý lịch đảng viên" in text  # the rule's title
        c.refresh_from_db()
        assert c.history_declared_on is None
        assert c.history_overdue_on(declared_on)  # shown overdue from the day after
        services.candidate_record_member_history(
            actor=sec,
            candidate=c,
            declared_on=declared_on,
            late_reason="Đảng viên ốm, nằm viện",
            expected_version=c.version,
        )
    else:
        assert not c.history_overdue_on(declared_on)
        services.candidate_record_member_history(
            actor=sec, candidate=c, declared_on=declared_on, expected_version=c.version
        )
    c.refresh_from_db()
    assert c.history_declared_on == declared_on
    assert c.history_late_reason == ("Đảng viên ốm, nằm viện" if late else "")
    assert not c.history_overdue_on(declared_on + dt.timedelta(days=30))
    entry = AuditEntry.objects.filter(action="admissions.member_history").last()
    assert entry.data["late"] is late and entry.data["due_on"] == "2025-05-09"


def test_before_the_ceremony_or_in_the_future_or_by_another_cell_is_refused(
    world: dict,
) -> None:
    c = f.candidate(world["tree"]["cell_a"], world["full"][0])
    walk(world, c, Stage.DECISION)
    with pytest.raises(ValidationError, match="lễ kết nạp"):
        services.candidate_record_member_history(
            actor=None, candidate=c, declared_on=dt.date(2025, 3, 20)
        )
    c = _new_member(world, "Lê Văn Sau")
    with pytest.raises(ValidationError, match="25/03/2025"):
        services.candidate_record_member_history(
            actor=None, candidate=c, declared_on=dt.date(2025, 3, 24)
        )
    with pytest.raises(ValidationError):
        services.candidate_record_member_history(
            actor=None, candidate=c, declared_on=dt.date.today() + dt.timedelta(days=1)
        )
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.candidate_record_member_history(
            actor=world["users"]["sec_b"], candidate=c, declared_on=DUE
        )
    c.refresh_from_db()
    assert c.history_declared_on is None


def test_reminded_before_the_deadline_and_overdue_from_the_day_after(world: dict) -> None:
    c = _new_member(world)
    sec = world["users"]["sec"]
    # Before: due within 7 days from 02/05; not overdue on the day itself.
    assert [r.name for r in histories_due_soon(dt.date(2025, 5, 1))] == []
    assert [r.name for r in histories_due_soon(dt.date(2025, 5, 2))] == [c.full_name]
    assert [r.name for r in histories_due_soon(DUE)] == [c.full_name]
    assert all(o.what != "history" for o in overdue_steps(DUE))
    rows = [o for o in overdue_steps(DUE + dt.timedelta(days=1)) if o.what == "history"]
    assert [(r.name, r.due) for r in rows] == [(c.full_name, DUE)]
    counts = remind_overdue(today=dt.date(2025, 5, 3))
    assert counts["due_soon"] == 1
    soon = Notification.objects.filter(user=sec, kind="admissions.overdue").last()
    assert "lý lịch đảng viên" in soon.message and "09/05/2025" in soon.message
    remind_overdue(today=DUE + dt.timedelta(days=1))
    messages = list(Notification.objects.filter(user=sec).values_list("message", flat=True))
    assert len(messages) == 2 and sum(m.startswith("Quá hạn") for m in messages) == 1
    # Recorded: neither reminded nor overdue any more.
    services.candidate_record_member_history(
        actor=sec, candidate=c, declared_on=DUE + dt.timedelta(days=2), late_reason="Ốm"
    )
    assert all(o.what != "history" for o in overdue_steps(DUE + dt.timedelta(days=3)))


def test_the_cells_home_and_board_show_it_overdue(world: dict) -> None:
    c = _new_member(world)
    cell, uni = world["tree"]["cell_a"], world["tree"]["uni"]
    assert compute(cell, DUE).total.n["histories_overdue"] == 0
    assert compute(cell, DUE).total.n["histories_due"] == 1
    after = compute(cell, DUE + dt.timedelta(days=1))
    assert after.total.n["histories_overdue"] == 1 and after.total.n["histories_due"] == 0
    assert compute(uni, DUE + dt.timedelta(days=1)).total.n["histories_overdue"] == 1
    from chibo.admissions import selectors

    flt = selectors.BoardFilter(history_overdue=True)
    qs, _counts, _n = selectors.board(world["users"]["sec"], flt, DUE + dt.timedelta(days=1))
    assert list(qs) == [c]
    qs, _counts, _n = selectors.board(world["users"]["sec"], flt, DUE)
    assert list(qs) == []


@pytest.mark.parametrize(
    ("offset", "status"), [(-1, 200), (0, 200), (1, 422)], ids=["day-before", "day-of", "day-after"]
)
def test_api_records_it_with_the_deadline_and_refuses_late_without_a_reason(
    world: dict, offset: int, status: int
) -> None:
    c = _new_member(world)
    api = Api(world["users"]["sec"])
    body = api.get(f"/{c.pk}").json()
    assert body["member_history"] == {
        "due_on": "2025-05-09",
        "declared_on": None,
        "late_reason": "",
        "overdue": True,  # today is long after 09/05/2025
    }
    day = (DUE + dt.timedelta(days=offset)).isoformat()
    r = api.post(f"/{c.pk}/member-history", {"declared_on": day, "version": c.version})
    assert r.status_code == status, r.content
    if status == 422:
        text = json.dumps(r.json(), ensure_ascii=False)
        assert "09/05/2025" in text and "HD 12-HD/BTCTW" in text
        r = api.post(
            f"/{c.pk}/member-history",
            {"declared_on": day, "late_reason": "Đi công tác xa", "version": c.version},
        )
        assert r.status_code == 200, r.content
    history = r.json()["member_history"]
    assert history["declared_on"] == day and history["overdue"] is False
    assert history["late_reason"] == ("Đi công tác xa" if status == 422 else "")
    # A stale version is refused; a viewer may not record it.
    r = api.post(f"/{c.pk}/member-history", {"declared_on": day, "version": c.version})
    assert r.status_code == 422
    r = Api(world["users"]["viewer"]).post(
        f"/{c.pk}/member-history", {"declared_on": day, "version": c.version + 1}
    )
    assert r.status_code == 403


def test_pages_show_and_record_it(world: dict) -> None:
    from django.urls import reverse

    from tests.admissions.conftest import client_for

    c = _new_member(world)
    web = client_for(world["users"]["sec"])
    page = web.get(reverse("admissions:detail", args=[c.pk])).content.decode()
    assert 'id="member-history"' in page and "09/05/2025" in page and "quá hạn" in page
    assert reverse("admissions:member_history", args=[c.pk]) in page  # the form is on the page
    record = web.get(reverse("members:detail", args=[c.member.member_code])).content.decode()
    assert "Lý lịch đảng viên của đảng viên mới" in record and "quá hạn" in record
    board = web.get(reverse("admissions:board") + "?history_overdue=on").content.decode()
    assert c.full_name in board and "lý lịch đảng viên quá hạn" in board
    home = web.get("/").content.decode()  # the cell secretary's "Việc cần làm"
    assert "lý lịch đảng viên của đảng viên mới quá hạn" in home and "history_overdue=1" in home
    url = reverse("admissions:member_history", args=[c.pk])
    # Late without a reason: the page says why, in Vietnamese, and nothing changes.
    r = web.post(url, {"declared_on": "12/05/2025", "version": c.version})
    assert r.status_code == 200 and "lý do" in r.content.decode()
    c.refresh_from_db()
    assert c.history_declared_on is None
    r = web.post(url, {"declared_on": "12/05/2025", "late_reason": "Ốm", "version": c.version})
    assert r.status_code == 302
    c.refresh_from_db()
    assert c.history_declared_on == dt.date(2025, 5, 12) and c.history_late_reason == "Ốm"
    record = web.get(reverse("members:detail", args=[c.member.member_code])).content.decode()
    assert "đã khai ngày 12/05/2025" in record
    # Another cell's secretary may not record it.
    other = client_for(world["users"]["sec_b"])
    assert other.post(url, {"declared_on": "12/05/2025"}).status_code == 404
