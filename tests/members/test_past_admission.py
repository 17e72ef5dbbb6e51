"""Direct admission no longer bypasses the admission path (issue 20, item 2).

An admission made now goes through the path (its decision needs ``admission.decide``);
``POST /api/v1/members`` and ``/members/admit/`` only point there. An admission made
before chibo is a separate, explicit action (``member_record_past_admission``,
``POST /api/v1/members/past-admissions``, ``/members/past-admission/``): decision number,
date and deciding body required, the age and probation rules of that date, ``admission.decide``,
flagged historical, audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from chibo.accounts.tokens import token_create
from chibo.core.models import AuditEntry
from chibo.core.roles import Role
from chibo.lib.dates import add_months
from chibo.members import services
from chibo.members.models import EventKind, Member
from chibo.reports import figures
from tests import factories as f

pytestmark = pytest.mark.django_db
DECIDED = dt.date(2019, 6, 10)  # under QĐ 29-QĐ/TW (2016)


@pytest.fixture(autouse=True)
def _fresh_throttles() -> None:
    cache.clear()


@pytest.fixture
def users(tree: dict) -> dict[str, Any]:
    return {
        "sec": f.user("sec", Role.CELL_SECRETARY, tree["cell_a"]),
        "uni": f.user("uni", Role.GRASSROOTS_STAFF, tree["uni"]),
        "viewer": f.user("viewer", Role.VIEWER, tree["uni"]),
    }


def identity(code: str = "DV-CU", dob: dt.date = dt.date(1990, 3, 4), **extra: Any) -> Any:
    return services.Identity(
        member_code=code,
        full_name=extra.pop("full_name", "Phan Văn Cũ"),
        date_of_birth=dob,
        gender="male",
        category=extra.pop("category", "lecturer"),
        **extra,
    )


def record(actor: Any, tree: dict, **over: Any) -> Member:
    args: dict[str, Any] = {
        "actor": actor,
        "org": tree["cell_a"],
        "identity": identity(),
        "admitted_on": DECIDED,
        "decision_number": "123-QĐ/ĐU",
        "deciding_body": "Ban Thường vụ Đảng ủy Khối",
    }
    args.update(over)
    return services.member_record_past_admission(**args)


def test_a_committee_user_records_a_past_admission_flagged_and_audited(tree, users) -> None:
    member = record(users["uni"], tree, recognition_decided_on=dt.date(2020, 6, 20))
    admitted = member.events.get(kind=EventKind.ADMITTED)
    assert admitted.data["historical"] is True
    assert (admitted.decision_number, admitted.issuing_body) == (
        "123-QĐ/ĐU",
        "Ban Thường vụ Đảng ủy Khối",
    )
    assert member.is_full and member.recognized_on == dt.date(2020, 6, 10)  # probation's end
    entry = AuditEntry.objects.get(action="members.past_admission", object_id="DV-CU")
    assert entry.data["historical"] is True and entry.actor_id == users["uni"].pk


def test_it_needs_admission_decide_and_the_decision(tree, users) -> None:
    for who in ("sec", "viewer"):
        with pytest.raises(PermissionDenied):
            record(users[who], tree)
    with pytest.raises(ValidationError) as err:
        record(users["uni"], tree, decision_number=" ", deciding_body="")
    assert set(err.value.error_dict) == {"decision_number", "deciding_body"}
    assert not Member.objects.filter(member_code="DV-CU").exists()


@pytest.mark.parametrize(
    ("born", "accepted"),
    [
        (add_months(DECIDED, -216) + dt.timedelta(days=1), False),  # 18 years less a day
        (add_months(DECIDED, -216), True),  # 18 years to the day
        (add_months(DECIDED, -216) - dt.timedelta(days=1), True),  # 18 years and a day
    ],
)
def test_the_age_rule_of_the_decisions_date(tree, users, born: dt.date, accepted: bool) -> None:
    who = identity(dob=born, category="student", full_name="Lê Thị Trẻ")
    if accepted:
        assert record(users["uni"], tree, identity=who).admitted_on == DECIDED
        return
    with pytest.raises(ValidationError) as err:
        record(users["uni"], tree, identity=who)
    message = " ".join(err.value.messages)
    assert "18" in message and "Điều lệ Đảng" in message and "date_of_birth" in err.value.error_dict


@pytest.mark.parametrize(
    ("born", "approval", "accepted"),
    [
        (add_months(DECIDED, -720), "", True),  # 60 years to the day
        (add_months(DECIDED, -721), "", False),  # 60 years and a month
        (add_months(DECIDED, -721), "45-CV/TU (Thành ủy chấp thuận)", True),
    ],
)
def test_over_60_needs_the_provincial_committees_approval(
    tree, users, born: dt.date, approval: str, accepted: bool
) -> None:
    who = identity(dob=born, category="other", full_name="Trần Văn Lão")
    if not accepted:
        with pytest.raises(ValidationError) as err:
            record(users["uni"], tree, identity=who, over_age_approval=approval)
        assert "QĐ 29-QĐ/TW" in " ".join(err.value.messages)
        return
    member = record(users["uni"], tree, identity=who, over_age_approval=approval)
    if approval:
        assert member.events.get(kind=EventKind.ADMITTED).data["over_age_approval"] == approval


@pytest.mark.parametrize(
    ("decided", "accepted"),
    [(dt.date(2020, 6, 9), False), (dt.date(2020, 6, 10), True), (dt.date(2020, 6, 11), True)],
)
def test_the_probation_rule_of_that_date(tree, users, decided: dt.date, accepted: bool) -> None:
    """Ceremony 10/06/2019: probation (12 months) ends 10/06/2020."""
    if accepted:
        member = record(users["uni"], tree, recognition_decided_on=decided)
        assert member.recognized_on == dt.date(2020, 6, 10)
        return
    with pytest.raises(ValidationError) as err:
        record(users["uni"], tree, recognition_decided_on=decided)
    assert "10/06/2020" in " ".join(err.value.messages)
    assert not Member.objects.filter(member_code="DV-CU").exists()


class Api:
    def __init__(self, user: Any) -> None:
        _t, raw = token_create(actor=None, user=user)
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {raw}"}

    def post(self, path: str, body: dict) -> Any:
        return self.client.post(
            f"/api/v1/members{path}", body, content_type="application/json", headers=self.headers
        )

    def get(self, path: str) -> Any:
        return self.client.get(f"/api/v1/members{path}", headers=self.headers)


BODY = {
    "org": "BK-SV1",
    "member_code": "DV-NEW",
    "full_name": "Lê Thị Mới",
    "date_of_birth": "2007-06-02",  # 17 on the day of the decision below
    "gender": "female",
    "category": "student",
    "admitted_on": "2025-05-19",
    "decision_number": "9-QĐ/ĐU",
}


def test_post_members_no_longer_admits(tree, users) -> None:
    """A 17-year-old admitted by a cell secretary with member.change: the gap the issue found."""
    r = Api(users["sec"]).post("", BODY)
    assert r.status_code == 403 and "/api/v1/candidates" in r.json()["error"]["message"]
    r = Api(users["uni"]).post("", {**BODY, "date_of_birth": "2000-01-01"})
    assert r.status_code == 422 and "past-admissions" in r.json()["error"]["message"]
    assert not Member.objects.filter(member_code="DV-NEW").exists()


def test_past_admissions_through_the_api(tree, users) -> None:
    body = {**BODY, "deciding_body": "Đảng ủy Khối ĐH-CĐ"}
    assert Api(users["sec"]).post("/past-admissions", body).status_code == 403
    assert Api(users["viewer"]).post("/past-admissions", body).status_code == 403
    young = Api(users["uni"]).post("/past-admissions", body)
    assert young.status_code == 422 and "date_of_birth" in young.json()["error"]["fields"]
    assert "QĐ 232-QĐ/TW" in young.json()["error"]["message"]  # the rule of 19/05/2025
    missing = Api(users["uni"]).post(
        "/past-admissions", {**body, "date_of_birth": "2000-01-01", "deciding_body": ""}
    )
    assert missing.status_code == 422 and "deciding_body" in missing.json()["error"]["fields"]
    ok = Api(users["uni"]).post("/past-admissions", {**body, "date_of_birth": "2000-01-01"})
    assert ok.status_code == 201, ok.json()
    assert ok.json()["admission_historical"] is True and ok.json()["standing"] == "probationary"
    assert Api(users["sec"]).get("/DV-NEW").json()["admission_historical"] is True


def test_reports_count_the_admissions_entered_afterwards(tree, users) -> None:
    record(users["uni"], tree, admitted_on=dt.date(2025, 3, 3))
    f.member(tree["cell_a"], code="DV-PATH", admitted_on=dt.date(2025, 3, 4))  # the path's way
    report = figures.admissions(tree["city"], dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert report.counts.total == 2  # both counted; the flag tells them apart on the event
    flagged = Member.objects.filter(events__kind="admitted", events__data__historical=True)
    assert list(flagged.values_list("member_code", flat=True)) == ["DV-CU"]


def test_the_pages(tree, users) -> None:
    sec, uni = Client(), Client()
    sec.force_login(users["sec"])
    uni.force_login(users["uni"])
    page = sec.get("/members/admit/").content.decode()
    assert "/admissions/new/" in page and "/members/past-admission/" not in page
    assert 'name="admitted_on"' not in page  # no admission form any more
    assert sec.post("/members/admit/", {}).status_code == 405
    assert sec.get("/members/past-admission/").status_code == 403
    assert "/members/past-admission/" in uni.get("/members/admit/").content.decode()
    form = uni.get("/members/past-admission/").content.decode()
    assert 'name="deciding_body"' in form and 'name="decision_number"' in form
    r = uni.post(
        "/members/past-admission/",
        {
            "org": "BK-SV1",
            "member_code": "DV-WEB",
            "full_name": "Hồ Thị Xưa",
            "date_of_birth": "02/03/1988",
            "gender": "female",
            "category": "teacher",
            "ethnicity": "Kinh",
            "admitted_on": "15/09/2012",
            "decision_number": "77-QĐ/QU",
            "deciding_body": "Ban Thường vụ Quận ủy",
            "recognition_decided_on": "01/10/2013",
        },
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    member = Member.objects.get(member_code="DV-WEB")
    assert member.is_full and member.events.get(kind=EventKind.ADMITTED).data["historical"]


# --- the importer: the main "historical" path -----------------------------------------------


@pytest.mark.parametrize(
    ("born", "ok"),
    [("02/03/2004", False), ("01/03/2004", True), ("29/02/2004", True)],  # 18 on 01/03/2022
)
def test_imported_members_are_flagged_and_held_to_the_age_rule_of_their_admission(
    tree, users, tmp_path, born: str, ok: bool
) -> None:
    from chibo.interchange.services import import_file
    from tests.interchange.helpers import MEMBER_HEADER, member_row, write_xlsx

    path = write_xlsx(tmp_path / "m.xlsx", MEMBER_HEADER, [member_row("IM1", ngay_sinh=born)])
    result = import_file(actor=users["uni"], kind="members", path=path)
    assert result.ok is ok, [p.line() for p in result.problems]
    if not ok:
        text = " ".join(p.line() for p in result.problems)
        assert "ngay_sinh" in text and "18" in text and "QĐ 24-QĐ/TW" in text
        assert not Member.objects.filter(member_code="IM1").exists()
        return
    member = Member.objects.get(member_code="IM1")
    assert member.events.get(kind=EventKind.ADMITTED).data["historical"] is True
    report = figures.admissions(tree["city"], dt.date(2022, 1, 1), dt.date(2022, 12, 31))
    assert report.counts.total == 1
