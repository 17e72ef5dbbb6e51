"""Overdue steps are notified to who must act: decision, ceremony, recognition vote (working days)."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from chibo.admissions import services
from chibo.admissions.models import Candidate, Stage
from chibo.admissions.remind import overdue_steps, remind_overdue
from chibo.core.models import AuditEntry, Notification
from chibo.core.roles import Role
from chibo.lib.workdays import add_working_days
from tests import factories as f
from tests.admissions.conftest import decided_on_20_january_2025, walk

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 27)


def _walked(world: dict, until: str, name: str) -> Candidate:
    c = f.candidate(world["tree"]["cell_a"], world["full"][0], full_name=name)
    return walk(world, c, until)


def _notices(user) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("message", flat=True))


def test_each_overdue_step_goes_to_who_must_act(world: dict) -> None:
    sec, uni, sec_b = world["users"]["sec"], world["users"]["uni"], world["users"]["sec_b"]
    _walked(world, Stage.CELL_RESOLUTION, "Chờ Quyết Định")  # decision due 60 wd after 03/02/2025
    _walked(world, Stage.DECISION, "Chờ Lễ Kết Nạp")  # ceremony due 30 wd after 10/03/2025
    _walked(world, Stage.CEREMONY, "Chờ Xét Chính Thức")  # probation ended 25/03/2026
    cell = world["tree"]["cell_a"]
    f.member(cell, code="DV-OLD", full_name="Đào Văn Dự", admitted_on=dt.date(2025, 6, 2))
    f.member(cell, code="DV-PEND", admitted_on=dt.date(2025, 3, 1), ceremony_pending=True)
    steps = sorted((o.step, o.name, o.what) for o in overdue_steps(TODAY))
    assert steps == [
        (Stage.CEREMONY, "Chờ Lễ Kết Nạp", "step"),
        # The new member's personal history, 30 working days after the ceremony (issue 20).
        (Stage.CEREMONY, "Chờ Xét Chính Thức", "history"),
        (Stage.DECISION, "Chờ Quyết Định", "step"),
        (Stage.RECOGNITION_VOTE, "Chờ Xét Chính Thức", "step"),
        (Stage.RECOGNITION_VOTE, "Đào Văn Dự (DV-OLD)", "step"),
    ]  # the member whose ceremony is pending has no probation to be late for
    counts = remind_overdue(today=TODAY)
    assert counts == {"overdue": 5, "due_soon": 0, "notified": 5}
    committee = _notices(uni)
    assert len(committee) == 1 and "Chờ Quyết Định" in committee[0]  # a committee step
    cell_steps = " ".join(_notices(sec))
    assert len(_notices(sec)) == 4 and "Chờ Lễ Kết Nạp" in cell_steps and "DV-OLD" in cell_steps
    assert "Quá hạn" in cell_steps and "(tính theo ngày làm việc)" in cell_steps  # in Vietnamese
    assert _notices(sec_b) == []
    assert remind_overdue(today=TODAY) == {
        "overdue": 5,
        "due_soon": 0,
        "notified": 0,
    }  # not repeated
    entry = AuditEntry.objects.filter(action="admissions.remind_overdue").last()
    assert entry.data["overdue"] == 5


def test_the_ceremony_is_overdue_the_day_after_its_last_working_day(world: dict) -> None:
    c = _walked(world, Stage.DECISION, "Chờ Lễ")
    last = add_working_days(dt.date(2025, 3, 10), 30)
    assert c.next_due == last == dt.date(2025, 4, 22)  # 07/04 (Giỗ Tổ Hùng Vương) is a holiday
    assert overdue_steps(last) == []
    assert [o.step for o in overdue_steps(last + dt.timedelta(days=1))] == [Stage.CEREMONY]


def test_a_committee_step_goes_up_to_the_nearest_committee(world: dict) -> None:
    t = world["tree"]
    Notification.objects.all().delete()
    higher = f.user("khoi", Role.SUPERIOR_STAFF, t["uni"].parent)
    _walked(world, Stage.GRASSROOTS_RESOLUTION, "Chờ Quyết Định")
    remind_overdue(today=TODAY)
    assert len(_notices(world["users"]["uni"])) == 1 and _notices(higher) == []


def test_command_runs_for_a_date(world: dict) -> None:
    _walked(world, Stage.DECISION, "Chờ Lễ")
    out = StringIO()
    call_command("admissions-remind", "--date", "27/11/2026", stdout=out)
    assert "1 bước quá hạn" in out.getvalue()
    with pytest.raises(Exception, match="dd/mm/yyyy"):
        call_command("admissions-remind", "--date", "2026-11-27")


def test_the_ceremony_reminder_counts_from_the_receipt_of_the_decision(world: dict) -> None:
    sec = world["users"]["sec"]
    c = decided_on_20_january_2025(world, received_on=dt.date(2025, 2, 3))
    last = add_working_days(dt.date(2025, 2, 3), 30)
    assert c.next_due == last == dt.date(2025, 3, 17)
    # Counted from the decision (20/01) it would already be overdue on 11/03.
    assert overdue_steps(dt.date(2025, 3, 11)) == []
    assert remind_overdue(today=last) == {"overdue": 0, "due_soon": 0, "notified": 0}
    assert _notices(sec) == []
    after = remind_overdue(today=last + dt.timedelta(days=1))
    assert after == {"overdue": 1, "due_soon": 0, "notified": 1}
    [message] = _notices(sec)
    assert "17/03/2025" in message and "Lễ kết nạp" in message


def test_the_ceremony_reminder_follows_a_receipt_recorded_later(world: dict) -> None:
    c = decided_on_20_january_2025(world)
    assert [o.step for o in overdue_steps(dt.date(2025, 3, 11))] == [Stage.CEREMONY]
    services.candidate_record_decision_receipt(
        actor=world["users"]["sec"], candidate=c, received_on=dt.date(2025, 2, 3)
    )
    assert overdue_steps(dt.date(2025, 3, 17)) == []
    assert [o.due for o in overdue_steps(dt.date(2025, 3, 18))] == [dt.date(2025, 3, 17)]
