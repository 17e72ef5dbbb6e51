"""The working-day calendar: the government's swaps on top of the holidays library (issue 20, item 4).

Seeded for 2025 and 2026 (migration core/0008): Saturday 26/04/2025 worked for Friday
02/05/2025; Friday 02/01/2026 off for Saturday 10/01/2026; Monday 31/08/2026 off for Saturday
22/08/2026; Tuesday 24/11/2026 a working day (the library lists it; not official). Each
adjustment is tested the day before, the day of and the day after, through the arithmetic,
an admission deadline, the service, the API and the page.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from chibo.accounts.tokens import token_create
from chibo.admissions import checks
from chibo.core import calendar
from chibo.core.models import AuditEntry, CalendarAdjustment
from chibo.core.roles import Role
from chibo.lib.workdays import add_working_days, is_working_day, library_working_day
from tests import factories as f

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture(autouse=True)
def _fresh_throttles() -> None:
    cache.clear()


def test_thirty_working_days_after_10_april_2025_is_26_may() -> None:
    assert add_working_days(D(2025, 4, 10), 30) == D(2025, 5, 26)  # the library alone: 27/05


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        # Saturday 26/04/2025 worked (make-up for Friday 02/05/2025)
        (D(2025, 4, 24), 1, D(2025, 4, 25)),  # the day before it
        (D(2025, 4, 25), 1, D(2025, 4, 26)),  # the next working day is the Saturday itself
        (D(2025, 4, 26), 1, D(2025, 4, 28)),  # the day after
        # Friday 02/05/2025 off
        (D(2025, 4, 29), 1, D(2025, 5, 5)),  # 30/4, 1/5 holidays, 2/5 swapped, weekend
        (D(2025, 5, 1), 1, D(2025, 5, 5)),
        (D(2025, 5, 2), 1, D(2025, 5, 5)),
        # Friday 02/01/2026 off, Saturday 10/01/2026 worked
        (D(2025, 12, 31), 1, D(2026, 1, 5)),
        (D(2026, 1, 9), 1, D(2026, 1, 10)),
        (D(2026, 1, 10), 1, D(2026, 1, 12)),
        # Saturday 22/08/2026 worked, Monday 31/08/2026 off
        (D(2026, 8, 21), 1, D(2026, 8, 22)),
        (D(2026, 8, 22), 1, D(2026, 8, 24)),
        (D(2026, 8, 28), 1, D(2026, 9, 3)),  # 31/8 swapped, 1–2/9 National Day
        # Tuesday 24/11/2026: a working day (not official as a holiday)
        (D(2026, 11, 23), 1, D(2026, 11, 24)),
        (D(2026, 11, 24), 1, D(2026, 11, 25)),
    ],
)
def test_deadlines_across_each_adjustment(start: dt.date, days: int, expected: dt.date) -> None:
    assert add_working_days(start, days) == expected


def test_each_seeded_adjustment_differs_from_or_confirms_the_library() -> None:
    rows = {row.day: row for row in CalendarAdjustment.objects.all()}
    assert set(rows) >= {
        D(2025, 4, 26),
        D(2025, 5, 2),
        D(2026, 1, 2),
        D(2026, 1, 10),
        D(2026, 8, 22),
        D(2026, 8, 31),
        D(2026, 11, 24),
    }
    for day, row in rows.items():
        assert row.source and row.confidence in "HML" and is_working_day(day) == row.working
    # What the library says without them: the Saturdays are off, 24/11/2026 and 31/08/2026
    # holidays, 02/01/2026 a working day.
    assert not library_working_day(D(2025, 4, 26)) and not library_working_day(D(2026, 11, 24))
    assert library_working_day(D(2026, 1, 2)) and not library_working_day(D(2026, 8, 31))
    assert rows[D(2026, 11, 24)].confidence == "L"


def test_an_admission_deadline_follows_the_calendar() -> None:
    """The ceremony's 30 working days from a decision received on 10/04/2025."""
    assert checks.deadline("admission.ceremony_working_days", D(2025, 4, 10)) == D(2025, 5, 26)
    # The recognition vote 30 working days after probation ended on 30/12/2025: 2/1 off, 10/1 worked.
    assert checks.deadline("recognition.vote_working_days", D(2025, 12, 30)) == add_working_days(
        D(2025, 12, 30), 30
    )
    assert not is_working_day(D(2026, 1, 2)) and is_working_day(D(2026, 1, 10))


def test_the_city_office_changes_the_calendar_and_it_is_audited(tree: dict) -> None:
    office = f.user("office", Role.CITY_OFFICE, tree["city"])
    sec = f.user("sec", Role.CELL_SECRETARY, tree["cell_a"])
    staff = f.user("uni", Role.GRASSROOTS_STAFF, tree["uni"])
    day = D(2026, 11, 24)
    for outsider in (sec, staff):
        with pytest.raises(PermissionDenied):
            calendar.calendar_adjustment_save(
                actor=outsider, day=day, working=False, name="x", source="y", confidence="H"
            )
    assert add_working_days(D(2026, 11, 23), 1) == D(2026, 11, 24)
    calendar.calendar_adjustment_save(
        actor=office,
        day=day,
        working=False,
        name="Ngày Văn hóa Việt Nam",
        source="Bộ luật Lao động (sửa đổi), Điều 112",
        confidence="H",
    )
    assert add_working_days(D(2026, 11, 23), 1) == D(2026, 11, 25)  # at once
    entry = AuditEntry.objects.filter(action="core.calendar_set", object_id="2026-11-24").get()
    assert entry.data["before"]["working"] is True and entry.data["after"]["working"] is False
    assert entry.actor_id == office.pk
    with pytest.raises(ValidationError) as err:
        calendar.calendar_adjustment_save(
            actor=office, day=D(2027, 1, 2), working=True, name="", source="", confidence="X"
        )
    assert set(err.value.error_dict) == {"name", "source", "confidence"}
    calendar.calendar_adjustment_delete(actor=office, day=D(2025, 4, 26))
    assert add_working_days(D(2025, 4, 10), 30) == D(2025, 5, 27)  # the library decides again
    assert AuditEntry.objects.filter(action="core.calendar_delete").count() == 1
    with pytest.raises(CalendarAdjustment.DoesNotExist):
        calendar.calendar_adjustment_delete(actor=office, day=D(2025, 4, 26))


