"""Early warnings: the definitions of the issue, each at its boundary."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from chibo.activity import services
from chibo.activity import warnings as risk
from chibo.activity.models import MeetingKind, MemberWarning
from chibo.core.models import Notification
from chibo.members import services as member_services
from chibo.members.models import Member
from chibo.orgs.models import Org
from tests import factories
from tests.activity.conftest import AS_OF, hold, pay

pytestmark = pytest.mark.django_db


def _risks(org: Org, as_of: dt.date = AS_OF) -> dict[str, risk.MemberRisk]:
    return {r.member_code: r for r in risk.compute(org, as_of)}


def test_member_with_one_unexcused_absence_gets_a_warning(
    tree: dict[str, Org], student: Member
) -> None:
    hold(tree["cell_a"], dt.date(2026, 9, 10), {student: "unexcused"})
    found = _risks(tree["city"])[student.member_code]
    assert found.level == "warning"
    assert found.inactive_months == ["2026-09"]
    assert found.unpaid_months == []
    assert found.org_code == "BK-SV1"


def test_third_unexcused_month_within_twelve_months_triggers_removal_review(
    tree: dict[str, Org], student: Member
) -> None:
    for day in (dt.date(2025, 11, 5), dt.date(2026, 4, 8)):
        hold(tree["cell_a"], day, {student: "unexcused"})
    assert _risks(tree["city"])[student.member_code].level == "warning"
    hold(tree["cell_a"], dt.date(2026, 10, 2), {student: "unexcused"})
    found = _risks(tree["uni"])[student.member_code]
    assert found.level == "removal_review"
    assert found.inactive_months == ["2025-11", "2026-04", "2026-10"]


def test_excused_absence_does_not_count(tree: dict[str, Org], student: Member) -> None:
    for day in (dt.date(2026, 7, 5), dt.date(2026, 8, 5), dt.date(2026, 9, 5)):
        hold(tree["cell_a"], day, {student: "excused"})
    assert student.member_code not in _risks(tree["city"])


def test_month_thirteen_months_ago_does_not_count(tree: dict[str, Org], student: Member) -> None:
    # Window for 20/10/2026: 11/2025 .. 10/2026. October 2025 is the 13th month back.
    hold(tree["cell_a"], dt.date(2025, 10, 30), {student: "unexcused"})
    hold(tree["cell_a"], dt.date(2025, 11, 1), {student: "unexcused"})
    hold(tree["cell_a"], dt.date(2026, 3, 3), {student: "unexcused"})
    found = _risks(tree["city"])[student.member_code]
    assert found.level == "warning"
    assert found.inactive_months == ["2025-11", "2026-03"]


def test_attending_another_meeting_that_month_means_the_month_is_not_inactive(
    tree: dict[str, Org], student: Member
) -> None:
    hold(tree["cell_a"], dt.date(2026, 9, 3), {student: "unexcused"})
    hold(tree["cell_a"], dt.date(2026, 9, 20), {}, kind=MeetingKind.THEMATIC)
    assert student.member_code not in _risks(tree["city"])


def test_excused_and_unexcused_in_the_same_month_is_inactive(
    tree: dict[str, Org], student: Member
) -> None:
    hold(tree["cell_a"], dt.date(2026, 9, 3), {student: "excused"})
    hold(tree["cell_a"], dt.date(2026, 9, 20), {student: "unexcused"}, kind=MeetingKind.THEMATIC)
    assert _risks(tree["city"])[student.member_code].inactive_months == ["2026-09"]


def test_meeting_after_the_as_of_date_does_not_count(tree: dict[str, Org], student: Member) -> None:
    hold(tree["cell_a"], dt.date(2026, 10, 25), {student: "unexcused"})
    assert student.member_code not in _risks(tree["city"])
    assert _risks(tree["city"], dt.date(2026, 10, 31))[student.member_code].inactive_months == [
        "2026-10"
    ]


def test_exempted_member_is_not_expected(tree: dict[str, Org], student: Member) -> None:
    member_services.member_exempt(
        actor=None,
        member=student,
        effective_date=dt.date(2026, 8, 1),
        decision=member_services.Decision(number="5-QĐ/ĐU"),
        note="ốm dài ngày",
    )
    hold(tree["cell_a"], dt.date(2026, 9, 3), {})
    with pytest.raises(ValidationError):  # not on the roster of expected members
        hold(
            tree["cell_a"], dt.date(2026, 9, 20), {student: "unexcused"}, kind=MeetingKind.THEMATIC
        )
    assert student.member_code not in _risks(tree["city"])


def test_three_unpaid_months_trigger_removal_review_and_late_payment_after_d_does_not_help(
    tree: dict[str, Org],
) -> None:
    m = factories.member(tree["cell_a"], admitted_on=dt.date(2024, 3, 1))
    pay(m, dt.date(2024, 3, 1), dt.date(2025, 10, 1), paid_on=dt.date(2025, 10, 1))
    pay(m, dt.date(2025, 11, 1), dt.date(2026, 6, 1), paid_on=dt.date(2026, 6, 1))
    # July, August, September 2026 unpaid; October is D's month and not yet due.
    found = _risks(tree["city"])[m.member_code]
    assert found.unpaid_months == ["2026-07", "2026-08", "2026-09"]
    assert found.level == "removal_review"
    pay(m, dt.date(2026, 7, 1), dt.date(2026, 9, 1), paid_on=dt.date(2026, 10, 25))
    assert _risks(tree["city"])[m.member_code].level == "removal_review"  # paid after D
    assert m.member_code not in _risks(tree["city"], dt.date(2026, 10, 26))


def test_two_unpaid_months_are_a_warning(tree: dict[str, Org]) -> None:
    m = factories.member(tree["cell_a"], admitted_on=dt.date(2024, 3, 1))
    pay(m, dt.date(2024, 3, 1), dt.date(2025, 10, 1), paid_on=dt.date(2025, 10, 1))
    pay(m, dt.date(2025, 11, 1), dt.date(2026, 7, 1), paid_on=dt.date(2026, 7, 1))
    found = _risks(tree["city"])[m.member_code]
    assert (found.level, found.unpaid_months) == ("warning", ["2026-08", "2026-09"])


def test_counts_are_never_added(tree: dict[str, Org], student: Member) -> None:
    m = factories.member(tree["cell_a"], admitted_on=dt.date(2024, 3, 1))
    pay(m, dt.date(2024, 3, 1), dt.date(2025, 10, 1), paid_on=dt.date(2025, 10, 1))
    pay(m, dt.date(2025, 11, 1), dt.date(2026, 7, 1), paid_on=dt.date(2026, 7, 1))
    hold(tree["cell_a"], dt.date(2026, 2, 3), {m: "unexcused"})
    hold(tree["cell_a"], dt.date(2026, 3, 3), {m: "unexcused"})
    found = _risks(tree["city"])[m.member_code]
    assert len(found.inactive_months) == 2 and len(found.unpaid_months) == 2
    assert found.level == "warning"


def test_dues_exemption_means_not_due(tree: dict[str, Org]) -> None:
    from chibo.activity import dues

    m = factories.member(tree["cell_a"], admitted_on=dt.date(2024, 3, 1))
    pay(m, dt.date(2024, 3, 1), dt.date(2025, 10, 1), paid_on=dt.date(2025, 10, 1))
    pay(m, dt.date(2025, 11, 1), dt.date(2026, 6, 1), paid_on=dt.date(2026, 6, 1))
    dues.dues_relief_grant(
        actor=None,
        member=m,
        start=dt.date(2026, 7, 1),
        end=dt.date(2026, 9, 1),
        percent=100,
        reason="hộ nghèo",
    )
    assert m.member_code not in _risks(tree["city"])


def test_member_admitted_during_the_window_owes_from_admission(tree: dict[str, Org]) -> None:
    hold(tree["cell_a"], dt.date(2026, 3, 5))  # the cell records its activity since March
    m = factories.member(tree["cell_a"], admitted_on=dt.date(2026, 8, 10))
    found = _risks(tree["city"])[m.member_code]
    assert found.unpaid_months == ["2026-09"]  # August began before admission


def test_subtree_outside_sees_nothing(tree: dict[str, Org], student: Member) -> None:
    hold(tree["cell_a"], dt.date(2026, 9, 10), {student: "unexcused"})
    assert _risks(tree["district"]) == {}


def test_refresh_stores_and_notifies_the_cell_secretary_once(
    tree: dict[str, Org], student: Member
) -> None:
    secretary = factories.user("bithu", "cell_secretary", tree["cell_a"])
    hold(tree["cell_a"], dt.date(2026, 9, 10), {student: "unexcused"})
    counts = services.warnings_refresh(as_of=AS_OF)
    assert counts == {"warning": 1, "removal_review": 0, "notified": 1}
    stored = MemberWarning.objects.get(member=student)
    assert (stored.level, stored.inactive_months) == ("warning", ["2026-09"])
    services.warnings_refresh(as_of=AS_OF)
    assert Notification.objects.filter(user=secretary, kind="activity.warning").count() == 1


def test_removal_thresholds_come_from_the_registry(tree: dict[str, Org]) -> None:
    rules = risk.thresholds(AS_OF)
    assert rules.inactive.value == 3 and "294" in rules.inactive.source
    assert risk.level_for(2, 2, rules) == "warning"
    assert risk.level_for(3, 0, rules) == "removal_review"
    assert risk.level_for(0, 3, rules) == "removal_review"
    assert risk.level_for(0, 0, rules) is None


def test_member_who_moved_is_warned_where_he_is_now_for_months_at_his_old_cell(
    tree: dict[str, Org], student: Member
) -> None:
    hold(tree["cell_a"], dt.date(2026, 5, 6), {student: "unexcused"})
    decision = member_services.Decision(number="30-QĐ/ĐU")
    member_services.member_transfer_out(
        actor=None,
        member=student,
        effective_date=dt.date(2026, 6, 1),
        decision=decision,
        destination_org=tree["school"],
    )
    member_services.member_transfer_in(
        actor=None,
        member=Member.objects.get(pk=student.pk),
        org=tree["school"],
        effective_date=dt.date(2026, 6, 10),
        decision=decision,
    )
    found = _risks(tree["city"])[student.member_code]
    assert (found.org_code, found.inactive_months) == ("Q1-THPT", ["2026-05"])
    assert _risks(tree["district"])[student.member_code] == found
    assert student.member_code not in _risks(tree["uni"])


def test_temporarily_transferred_out_member_is_not_expected_but_still_owes_dues(
    tree: dict[str, Org],
) -> None:
    m = factories.member(tree["cell_a"], admitted_on=dt.date(2024, 3, 1))
    pay(m, dt.date(2024, 3, 1), dt.date(2026, 6, 1), paid_on=dt.date(2026, 6, 1))
    member_services.member_temp_transfer_out(
        actor=None,
        member=m,
        effective_date=dt.date(2026, 6, 15),
        decision=member_services.Decision(number="31-QĐ/ĐU"),
        host="Đảng bộ Trường Đại học Cần Thơ",
    )
    hold(tree["cell_a"], dt.date(2026, 9, 3), {})  # not on the expected roster: no absence
    found = _risks(tree["city"])[m.member_code]
    assert (found.inactive_months, found.unpaid_months) == ([], ["2026-07", "2026-08", "2026-09"])
