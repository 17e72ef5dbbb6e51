"""Org tree browser, org page and restructuring through the web UI."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from chibo.core.models import AuditEntry
from chibo.core.roles import Role
from chibo.members.models import Member
from chibo.orgs.models import Org, OrgEvent
from tests import factories as f

WRITE_VIEWS = ["orgs:move", "orgs:merge", "orgs:rename", "orgs:close", "orgs:new_child"]


@pytest.fixture
def t(db: None) -> dict[str, Org]:
    return f.tree()


def login(user: object) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def inside(t: dict[str, Org]) -> Client:
    """Grassroots committee staff of the university: restructures its subtree."""
    return login(f.user("bk-staff", Role.GRASSROOTS_STAFF, t["uni"]))


@pytest.fixture
def outside(t: dict[str, Org]) -> Client:
    return login(f.user("q1-staff", Role.SUPERIOR_STAFF, t["district"]))


@pytest.fixture
def readonly(t: dict[str, Org]) -> Client:
    return login(f.user("bk-viewer", Role.VIEWER, t["uni"]))


# --- tree ------------------------------------------------------------------------


def test_tree_starts_at_scope_roots_with_rolled_up_counts(t: dict[str, Org]) -> None:
    f.member(t["cell_a"])
    f.member(t["cell_a"], full_name="Trần Thị Bình")
    f.member(t["cell_b"], full_name="Lê Văn Cường")
    client = login(f.user("khoi", Role.SUPERIOR_STAFF, t["khoi"]))
    response = client.get(reverse("orgs:tree"))
    assert response.status_code == 200
    [root] = response.context["roots"]
    assert root.org == t["khoi"]
    assert root.count == 3
    [uni] = root.children
    assert (uni.org, uni.count, uni.has_children) == (t["uni"], 3, True)
    assert "Thành ủy" not in response.content.decode()  # above the scope: not shown


def test_tree_counts_take_a_constant_number_of_queries(t: dict[str, Org]) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(f.user("city", Role.CITY_OFFICE, t["city"]))
    client.get(reverse("orgs:tree"))  # warm the session

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("orgs:tree")).status_code == 200
        return len(ctx)

    before = queries()
    for i in range(5):
        cell = f.org(f"BK-X{i}", f"Chi bộ X{i}", "subordinate_cell", t["uni"])
        f.member(cell)
    assert queries() == before


def test_a_wide_tree_and_org_page_write_their_nodes_without_a_template_each(
    t: dict[str, Org],
) -> None:
    """The city's tree and page list every org under the city (4,127 at 400,000 members):
    a template include per node cost about a second of a worker under load. The nodes are
    written in Python (orgs.templatetags.org_tree), with the same markup, escaped."""
    for i in range(25):
        f.org(f"TU-X{i:02d}", f"Đảng ủy <X{i:02d}> & co", "direct_committee", t["city"])
    closed = f.org("TU-CLOSED", "Đảng ủy đã giải thể", "direct_committee", t["city"])
    closed.closed_on = closed.opened_on
    closed.save(update_fields=["closed_on"])
    for _ in range(2):
        f.member(t["cell_a"])
    client = login(f.user("city", Role.CITY_OFFICE, t["city"]))
    tree = client.get(reverse("orgs:tree"))
    page = client.get(reverse("orgs:detail", args=["TU"]))
    for response in (tree, page):
        names = [template.name for template in response.templates]
        assert len(names) < 12, names  # not one per node
        body = response.content.decode()
        assert "Đảng ủy &lt;X07&gt; &amp; co" in body and "<X07>" not in body
        assert f'href="{reverse("orgs:detail", args=["TU-X07"])}"' in body
        assert "Đảng ủy trực thuộc" in body  # the kind, in Vietnamese
    khoi = reverse("orgs:children", args=["KDHCD"])
    assert (
        f'<details hx-get="{khoi}" hx-trigger="toggle once" hx-target="find .subtree"'
        in tree.content.decode()
    )
    assert (
        '<span class="count" title="số đảng viên trong danh sách">2</span>'
        in tree.content.decode().split("<code>KDHCD</code>")[1][:300]
    )
    assert "TU-CLOSED" not in tree.content.decode()  # the tree shows open orgs
    row = page.content.decode().split("TU-CLOSED")[0].rsplit("<tr", 1)[1]
    assert row.startswith(' class="muted"')
    after = page.content.decode().split("TU-CLOSED")[1][:200]
    assert 'badge-grey">ngừng hoạt động</span>' in after


def _wide_city(t: dict[str, Org], n: int) -> list[Org]:
    """``n`` more open cells directly under the city, each with one member, and a closed one."""
    cells = [
        f.org(f"TU-W{i:02d}", f"Chi bộ Phường {i:02d}", "grassroots_cell", t["city"])
        for i in range(n)
    ]
    for cell in cells:
        f.member(cell)
    closed = f.org("TU-WZZ", "Chi bộ đã giải thể", "grassroots_cell", t["city"])
    closed.closed_on = closed.opened_on
    closed.save(update_fields=["closed_on"])
    return cells


def _tree_items(html: str) -> list[str]:
    return re.findall(r'<li><(?:details|div class="leaf")[^>]*>.*?<code>([^<]+)</code>', html)


def test_a_wide_level_shows_a_page_of_nodes_and_loads_the_rest_in_place(
    t: dict[str, Org], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A city has thousands of units directly under it (4,105 open at 400,000 members): the
    tree showed them all (1.2 MB, 200-400 ms a page). Now a page of a level, in name order,
    and a button that loads the next page in its own place."""
    from chibo.orgs import views

    monkeypatch.setattr(views, "CHILDREN_PAGE", 3)
    _wide_city(t, 5)
    expected = list(
        Org.objects.filter(parent=t["city"], closed_on__isnull=True)
        .order_by("name_folded", "pk")
        .values_list("code", flat=True)
    )
    assert len(expected) == 7  # the district, the bloc and the 5 cells
    client = login(f.user("city", Role.CITY_OFFICE, t["city"]))
    tree = client.get(reverse("orgs:tree")).content.decode()
    assert _tree_items(tree) == ["TU", *expected[:3]]
    url = reverse("orgs:children", args=["TU"])
    assert (
        f'<li class="more"><button type="button" class="outline secondary"'
        f' hx-get="{url}?start=3" hx-target="closest li" hx-swap="outerHTML">'
        "Xem thêm 3 (còn 4 tổ chức chưa hiện)</button></li></ul>" in tree
    )
    first = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert first.startswith('<ul class="tree">') and _tree_items(first) == expected[:3]
    second = client.get(f"{url}?start=3", HTTP_HX_REQUEST="true").content.decode()
    assert second.startswith("<li>") and "<ul" not in second.split("<details")[0]
    assert _tree_items(second) == expected[3:6]
    assert f'hx-get="{url}?start=6"' in second and "Xem thêm 1 (còn 1 tổ chức" in second
    last = client.get(f"{url}?start=6", HTTP_HX_REQUEST="true").content.decode()
    assert _tree_items(last) == expected[6:] and 'class="more"' not in last
    assert (
        'title="số đảng viên trong danh sách">1</span>'
        in second.split("<code>TU-W04</code>")[1][:200]
    )
    for junk in ("-1", "x", "99999999999"):  # read as the first page
        assert _tree_items(client.get(f"{url}?start={junk}").content.decode()) == expected[:3]


