from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404

from chibo.accounts.models import RoleAssignment
from chibo.core.roles import Cap, Role
from chibo.core.scoping import scope_for
from chibo.members.selectors import get_member_for, members_for
from chibo.orgs.selectors import get_org_for, orgs_for
from tests import factories

pytestmark = pytest.mark.django_db


def test_scope_covers_the_assigned_subtree_and_nothing_else(tree) -> None:
    staff = factories.user("staff", Role.GRASSROOTS_STAFF, tree["uni"])
    codes = set(orgs_for(staff).values_list("code", flat=True))
    assert codes == {"BK", "BK-SV1", "BK-GV1"}


def test_member_outside_scope_is_404_and_read_only_write_is_403(tree) -> None:
    m_inside = factories.member(tree["cell_a"])
    m_outside = factories.member(tree["school"], category="teacher", full_name="Lê Thị Bình")
    secretary = factories.user("sec", Role.CELL_SECRETARY, tree["cell_a"])
    viewer = factories.user("viewer", Role.VIEWER, tree["city"])
    assert get_member_for(secretary, m_inside.member_code, write=True).pk == m_inside.pk
    with pytest.raises(Http404):
        get_member_for(secretary, m_outside.member_code)
    assert get_member_for(viewer, m_outside.member_code).pk == m_outside.pk
    with pytest.raises(PermissionDenied):
        get_member_for(viewer, m_outside.member_code, write=True)


def test_sysadmin_sees_the_tree_but_no_personal_data(tree) -> None:
    factories.member(tree["cell_a"])
    admin = factories.user("admin", Role.SYSADMIN, tree["city"])
    assert orgs_for(admin).count() == 8
    assert members_for(admin).count() == 0


def test_anonymous_and_roleless_users_see_nothing(tree) -> None:
    factories.member(tree["cell_a"])
    nobody = factories.user("nobody")
    assert members_for(AnonymousUser()).count() == 0
    assert members_for(nobody).count() == 0
    with pytest.raises(Http404):
        get_org_for(nobody, "TU")


def test_nested_assignments_collapse_to_one_range(tree) -> None:
    u = factories.user("u", Role.VIEWER, tree["city"])
    RoleAssignment.objects.create(user=u, role=Role.VIEWER, org=tree["uni"])
    assert len(scope_for(u, Cap.MEMBER_VIEW).ranges) == 1


def test_union_of_two_subtrees(tree) -> None:
    u = factories.user("u", Role.VIEWER, tree["uni"])
    RoleAssignment.objects.create(user=u, role=Role.VIEWER, org=tree["school"])
    assert set(orgs_for(u).values_list("code", flat=True)) == {"BK", "BK-SV1", "BK-GV1", "Q1-THPT"}


def test_subtree_query_uses_the_path_index(tree) -> None:
    staff = factories.user("staff", Role.SUPERIOR_STAFF, tree["khoi"])
    sql, params = orgs_for(staff).query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = " ".join(str(row) for row in cursor.fetchall())
            assert "USING INDEX" in plan and "path" in plan, plan
        else:
            cursor.execute("SET enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
            plan = " ".join(row[0] for row in cursor.fetchall())
            cursor.execute("SET enable_seqscan = on")
            assert "Index" in plan and "path" in plan, plan
