"""The member list's plan per scope (members.search) on a seeded database, on both databases.

``selectors.member_list`` is the definition of the answer; ``member_search`` reads the same
answer through the index that suits the scope. These tests seed the demo (a small city), then

- compare the two query by query (names, prefixes, without diacritics, with đ, codes, filters,
  pages, the API's cursor and the capped count), for the city office, a direct committee, a
  school's committee and a cell, and again with every scope forced onto the name plan;
- read the plan each scope chooses and the database's EXPLAIN of it: the whole city by the
  folded-name index (``member_name_idx``, ``member_given_idx`` for a given name) with no sort
  of the city's members, a school or a cell by the org path then, per org, ``member_org_state_idx``
  (PostgreSQL may take another index whose condition holds the org).
  A change that makes the city walk its orgs again, or a cell scan the name index, fails here.

The figures at 400,000 members are in ``make bench`` (bench/scale.py), never here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.db.models.signals import post_init
from django.test import Client

from chibo.members import search
from chibo.members.models import Member
from chibo.members.selectors import MemberFilter, member_list, member_search
from tests.module_data import module_data

pytestmark = pytest.mark.django_db

# Demo accounts (seed-demo): the city office, a direct committee, a school's grassroots
# committee (a faculty of the university of education), a cell of it.
ACTORS = {"city": "vanphong", "committee": "captren", "school": "cosoviec", "cell": "bithu"}

QUERIES = [
    "",
    "nguyen",
    "nguyen van",
    "Nguyễn Văn",
    "NGUYỄN THỊ",
    "nguyen thi thanh",
    "tran",
    "tran thi",
    "le",
    "le van",
    "pham",
    "pham minh",
    "hoang",
    "huynh",
    "vo thi",
    "dang",
    "đặng",
    "Đ",
    "đo",
    "duong",
    "bui",
    "ngo",
    "an",
    "anh",
    "ánh",
    "huy",
    "ngoc",
    "thanh",
    "lan",
    "mai",
    "h",
    "n",
    "x",
    "zzz",
    "nguyễn văn a",
    "Dv",
    "  le  ",
]


@pytest.fixture(scope="module")
def city(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[dict[str, User]]:
    # Seeded once for the module; each test runs in its own rolled-back savepoint
    # (tests/module_data.py).
    with module_data(django_db_blocker, tmp_path_factory):
        call_command("seed-demo", members=3000, seed=7, members_only=True, stdout=_Null())
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        yield {scope: User.objects.get(username=name) for scope, name in ACTORS.items()}


class _Null:
    def write(self, _text: str) -> None:
        pass

    def flush(self) -> None:
        pass


def _codes_of_some_members() -> list[str]:
    codes = list(Member.objects.order_by("pk").values_list("member_code", flat=True)[:400:97])
    return [*codes, codes[0].lower()]


def _filters() -> Iterator[MemberFilter]:
    for q in [*QUERIES, *_codes_of_some_members()]:
        yield MemberFilter(q=q, status="on_rolls")
    for q in ("", "nguyen", "an"):
        yield MemberFilter(q=q, status="")
        yield MemberFilter(q=q, status="removed")
        yield MemberFilter(q=q, status="on_rolls", standing="probationary")
        yield MemberFilter(q=q, status="on_rolls", standing="full", category="cadre")


def _same_answers(actor: User, flt: MemberFilter) -> None:
    reference = member_list(actor, flt)
    expected = list(reference.values_list("pk", flat=True)[:60])
    found = member_search(actor, flt)
    label = f"{actor.username} {flt}"
    assert [m.pk for m in found.rows(limit=50)] == expected[:50], label
    assert [m.pk for m in found[20:40]] == expected[20:40], label
    total = reference.count()
    assert found.count_upto(10) == min(total, 10), label
    assert found.count_upto(10_001) == min(total, 10_001), label
    if len(expected) > 12:  # the API's cursor: after the 10th row
        tenth = Member.objects.get(pk=expected[9])
        after = (tenth.name_folded, tenth.member_code)
        page = member_search(actor, flt).rows(limit=25, after=after)
        assert [m.pk for m in page] == expected[10:35], label


def test_every_scope_gives_the_same_answers_as_the_list_definition(city) -> None:
    for actor in city.values():
        for flt in _filters():
            _same_answers(actor, flt)


def test_the_name_plan_gives_the_same_answers_in_every_scope(city, monkeypatch) -> None:
    """Every scope read by name (as a wide committee is at scale): the org check of each row."""
    monkeypatch.setattr(search, "WIDE", -1)  # even no match is "wide"
    for scope in ("committee", "school", "cell"):
        actor = city[scope]
        for flt in _filters():
            assert member_search(actor, flt).plan() in {"name", "code"}
            _same_answers(actor, flt)


def test_an_org_filter_inside_the_scope_is_the_scope(city) -> None:
    school = member_search(city["school"], MemberFilter()).ranges
    from chibo.orgs.models import Org

    org = Org.objects.get(path=school[0][0])
    for q in ("", "nguyen", "an"):
        flt = MemberFilter(q=q, status="on_rolls", org=org)
        _same_answers(city["city"], flt)
        assert member_search(city["city"], flt).plan() == "orgs"


# --- the plans ----------------------------------------------------------------------------


def _explain(found: search.MemberSearch) -> str:
    return "\n".join(found.explain())


def _members_are_never_scanned(plan: str) -> None:
    if connection.vendor == "sqlite":
        for line in plan.splitlines():
            assert not (line.startswith("SCAN m") and "INDEX" not in line), plan
    else:
        assert "Seq Scan on members_member" not in plan, plan


def test_the_whole_city_is_read_by_the_name_index(city) -> None:
    city_office = city["city"]
    for q, index in (
        ("", search.NAME_INDEX),
        ("nguyen van", search.NAME_INDEX),
        ("đặng", search.NAME_INDEX),
        ("an", search.GIVEN_INDEX),
    ):
        found = member_search(city_office, MemberFilter(q=q, status="on_rolls"))
        assert found.whole_tree()
        assert found.plan() == "name", q
        plan = _explain(found)
        assert index in plan, plan
        _members_are_never_scanned(plan)
        assert search.ORG_INDEX not in plan, plan
        if (connection.vendor == "sqlite" and " " in q) or not q:
            # one stream, already in list order: the page stops after 50 entries
            assert "TEMP B-TREE" not in plan, plan


def test_a_school_and_a_cell_are_read_by_org_then_name(city) -> None:
    for scope in ("school", "cell"):
        for q in ("", "nguyen van", "đặng", "an"):
            found = member_search(city[scope], MemberFilter(q=q, status="on_rolls"))
            assert not found.whole_tree()
            assert found.plan() == "orgs", (scope, q)
            plan = _explain(found)
            _members_are_never_scanned(plan)
            if connection.vendor == "sqlite":
                assert search.ORG_INDEX in plan, plan
                assert search.NAME_INDEX not in plan and search.GIVEN_INDEX not in plan, plan
                assert "SEARCH o USING" in plan and "path" in plan, plan
            else:
                # The orgs outside (by path), each org's members inside, found by an index
                # whose condition holds the org. On a few thousand rows PostgreSQL's costs
                # pick among member_org_state_idx, a bitmap of it with the given-name and
                # code indexes, or member_name_idx (its condition holds org_id too): all
                # read one org at a time. What must never happen is the name index walked
                # without the org (the whole city's matches), or a scan of the members.
                # The orgs by their path: its key, or on the demo's ~150 orgs (a table
                # that tests before this one did not grow) a scan filtered by path.
                assert "Nested Loop" in plan, plan
                orgs = plan.find("orgs_org_path_key")
                if orgs < 0:
                    orgs = plan.find("Seq Scan on orgs_org")
                    assert "(path)::text >= " in plan[orgs:], plan
                assert 0 <= orgs < plan.index("members_member"), plan
                assert any(
                    "Index Cond" in line and "org_id = o.id" in line for line in plan.splitlines()
                ), plan


def test_a_wide_scope_is_read_by_name_with_its_orgs_checked(city, monkeypatch) -> None:
    monkeypatch.setattr(search, "WIDE", 10)  # a committee with more matches than WIDE
    found = member_search(city["committee"], MemberFilter(q="nguyen", status="on_rolls"))
    assert found.plan() == "name"
    plan = _explain(found)
    assert search.NAME_INDEX in plan, plan
    _members_are_never_scanned(plan)
    if connection.vendor == "sqlite":
        assert "SEARCH o USING INTEGER PRIMARY KEY" in plan, plan


# --- what a page of the list reads ------------------------------------------------------------


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    session = client.session
    session["chibo_2fa_user"] = user.pk  # the demo account's second factor, passed
    session.save()
    return client


def test_a_list_row_shows_what_the_member_record_holds(city) -> None:
    """The rows are read as columns (``search.ListRow``), not as Members: each field they show
    is the record's, dates as dates, the labels the record's."""
    for actor in city.values():
        for q in ("", "nguyen van", "an", "Dv"):
            rows = member_search(actor, MemberFilter(q=q, status="")).rows(limit=50)
            records = Member.objects.select_related("org").in_bulk([r.pk for r in rows])
            for row in rows:
                member = records[row.pk]
                for name in (
                    "member_code", "full_name", "name_folded", "date_of_birth", "gender",
                    "category", "status", "is_full", "admitted_on",
                ):  # fmt: skip
                    assert getattr(row, name) == getattr(member, name), name
                    assert type(getattr(row, name)) is type(getattr(member, name)), name
                assert (row.org.code, row.org.name) == (member.org.code, member.org.name)
                assert row.get_category_display() == member.get_category_display()
                assert row.get_status_display() == member.get_status_display()


def test_the_list_page_and_the_api_build_no_member_object(city) -> None:
    """Fifty Member instances cost more than the search itself (docs/performance.md): the page
    and the API read the list's columns only. Counted with Django's post_init signal."""
    built: list[Any] = []

    def count(sender: Any, **kwargs: Any) -> None:
        built.append(sender)

    client = _client(city["city"])
    post_init.connect(count, sender=Member)
    try:
        for url in ("/members/", "/members/?q=nguyen", "/api/v1/members?q=nguyen"):
            built.clear()
            response = client.get(url)
            assert response.status_code == 200, url
            assert built == [], url
    finally:
        post_init.disconnect(count, sender=Member)
    api = client.get("/api/v1/members", {"q": "nguyen", "limit": 3}).json()["items"]
    member = Member.objects.select_related("org").get(member_code=api[0]["member_code"])
    assert api[0]["full_name"] == member.full_name
    assert api[0]["date_of_birth"] == member.date_of_birth.isoformat()
    assert api[0]["org_name"] == member.org.name
    assert api[0]["status_label"] == str(member.get_status_display())


def test_a_narrow_scope_counts_its_matches_once(city) -> None:
    """A school's or a cell's page: the capped count (index only) also chooses the plan; no
    second count to probe the plan first (one statement fewer per page, 400k on PostgreSQL)."""
    from django.test.utils import CaptureQueriesContext

    from chibo.members.selectors import member_page

    for scope in ("school", "cell"):
        with CaptureQueriesContext(connection) as queries:
            page = member_page(city[scope], MemberFilter(q="", status="on_rolls"), 1, 50)
            assert page.object_list
        counts = [q["sql"] for q in queries.captured_queries if "COUNT(*)" in q["sql"]]
        assert len(counts) == 1, counts
        assert member_search(city[scope], MemberFilter(status="on_rolls")).plan() == "orgs"


def test_the_list_page_shows_each_row_as_the_record_reads(city) -> None:
    """The page's cells are made once per page in the view (members.views._list_cells), not by
    template lookups per row: each row's link is ``reverse``'s, the date d/m/Y, the labels the
    record's; a code that needs quoting is quoted as ``reverse`` quotes it."""
    import datetime as dt
    import re

    from django.urls import reverse

    from chibo.members.views import _list_cells

    client = _client(city["city"])
    for url in ("/members/", "/members/?q=nguyen+van", "/members/?q=an&status="):
        html = client.get(url).content.decode()
        links = re.findall(r'<td><a href="(/members/[^"]+)">([^<]+)</a></td>', html)
        assert len(links) == 50, url
        members = Member.objects.select_related("org").in_bulk(
            [link.rstrip("/").rsplit("/", 1)[1] for link, _name in links], field_name="member_code"
        )
        for link, name in links:
            member = members[link.rstrip("/").rsplit("/", 1)[1]]
            assert link == reverse("members:detail", args=[member.member_code])
            assert name == member.full_name.replace("'", "&#x27;")
            row = html[html.index(link) : html.index("</tr>", html.index(link))]
            assert f"<code>{member.member_code}</code>" in row
            assert member.date_of_birth.strftime("%d/%m/%Y") in row
            assert str(member.get_category_display()) in row and member.org.name in row
            assert f"status-{member.status}" in row
            assert str(member.get_status_display()) in row
            assert ("badge-amber" in row) is (not member.is_full)
    odd = search.ListRow(
        1, "A B+ç?#%&", "X", "x", dt.date(1990, 1, 2), "f", "cadre", "active", True,
        dt.date(2020, 1, 1), search.ListOrg("C", "Chi bộ"),
    )  # fmt: skip
    (cells,) = _list_cells([odd])
    assert cells[0] == reverse("members:detail", args=[odd.member_code])
    assert cells[3] == "02/01/1990"