class Api:
    def __init__(self, user) -> None:
        _t, raw = token_create(actor=None, user=user)
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {raw}"}

    def call(self, method: str, path: str, body: dict | None = None, **params):
        url = f"/api/v1/calendar{path}"
        if method == "get":
            return self.client.get(url, params, headers=self.headers)
        return getattr(self.client, method)(
            url, body, content_type="application/json", headers=self.headers
        )


def test_the_calendar_through_the_api(tree: dict) -> None:
    office = Api(f.user("office", Role.CITY_OFFICE, tree["city"]))
    sec = Api(f.user("sec", Role.CELL_SECRETARY, tree["cell_a"]))
    for start, expected in [("2025-04-09", "2025-05-23"), ("2025-04-10", "2025-05-26")]:
        r = sec.call("get", "/working-days", start=start, days=30)
        assert r.status_code == 200 and r.json()["date"] == expected
    year = sec.call("get", "", year=2025).json()
    assert {a["date"]: a["working"] for a in year["adjustments"]} == {
        "2025-04-26": True,
        "2025-05-02": False,
    }
    off = {d["date"]: d for d in year["days_off"]}
    assert off["2025-05-02"]["adjusted"] and "2025-04-26" not in off and "2025-09-02" in off
    body = {"working": False, "name": "Nghỉ bù", "source": "TB 1/TB-BNV", "confidence": "H"}
    assert sec.call("put", "/2027-01-04", body).status_code == 403
    r = office.call("put", "/2027-01-04", body)
    assert r.status_code == 200 and r.json()["date"] == "2027-01-04"
    assert (
        sec.call("get", "/working-days", start="2027-01-01", days=1).json()["date"] == "2027-01-05"
    )
    assert office.call("put", "/2027-01-05", {**body, "source": ""}).status_code == 422
    assert sec.call("delete", "/2027-01-04").status_code == 403
    assert office.call("delete", "/2027-01-04").status_code == 200
    gone = office.call("delete", "/2027-01-04")  # nothing recorded that day: not found
    assert gone.status_code == 404
    assert gone.json()["error"] == {
        "code": "not_found",
        "message": "Chưa có điều chỉnh nào cho ngày 04/01/2027.",
    }
    assert (
        sec.call("get", "/working-days", start="2027-01-01", days=1).json()["date"] == "2027-01-04"
    )


def test_the_calendar_page(tree: dict) -> None:
    office = Client()
    office.force_login(f.user("office", Role.CITY_OFFICE, tree["city"]))
    sec = Client()
    sec.force_login(f.user("sec", Role.CELL_SECRETARY, tree["cell_a"]))
    page = sec.get("/calendar/?year=2025").content.decode()
    assert "26/04/2025" in page and "TB 6150/TB-LĐTBXH" in page and "Lưu" not in page
    assert sec.post("/calendar/", {"day": "04/01/2027"}).status_code == 403
    page = office.get("/calendar/?year=2026").content.decode()
    assert "24/11/2026" in page and 'name="source"' in page
    r = office.post(
        "/calendar/",
        {
            "day": "04/01/2027",
            "working": "0",
            "name": "Nghỉ bù Tết Dương lịch",
            "source": "TB 1/TB-BNV",
            "confidence": "H",
            "year": "2026",
        },
    )
    assert r.status_code == 302 and r["Location"].endswith("?year=2027")
    assert not is_working_day(D(2027, 1, 4))
    r = office.post("/calendar/", {"day": "31/02/2027", "name": "x", "year": "2027"})
    assert r.status_code == 200 and "field-error" in r.content.decode()
    r = office.post("/calendar/", {"delete": "2027-01-04", "year": "2027"})
    assert r.status_code == 302 and is_working_day(D(2027, 1, 4))
    again = office.post("/calendar/", {"delete": "2027-01-04", "year": "2027"}, follow=True)
    assert "Chưa có điều chỉnh nào cho ngày 04/01/2027." in again.content.decode()


def test_the_calendar_api_says_its_bounds_in_the_request_language(tree: dict) -> None:
    """Issue 18 ("every error message is translated"): no bare "2000 … 2100" ranges."""
    sec = Api(f.user("sec", Role.CELL_SECRETARY, tree["cell_a"]))
    for params, field, said in [
        ({"year": 1999}, "year", "2000"),
        ({"year": 2101}, "year", "2100"),
    ]:
        r = sec.call("get", "", **params)
        assert r.status_code == 422
        message = " ".join(r.json()["error"]["fields"][field])
        assert said in message and "…" not in message and message[0].isalpha(), message
    r = sec.call("get", "/working-days", start="2025-01-01", days=1001)
    assert r.status_code == 422 and "…" not in str(r.json())
    r = sec.call("get", "/working-days", start="1999-12-31", days=1)
    assert r.json()["error"]["fields"]["start"] == ["Nhập ngày từ 2000-01-01 đến 2100-12-31."]
