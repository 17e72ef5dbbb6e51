"""The member list counts at most COUNT_CAP rows (docs/performance.md): beyond the cap the
page says "more than", and the pages go on while there are rows."""

from __future__ import annotations

import pytest
from django.test import Client

from chibo.core.paging import CappedPaginator
from chibo.core.roles import Role
from chibo.members import selectors, views
from chibo.members.models import Member
from chibo.members.selectors import MemberFilter, member_list
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(tree):
    for letter in "ABCDEFG":
        f.member(tree["cell_a"], full_name=f"Nguyễn Văn {letter}")
    return f.user("staff", Role.GRASSROOTS_STAFF, tree["uni"])


def codes(page) -> list[str]:
    return [m.member_code for m in page.object_list]


def test_below_the_cap_the_count_is_exact(staff) -> None:
    paginator = CappedPaginator(member_list(staff, MemberFilter()), 3, cap=7)
    assert paginator.count == 7 and not paginator.capped
    assert paginator.num_pages == 3
    assert not paginator.page(3).has_next()


def test_beyond_the_cap_pages_go_on_while_there_are_rows(staff) -> None:
    everyone = [m.member_code for m in member_list(staff, MemberFilter())]
    paginator = CappedPaginator(member_list(staff, MemberFilter()), 3, cap=4)
    assert paginator.capped and paginator.count == 5  # counted no further than cap + 1
    first, third = paginator.get_page(1), paginator.get_page(3)
    assert codes(first) == everyone[:3] and first.has_next()
    assert codes(third) == everyone[6:] and not third.has_next()
    assert third.start_index() == 7 and third.end_index() == 7
    assert codes(paginator.get_page(9)) == everyone[:3]  # past the end: the first page
    assert codes(paginator.get_page("x")) == everyone[:3]


def test_lists_do_not_read_citizen_id_or_phone(staff) -> None:
    member = member_list(staff, MemberFilter()).first()
    assert {"citizen_id", "phone"} <= member.get_deferred_fields()


def test_scope_and_org_filter_keep_their_rows(staff, tree) -> None:
    f.member(tree["school"], full_name="Trần Văn Ngoài", category="teacher")
    in_scope = {m.full_name for m in member_list(staff, MemberFilter())}
    assert len(in_scope) == 7 and "Trần Văn Ngoài" not in in_scope
    assert member_list(staff, MemberFilter(org=tree["cell_b"])).count() == 0
    assert member_list(f.user("nobody"), MemberFilter()).count() == 0
    assert Member.objects.count() == 8


def test_list_page_says_more_than_the_cap(staff, monkeypatch) -> None:
    monkeypatch.setattr(selectors, "COUNT_CAP", 4)
    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    client = Client()
    client.force_login(staff)
    page1 = client.get("/members/").content.decode()
    assert "Tìm thấy hơn 4 đảng viên" in page1
    assert "page=2" in page1 and "Trang 1" in page1 and "Trang 1 /" not in page1
    last = client.get("/members/?page=3").content.decode()
    assert "page=4" not in last and "page=2" in last and "Trang 3" in last


def test_list_page_counts_exactly_below_the_cap(staff) -> None:
    client = Client()
    client.force_login(staff)
    text = client.get("/members/").content.decode()
    assert "Tìm thấy 7 đảng viên" in text and "hơn" not in text.split("result-count")[1][:80]