def test_a_range_of_many_given_names_is_read_by_name_in_list_order(city, monkeypatch) -> None:
    """More than MAX_STREAMS given names in a one-word range ("t", "h" at 400,000): the name
    index in list order, each row's given name checked, instead of a stream per given name.
    Same answers in every scope, by either plan; the given-name index is not read."""
    monkeypatch.setattr(search, "MAX_STREAMS", 0)  # every one-word range has "too many"
    for actor in city.values():
        for q in ("an", "h", "n", "t", "đ", "ngoc", "thanh", "x", "Dv"):
            _same_answers(actor, MemberFilter(q=q, status="on_rolls"))
        _same_answers(actor, MemberFilter(q="an", status="", standing="probationary"))
    found = member_search(city["city"], MemberFilter(q="h", status="on_rolls"))
    assert found.plan() == "name"
    plan = _explain(found)
    _members_are_never_scanned(plan)
    if connection.vendor == "sqlite":  # told; PostgreSQL chooses by the range's statistics
        assert search.NAME_INDEX in plan and search.GIVEN_INDEX not in plan, plan
        assert plan.count(search.NAME_INDEX) == 2, plan  # the name stream, the given one
    monkeypatch.setattr(search, "WIDE", -1)  # a committee read by name, its orgs checked
    for q in ("an", "h", "thanh"):
        _same_answers(city["committee"], MemberFilter(q=q, status="on_rolls"))


