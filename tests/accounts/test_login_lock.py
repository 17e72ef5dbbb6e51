"""The login lock is keyed on the username Django authenticates (issue 16.8)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from chibo.accounts import services
from chibo.accounts.models import LoginFailure
from chibo.core.roles import Role
from tests import factories as f

pytestmark = pytest.mark.django_db

PASSWORD = "mat-khau-dai-123"


@pytest.fixture(autouse=True)
def _fast(settings: Any) -> None:
    settings.LOGIN_FAILURE_LIMIT = 3


@pytest.mark.parametrize(
    "look_alike", ["ｐｒｏｂｅ1", "𝐩𝐫𝐨𝐛𝐞1", "probe¹", " PROBE1 ", "probe1\u3000"]
)
def test_a_look_alike_username_is_the_same_lock(tree: dict, look_alike: str) -> None:
    f.user("probe1", Role.CELL_SECRETARY, tree["cell_a"])
    client = Client()
    for _ in range(3):
        client.post("/accounts/login/", {"username": "probe1", "password": "sai-mat-khau"})
    response = client.post("/accounts/login/", {"username": look_alike, "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert LoginFailure.objects.filter(username="probe1").count() == 3  # the lock still holds


def test_failures_under_look_alikes_add_up_on_one_key(tree: dict) -> None:
    f.user("probe1", Role.CELL_SECRETARY, tree["cell_a"])
    client = Client()
    for name in ("ｐｒｏｂｅ1", "𝐩𝐫𝐨𝐛𝐞1", "probe¹"):
        client.post("/accounts/login/", {"username": name, "password": "sai-mat-khau"})
    assert set(LoginFailure.objects.values_list("username", flat=True)) == {"probe1"}
    response = client.post("/accounts/login/", {"username": "probe1", "password": PASSWORD})
    assert response.status_code == 429


def test_login_key_is_what_django_authenticates() -> None:
    from django.contrib.auth.forms import AuthenticationForm

    field = AuthenticationForm.base_fields["username"]
    for typed in ("ｐｒｏｂｅ1", "𝐩𝐫𝐨𝐛𝐞1", "probe¹", "  probe1 ", "Probe1"):
        assert services.login_key(typed) == field.clean(typed).lower()
