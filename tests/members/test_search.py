from __future__ import annotations

import pytest
from django.db import connection

from chibo.core.roles import Role
from chibo.members.models import Member
from chibo.members.selectors import MemberFilter, member_list, search_q
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(tree):
    cell = tree["cell_a"]
    names = [
        "Nguyễn Văn A",
        "Nguyễn Văn An",
        "Đặng Thị Hoa",
        "Dang Minh Khoa",
        "Trần Thị Ánh",
        "Lê Đức Anh",
    ]
    for name in names:
        factories.member(cell, full_name=name)
    return factories.user("staff", Role.GRASSROOTS_STAFF, tree["uni"])


def names(actor, q: str) -> set[str]:
    return {m.full_name for m in member_list(actor, MemberFilter(q=q))}


def test_search_ignores_case_and_diacritics(people) -> None:
    assert names(people, "nguyen van a") == {"Nguyễn Văn A", "Nguyễn Văn An"}
    assert names(people, "NGUYỄN VĂN AN") == {"Nguyễn Văn An"}


def test_d_stroke_folds_both_ways(people) -> None:
    assert names(people, "dang") == {"Đặng Thị Hoa", "Dang Minh Khoa"}
    assert names(people, "đặng") == {"Đặng Thị Hoa", "Dang Minh Khoa"}
    assert names(people, "Đ") >= {"Đặng Thị Hoa"}


def test_single_word_matches_a_given_name(people) -> None:
    assert names(people, "anh") == {"Trần Thị Ánh", "Lê Đức Anh"}


def test_member_code_matches_exactly(people) -> None:
    code = Member.objects.get(full_name="Lê Đức Anh").member_code
    assert names(people, code) == {"Lê Đức Anh"}


def test_search_stays_inside_the_scope(people, tree) -> None:
    factories.member(tree["school"], full_name="Nguyễn Văn Ba", category="teacher")
    assert "Nguyễn Văn Ba" not in names(people, "nguyen van")


def test_name_search_uses_an_index_not_a_scan(people) -> None:
    sql, params = Member.objects.filter(search_q("nguyen van a")).query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = " ".join(str(row) for row in cursor.fetchall())
            assert "SCAN" not in plan.replace("SCAN CONSTANT", ""), plan
            assert "name_folded" in plan, plan
        else:
            cursor.execute("SET enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
            plan = " ".join(row[0] for row in cursor.fetchall())
            cursor.execute("SET enable_seqscan = on")
            assert "Seq Scan" not in plan and "name_folded" in plan, plan
