"""The transfers page at a committee's scope: totals, then 25 rows a list a page (issue 24)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chibo.activity import transfers
from chibo.core.roles import Role
from chibo.members import services as member_services
from tests import factories

pytestmark = pytest.mark.django_db


def _send(tree: dict[str, Any], n: int) -> list[str]:
    """``n`` members of BK-SV1 transferred to Q1-THPT this month; their codes, newest first."""
    codes = []
    day = timezone.localdate().replace(day=1)
    for i in range(n):
        member = factories.member(tree["cell_a"], code=f"CT{i:03d}", full_name=f"Lê Văn {i:03d}")
        member_services.member_transfer_out(
            actor=None,
            member=member,
            effective_date=day,
            destination_org=tree["school"],
            decision=member_services.Decision(number=f"{i}-QĐ/ĐU"),
        )
        codes.append(member.member_code)
    return codes


def _rows(html: str, table: str) -> list[str]:
    body = html[html.index(f"papers-{table}") :]
    body = body[: body.index("</table>")]
    return re.findall(r"<code>(CT\d+)</code>", body)


def test_the_transfers_page_counts_then_pages_each_list(tree: dict[str, Any]) -> None:
    codes = _send(tree, 30)
    office = Client()
    office.force_login(factories.user("xem24", Role.VIEWER, tree["city"]))
    html = office.get("/activity/transfers/?org=TU").content.decode()
    totals = html[
        html.index('id="transfer-totals"') : html.index("</ul>", html.index('id="transfer-totals"'))
    ]
    assert re.findall(r"<strong>([\d.]+)</strong>", totals) == ["30", "30", "0", "0", "0"]
    sent, arriving = _rows(html, "out"), _rows(html, "in")
    assert len(sent) == 25 and len(arriving) == 25
    assert arriving == codes[:25]  # by name
    assert 'href="?org=TU&amp;out=2#sent"' in html and 'href="?org=TU&amp;in=2#incoming"' in html
    second = office.get("/activity/transfers/?org=TU&out=2&in=2").content.decode()
    assert len(_rows(second, "out")) == 5 and _rows(second, "in") == codes[25:]
    assert set(_rows(html, "out")) | set(_rows(second, "out")) == set(codes)


def test_the_arriving_transfers_take_one_query_whatever_their_number(tree: dict[str, Any]) -> None:
    _send(tree, 12)
    staff = factories.user("captren24", Role.SUPERIOR_STAFF, tree["city"])
    members = list(transfers.incoming_members(staff, tree["school"]))
    with CaptureQueriesContext(connection) as queries:
        papers = transfers.incoming_papers(members)
    assert len(papers) == 12 and all(p.event.kind == "transfer_out" for p in papers)
    assert len(queries) <= 4, [q["sql"][:120] for q in queries]  # events, letters, arrivals, rule
    assert [p.member.member_code for p in papers] == [
        p.member.member_code for p in transfers.incoming(staff, tree["school"])
    ]
