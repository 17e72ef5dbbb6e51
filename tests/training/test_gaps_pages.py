"""Who still needs training grows with the org tree: /training/gaps/ counts each list, then
pages it (15 rows each, so both fit a phone; ``?leaders_page=N``, ``?new_page=N``, each list on its own), auditing only
the rows shown; ``GET /api/v1/training/gaps/leaders`` and ``/gaps/new-members`` page with
``limit`` and ``cursor`` (``{"items", "next"}``) in the page's order."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from chibo.core.models import AuditEntry
from chibo.members.models import Category
from chibo.training import selectors
from chibo.training.models import LeadershipPost, Post
from chibo.training.views import GAPS_PAGE
from tests import factories as f
from tests.api.conftest import api_for
from tests.training.conftest import client_for

pytestmark = pytest.mark.django_db
NEW = 30  # members admitted this year without the course (plus the world's DV-P1)
LEADERS = 26  # secretaries of the school with no theory level


@pytest.fixture
def crowd(world: dict) -> dict:
    today = timezone.localdate()
    recent = today - dt.timedelta(days=40)
    for i in range(NEW):
        f.member(
            world["cell_b"],
            code=f"DV-N{i:02d}",
            full_name=f"Nguyễn Văn Mới {i:02d}",
            admitted_on=recent,
            citizen_id=f"079203{i:06d}",
        )
    for i in range(LEADERS):
        leader = f.member(
            world["cell_a"],
            code=f"DV-L{i:02d}",
            full_name=f"Trần Thị Lãnh Đạo {i:02d}",
            admitted_on=dt.date(2015, 1, 5),
            category=Category.LECTURER,
            citizen_id=f"079204{i:06d}",
        )
        LeadershipPost.objects.create(
            member=leader, post=Post.SECRETARY, org=world["uni"], from_on=dt.date(2024, 1, 1)
        )
    return world


def _rows(html: str, section: str) -> int:
    part = html.split(f'id="{section}"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return len(re.findall(r"<tr>", part))


def test_the_gaps_page_counts_then_pages_each_list(crowd: dict) -> None:
    web = client_for(crowd["staff"])
    leaders = len(selectors.leaders_lacking_level(crowd["staff"], timezone.localdate()))
    assert leaders == LEADERS
    first = web.get("/training/gaps/").content.decode()
    assert _rows(first, "leaders") == GAPS_PAGE and _rows(first, "newcomers") == GAPS_PAGE
    assert f"{LEADERS} lãnh đạo" in first and f"{NEW + 1} đảng viên mới" in first
    assert 'href="?leaders_page=2#leaders"' in first and 'href="?new_page=2#newcomers"' in first
    # Each list turns its own page; the other stays where it was.
    page = web.get("/training/gaps/?leaders_page=2&new_page=2").content.decode()
    assert _rows(page, "leaders") == LEADERS - GAPS_PAGE
    assert _rows(page, "newcomers") == GAPS_PAGE
    assert "leaders_page=2&amp;new_page=1" in page or "new_page=1&amp;leaders_page=2" in page
    # Only the rows shown are audited as read.
    entry = AuditEntry.objects.filter(data__training="gaps").order_by("-id").first()
    assert entry is not None and len(entry.data["members"]) == (LEADERS - GAPS_PAGE) + GAPS_PAGE


@pytest.mark.parametrize(("path", "total"), [("leaders", LEADERS), ("new-members", NEW + 1)])
def test_the_gaps_api_pages_with_a_cursor(crowd: dict, path: str, total: int) -> None:
    api = api_for(crowd["staff"])
    on = timezone.localdate()
    if path == "leaders":
        expected = [
            g.post.member.member_code for g in selectors.leaders_lacking_level(crowd["staff"], on)
        ]
    else:
        expected = list(
            selectors.new_members_without_course(crowd["staff"], on).values_list(
                "member_code", flat=True
            )
        )
    seen: list[str] = []
    sizes: list[int] = []
    cursor = ""
    while True:
        params: dict[str, Any] = {"limit": 10}
        if cursor:
            params["cursor"] = cursor
        response = api.get(f"/training/gaps/{path}", **params)
        assert response.status_code == 200, response.content
        body = response.json()
        seen += [row["member"] for row in body["items"]]
        sizes.append(len(body["items"]))
        if not body["next"]:
            break
        cursor = body["next"]
    assert seen == expected and len(seen) == total
    assert sizes == [10] * (total // 10) + ([total % 10] if total % 10 else [])
    assert api.get(f"/training/gaps/{path}", cursor="nonsense").status_code == 422


def test_the_courses_page_counts_then_pages(world: dict) -> None:
    from chibo.training import services
    from chibo.training.models import CourseKind

    for n in range(30):
        start = dt.date(2024, 1, 1) + dt.timedelta(days=7 * n)
        services.course_create(
            actor=world["staff"],
            organizer=world["uni"],
            kind=CourseKind.AWARENESS,
            title=f"Lớp bồi dưỡng {n:02d}",
            starts_on=start,
            ends_on=start + dt.timedelta(days=3),
            place="Hội trường A",
        )
    web = client_for(world["staff"])
    first = web.get("/training/").content.decode()
    assert "30 lớp" in first and _rows(first, "courses") == 25
    assert 'href="?page=2"' in first
    page = web.get("/training/?kind=awareness&page=2").content.decode()
    assert _rows(page, "courses") == 5 and "kind=awareness&amp;page=1" in page
