"""The API answers as the pages do: same role, same operation, same yes or no.

- The system administrator manages accounts and never reads party members' data: the
  lists of members, candidates and warnings are 403 for it in the API as on the pages.
- The required political-theory level per post is changed by staff holding
  ``training.manage`` on the city root (docs/training.md): page and API agree on who;
  the page offers its form only to them.
- The working-day calendar: the permission is checked before the input (403, not 422,
  for a role that may not change it, whatever it sends).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from chibo.training.models import PostRequirement
from tests.api.conftest import api_for

pytestmark = pytest.mark.django_db

# API list → the page that shows the same data.
MEMBER_DATA_LISTS = [
    ("/members", "/members/"),
    ("/candidates", "/admissions/"),
    ("/candidates/probation-watch", "/admissions/probation/"),
    ("/activity/warnings", "/activity/warnings/"),
    ("/activity/tracking", "/activity/tracking/"),
]


def _page(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(("api", "page"), MEMBER_DATA_LISTS)
def test_the_sysadmin_reads_no_member_list_in_the_api_as_on_the_pages(
    world: dict, api: str, page: str
) -> None:
    admin, secretary = world["users"]["admin"], world["users"]["sec"]
    assert _page(admin).get(page).status_code == 403
    assert api_for(admin).get(api).status_code == 403
    # the others still read them
    assert _page(secretary).get(page).status_code == 200
    assert api_for(secretary).get(api).status_code == 200


def _put_requirement(user: Any, level: str) -> int:
    api = api_for(user)
    return api.client.put(
        "/api/v1/training/requirements/bi_thu",
        {"level": level, "note": "QĐ của Thành ủy"},
        content_type="application/json",
        headers=api.headers,
    ).status_code


def test_required_levels_are_changed_by_city_root_training_staff_on_the_page_and_the_api(
    world: dict,
) -> None:
    users = world["users"]
    city_staff = users["sup"]  # superior staff at the city root: training.manage there
    assert _put_requirement(city_staff, "theory_basic") == 200
    assert PostRequirement.objects.get(post="bi_thu").level == "theory_basic"
    page = _page(city_staff)
    assert b'name="level"' in page.get("/training/requirements/").content
    response = page.post(
        "/training/requirements/", {"post": "bi_thu", "level": "theory_intermediate"}
    )
    assert response.status_code == 302
    assert PostRequirement.objects.get(post="bi_thu").level == "theory_intermediate"
    # grassroots staff hold training.manage below the root: no form, 403 on both
    for name in ("uni", "q1", "sec", "office", "viewer"):
        user = users[name]
        assert _put_requirement(user, "theory_basic") == 403, name
        page = _page(user)
        shown = page.get("/training/requirements/")
        assert shown.status_code == 200 and b'name="level"' not in shown.content, name
        posted = page.post("/training/requirements/", {"post": "bi_thu", "level": "theory_basic"})
        assert posted.status_code == 403, name
    assert PostRequirement.objects.get(post="bi_thu").level == "theory_intermediate"


def test_calendar_changes_check_the_role_before_the_input(world: dict) -> None:
    good = {"working": True, "name": "Làm bù", "source": "TB 1", "confidence": "H"}
    for name in ("sec", "sup", "viewer", "admin"):
        api = api_for(world["users"][name])
        for day, body in (("X1", good), ("2026-05-02", {**good, "name": ""})):
            put = api.client.put(
                f"/api/v1/calendar/{day}",
                body,
                content_type="application/json",
                headers=api.headers,
            )
            assert put.status_code == 403, (name, day)
            gone = api.client.delete(f"/api/v1/calendar/{day}", headers=api.headers)
            assert gone.status_code == 403, (name, day)
    office = api_for(world["users"]["office"])
    bad = office.client.put(
        "/api/v1/calendar/X1", good, content_type="application/json", headers=office.headers
    )
    assert bad.status_code == 422
    ok = office.client.put(
        "/api/v1/calendar/2026-05-02", good, content_type="application/json", headers=office.headers
    )
    assert ok.status_code == 200 and ok.json()["date"] == "2026-05-02"
    assert (
        office.client.delete("/api/v1/calendar/2026-05-02", headers=office.headers).status_code
        == 200
    )


# The same data, read by a role the page refuses: the API refuses it as well (403), whatever
# the list would hold. API read → the page that shows it.
PAGE_REFUSED_READS = [
    ("/directives/assignments", "/directives/tasks/"),
    ("/training/requirements", "/training/requirements/"),
    ("/oversight/coverage?org=TU&date_from=2025-01-01&date_to=2025-12-31", "/oversight/coverage/"),
    ("/oversight/evaluations/summary?org=TU", "/oversight/evaluation/"),
    # The reads of one org's activity (were 404 for the sysadmin: issue 18, session 5).
    ("/activity/dues?org=BK-SV1&year=2025", "/activity/dues/"),
    ("/activity/meetings?org=BK-SV1", "/activity/meetings/"),
    ("/activity/party-groups?org=BK-SV1", "/activity/party-groups/"),
    ("/activity/transfers?org=BK&side=outgoing", "/activity/transfers/"),
    ("/activity/graduates?org=BK", "/activity/transfers/"),
    ("/activity/temporary-transfers?org=BK", "/activity/transfers/"),
    ("/activity/late-transfers?org=BK", "/activity/transfers/"),
]


@pytest.mark.parametrize(("api", "page"), PAGE_REFUSED_READS)
def test_the_sysadmin_is_refused_the_same_reads_in_the_api_as_on_the_pages(
    world: dict, api: str, page: str
) -> None:
    admin, secretary = world["users"]["admin"], world["users"]["sec"]
    assert _page(admin).get(page).status_code == 403
    got = api_for(admin).get(api)
    assert got.status_code == 403, got.content
    assert got.json()["error"]["code"] == "forbidden"
    assert _page(secretary).get(page).status_code == 200


def test_directive_tasks_are_refused_to_roles_without_a_unit_to_report_for(world: dict) -> None:
    """The page "Nhiệm vụ của đơn vị" is for units that report; the API answers alike."""
    users = world["users"]
    for name in ("sec", "uni", "sup", "q1", "office", "viewer", "admin"):
        page = _page(users[name]).get("/directives/tasks/").status_code
        api = api_for(users[name]).get("/directives/assignments").status_code
        assert page in (200, 403), name
        assert api == page, (name, page, api)
