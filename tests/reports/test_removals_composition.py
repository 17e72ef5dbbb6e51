"""Removals and composition, each figure against an independent count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from chibo.members import services as ms
from chibo.members.models import ON_ROLLS, Category, Gender, Member, RemovalReason
from chibo.members.selectors import state_on
from chibo.reports import figures, selectors
from tests import factories

D = ms.Decision(number="9-QĐ/ĐU")


def _remove(member: Member, day: dt.date, reason: str = RemovalReason.ABANDONED_ACTIVITY) -> None:
    ms.member_remove(
        actor=None,
        member=member,
        effective_date=day,
        decision=D,
        reason=reason,
        note="x" if reason == RemovalReason.OTHER else "",
    )


@pytest.mark.django_db
def test_removals_by_reason_category_year_and_unit(tree) -> None:
    students = [factories.member(tree["cell_a"], admitted_on=dt.date(2022, 3, 1)) for _ in range(3)]
    teacher = factories.member(
        tree["school"], category=Category.TEACHER, admitted_on=dt.date(2022, 3, 1)
    )
    other = factories.member(tree["ward"], category=Category.OTHER, admitted_on=dt.date(2022, 3, 1))
    _remove(students[0], dt.date(2024, 1, 1))  # first day: in
    _remove(students[1], dt.date(2024, 12, 31))  # last day: in
    _remove(students[2], dt.date(2025, 1, 1))  # day after: out
    _remove(teacher, dt.date(2024, 6, 1), RemovalReason.UNPAID_DUES)
    ms.member_expel(actor=None, member=other, effective_date=dt.date(2024, 7, 1), decision=D)
    got = figures.removals(tree["city"], dt.date(2024, 1, 1), dt.date(2024, 12, 31)).as_dict()
    with connection.cursor() as cur:
        cur.execute(
            "SELECT kind, COUNT(*) FROM members_memberevent WHERE kind IN ('removed','expelled')"
            " AND effective_date BETWEEN %s AND %s GROUP BY kind",
            [dt.date(2024, 1, 1), dt.date(2024, 12, 31)],
        )
        independent = dict(cur.fetchall())
    assert (
        (got["removed"], got["expelled"])
        == (independent["removed"], independent["expelled"])
        == (3, 1)
    )
    assert got["total_removals"] == 4
    assert got["students_removed_abandoned_activity"] == 2
    assert got["by_reason"] == {
        "abandoned_activity": 2,
        "unpaid_dues": 1,
        "not_recognized": 0,
        "other": 0,
    }
    assert got["by_category"]["teacher"]["removed"] == 1
    assert got["by_year"] == [
        {"year": 2024, "removed": 3, "expelled": 1, "students_removed_abandoned_activity": 2}
    ]
    assert {u["org"]: u["removed"] for u in got["by_unit"]} == {"KDHCD": 2, "Q1": 1}
    trend = figures.removals(tree["city"], dt.date(2024, 1, 1), dt.date(2025, 12, 31)).as_dict()[
        "by_year"
    ]
    assert [(r["year"], r["students_removed_abandoned_activity"]) for r in trend] == [
        (2024, 2),
        (2025, 1),
    ]


def _independent_composition(day: dt.date) -> dict[str, int]:
    """Replay each member's state on ``day`` one by one (the slow, obvious path)."""
    counts = {"total": 0, "full": 0, "student": 0, "female": 0, "temp_away": 0}
    for member in Member.objects.all():
        event = state_on(member, day)
        if event is None or event.status_after not in ON_ROLLS:
            continue
        counts["total"] += 1
        counts["full"] += bool(member.recognized_on and member.recognized_on <= day)
        counts["student"] += event.category_after == Category.STUDENT
        counts["female"] += member.gender == Gender.FEMALE
        counts["temp_away"] += event.status_after == "temp_away"
    return counts


@pytest.mark.django_db
def test_composition_at_past_dates_matches_a_replay(tree) -> None:
    a = factories.member(
        tree["cell_a"],
        admitted_on=dt.date(2020, 3, 1),
        gender=Gender.FEMALE,
        date_of_birth=dt.date(1998, 5, 17),  # a lecturer from 2022 (24), not at 19
    )
    b = factories.member(tree["cell_a"], admitted_on=dt.date(2021, 3, 1))
    c = factories.member(
        tree["school"],
        category=Category.TEACHER,
        admitted_on=dt.date(2019, 3, 1),
        date_of_birth=dt.date(1960, 1, 1),
    )
    factories.member(tree["ward"], category=Category.OTHER, admitted_on=dt.date(2024, 3, 1))
    ms.member_recognize(actor=None, member=a, decided_on=dt.date(2021, 3, 20), decision=D)
    _remove(b, dt.date(2023, 5, 1))
    ms.member_change_category(
        actor=None, member=a, category=Category.LECTURER, effective_date=dt.date(2022, 9, 1)
    )
    ms.member_temp_transfer_out(
        actor=None,
        member=c,
        effective_date=dt.date(2022, 1, 10),
        decision=D,
        host="Đảng bộ Phường Bến Thành",
    )
    for day in (
        dt.date(2019, 12, 31),
        dt.date(2021, 3, 1),
        dt.date(2022, 6, 1),
        dt.date(2023, 5, 1),
        dt.date(2025, 1, 1),
    ):
        got = figures.composition(tree["city"], day).as_dict()
        want = _independent_composition(day)
        assert got["total_members"] == want["total"], day
        assert got["full"] == want["full"], day
        assert got["by_category"]["student"] == want["student"], day
        assert got["by_gender"]["female"] == want["female"], day
        assert got["by_status"]["temp_away"] == want["temp_away"], day
        assert got["full"] + got["probationary"] == got["total_members"]
        assert sum(got["by_age_band"].values()) == got["total_members"]
    mid = figures.composition(tree["city"], dt.date(2022, 6, 1)).as_dict()
    assert mid["by_age_band"]["60_plus"] == 1  # born 1960: 62 on that date
    assert {u["org"]: u["total"] for u in mid["by_unit"]} == {"KDHCD": 2, "Q1": 1}
    sub = figures.composition(tree["uni"], dt.date(2022, 6, 1)).as_dict()
    assert sub["total_members"] == 2


@pytest.mark.django_db
def test_activity_shows_no_data_until_its_apps_exist(tree) -> None:
    got = selectors.activity(None, tree["city"], dt.date(2025, 1, 1))
    assert got["cells"] == 4  # BK-SV1, BK-GV1, Q1-THPT, Q1-P1
    assert got["cells_missing_meetings"] is None or isinstance(got["cells_missing_meetings"], int)
    assert got["open_warnings"] is None or isinstance(got["open_warnings"], int)