def test_an_api_search_is_three_statements_and_needs_no_probe(city) -> None:
    """Issue 22: ``GET /api/v1/members?q=`` made 12 statements. Now: the session with the user
    and their roles (``accounts.sessions``), the page (its ids and its rows in one statement),
    the audit entry (PostgreSQL one statement; SQLite the entry, then the head). No rules'
    stamp (the search reads no rule). The city's scope is known to hold the top org from its
    path: no statement asks whether an org lies outside; a school's or a cell's scope, once
    counted (``MemberSearch._small_scope``), holds at most ``WIDE`` members: no count chooses
    the plan."""
    from django.test.utils import CaptureQueriesContext

    postgres = connection.vendor == "postgresql"
    audit_statements = 1 if postgres else 2
    for scope in ("city", "school", "cell"):
        client = _client(city[scope])
        client.get("/api/v1/members", {"q": "nguyen van"})  # the session's first write
        with CaptureQueriesContext(connection) as seen:
            response = client.get("/api/v1/members", {"q": "nguyen van"})
        assert response.status_code == 200 and response.json()["items"], scope
        statements = [q["sql"] for q in seen.captured_queries]
        reads = [sql for sql in statements if "members_member" in sql]
        assert len(reads) == 1, (scope, reads)
        assert "probe" not in reads[0] and "COUNT(" not in reads[0], (scope, reads)
        assert not any(sql.startswith("SELECT 1 FROM orgs_org") for sql in statements), scope
        assert len(statements) == 2 + audit_statements, (scope, statements)
        assert member_search(city[scope], MemberFilter()).holds_a_top_org() is (scope == "city")


