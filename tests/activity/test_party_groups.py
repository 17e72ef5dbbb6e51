"""Party groups (tổ đảng) and meetings by group: issue 20, item 14.

Rule ``meetings.party_group`` (HD 03-HD/TW, 2022; RULES.md "Cell meetings"): a
cell of 50 members or more may meet by party group up to 3 times a year.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from chibo.activity import selectors, services
from chibo.activity.models import Attendance, Meeting, PartyGroup
from chibo.activity.warnings import compute
from chibo.members.models import Member
from chibo.orgs.models import Org
from tests import factories
from tests.api.conftest import api_for


def _put(api: object, path: str, body: dict) -> object:
    return api.client.put(  # type: ignore[attr-defined]
        f"/api/v1{path}",
        body,
        content_type="application/json",
        headers=api.headers,  # type: ignore[attr-defined]
    )


pytestmark = pytest.mark.django_db
FIFTIETH = dt.date(2025, 6, 10)  # the day the cell reaches 50 members


def _cell_of(tree: dict[str, Org], n: int, last_on: dt.date = FIFTIETH) -> list[Member]:
    """``n`` members in cell_a: the first n-1 admitted in 2024, the last on ``last_on``."""
    out = [
        factories.member(tree["cell_a"], full_name=f"Đảng viên {i:02d}", code=f"TD{i:03d}")
        for i in range(n - 1)
    ]
    out.append(
        factories.member(
            tree["cell_a"], full_name="Người thứ năm mươi", code="TD999", admitted_on=last_on
        )
    )
    return out


def _groups(tree: dict[str, Org], members: list[Member]) -> tuple[PartyGroup, PartyGroup]:
    one = services.party_group_create(actor=None, org=tree["cell_a"], name="Tổ 1")
    two = services.party_group_create(actor=None, org=tree["cell_a"], name="Tổ 2")
    half = len(members) // 2
    services.party_group_set_members(
        actor=None, group=one, member_codes=[m.member_code for m in members[:half]]
    )
    services.party_group_set_members(
        actor=None, group=two, member_codes=[m.member_code for m in members[half:]]
    )
    return one, two


def _meet(tree: dict[str, Org], group: PartyGroup, day: dt.date) -> Meeting:
    return services.meeting_create(
        actor=None, org=tree["cell_a"], kind="regular", held_on=day, group=group
    )


def test_49_members_refused_50_allowed_day_before_of_after(tree: dict[str, Org]) -> None:
    members = _cell_of(tree, 50)
    one, two = _groups(tree, members)
    with pytest.raises(ValidationError) as refused:
        _meet(tree, one, FIFTIETH - dt.timedelta(days=1))
    text = " ".join(refused.value.messages)
    assert "50" in text and "49" in text
    assert "HD 03-HD/TW (2022)" in text and "Sinh hoạt theo tổ đảng" in text
    _meet(tree, one, FIFTIETH)
    _meet(tree, two, FIFTIETH + dt.timedelta(days=1))


def test_group_meeting_sheet_lists_the_group_and_counts_for_attendance(
    tree: dict[str, Org],
) -> None:
    members = _cell_of(tree, 50)
    one, _two = _groups(tree, members)
    meeting = _meet(tree, one, dt.date(2026, 9, 8))
    rows = Attendance.objects.filter(meeting=meeting)
    assert set(rows.values_list("member_id", flat=True)) == {m.pk for m in members[:25]}
    absent = members[0]
    services.attendance_record(
        actor=None,
        meeting=meeting,
        entries=[services.AttendanceEntry(absent.member_code, "unexcused")],
    )
    sheet = selectors.attendance_sheet(meeting)
    assert sheet.summary["expected_total"] == 25
    assert [m.member_code for m in sheet.summary["unexcused"]] == [absent.member_code]
    # A member of the other group is not on this meeting's roster.
    with pytest.raises(ValidationError):
        services.attendance_record(
            actor=None,
            meeting=meeting,
            entries=[services.AttendanceEntry(members[30].member_code, "unexcused")],
        )
    # The absence counts like one at a meeting of the whole cell (early warnings).
    found = {r.member_code: r.as_json() for r in compute(tree["cell_a"], dt.date(2026, 10, 20))}
    assert found[absent.member_code]["inactive_months"] == ["2026-09"]
    present = found.get(members[1].member_code, {"inactive_months": []})
    assert present["inactive_months"] == []


def test_fourth_group_month_refused_year_boundary(tree: dict[str, Org]) -> None:
    members = _cell_of(tree, 50)
    one, two = _groups(tree, members)
    for month in (9, 10, 11):
        _meet(tree, one, dt.date(2025, month, 5))
    _meet(tree, two, dt.date(2025, 11, 6))  # both groups in the 3rd month: still the 3rd time
    for day in (dt.date(2025, 12, 30), dt.date(2025, 12, 31)):
        with pytest.raises(ValidationError) as refused:
            _meet(tree, one, day)
        text = " ".join(refused.value.messages)
        assert "3" in text and "09/2025, 10/2025, 11/2025" in text
        assert "HD 03-HD/TW (2022)" in text
    _meet(tree, one, dt.date(2026, 1, 1))  # a new year
    # The whole cell may still meet as usual.
    services.meeting_create(
        actor=None, org=tree["cell_a"], kind="regular", held_on=dt.date(2025, 12, 31)
    )
    assert services.group_months(tree["cell_a"], 2025) == [
        dt.date(2025, 9, 1),
        dt.date(2025, 10, 1),
        dt.date(2025, 11, 1),
    ]


def test_group_of_another_cell_and_thematic_refused(tree: dict[str, Org]) -> None:
    members = _cell_of(tree, 50)
    one, _two = _groups(tree, members)
    with pytest.raises(ValidationError):
        services.meeting_create(
            actor=None, org=tree["cell_b"], kind="regular", held_on=dt.date(2026, 9, 8), group=one
        )
    with pytest.raises(ValidationError):
        services.meeting_create(
            actor=None,
            org=tree["cell_a"],
            kind="thematic",
            topic="Chuyên đề",
            held_on=dt.date(2026, 9, 8),
            group=one,
        )
    with pytest.raises(ValidationError):
        services.party_group_create(actor=None, org=tree["cell_a"], name="tổ 1")
    other = factories.member(tree["cell_b"], full_name="Người chi bộ khác")
    with pytest.raises(ValidationError):
        services.party_group_set_members(actor=None, group=one, member_codes=[other.member_code])


def test_api_party_groups_and_group_meetings(tree: dict[str, Org]) -> None:
    members = _cell_of(tree, 50)
    api = api_for(factories.user("sec", "cell_secretary", tree["cell_a"]))
    response = api.post("/activity/party-groups", {"org": tree["cell_a"].code, "name": "Tổ 1"})
    assert response.status_code == 201, response.content
    gid = response.json()["id"]
    codes = [m.member_code for m in members[:20]]
    response = _put(api, f"/activity/party-groups/{gid}/members", {"member_codes": codes})
    assert response.status_code == 200, response.content
    assert len(response.json()["members"]) == 20
    listed = api.get("/activity/party-groups", org=tree["cell_a"].code).json()
    assert [g["name"] for g in listed] == ["Tổ 1"]

    def meet(day: str) -> object:
        return api.post(
            "/activity/meetings",
            {"org": tree["cell_a"].code, "kind": "regular", "held_on": day, "group_id": gid},
        )

    refused = meet("2025-06-09")  # the day before the 50th member
    assert refused.status_code == 422
    assert "HD 03-HD/TW (2022)" in refused.content.decode()
    for day in ("2025-06-10", "2025-07-11", "2025-08-11"):
        ok = meet(day)
        assert ok.status_code == 201, ok.content
        assert ok.json()["group_name"] == "Tổ 1"
    fourth = meet("2025-12-31")
    assert fourth.status_code == 422
    assert "06/2025, 07/2025, 08/2025" in fourth.content.decode()
    assert meet("2026-01-01").status_code == 201
    sheet = api.get(f"/activity/meetings/{Meeting.objects.get(held_on=dt.date(2026, 1, 1)).pk}")
    assert len(sheet.json()["attendance"]) == 20
    outsider = api_for(factories.user("out", "cell_secretary", tree["school"]))
    assert (
        _put(outsider, f"/activity/party-groups/{gid}/members", {"member_codes": []}).status_code
        == 404
    )


def test_pages_groups_and_meeting_form(tree: dict[str, Org]) -> None:
    from django.test import Client

    members = _cell_of(tree, 50)
    client = Client()
    client.force_login(factories.user("sec", "cell_secretary", tree["cell_a"]))
    url = f"/activity/party-groups/?org={tree['cell_a'].code}"
    assert client.post(url, {"action": "create", "name": "Tổ 1"}).status_code == 302
    assert client.post(url, {"action": "create", "name": "Tổ 2"}).status_code == 302
    one, two = PartyGroup.objects.order_by("name")
    assign = {"action": "assign"}
    for i, m in enumerate(members):
        assign[f"group-{m.member_code}"] = str(one.pk if i < 30 else two.pk)
    assert client.post(url, assign).status_code == 302
    assert one.links.count() == 30 and two.links.count() == 20
    page = client.get(url).content.decode()
    assert "HD 03-HD/TW (2022)" in page and "Tổ 1" in page
    form = client.get(f"/activity/meetings/new/?org={tree['cell_a'].code}").content.decode()
    assert 'name="group"' in form and "Họp theo tổ đảng" in form
    new = f"/activity/meetings/new/?org={tree['cell_a'].code}"
    day_before = {"kind": "regular", "held_on": "09/06/2025", "group": str(two.pk)}
    refused = client.post(new, day_before)
    assert refused.status_code == 200
    assert "HD 03-HD/TW (2022)" in refused.content.decode()
    assert not Meeting.objects.exists()
    response = client.post(new, {**day_before, "held_on": "10/06/2025"})
    assert response.status_code == 302
    made = Meeting.objects.get()
    assert made.group == two and made.attendance.count() == 20
    # A cell without groups: no group choice on the form.
    client.force_login(factories.user("sec_b", "cell_secretary", tree["cell_b"]))
    form_b = client.get(f"/activity/meetings/new/?org={tree['cell_b'].code}").content.decode()
    assert 'name="group"' not in form_b