def test_an_org_page_lists_a_page_of_its_children_and_loads_the_rest_in_place(
    t: dict[str, Org], monkeypatch: pytest.MonkeyPatch
) -> None:
    from chibo.orgs import views

    monkeypatch.setattr(views, "CHILDREN_PAGE", 3)
    _wide_city(t, 5)
    client = login(f.user("city", Role.CITY_OFFICE, t["city"]))
    url = reverse("orgs:detail", args=["TU"])
    page = client.get(url).content.decode()
    rows = re.findall(r"<tr[^>]*><td><a href=\"/orgs/([^/]+)/\"", page)
    assert len(rows) == 3
    assert (
        f'<tr class="more"><td colspan="4"><button type="button" class="outline secondary"'
        f' hx-get="{url}?start=3" hx-target="closest tr" hx-swap="outerHTML">'
        "Xem thêm 3 (còn 5 tổ chức chưa hiện)</button></td></tr>" in page
    )
    seen = list(rows)
    start = 3
    while start:
        part = client.get(f"{url}?start={start}", HTTP_HX_REQUEST="true").content.decode()
        assert part.startswith("<tr") and "<html" not in part
        seen += re.findall(r"<tr[^>]*><td><a href=\"/orgs/([^/]+)/\"", part)
        more = re.search(r"\?start=(\d+)", part)
        start = int(more.group(1)) if more else 0
    children = Org.objects.filter(parent=t["city"])
    assert sorted(seen) == sorted(children.values_list("code", flat=True))  # each once
    assert len(seen) == 8  # the closed one too, as before
    assert page.count("<h2>") == 2  # the children, then the history, as before


