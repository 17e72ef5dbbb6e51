"""A token made without the two-step login does not carry a role that requires it.

The gap: a cell secretary (no second factor required) creates an API token;
later a committee role is granted, and the old token reads and writes the
whole subtree without a second factor ever given. Tokens now record whether
they were made after the two-step login (``ApiToken.second_factor``); while
the user's roles require it, one made without it gets 401
``second_factor_required`` (``WWW-Authenticate: … insufficient_user_authentication``),
on reads and writes alike, and the tokens page says why.
"""

from __future__ import annotations

import io
import time
from typing import Any

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from chibo.accounts import twofactor
from chibo.accounts.models import ApiToken, RoleAssignment
from chibo.core.roles import Role
from tests import factories as f

PASSWORD = "mat-khau-dai-123"

pytestmark = pytest.mark.django_db


def _login(username: str) -> Client:
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _new_token(client: Client) -> str:
    response = client.post(reverse("accounts:tokens"), {"expires_days": "30", "password": PASSWORD})
    assert response.status_code == 200 and response.context["raw"], response.status_code
    return response.context["raw"]


def _api(raw: str, method: str = "get", path: str = "/api/v1/members", **extra: Any) -> Any:
    return getattr(Client(), method)(path, HTTP_AUTHORIZATION=f"Bearer {raw}", **extra)


def test_a_token_made_without_the_second_factor_stops_when_a_role_requires_it(
    tree: dict, two_factor_on: None
) -> None:
    user = f.user("bithu", Role.CELL_SECRETARY, tree["cell_a"])
    client = _login("bithu")
    raw = _new_token(client)
    assert ApiToken.objects.get().second_factor is False
    assert _api(raw).status_code == 200  # no role requires the second factor yet

    RoleAssignment.objects.create(user=user, role=Role.GRASSROOTS_STAFF, org=tree["uni"])
    for response in (
        _api(raw),
        _api(raw, "post", "/api/v1/members", data="{}", content_type="application/json"),
    ):
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == (
            'Bearer realm="chibo", error="insufficient_user_authentication"'
        )
        error = response.json()["error"]
        assert error["code"] == "second_factor_required"
        assert "hai bước" in error["message"] and "token mới" in error["message"]
    # The API docs follow the same rule.
    assert _api(raw, path="/api/v1/openapi.json").status_code in (200, 401)

    # The tokens page says which token no longer works, and why.
    secret = twofactor.enrol_start(user=user).secret
    twofactor.enrol_confirm(user=user, code=twofactor.totp(secret, at=time.time() - 30))
    client = _login("bithu")
    client.post(reverse("accounts:2fa_verify"), {"code": twofactor.totp(secret)})
    page = client.get(reverse("accounts:tokens")).content.decode()
    assert "bị từ chối" in page

    # The role taken away again, the token works again (it is the roles that decide).
    RoleAssignment.objects.filter(user=user, role=Role.GRASSROOTS_STAFF).delete()
    assert _api(raw).status_code == 200


def test_a_token_made_after_the_two_step_login_keeps_working(
    tree: dict, two_factor_on: None
) -> None:
    user = f.user("uni", Role.GRASSROOTS_STAFF, tree["uni"])
    secret = twofactor.enrol_start(user=user).secret
    twofactor.enrol_confirm(user=user, code=twofactor.totp(secret, at=time.time() - 30))
    client = _login("uni")
    client.post(reverse("accounts:2fa_verify"), {"code": twofactor.totp(secret)})
    raw = _new_token(client)
    assert ApiToken.objects.get().second_factor is True
    assert _api(raw).status_code == 200
    page = client.get(reverse("accounts:tokens")).content.decode()
    assert "bị từ chối" not in page


def test_without_the_setting_no_token_is_refused(tree: dict, settings: Any) -> None:
    settings.CHIBO_2FA_REQUIRED = False
    user = f.user("bithu", Role.CELL_SECRETARY, tree["cell_a"])
    raw = _new_token(_login("bithu"))
    RoleAssignment.objects.create(user=user, role=Role.GRASSROOTS_STAFF, org=tree["uni"])
    assert _api(raw).status_code == 200


def test_create_token_command_refuses_a_user_whose_roles_require_the_second_factor(
    tree: dict, two_factor_on: None
) -> None:
    f.user("uni", Role.GRASSROOTS_STAFF, tree["uni"])
    with pytest.raises(CommandError, match="hai bước"):
        call_command("create-token", "uni", stdout=io.StringIO())
    assert not ApiToken.objects.exists()
    f.user("bithu", Role.CELL_SECRETARY, tree["cell_a"])
    out = io.StringIO()
    call_command("create-token", "bithu", stdout=out)
    assert out.getvalue().startswith("chb_")


def test_the_migration_counts_tokens_made_after_enrolment_as_second_factor(
    tree: dict,
) -> None:
    import importlib

    from chibo.accounts.tokens import token_create

    migration = importlib.import_module("chibo.accounts.migrations.0006_apitoken_second_factor")
    early = f.user("early", Role.GRASSROOTS_STAFF, tree["uni"])
    before, _raw = token_create(actor=None, user=early)  # before enrolling: no second factor
    secret = twofactor.enrol_start(user=early).secret
    twofactor.enrol_confirm(user=early, code=twofactor.totp(secret, at=time.time() - 30))
    after, _raw = token_create(actor=None, user=early)
    never = f.user("never", Role.CELL_SECRETARY, tree["cell_a"])
    plain, _raw = token_create(actor=None, user=never)
    ApiToken.objects.update(second_factor=False)
    migration.mark_existing(apps, None)
    marked = dict(ApiToken.objects.values_list("pk", "second_factor"))
    assert marked == {before.pk: False, after.pk: True, plain.pk: False}
