"""Party seniority (issue 20, item 12): from the admission decision's date, less the time out of
the Party; shown on the record, in the API and the export; the dues exemption at 50 years
from the month it is reached; the year's "Huy hiệu Đảng" milestones.

Admitted 10/03/1976: 49 years on 09/03/2026, 50 on 10/03/2026. Re-admitted: first admitted
01/06/1970, out 01/01/1980–31/12/1981 (731 days), re-admitted 01/01/1982: 50 years on
02/06/2022, not 01/06/2020.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from chibo.activity import dues_plausible, tracking
from chibo.core.roles import Role
from chibo.lib.dates import add_months
from chibo.members import services
from chibo.members.seniority import Seniority, exempt_for_seniority, seniority_of
from tests import factories as f
from tests.api.conftest import api_for

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture(autouse=True)
def _fresh_throttles() -> None:
    cache.clear()


@pytest.fixture
def users(tree: dict) -> dict[str, Any]:
    return {
        "sec": f.user("sec", Role.CELL_SECRETARY, tree["cell_a"]),
        "uni": f.user("uni", Role.GRASSROOTS_STAFF, tree["uni"]),
    }


def past(users: dict, tree: dict, code: str, admitted: dt.date, **extra: Any) -> Any:
    return services.member_record_past_admission(
        actor=users["uni"],
        org=tree["cell_a"],
        identity=services.Identity(
            member_code=code,
            full_name=extra.pop("full_name", f"Lão thành {code}"),
            date_of_birth=D(1950, 5, 1),
            gender="male",
            category="other",
        ),
        admitted_on=admitted,
        decision_number="1-QĐ/HU",
        deciding_body="Ban Thường vụ Huyện ủy",
        recognition_decided_on=add_months(admitted, 12),
        **extra,
    )


@pytest.mark.parametrize(
    ("on", "years"), [(D(2026, 3, 9), 49), (D(2026, 3, 10), 50), (D(2026, 3, 11), 50)]
)
def test_from_the_admission_decision(users, tree, on: dt.date, years: int) -> None:
    member = past(users, tree, "LT1", D(1976, 3, 10))
    s = seniority_of(member)
    assert s == Seniority(D(1976, 3, 10), 0)
    assert s.reached_on(50) == D(2026, 3, 10)
    assert s.years_on(on) == years


@pytest.mark.parametrize(
    ("on", "years"), [(D(2022, 6, 1), 49), (D(2022, 6, 2), 50), (D(2022, 6, 3), 50)]
)
def test_time_out_of_the_party_does_not_count(users, tree, on: dt.date, years: int) -> None:
    member = past(
        users,
        tree,
        "LT2",
        D(1982, 1, 1),
        first_admitted_on=D(1970, 6, 1),
        out_periods=[(D(1980, 1, 1), D(1981, 12, 31))],
    )
    s = seniority_of(member)
    assert (s.since, s.out_days) == (D(1970, 6, 1), 731)
    assert s.reached_on(50) == D(2022, 6, 2)
    assert s.years_on(on) == years


def test_a_probationary_member_has_none_yet(tree) -> None:
    member = f.member(tree["cell_a"], admitted_on=D(2026, 1, 5))
    assert seniority_of(member) is None


def test_the_periods_out_are_checked(users, tree) -> None:
    with pytest.raises(ValidationError) as exc:
        past(users, tree, "LT3", D(1982, 1, 1), first_admitted_on=D(1983, 1, 1))
    assert "first_admitted_on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        past(
            users,
            tree,
            "LT3",
            D(1982, 1, 1),
            first_admitted_on=D(1970, 6, 1),
            out_periods=[(D(1980, 1, 1), D(1979, 1, 1))],
        )
    assert "out_periods" in exc.value.message_dict


def test_on_the_record_in_the_api_and_the_export(users, tree) -> None:
    past(
        users,
        tree,
        "LT2",
        D(1982, 1, 1),
        first_admitted_on=D(1970, 6, 1),
        out_periods=[(D(1980, 1, 1), D(1981, 12, 31))],
    )
    today = timezone.localdate()
    months = Seniority(D(1970, 6, 1), 731).months_on(today)
    api = api_for(users["sec"])
    body = api.get("/members/LT2").json()
    assert body["party_seniority"] == {
        "since": "1970-06-01",
        "out_days": 731,
        "years": months // 12,
        "months": months % 12,
        "as_of": today.isoformat(),
    }
    client = Client()
    client.force_login(users["sec"])
    html = client.get("/members/LT2/").content.decode()
    assert f"{months // 12} năm {months % 12} tháng (từ 01/06/1970)" in html
    assert "731 ngày" in html
    # Through the API's past admission too, the periods given as {from, to}.
    uni = api_for(users["uni"])
    r = uni.post(
        "/members/past-admissions",
        {
            "org": "BK-SV1",
            "member_code": "LT4",
            "full_name": "Lão thành Bốn",
            "date_of_birth": "1950-05-01",
            "gender": "male",
            "category": "other",
            "admitted_on": "1982-01-01",
            "decision_number": "2-QĐ/HU",
            "deciding_body": "Ban Thường vụ Huyện ủy",
            "first_admitted_on": "1970-06-01",
            "out_periods": [{"from": "1980-01-01", "to": "1981-12-31"}],
        },
    )
    assert r.status_code == 201, r.content
    assert r.json()["party_seniority"] is None  # probationary until recognized
    # The export: whole years on the export's day.
    from chibo.interchange.export import member_rows

    rows = {row[0]: row for row in member_rows(users["uni"], None, as_text=True, codes=[])}
    assert rows["LT2"][-1] == months // 12
    assert rows["LT4"][-1] == ""


@pytest.mark.parametrize(
    ("month", "exempt"),
    [(D(2026, 2, 1), False), (D(2026, 3, 1), True), (D(2026, 4, 1), True)],
)
def test_dues_exempt_from_the_month_fifty_years_are_reached(
    users, tree, month: dt.date, exempt: bool
) -> None:
    member = past(users, tree, "LT1", D(1976, 3, 10))
    s = seniority_of(member)
    assert exempt_for_seniority(s, month) is exempt
    known = dues_plausible.known_for([member.pk])
    assert dues_plausible.expectation(member, month, known).exempt is exempt


def test_no_exemption_before_qd_01() -> None:
    # 50 years reached in 2025: QĐ 01-QĐ/TW (3/2/2026) is not in force for January 2026.
    s = Seniority(D(1975, 5, 1), 0)
    assert exempt_for_seniority(s, D(2026, 1, 1)) is False
    assert exempt_for_seniority(s, D(2026, 3, 1)) is True


def test_the_dues_grid_counts_no_arrears_once_exempt(users, tree) -> None:
    past(users, tree, "LT1", D(1976, 3, 10))
    tracking.tracking_set(actor=None, org=tree["cell_a"], set_on=D(2026, 1, 1))
    api = api_for(users["sec"])
    rows = api.get("/activity/dues", org="BK-SV1", year=2026).json()["members"]
    arrears = next(r for r in rows if r["member_code"] == "LT1")["arrears"]
    assert len(arrears) == 2  # January and February only


def test_huy_hieu_milestones_of_a_year(users, tree) -> None:
    past(users, tree, "LT1", D(1976, 3, 10))  # 50 years in 2026
    past(users, tree, "LT5", D(1986, 12, 31), full_name="Lão thành Năm")  # 40 in 2026
    past(users, tree, "LT6", D(1987, 1, 1), full_name="Lão thành Sáu")  # 40 in 2027
    past(
        users,
        tree,
        "LT2",
        D(1982, 1, 1),
        first_admitted_on=D(1970, 6, 1),
        out_periods=[(D(1980, 1, 1), D(1981, 12, 31))],
    )  # 55 on 02/06/2027
    api = api_for(users["uni"])
    y2026 = api.get("/members/party-badges", year=2026).json()
    assert [(i["member_code"], i["years"], i["reached_on"]) for i in y2026["items"]] == [
        ("LT1", 50, "2026-03-10"),
        ("LT5", 40, "2026-12-31"),
    ]
    assert "HD 56-HD/VPTW" in y2026["rule"]
    y2027 = api.get("/members/party-badges", year=2027, org="BK-SV1").json()
    assert [(i["member_code"], i["years"], i["reached_on"]) for i in y2027["items"]] == [
        ("LT6", 40, "2027-01-01"),
        ("LT2", 55, "2027-06-02"),
    ]
    client = Client()
    client.force_login(users["uni"])
    page = client.get("/members/party-badges/?year=2026").content.decode()
    assert 'id="badges"' in page and "LT1" in page and "50 năm" in page and "LT6" not in page
    assert json.dumps(y2026)  # serializable
