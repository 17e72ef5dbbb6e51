"""Exemption from work and activity (miễn công tác và sinh hoạt): issue 20, item 13.

The exemption carries one of the criteria of rule ``exemption.criteria``; the return
is by application (its date is recorded); an exempted member is not expected at the
cell's meetings from the day the exemption takes effect, so never counts as absent.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from chibo.activity import selectors, services
from chibo.activity.models import Attendance
from chibo.activity.warnings import compute
from chibo.members import services as member_services
from chibo.members.models import EventKind, MemberEvent
from chibo.orgs.models import Org
from tests import factories
from tests.activity.conftest import hold
from tests.api.conftest import api_for

pytestmark = pytest.mark.django_db
D = dt.date(2026, 9, 10)  # the exemption takes effect


def test_exemption_carries_a_criterion_and_return_by_application(tree: dict[str, Org]) -> None:
    m = factories.member(tree["cell_a"], full_name="Lê Văn Lão")
    member_services.member_exempt(
        actor=None, member=m, effective_date=D, note="Tuổi cao, sức yếu", criterion="old_age"
    )
    ev = MemberEvent.objects.get(member=m, kind=EventKind.EXEMPTED)
    assert ev.data["criterion"] == "old_age"
    m.refresh_from_db()
    with pytest.raises(ValidationError) as late:
        member_services.member_end_exemption(
            actor=None,
            member=m,
            effective_date=dt.date(2026, 10, 1),
            application_on=dt.date(2026, 10, 2),  # the day after the return
        )
    assert "application_on" in late.value.message_dict
    member_services.member_end_exemption(
        actor=None,
        member=m,
        effective_date=dt.date(2026, 10, 1),
        application_on=dt.date(2026, 10, 1),  # the day of the return
    )
    back = MemberEvent.objects.get(member=m, kind=EventKind.EXEMPTION_ENDED)
    assert back.data["application_on"] == "2026-10-01"


def test_unknown_criterion_refused_quoting_the_rule(tree: dict[str, Org]) -> None:
    from chibo.core.models import RuleVersion
    from chibo.core.rules import clear_cache

    m = factories.member(tree["cell_a"], full_name="Lê Văn Lão")
    rule = RuleVersion.objects.get(key="exemption.criteria")
    rule.value = {"criteria": ["illness"]}  # an administrator narrowed the list
    rule.save()
    clear_cache()
    with pytest.raises(ValidationError) as refused:
        member_services.member_exempt(
            actor=None, member=m, effective_date=D, note="Tuổi cao", criterion="old_age"
        )
    assert "Điều lệ Đảng Điều 7" in " ".join(refused.value.messages)


def test_exempted_member_never_counts_as_absent_day_before_of_after(
    tree: dict[str, Org],
) -> None:
    m = factories.member(tree["cell_a"], full_name="Lê Văn Lão")
    other = factories.member(tree["cell_a"], full_name="Trần Văn Có")
    member_services.member_exempt(
        actor=None, member=m, effective_date=D, note="Điều trị dài ngày", criterion="illness"
    )
    before = hold(tree["cell_a"], D - dt.timedelta(days=1), {m: "unexcused"})
    assert Attendance.objects.filter(meeting=before, member=m).exists()
    for day in (D, D + dt.timedelta(days=1)):
        meeting = (
            services.meeting_create(
                actor=None, org=tree["cell_a"], kind="thematic", topic="Chuyên đề", held_on=day
            )
            if day == D
            else hold(tree["cell_a"], day, {other: "excused"})
        )
        assert not Attendance.objects.filter(meeting=meeting, member=m).exists()
        summary = selectors.attendance_sheet(meeting).summary
        assert summary["exempted_total"] == 1
        assert m not in summary["unexcused"]
        with pytest.raises(ValidationError):
            services.attendance_record(
                actor=None,
                meeting=meeting,
                entries=[services.AttendanceEntry(m.member_code, "unexcused")],
            )
    found = {r.member_code: r.as_json() for r in compute(tree["cell_a"], dt.date(2026, 10, 20))}
    # The absence the day before the exemption counts; nothing after it does.
    assert found[m.member_code]["inactive_months"] == ["2026-09"]
    assert Attendance.objects.filter(member=m, status="unexcused").count() == 1


def test_api_exemption_needs_a_criterion_and_return_an_application(tree: dict[str, Org]) -> None:
    m = factories.member(tree["cell_a"], full_name="Lê Văn Lão", code="DV-LAO")
    api = api_for(factories.user("sec", "cell_secretary", tree["cell_a"]))
    body = {"effective_date": "2026-09-10", "note": "Thai sản", "version": 1}
    assert api.post("/members/DV-LAO/events/exempted", body).status_code == 422
    bad = api.post("/members/DV-LAO/events/exempted", {**body, "criterion": "holiday"})
    assert bad.status_code == 422
    ok = api.post("/members/DV-LAO/events/exempted", {**body, "criterion": "maternity"})
    assert ok.status_code == 201, ok.content
    assert MemberEvent.objects.get(member=m, kind="exempted").data["criterion"] == "maternity"
    end = {"effective_date": "2026-10-01", "version": 2}
    assert api.post("/members/DV-LAO/events/exemption_ended", end).status_code == 422
    late = api.post(
        "/members/DV-LAO/events/exemption_ended", {**end, "application_on": "2026-10-02"}
    )
    assert late.status_code == 422
    ok = api.post("/members/DV-LAO/events/exemption_ended", {**end, "application_on": "2026-09-30"})
    assert ok.status_code == 201, ok.content
    # Exempted from 10/09: not on the sheet of a meeting that day.
    meeting = hold(tree["cell_a"], D)
    sheet = api.get(f"/activity/meetings/{meeting.pk}").json()
    assert "DV-LAO" not in [r["member_code"] for r in sheet["attendance"]]
    assert sheet["summary"]["exempted_total"] == 1
