"""Graduating students (issue 20, item 11): 12 months on the school's rolls, the list, and the
one-click start of the transfer to the place of residence.

Rule ``transfer.student_keep_months`` = 12 (HD 01-HD/TW 2012, M). Graduation 30/06/2025:
may stay through 30/06/2026, listed as ending from 30/04/2026, overdue from 01/07/2026.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from chibo.activity import services, transfers
from chibo.core.models import AuditEntry
from chibo.core.roles import Role
from chibo.members.models import Category, EventKind, Status
from tests import factories as f
from tests.api.conftest import api_for

D = dt.date
GRADUATION = D(2025, 6, 30)


@pytest.fixture
def grads(tree: dict) -> dict:
    def student(code: str, graduation: dt.date | None = GRADUATION) -> object:
        m = f.member(tree["cell_a"], code=code, full_name=f"Sinh viên {code}")
        m.expected_graduation = graduation
        m.save(update_fields=["expected_graduation"])
        return m

    return {
        "sv1": student("SV1"),
        "sv2": student("SV2"),
        "sv3": student("SV3"),
        "late": student("SV-LATE", D(2026, 6, 30)),
        "next": student("SV-NEXT", timezone.localdate() + dt.timedelta(days=60)),
        "lecturer": f.member(
            tree["cell_b"], code="GV1", category=Category.LECTURER, full_name="Giảng viên"
        ),
        "sec": f.user("sec", Role.CELL_SECRETARY, tree["cell_a"]),
        "viewer": f.user("viewer", Role.VIEWER, tree["uni"]),
        "tree": tree,
    }


@pytest.mark.parametrize(
    ("today", "state"),
    [
        (D(2025, 6, 29), "upcoming"),  # the day before graduation
        (D(2025, 6, 30), "may_stay"),  # graduation day
        (D(2026, 4, 29), "may_stay"),  # the day before the warning
        (D(2026, 4, 30), "ending"),  # two months before the last day
        (D(2026, 6, 30), "ending"),  # the last day (12 months)
        (D(2026, 7, 1), "overdue"),  # the day after
    ],
)
def test_the_twelve_months_at_their_boundaries(grads: dict, today: dt.date, state: str) -> None:
    listed = transfers.graduating(grads["sec"], grads["tree"]["cell_a"], as_of=today)
    g = next(g for g in listed if g.member.member_code == "SV1")
    assert g.keep_until == D(2026, 6, 30)
    assert g.warn_from == D(2026, 4, 30)
    assert g.rule.key == "transfer.student_keep_months" and g.rule.value == 12
    assert g.state(today) == state


def test_the_list_of_those_whose_months_are_ending(grads: dict) -> None:
    uni = grads["tree"]["cell_a"]
    ending = transfers.graduating(grads["sec"], uni, as_of=D(2026, 5, 15), state="ending")
    assert [g.member.member_code for g in ending] == ["SV1", "SV2", "SV3"]
    # SV-LATE graduates 30/06/2026: within six months, not graduated yet.
    upcoming = transfers.graduating(grads["sec"], uni, as_of=D(2026, 5, 15), state="upcoming")
    assert [g.member.member_code for g in upcoming] == ["SV-LATE"]


@pytest.mark.parametrize(
    ("day", "accepted"),
    [(D(2025, 6, 29), False), (D(2025, 6, 30), True), (D(2025, 7, 1), True)],
)
def test_the_transfer_starts_from_graduation_through_the_service(
    grads: dict, day: dt.date, accepted: bool
) -> None:
    member = grads["sv1"]
    if not accepted:
        with pytest.raises(ValidationError) as exc:
            services.graduate_transfer_start(
                actor=grads["sec"],
                member=member,
                effective_date=day,
                destination="Đảng ủy phường X",
            )
        text = " ".join(exc.value.messages)
        assert "30/06/2025" in text and "HD 01-HD/TW" in text
        member.refresh_from_db()
        assert member.status == Status.ACTIVE
        return
    event = services.graduate_transfer_start(
        actor=grads["sec"], member=member, effective_date=day, destination="Đảng ủy phường X"
    )
    member.refresh_from_db()
    assert member.status == Status.TRANSFERRED_OUT
    assert event.kind == EventKind.TRANSFER_OUT
    assert event.data["grounds"] == "graduation"
    assert event.data["grounds_on"] == "2025-06-30"
    assert "30/06/2026" in event.note  # the last day the school could keep the member
    assert AuditEntry.objects.filter(object_id="SV1", action__contains="transfer_out").exists()


def test_only_a_student_with_a_graduation_date(grads: dict) -> None:
    with pytest.raises(ValidationError) as exc:
        services.graduate_transfer_start(
            actor=None, member=grads["lecturer"], effective_date=D(2025, 7, 1), destination="X"
        )
    assert "grounds" in exc.value.message_dict


@pytest.mark.parametrize(
    ("day", "status"), [("2025-06-29", 422), ("2025-06-30", 201), ("2025-07-01", 201)]
)
def test_the_transfer_through_the_api(grads: dict, day: str, status: int) -> None:
    api = api_for(grads["sec"])
    r = api.post(
        "/activity/graduates/SV2/transfer",
        {"effective_date": day, "destination": "Đảng ủy phường Bến Thành"},
    )
    assert r.status_code == status, r.content
    if status == 422:
        assert "HD 01-HD/TW" in r.content.decode()
    else:
        body = r.json()
        assert body["grounds"] == "graduation" and body["grounds_on"] == "2025-06-30"
        assert body["destination"] == "Đảng ủy phường Bến Thành"


def test_the_list_through_the_api(grads: dict) -> None:
    api = api_for(grads["sec"])
    before = api.get(
        "/activity/graduates", org="BK-SV1", as_of="2026-04-29", state="ending"
    ).json()["items"]
    on = api.get("/activity/graduates", org="BK-SV1", as_of="2026-04-30", state="ending").json()[
        "items"
    ]
    after = api.get("/activity/graduates", org="BK-SV1", as_of="2026-07-01").json()["items"]
    assert before == []
    assert [g["member_code"] for g in on] == ["SV1", "SV2", "SV3"]
    assert on[0]["keep_until"] == "2026-06-30" and on[0]["warn_from"] == "2026-04-30"
    assert on[0]["rule"]["key"] == "transfer.student_keep_months"
    assert "HD 01-HD/TW" in on[0]["rule"]["citation"]
    assert {g["member_code"]: g["state"] for g in after}["SV1"] == "overdue"
    # A viewer reads the list but may not start a transfer.
    viewer = api_for(grads["viewer"])
    assert viewer.get("/activity/graduates", org="BK-SV1").status_code == 200
    r = viewer.post("/activity/graduates/SV1/transfer", {"destination": "X"})
    assert r.status_code in (403, 404)


def test_one_click_on_the_page(grads: dict) -> None:
    client = Client()
    client.force_login(grads["sec"])
    page = client.get("/activity/transfers/?org=BK-SV1")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="grad-SV1"' in html and "/activity/graduates/SV1/transfer/" in html
    assert "Bắt đầu chuyển sinh hoạt" in html and "phải chuyển sinh hoạt ngay" in html
    r = client.post(
        "/activity/graduates/SV1/transfer/",
        {
            "destination": "Đảng ủy phường Bến Thành",
            "effective_date": timezone.localdate().strftime("%d/%m/%Y"),
        },
    )
    assert r.status_code == 302 and "/letter/" in r["Location"]
    grads["sv1"].refresh_from_db()
    assert grads["sv1"].status == Status.TRANSFERRED_OUT
    # The graduate has left the list; a refusal comes back as a message on the page.
    r = client.post("/activity/graduates/SV-NEXT/transfer/", {"destination": "X"}, follow=True)
    graduation = grads["next"].expected_graduation.strftime("%d/%m/%Y")
    assert graduation in r.content.decode() and "HD 01-HD/TW" in r.content.decode()
    assert 'id="grad-SV1"' not in client.get("/activity/transfers/?org=BK-SV1").content.decode()