def test_the_tree_its_levels_and_an_org_page_cost_the_same_however_wide_the_level(
    t: dict[str, Org], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Queries and nodes written stay the same when a level grows past a page: the work of
    a page is bounded by the page, not by the tree (SQLite refused the children of 4,105
    units at once: "Expression tree is too large")."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from chibo.orgs import views

    monkeypatch.setattr(views, "CHILDREN_PAGE", 3)
    client = login(f.user("city", Role.CITY_OFFICE, t["city"]))
    urls = [
        reverse("orgs:tree"),
        reverse("orgs:children", args=["TU"]),
        reverse("orgs:detail", args=["TU"]),
        reverse("orgs:detail", args=["TU"]) + "?start=3",
    ]
    client.get(urls[0])  # the session and the rules, read once

    def cost() -> list[tuple[int, int]]:
        out = []
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url, HTTP_HX_REQUEST="true")
            assert response.status_code == 200
            body = response.content.decode()
            out.append((len(ctx), body.count("<li>") + body.count("<tr")))
        return out

    _wide_city(t, 4)
    before = cost()
    _wide_city_more = [
        f.org(f"TU-V{i:02d}", f"Chi bộ Xã {i:02d}", "grassroots_cell", t["city"]) for i in range(12)
    ]
    for cell in _wide_city_more:
        f.member(cell)
    assert cost() == before


def test_tree_counts_only_members_on_the_rolls(t: dict[str, Org]) -> None:
    from chibo.members import services

    m = f.member(t["cell_a"])
    f.member(t["cell_a"], full_name="Trần Thị Bình")
    services.member_record_death(
        actor=None, member=m, effective_date=m.admitted_on, decision=services.Decision()
    )
    client = login(f.user("bk", Role.GRASSROOTS_STAFF, t["uni"]))
    [root] = client.get(reverse("orgs:tree")).context["roots"]
    assert root.count == 1


