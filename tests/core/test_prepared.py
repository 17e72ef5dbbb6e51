"""The two reads of every request (the rules' stamp, the user's role assignments) are the
ORM's statements compiled once per process (``core.prepared.Prepared``), with the same answers.

Issue 22: building and compiling those two queries cost ~0.8 ms of Python a request of
``GET /api/v1/members?q=`` (measured at 400,000 members on PostgreSQL, docs/performance.md).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone

from chibo.accounts.models import RoleAssignment
from chibo.core import rules, scoping
from chibo.core.models import RuleVersion
from chibo.core.prepared import Prepared
from chibo.core.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def compiled(monkeypatch) -> list[str]:
    """The SQL the ORM compiles (each call of ``SQLCompiler.as_sql``)."""
    seen: list[str] = []
    original = SQLCompiler.as_sql

    def spy(self, *args, **kwargs):
        sql, params = original(self, *args, **kwargs)
        seen.append(sql)
        return sql, params

    monkeypatch.setattr(SQLCompiler, "as_sql", spy)
    return seen


def _fresh(user):
    user.__dict__.pop("_chibo_roles", None)
    return user


def test_the_roles_of_every_request_are_compiled_once(tree, compiled) -> None:
    a = factories.user("a", Role.CELL_SECRETARY, tree["cell_a"])
    b = factories.user("b", Role.VIEWER, tree["city"])
    scoping._roles(_fresh(a))
    before = len(compiled)
    for user in (a, b, a, b):
        scoping._roles(_fresh(user))
    assert len(compiled) == before  # no query built for the next requests


def test_the_rules_stamp_of_every_request_is_compiled_once(compiled) -> None:
    rules.version_stamp()
    before = len(compiled)
    rules.version_stamp()
    rules.refresh_if_changed()
    assert len(compiled) == before


def test_roles_are_those_in_force_today_bounds_included_and_only_the_users(tree) -> None:
    today = timezone.localdate()
    day = dt.timedelta(days=1)
    user = factories.user("u", Role.CELL_SECRETARY, tree["cell_a"])
    other = factories.user("o", Role.VIEWER, tree["city"])
    RoleAssignment.objects.filter(user=user).update(valid_from=today, valid_until=today)
    for role, org, start, end in (
        (Role.GRASSROOTS_STAFF, tree["uni"], None, today - day),  # ended yesterday
        (Role.VIEWER, tree["school"], today + day, None),  # starts tomorrow
        (Role.SUPERIOR_STAFF, tree["city"], today - day, today + day),
    ):
        RoleAssignment.objects.create(
            user=user, role=role, org=org, valid_from=start, valid_until=end
        )
    expected = set(
        RoleAssignment.objects.filter(
            user=user, role__in=[Role.CELL_SECRETARY, Role.SUPERIOR_STAFF]
        ).values_list("role", "org__path")
    )
    assert len(expected) == 2
    assert set(scoping._roles(_fresh(user))) == expected
    assert scoping._roles(_fresh(other)) == [(Role.VIEWER, tree["city"].path)]
    assert scoping.roles_in_force(_fresh(user)) == {Role.CELL_SECRETARY, Role.SUPERIOR_STAFF}


def test_the_stamp_is_the_aggregate_and_moves_on_every_change() -> None:
    from django.db.models import Count, Max

    def orm() -> tuple:
        row = RuleVersion.objects.aggregate(n=Count("id"), top=Max("id"), at=Max("changed_at"))
        return row["n"], row["top"]

    first = rules.version_stamp()
    assert first[:2] == orm()
    rule = RuleVersion.objects.order_by("id").first()
    rule.note = "sửa"
    rule.save()
    edited = rules.version_stamp()
    assert edited != first and edited[:2] == orm()
    rule.delete()
    deleted = rules.version_stamp()
    assert deleted != edited and deleted[:2] == orm()


def test_a_query_with_a_value_that_is_no_placeholder_is_refused(tree) -> None:
    prepared = Prepared(
        RoleAssignment,
        lambda user_id: RoleAssignment.objects.filter(user_id=user_id, role="viewer"),
        -7_000_001,
    )
    with pytest.raises(ValueError, match="no placeholder"):
        prepared.rows(1)
