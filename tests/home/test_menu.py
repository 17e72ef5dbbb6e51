"""The menu shows only what the role can use; everything else is on the start page; no link answers 403."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from chibo.core.roles import Role
from chibo.home.menu import menu_for
from tests import factories

pytestmark = pytest.mark.django_db

ROLE_ORG = {
    Role.CELL_SECRETARY: "cell_a",
    Role.GRASSROOTS_STAFF: "uni",
    Role.SUPERIOR_STAFF: "khoi",
    Role.CITY_OFFICE: "city",
    Role.VIEWER: "district",
    Role.SYSADMIN: "city",
}


def _user(tree: dict[str, Any], role: str) -> Any:
    return factories.user(f"u-{role}", role, tree[ROLE_ORG[role]])


def _menu(html: str) -> list[str]:
    nav = html[html.index('<header class="topbar">') : html.index("</header>")]
    return re.findall(r'<li><a href="([^"]+)"', nav)


@pytest.mark.parametrize("role", list(ROLE_ORG))
def test_every_link_of_the_menu_and_the_start_page_opens(tree: dict[str, Any], role: str) -> None:
    factories.member(tree["cell_a"])
    user = _user(tree, role)
    client = Client()
    client.force_login(user)
    html = client.get("/").content.decode()
    main, other = menu_for(user)
    # "Việc cần làm", then the role's entries (the brand and the bell sit outside the list)
    assert _menu(html) == ["/", *[link.url for link in main]]
    for url in {link.url for link in (*main, *other)}:
        response = client.get(url)
        if url == "/accounts/2fa/" and response.status_code == 302:
            assert response["Location"] == "/accounts/2fa/enrol/"  # not enrolled yet
            continue
        assert response.status_code == 200, (role, url, response.status_code)
        assert f'href="{url}"' in html, (role, url)


def test_the_secretary_menu_is_her_daily_work(tree: dict[str, Any]) -> None:
    user = _user(tree, Role.CELL_SECRETARY)
    main, other = menu_for(user)
    assert [link.key for link in main] == ["members", "activity", "admissions"]
    assert {"oversight", "training", "directives", "reports"} <= {link.key for link in other}


def test_the_sysadmin_menu_has_no_personal_data(tree: dict[str, Any]) -> None:
    main, other = menu_for(_user(tree, Role.SYSADMIN))
    assert [link.key for link in main] == ["orgs", "roles"]
    assert [link.key for link in other] == [
        "calendar",
        "tokens",
        "2fa",
    ]  # the calendar is public information


def test_committee_staff_get_their_tools_in_the_menu(tree: dict[str, Any]) -> None:
    main, _other = menu_for(_user(tree, Role.GRASSROOTS_STAFF))
    assert [link.key for link in main] == [
        "members",
        "activity",
        "admissions",
        "oversight",
        "training",
        "reports",
        "directives",
        "interchange",
    ]


def test_the_current_page_is_marked(tree: dict[str, Any]) -> None:
    client = Client()
    client.force_login(_user(tree, Role.CELL_SECRETARY))
    html = client.get("/activity/meetings/?org=BK-SV1").content.decode()
    assert '<a href="/activity/" aria-current="page">Sinh hoạt</a>' in html
    home = client.get("/").content.decode()
    assert 'aria-current="page">Việc cần làm</a>' in home