def test_tree_children_partial_for_htmx_expand(t: dict[str, Org], inside: Client) -> None:
    f.member(t["cell_b"])
    response = inside.get(reverse("orgs:children", args=["BK"]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert "Chi bộ Sinh viên 1" in body and "Chi bộ Giảng viên 1" in body
    counts = {n.org.code: n.count for n in response.context["nodes"]}
    assert counts == {"BK-SV1": 0, "BK-GV1": 1}


def test_tree_children_outside_scope_is_404(outside: Client) -> None:
    assert outside.get(reverse("orgs:children", args=["BK"])).status_code == 404


def test_tree_for_user_without_role_explains(db: None) -> None:
    client = login(f.user("nobody"))
    response = client.get(reverse("orgs:tree"))
    assert response.status_code == 200
    assert response.context["roots"] == []


# --- detail ----------------------------------------------------------------------


def test_detail_shows_breadcrumb_children_counts_and_history(
    t: dict[str, Org], inside: Client
) -> None:
    f.member(t["cell_a"])
    response = inside.get(reverse("orgs:detail", args=["BK"]))
    assert response.status_code == 200
    body = response.content.decode()
    assert response.context["member_count"] == 1
    # ancestors above the scope are named but not linked
    assert [(a.code, visible) for a, visible in response.context["ancestors"]] == [
        ("TU", False),
        ("KDHCD", False),
    ]
    assert reverse("orgs:detail", args=["KDHCD"]) not in body
    assert reverse("orgs:detail", args=["BK-SV1"]) in body
    assert "Established" in body or "Thành lập" in body  # the created event
    assert reverse("members:list") + "?org=BK" in body
    assert reverse("orgs:move", args=["BK"]) in body  # restructure actions offered


def test_detail_outside_scope_is_404(outside: Client) -> None:
    assert outside.get(reverse("orgs:detail", args=["BK"])).status_code == 404


def test_detail_read_only_has_no_restructure_actions(readonly: Client) -> None:
    response = readonly.get(reverse("orgs:detail", args=["BK-SV1"]))
    assert response.status_code == 200
    assert response.context["may_restructure"] is False
    assert reverse("orgs:rename", args=["BK-SV1"]) not in response.content.decode()


# --- restructuring: access --------------------------------------------------------


@pytest.mark.parametrize("name", WRITE_VIEWS)
def test_write_form_inside_200(name: str, inside: Client) -> None:
    assert inside.get(reverse(name, args=["BK-SV1"])).status_code == 200


@pytest.mark.parametrize("name", WRITE_VIEWS)
def test_write_views_outside_404(name: str, outside: Client) -> None:
    url = reverse(name, args=["BK-SV1"])
    assert outside.get(url).status_code == 404
    assert outside.post(url, {"effective_date": "01/07/2025"}).status_code == 404


@pytest.mark.parametrize("name", WRITE_VIEWS)
def test_write_views_read_only_403(name: str, readonly: Client, t: dict[str, Org]) -> None:
    url = reverse(name, args=["BK-SV1"])
    assert readonly.get(url).status_code == 403
    assert readonly.post(url, {"name": "X", "effective_date": "01/07/2025"}).status_code == 403
    assert Org.objects.get(code="BK-SV1").name == "Chi bộ Sinh viên 1"


def test_cell_secretary_cannot_restructure_own_cell(t: dict[str, Org]) -> None:
    client = login(f.user("sec", Role.CELL_SECRETARY, t["cell_a"]))
    assert client.get(reverse("orgs:rename", args=["BK-SV1"])).status_code == 403


# --- restructuring: through the views ---------------------------------------------


def test_move_subtree_through_the_view(t: dict[str, Org]) -> None:
    client = login(f.user("city-staff", Role.SUPERIOR_STAFF, t["city"]))
    response = client.post(
        reverse("orgs:move", args=["Q1-THPT"]),
        {"new_parent": "KDHCD", "effective_date": "01/07/2025", "decision_number": "5-QĐ/TU"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("orgs:detail", args=["Q1-THPT"])
    school = Org.objects.get(code="Q1-THPT")
    assert school.parent == t["khoi"]
    assert school.path.startswith(t["khoi"].path)
    assert OrgEvent.objects.filter(org=school, kind=OrgEvent.Kind.MOVED).exists()
    assert AuditEntry.objects.filter(action="orgs.move", object_id="Q1-THPT").exists()
    follow = client.get(response["Location"])
    assert "5-QĐ/TU" in follow.content.decode()


def test_move_to_parent_outside_restructure_scope_is_a_form_error(
    t: dict[str, Org], outside: Client
) -> None:
    response = outside.post(
        reverse("orgs:move", args=["Q1-THPT"]),
        {"new_parent": "KDHCD", "effective_date": "01/07/2025"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["new_parent"]
    assert Org.objects.get(code="Q1-THPT").parent == t["district"]


def test_move_service_refusal_is_shown_and_input_kept(t: dict[str, Org]) -> None:
    client = login(f.user("city-staff", Role.SUPERIOR_STAFF, t["city"]))
    response = client.post(
        reverse("orgs:move", args=["Q1-THPT"]),
        {"new_parent": "Q1", "effective_date": "01/07/2025", "decision_number": "7-QĐ"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["new_parent"]  # already under Q1
    assert 'value="7-QĐ"' in response.content.decode()


def test_move_rejects_a_badly_written_date(t: dict[str, Org]) -> None:
    client = login(f.user("city-staff", Role.SUPERIOR_STAFF, t["city"]))
    response = client.post(
        reverse("orgs:move", args=["Q1-THPT"]),
        {"new_parent": "KDHCD", "effective_date": "31/02/2025"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["effective_date"]


def test_merge_cells_through_the_view(t: dict[str, Org], inside: Client) -> None:
    m = f.member(t["cell_a"])
    response = inside.post(
        reverse("orgs:merge", args=["BK-SV1"]),
        {"target": "BK-GV1", "effective_date": "01/07/2025", "decision_number": "9-QĐ/ĐU"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("orgs:detail", args=["BK-GV1"])
    source = Org.objects.get(code="BK-SV1")
    assert source.closed_on is not None and source.merged_into == t["cell_b"]
    assert Member.objects.get(pk=m.pk).org == t["cell_b"]
    assert AuditEntry.objects.filter(action="orgs.merge", object_id="BK-SV1").exists()


def test_rename_through_the_view(inside: Client) -> None:
    response = inside.post(
        reverse("orgs:rename", args=["BK-SV1"]),
        {"name": "Chi bộ Sinh viên Khoa Điện", "effective_date": "01/09/2025"},
    )
    assert response.status_code == 302
    assert Org.objects.get(code="BK-SV1").name == "Chi bộ Sinh viên Khoa Điện"


def test_close_refused_while_members_remain(t: dict[str, Org], inside: Client) -> None:
    f.member(t["cell_a"])
    response = inside.post(reverse("orgs:close", args=["BK-SV1"]), {"effective_date": "01/09/2025"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert Org.objects.get(code="BK-SV1").closed_on is None


def test_close_empty_cell(inside: Client) -> None:
    response = inside.post(reverse("orgs:close", args=["BK-SV1"]), {"effective_date": "01/09/2025"})
    assert response.status_code == 302
    assert Org.objects.get(code="BK-SV1").closed_on is not None


def test_new_child_through_the_view(t: dict[str, Org], inside: Client) -> None:
    response = inside.post(
        reverse("orgs:new_child", args=["BK"]),
        {
            "code": "BK-SV2",
            "name": "Chi bộ Sinh viên 2",
            "kind": "subordinate_cell",
            "school_level": "dai_hoc",
            "opened_on": "02/09/2025",
        },
    )
    assert response.status_code == 302
    assert Org.objects.get(code="BK-SV2").parent == t["uni"]


def test_new_child_offers_only_kinds_allowed_under_the_parent(inside: Client) -> None:
    response = inside.get(reverse("orgs:new_child", args=["BK"]))
    assert [k for k, _label in response.context["form"].fields["kind"].choices] == [
        "subordinate_cell"
    ]


def test_number_filters_follow_the_language() -> None:
    from django.utils import translation

    from chibo.core.templatetags.chibo_tags import num, pct

    with translation.override("vi"):
        assert (num(1065), pct(5.16), num(None)) == ("1.065", "5,16%", "")
    with translation.override("en"):
        assert (num(1065), pct(5.16)) == ("1,065", "5.16%")
