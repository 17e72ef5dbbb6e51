"""Activity is judged only from the date an org's records start (issue 17: no warning from missing data)."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from chibo.activity import selectors, services, tracking
from chibo.activity import warnings as risk
from chibo.activity.models import MeetingKind, MemberWarning, Tracking
from chibo.core.models import AuditEntry
from chibo.members import services as member_services
from chibo.members.models import Member
from chibo.orgs.models import Org
from tests import factories
from tests.activity.conftest import AS_OF, hold, pay
from tests.api.conftest import api_for
from tests.interchange.helpers import import_roster

pytestmark = pytest.mark.django_db


def _warnings_json(*args: str) -> list[dict[str, object]]:
    out = io.StringIO()
    call_command("warnings", *args, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def test_imported_roster_without_meetings_or_dues_flags_no_member(tmp_path: Path) -> None:
    import_roster(tmp_path)
    today = timezone.localdate().isoformat()
    assert _warnings_json("--org", "TP", "--as-of", today) == []
    assert (
        _warnings_json(
            "--org", "TP", "--as-of", (dt.date.today() + dt.timedelta(days=400)).isoformat()
        )
        == []
    )
    # The stored warnings (what the pages, dashboard and reports count) agree.
    assert services.warnings_refresh(as_of=timezone.localdate())["removal_review"] == 0
    assert not MemberWarning.objects.exists()
    # The table names the cells to follow up instead.
    out = io.StringIO()
    call_command("warnings", "--org", "TP", "--as-of", today, "--format", "table", stdout=out)
    last = out.getvalue().strip().splitlines()[-1]
    assert last.startswith("2 chi bộ chưa có dữ liệu sinh hoạt") and "DH1-SV, DH1-GV" in last


# --- the rule, at its boundaries ------------------------------------------------------------------


def _risks(org: Org, as_of: dt.date = AS_OF) -> dict[str, risk.MemberRisk]:
    return {r.member_code: r for r in risk.compute(org, as_of)}


def test_months_before_the_first_meeting_are_neither_inactive_nor_unpaid(
    tree: dict[str, Org],
) -> None:
    m = factories.member(tree["cell_a"], admitted_on=dt.date(2024, 3, 1))  # never paid
    hold(tree["cell_a"], dt.date(2026, 6, 10), {m: "unexcused"})  # the cell's first record
    found = _risks(tree["city"])[m.member_code]
    assert found.inactive_months == ["2026-06"]
    assert found.unpaid_months == ["2026-06", "2026-07", "2026-08", "2026-09"]
    assert found.level == "removal_review"  # recorded histories keep their flags
    start = tracking.start_of(tree["cell_a"])
    assert (start.start, start.month, start.set_on) == (
        dt.date(2026, 6, 10),
        dt.date(2026, 6, 1),
        None,
    )


def test_the_first_dues_payment_starts_tracking_too(tree: dict[str, Org]) -> None:
    m = factories.member(tree["cell_a"], admitted_on=dt.date(2024, 3, 1))
    other = factories.member(tree["cell_a"], admitted_on=dt.date(2024, 3, 1))
    pay(other, dt.date(2026, 8, 1), dt.date(2026, 10, 1), paid_on=dt.date(2026, 8, 15))
    assert _risks(tree["city"])[m.member_code].unpaid_months == ["2026-08", "2026-09"]
    assert other.member_code not in _risks(tree["city"])


@pytest.mark.parametrize(
    ("set_on", "inactive", "unpaid"),
    [
        # The start is the meeting day of 01/06: May is before it, June is judged.
        (dt.date(2026, 6, 1), ["2026-06"], ["2026-06", "2026-07", "2026-08", "2026-09"]),
        # One day earlier, 31/05: the meeting of that day and May's dues are judged too.
        (
            dt.date(2026, 5, 31),
            ["2026-05", "2026-06"],
            ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09"],
        ),
        # 02/06: the meeting of 01/06 is before the start; June's dues are judged (its month).
        (dt.date(2026, 6, 2), [], ["2026-06", "2026-07", "2026-08", "2026-09"]),
    ],
)
def test_the_committee_start_at_its_boundary_day(
    tree: dict[str, Org], set_on: dt.date, inactive: list[str], unpaid: list[str]
) -> None:
    staff = factories.user("dang-uy", "grassroots_staff", tree["uni"])
    m = factories.member(tree["cell_a"], admitted_on=dt.date(2024, 3, 1))
    hold(tree["cell_a"], dt.date(2025, 12, 3), {m: "unexcused"})  # recorded, but before any start
    hold(tree["cell_a"], dt.date(2026, 5, 31), {m: "unexcused"})
    hold(tree["cell_a"], dt.date(2026, 6, 1), {m: "unexcused"}, kind=MeetingKind.THEMATIC)
    tracking.tracking_set(actor=staff, org=tree["cell_a"], set_on=set_on, note="bắt đầu dùng chibo")
    found = _risks(tree["city"])[m.member_code]
    assert (found.inactive_months, found.unpaid_months) == (inactive, unpaid)


def test_payments_before_the_committee_start_do_not_hide_unpaid_months_after_it(
    tree: dict[str, Org],
) -> None:
    staff = factories.user("dang-uy", "grassroots_staff", tree["uni"])
    m = factories.member(tree["cell_a"], admitted_on=dt.date(2024, 3, 1))
    pay(m, dt.date(2025, 11, 1), dt.date(2026, 4, 1), paid_on=dt.date(2025, 11, 5))  # 6 months
    tracking.tracking_set(actor=staff, org=tree["cell_a"], set_on=dt.date(2026, 6, 1))
    found = _risks(tree["city"])[m.member_code]
    assert found.unpaid_months == ["2026-06", "2026-07", "2026-08", "2026-09"]  # May: before it


def test_clearing_the_committee_start_goes_back_to_the_first_record(tree: dict[str, Org]) -> None:
    staff = factories.user("dang-uy", "grassroots_staff", tree["uni"])
    hold(tree["cell_a"], dt.date(2026, 3, 4))
    tracking.tracking_set(actor=staff, org=tree["cell_a"], set_on=dt.date(2026, 7, 1))
    assert tracking.start_of(tree["cell_a"]).start == dt.date(2026, 7, 1)
    tracking.tracking_set(actor=staff, org=tree["cell_a"], set_on=None)
    assert tracking.start_of(tree["cell_a"]).start == dt.date(2026, 3, 4)
    entries = AuditEntry.objects.filter(action="activity.tracking_set").order_by("id")
    assert [e.data["set_on"] for e in entries] == ["2026-07-01", None]
    assert entries[1].data["previous"] == {"BK-SV1": "2026-07-01"}


def test_a_member_who_moved_into_a_cell_without_data_is_judged_only_where_it_was_recorded(
    tree: dict[str, Org],
) -> None:
    m = factories.member(tree["cell_a"], admitted_on=dt.date(2024, 3, 1))
    pay(m, dt.date(2025, 1, 1), dt.date(2026, 3, 1), paid_on=dt.date(2025, 3, 5))
    decision = member_services.Decision(number="30-QĐ/ĐU")
    member_services.member_transfer_out(
        actor=None,
        member=m,
        effective_date=dt.date(2026, 6, 1),
        decision=decision,
        destination_org=tree["school"],
    )
    member_services.member_transfer_in(
        actor=None,
        member=Member.objects.get(pk=m.pk),
        org=tree["school"],
        effective_date=dt.date(2026, 6, 10),
        decision=decision,
    )
    found = _risks(tree["city"])[m.member_code]
    assert (found.org_code, found.unpaid_months) == ("Q1-THPT", ["2026-04", "2026-05"])
    hold(tree["school"], dt.date(2026, 8, 3))  # now the school records too: from August
    found = _risks(tree["city"])[m.member_code]
    assert found.unpaid_months == ["2026-04", "2026-05", "2026-08", "2026-09"]


def test_moving_the_first_meeting_later_moves_the_start(tree: dict[str, Org]) -> None:
    first = hold(tree["cell_a"], dt.date(2026, 3, 4))
    hold(tree["cell_a"], dt.date(2026, 5, 6))
    services.meeting_update(actor=None, meeting=first, held_on=dt.date(2026, 3, 20))
    assert tracking.start_of(tree["cell_a"]).start == dt.date(2026, 3, 20)


def test_rebuild_reads_the_same_starts_as_the_services_keep(tree: dict[str, Org]) -> None:
    m = factories.member(tree["school"], admitted_on=dt.date(2024, 3, 1))
    hold(tree["cell_a"], dt.date(2026, 3, 4))
    pay(m, dt.date(2026, 1, 1), dt.date(2026, 2, 1), paid_on=dt.date(2026, 2, 9))
    kept = {
        t.org_id: (t.first_meeting_on, t.first_payment_on, t.start, t.month_number)
        for t in Tracking.objects.all()
    }
    Tracking.objects.all().delete()
    assert tracking.rebuild() == 2
    assert {
        t.org_id: (t.first_meeting_on, t.first_payment_on, t.start, t.month_number)
        for t in Tracking.objects.all()
    } == kept
    assert kept[tree["school"].pk] == (
        None,
        dt.date(2026, 2, 9),
        dt.date(2026, 2, 9),
        2026 * 12 + 1,
    )


def test_cells_without_data_are_the_cells_to_follow_up(tree: dict[str, Org]) -> None:
    factories.member(tree["cell_a"])
    factories.member(tree["cell_b"])
    factories.member(tree["school"])
    hold(tree["cell_a"], dt.date(2026, 3, 4))
    assert [c.code for c in tracking.cells_without_data(None)] == ["BK-GV1", "Q1-THPT"]
    assert [c.code for c in tracking.cells_without_data(None, under=tree["uni"])] == ["BK-GV1"]
    # As of a day before the first record, cell_a had no data either.
    assert [
        c.code
        for c in tracking.cells_without_data(None, under=tree["uni"], as_of=dt.date(2026, 3, 3))
    ] == ["BK-SV1", "BK-GV1"]
    secretary = factories.user("bithu", "cell_secretary", tree["cell_b"])
    assert [c.code for c in tracking.cells_without_data(secretary)] == ["BK-GV1"]
    # Not among the cells that skipped meetings: nobody knows yet whether they met.
    assert [m.org.code for m in selectors.cells_missing_meetings(None, AS_OF)] == ["BK-SV1"]


def test_only_the_committee_sets_the_start(tree: dict[str, Org]) -> None:
    secretary = factories.user("bithu", "cell_secretary", tree["cell_a"])
    viewer = factories.user("xem", "viewer", tree["uni"])
    outsider = factories.user("q1", "superior_staff", tree["district"])
    for actor in (secretary, viewer, outsider):
        with pytest.raises(PermissionDenied):
            tracking.tracking_set(actor=actor, org=tree["cell_a"], set_on=dt.date(2026, 1, 1))
    staff = factories.user("dang-uy", "grassroots_staff", tree["uni"])
    with pytest.raises(ValidationError) as exc:
        tracking.tracking_set(
            actor=staff, org=tree["cell_a"], set_on=dt.date.today() + dt.timedelta(days=1)
        )
    assert "set_on" in exc.value.message_dict
    with pytest.raises(ValidationError):
        tracking.tracking_set(
            actor=staff, org=tree["cell_a"], set_on=dt.date(2014, 12, 31)
        )  # before it opened
    rows = tracking.tracking_set(actor=staff, org=tree["uni"], set_on=dt.date(2026, 1, 1))
    assert sorted(r.org.code for r in rows) == ["BK-GV1", "BK-SV1"]  # every cell of the school
    assert Tracking.objects.get(org=tree["cell_b"]).set_by == staff


# --- the API, the pages -----------------------------------------------------------------------------


def _put(api: Any, body: dict[str, Any]) -> Any:
    return api.client.put(
        "/api/v1/activity/tracking", body, content_type="application/json", headers=api.headers
    )


def test_tracking_api_lists_and_sets_the_start(tree: dict[str, Org]) -> None:
    factories.member(tree["cell_a"])
    factories.member(tree["cell_b"])
    hold(tree["cell_a"], dt.date(2026, 3, 4))
    staff = api_for(factories.user("dang-uy", "grassroots_staff", tree["uni"]))
    secretary = api_for(factories.user("bithu", "cell_secretary", tree["cell_a"]))
    outside = api_for(factories.user("q1", "cell_secretary", tree["school"]))
    listed = {r["org_code"]: r for r in staff.get("/activity/tracking", org="BK").json()["items"]}
    assert listed["BK-SV1"] | {"org_name": ""} == {
        "org_code": "BK-SV1",
        "org_name": "",
        "members_on_rolls": 1,
        "tracked_from": "2026-03-04",
        "first_month": "2026-03",
        "source": "first_meeting",
        "set_on": None,
        "first_meeting_on": "2026-03-04",
        "first_payment_on": None,
    }
    assert (listed["BK-GV1"]["tracked_from"], listed["BK-GV1"]["source"]) == (None, "none")
    body = {"org": "BK-GV1", "tracked_from": "2026-09-01", "note": "bắt đầu ghi"}
    assert _put(secretary, {**body, "org": "BK-SV1"}).status_code == 403  # the committee sets it
    assert _put(outside, body).status_code == 404
    assert _put(staff, {**body, "tracked_from": "2099-01-01"}).status_code == 422
    done = _put(staff, body)
    assert done.status_code == 200
    assert [(r["org_code"], r["tracked_from"], r["source"]) for r in done.json()] == [
        ("BK-GV1", "2026-09-01", "committee")
    ]
    assert _put(staff, {"org": "BK-GV1", "tracked_from": None}).json()[0]["source"] == "none"
    assert outside.get("/activity/tracking", org="BK").status_code == 404


def test_warnings_page_tells_the_secretary_from_when_her_cell_is_tracked(
    tree: dict[str, Org], client: Client
) -> None:
    m = factories.member(tree["cell_a"], full_name="Lê Văn Cường")
    secretary = factories.user("bithu", "cell_secretary", tree["cell_a"])
    client.force_login(secretary)
    page = client.get("/activity/warnings/", {"org": "BK-SV1"}).content.decode()
    assert "chưa có dữ liệu sinh hoạt" in page.lower()
    hold(tree["cell_a"], dt.date(2026, 3, 4), {m: "unexcused"})
    services.warnings_refresh(as_of=AS_OF)
    page = client.get("/activity/warnings/", {"org": "BK-SV1"}).content.decode()
    assert "theo dõi từ ngày 04/03/2026" in page.lower() and "03/2026" in page
    # Months as people read them: 03/2026, not 2026-03.
    assert "Lê Văn Cường" in page and "03/2026, 04/2026" in page and "2026-03" not in page


def test_committee_sees_its_cells_without_data_and_sets_the_start_on_the_page(
    tree: dict[str, Org], client: Client
) -> None:
    factories.member(tree["cell_a"])
    factories.member(tree["cell_b"])
    hold(tree["cell_a"], dt.date(2026, 3, 4))
    staff = factories.user("dang-uy", "grassroots_staff", tree["uni"])
    client.force_login(staff)
    page = client.get("/activity/warnings/", {"org": "BK"}).content.decode()
    assert "1 chi bộ chưa có dữ liệu sinh hoạt" in page and "Chi bộ Giảng viên 1" in page
    overview = client.get("/activity/", {"org": "BK"}).content.decode()
    assert 'id="tile-no-data"' in overview
    response = client.post(
        "/activity/tracking/?org=BK", {"org": "BK-GV1", "set_on": "01/09/2026", "note": "mới"}
    )
    assert response.status_code == 302
    assert tracking.start_of(tree["cell_b"]).set_on == dt.date(2026, 9, 1)
    page = client.get("/activity/tracking/", {"org": "BK"}).content.decode()
    assert "01/09/2026" in page and "09/2026" in page
    viewer = factories.user("xem", "viewer", tree["uni"])
    client.force_login(viewer)
    assert client.get("/activity/tracking/", {"org": "BK"}).status_code == 200
    assert client.post("/activity/tracking/?org=BK", {"org": "BK-GV1"}).status_code == 403
    outsider = factories.user("q1", "superior_staff", tree["district"])
    client.force_login(outsider)
    assert client.get("/activity/tracking/", {"org": "BK"}).status_code == 404


def test_dues_page_counts_arrears_only_from_the_start(tree: dict[str, Org], client: Client) -> None:
    m = factories.member(tree["cell_a"], admitted_on=dt.date(2024, 3, 1))
    client.force_login(factories.user("bithu", "cell_secretary", tree["cell_a"]))
    rows = selectors.dues_grid(tree["cell_a"], 2026, AS_OF)[1]
    assert rows[0].arrears == []  # no data: no arrears
    other = factories.member(tree["cell_a"], admitted_on=dt.date(2024, 3, 1))
    pay(other, dt.date(2026, 7, 1), dt.date(2026, 7, 1), paid_on=dt.date(2026, 7, 10))
    rows = {r.member.pk: r for r in selectors.dues_grid(tree["cell_a"], 2026, AS_OF)[1]}
    assert rows[m.pk].arrears == [dt.date(2026, 7, 1), dt.date(2026, 8, 1), dt.date(2026, 9, 1)]
