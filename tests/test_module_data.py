"""tests/module_data.py: rows made once for a module, every test still on its own.

A test sees the module's rows, never a row another test wrote (whatever the order the
tests run in), and the rows are gone once the module is done; on both databases.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User

from chibo.core.models import RuleVersion
from chibo.orgs.models import Org, OrgKind
from tests import factories as f
from tests.module_data import module_data


def test_the_rows_are_gone_after_the_module(
    django_db_setup, django_db_blocker, tmp_path_factory
) -> None:
    # module_data driven by hand, first in this file (before the module fixture below
    # opens its transaction) and outside any test transaction: what it made is rolled
    # back when it ends, and what was there before is left.
    with django_db_blocker.unblock():
        before = Org.objects.count()
    with module_data(django_db_blocker, tmp_path_factory):
        f.org("GONE", "Bị hủy khi hết mô-đun", OrgKind.CITY_COMMITTEE)
        assert Org.objects.count() == before + 1
    with django_db_blocker.unblock():
        assert not Org.objects.filter(code="GONE").exists()
        assert Org.objects.count() == before


@pytest.fixture(scope="module")
def shared(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Org]:
    with module_data(django_db_blocker, tmp_path_factory):
        org = f.org("SHARED", "Đảng bộ dùng chung", OrgKind.CITY_COMMITTEE)
        User.objects.create_user("shared-user", password="mật-khẩu-chung")
        yield org


@pytest.mark.django_db
@pytest.mark.parametrize("writer", ["first", "second"])
def test_a_test_sees_the_module_rows_and_none_of_another_tests(shared: Org, writer: str) -> None:
    assert Org.objects.filter(pk=shared.pk, code="SHARED").exists()
    assert not Org.objects.filter(code__startswith="ONLY-").exists()
    f.org(f"ONLY-{writer}", "Chỉ của một phép thử", OrgKind.CITY_COMMITTEE)
    assert Org.objects.filter(code__startswith="ONLY-").count() == 1


@pytest.mark.django_db
def test_a_test_may_change_a_module_row_for_itself_alone(shared: Org) -> None:
    Org.objects.filter(pk=shared.pk).update(name="Đổi trong phép thử này")
    assert Org.objects.get(pk=shared.pk).name == "Đổi trong phép thử này"


@pytest.mark.django_db
def test_the_change_of_another_test_is_rolled_back(shared: Org) -> None:
    assert Org.objects.get(pk=shared.pk).name == "Đảng bộ dùng chung"


@pytest.mark.django_db
def test_the_module_rows_sit_beside_what_migrations_loaded(shared: Org) -> None:
    assert RuleVersion.objects.exists()
    # Made with the tests' fast hasher, and still a working password.
    user = authenticate(username="shared-user", password="mật-khẩu-chung")
    assert user is not None and user.password.startswith("md5$")