def _branch_runs(plan: str, op: str) -> bool:
    """Whether the page under the one-time filter ``count <op> WIDE`` was run."""
    lines = plan.splitlines()
    start = next(i for i, x in enumerate(lines) if "One-Time Filter" in x and f" {op} " in x)
    limit = next(x for x in lines[start:] if "->  Limit" in x)
    return "never executed" not in limit


@pytest.mark.parametrize("wide", [search.WIDE, -1], ids=["narrow", "wide"])
def test_the_plan_not_chosen_is_never_run(city, monkeypatch, wide: int) -> None:
    """PostgreSQL: a narrow scope's page counts its matches and reads the page by the plan the
    count chooses in one statement; the other plan's branch is never executed."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite counts first (no round trip to save)")
    monkeypatch.setattr(search, "WIDE", wide)
    for q in ("nguyen van", "an", ""):
        found = member_search(city["cell"], MemberFilter(q=q, status="on_rolls"))
        sql, params = found._either(50, 0, None)
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert _branch_runs(plan, "<=") is (wide >= 0), plan  # the orgs plan
        assert _branch_runs(plan, ">") is (wide < 0), plan  # the name plan
        assert found._known_plan() is None
        reference = member_list(city["cell"], MemberFilter(q=q, status="on_rolls"))
        assert [r.pk for r in found.rows(limit=50)] == list(
            reference.values_list("pk", flat=True)[:50]
        ), q


def test_a_small_scope_is_counted_once_and_a_stale_count_gives_the_same_answers(
    city, monkeypatch
) -> None:
    """A scope of at most WIDE members takes the orgs plan without counting its matches; it
    is counted once (``_small_scope``). A scope remembered as small that has grown past WIDE
    is read by orgs until the next count: the same answers, by the other plan."""
    from django.test.utils import CaptureQueriesContext

    search._SMALL.clear()
    flt = MemberFilter(q="nguyen", status="on_rolls")
    with CaptureQueriesContext(connection) as first:
        member_search(city["cell"], flt).rows(limit=50)
    with CaptureQueriesContext(connection) as second:
        assert member_search(city["cell"], flt).plan() == "orgs"
        member_search(city["cell"], MemberFilter(q="an", status="on_rolls")).rows(limit=50)
    first_reads = [q["sql"] for q in first.captured_queries if "members_member" in q["sql"]]
    reads = [q["sql"] for q in second.captured_queries if "members_member" in q["sql"]]
    assert len(first_reads) == 2, first_reads  # the scope's members counted, then the page
    assert len(reads) == 1, reads  # the page alone
    assert "COUNT(" not in reads[0], reads
    monkeypatch.setattr(search, "WIDE", 10)  # the committee has more than 10 members …
    monkeypatch.setattr(search.MemberSearch, "_counted_small", lambda self: True)  # … "small"
    for q in ("nguyen", "an", "tran thi", "h", ""):
        f = MemberFilter(q=q, status="on_rolls")
        assert member_search(city["committee"], f).plan() == "orgs", q
        _same_answers(city["committee"], f)
