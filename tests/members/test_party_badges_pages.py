"""The year's Huy hiệu Đảng list at a committee's scope: counted per milestone and paged.

A city has hundreds of members reaching a milestone each year: the page showed them all on
one page (18,305 px tall on a 390 px phone); the API answered them all at once. Now the page
shows the count per milestone, then 25 rows a page; the API pages with the keyset cursor
(``{items, next}``, docs/api.md "Pagination").
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.test import Client

from chibo.core.roles import Role
from chibo.members.models import Member
from tests import factories as f
from tests.api.conftest import api_for

pytestmark = pytest.mark.django_db
D = dt.date
MANY = 30


@pytest.fixture
def staff(tree: dict):
    cache.clear()
    members = [
        f.member(
            tree["cell_a" if i % 2 else "cell_b"], code=f"HH{i:02d}", full_name=f"Lão thành {i:02d}"
        )
        for i in range(MANY)
    ]
    for i, member in enumerate(members):  # 50 years in 2026, one a week from 05/01
        Member.objects.filter(pk=member.pk).update(
            admitted_on=D(1976, 1, 5) + dt.timedelta(weeks=i), recognized_on=D(1977, 1, 5)
        )
    return f.user("uni", Role.GRASSROOTS_STAFF, tree["uni"])


def _rows(html: str) -> list[str]:
    table = html.split('id="badges"', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<code>(HH\d\d)</code>", table)


def test_the_badges_page_counts_then_pages(staff) -> None:
    client = Client()
    client.force_login(staff)
    first = client.get("/members/party-badges/?year=2026").content.decode()
    assert _rows(first) == [f"HH{i:02d}" for i in range(25)]
    assert f"{MANY} đảng viên trong năm" in first and f"50 năm: {MANY}" in first
    assert 'class="pager"' in first and "page=2" in first
    second = client.get("/members/party-badges/?year=2026&page=2").content.decode()
    assert _rows(second) == [f"HH{i:02d}" for i in range(25, MANY)]


def test_the_badges_api_pages_with_a_cursor(staff) -> None:
    api = api_for(staff)
    first = api.get("/members/party-badges", year=2026, limit=20).json()
    assert len(first["items"]) == 20 and first["next"]
    second = api.get("/members/party-badges", year=2026, limit=20, cursor=first["next"]).json()
    assert second["next"] is None
    codes = [i["member_code"] for i in first["items"] + second["items"]]
    assert codes == [f"HH{i:02d}" for i in range(MANY)]
    whole = api.get("/members/party-badges", year=2026, limit=MANY).json()
    assert len(whole["items"]) == MANY and whole["next"] is None
    assert api.get("/members/party-badges", year=2026, cursor="nope").status_code == 422
