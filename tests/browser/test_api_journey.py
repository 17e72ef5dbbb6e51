"""API tokens made in the UI work from a script; the browsable docs render under our CSP."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest

from chibo.accounts.models import ApiToken
from chibo.core.roles import Role
from tests import factories
from tests.browser.helpers import login

pytestmark = pytest.mark.browser


def _get_json(url: str, token: str) -> Any:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 — our own live server
        return json.loads(response.read())


def test_create_a_token_in_the_ui_use_it_then_revoke_it(page: Any, live_url: str) -> None:
    tree = factories.tree()
    factories.member(tree["cell_a"], full_name="Nguyễn Văn An", code="DV-AN")
    factories.user("bithu", Role.CELL_SECRETARY, tree["cell_a"])
    login(page, live_url, "bithu")
    page.click("a[href='/accounts/tokens/']")
    page.fill("#id_name", "báo cáo tháng")
    page.fill("#id_expires_days", "30")
    page.fill("#id_password", "mat-khau-dai-123")  # token creation re-asks the password
    page.click("main form[method=post] button[type=submit]")
    token = page.locator("#new-token-value").input_value()
    assert token.startswith("chb_")
    body = _get_json(f"{live_url}/api/v1/members?q=nguyen", token)
    assert [i["member_code"] for i in body["items"]] == ["DV-AN"]
    page.goto(f"{live_url}/accounts/tokens/")  # shown once: not on the page any more
    assert page.locator("#new-token-value").count() == 0
    page.click("main table form button[type=submit]")
    page.wait_for_load_state("domcontentloaded")
    assert ApiToken.objects.get().revoked_at is not None
    with pytest.raises(urllib.error.HTTPError) as err:
        _get_json(f"{live_url}/api/v1/me", token)
    assert err.value.code == 401


def test_browsable_docs_render_offline_under_the_csp(page: Any, live_url: str) -> None:
    violations: list[str] = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    external: list[str] = []
    page.on(
        "request",
        lambda req: external.append(req.url) if not req.url.startswith(live_url) else None,
    )
    page.goto(f"{live_url}/api/v1/docs")
    page.locator(".swagger-ui .opblock").first.wait_for()
    assert page.locator(".swagger-ui .opblock").count() >= 25
    assert not [u for u in external if not u.startswith("data:")], external
    assert not [v for v in violations if "script" in v], violations
