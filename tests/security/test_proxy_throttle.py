"""Throttles behind the shipped proxy (issue 16.1): per client address, never one global counter.

Through real gunicorn with deploy/gunicorn.conf.py and deploy/env.example's
CHIBO_TRUSTED_PROXIES, requests forwarded as nginx forwards them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import RequestFactory

from chibo.accounts import services
from chibo.core.clientip import client_ip, parse_networks
from chibo.core.roles import Role
from tests import factories as f
from tests.security.served import Browser, gunicorn, shipped_env

PASSWORD = "mat-khau-dai-123"
ATTACKER = "203.0.113.9"
VICTIM = "198.51.100.7"


def _ip(settings: Any, remote: str, forwarded: str | None = None) -> str:
    settings.CHIBO_TRUSTED_PROXY_NETWORKS = parse_networks(["127.0.0.1", "::1", "10.0.0.0/8"])
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **meta))


def test_forwarded_for_is_believed_only_from_a_trusted_proxy(settings: Any) -> None:
    assert _ip(settings, "127.0.0.1", VICTIM) == VICTIM
    assert _ip(settings, "::1", VICTIM) == VICTIM
    # The client's own X-Forwarded-For is left of what nginx appended: ignored.
    assert _ip(settings, "127.0.0.1", f"{VICTIM}, {ATTACKER}") == ATTACKER
    # Two trusted hops (load balancer 10.x, then nginx).
    assert _ip(settings, "127.0.0.1", f"{VICTIM}, {ATTACKER}, 10.1.2.3") == ATTACKER
    # Straight from a client, the header is whatever it wrote: not believed.
    assert _ip(settings, ATTACKER, VICTIM) == ATTACKER
    assert _ip(settings, "127.0.0.1", "garbage") == "127.0.0.1"
    assert _ip(settings, "127.0.0.1", f"{VICTIM}, garbage, {ATTACKER}") == ATTACKER
    assert _ip(settings, "127.0.0.1") == "127.0.0.1"
    settings.CHIBO_TRUSTED_PROXY_NETWORKS = ()
    assert (
        client_ip(RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=VICTIM))
        == "127.0.0.1"
    )


def test_a_bad_trusted_proxies_value_fails_loudly() -> None:
    import os
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "chibo", "check"],
        env={**os.environ, "CHIBO_TRUSTED_PROXIES": "127.0.0.1,nginx"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0 and "CHIBO_TRUSTED_PROXIES" in result.stderr


def test_shipped_deploy_trusts_the_local_proxy() -> None:
    assert shipped_env()["CHIBO_TRUSTED_PROXIES"].split(",")[0] == "127.0.0.1"


@pytest.mark.django_db
def test_one_address_failures_never_lock_another_address(tree: dict, settings: Any) -> None:
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        services.login_failed(username="bithu", ip_address=ATTACKER)
    assert services.login_locked(username="bithu", ip_address=ATTACKER)
    assert not services.login_locked(username="bithu", ip_address=VICTIM)
    for n in range(12):
        services.login_failed(username=f"u{n}", ip_address=ATTACKER)
    assert services.login_locked(username="anyone", ip_address=ATTACKER)  # the address itself
    assert not services.login_locked(username="anyone", ip_address=VICTIM)
    # Failures for one name from many addresses (each stopped at the limit) lock the name.
    for n in range(10):
        for _ in range(3):
            services.login_failed(username="captren", ip_address=f"192.0.2.{n}")
    assert services.login_locked(username="captren", ip_address=VICTIM)


@pytest.mark.django_db(transaction=True)
def test_through_gunicorn_with_the_shipped_config(tmp_path: Path, settings: Any) -> None:
    tree = f.tree()
    f.user("bithu", Role.CELL_SECRETARY, tree["cell_a"])
    victim = f.user("giangvien", Role.CELL_SECRETARY, tree["cell_b"])
    from chibo.accounts.tokens import token_create

    _t, token = token_create(actor=None, user=victim, expires_days=5)
    with gunicorn(tmp_path) as server:
        attacker = Browser(server, ATTACKER)
        # 20 failed logins with any usernames from one address (the attack).
        for n in range(20):
            attacker.login(f"nguoi{n}", "sai-mat-khau")
        assert attacker.login("bithu", PASSWORD).status == 429  # that address is locked
        # Everyone else still logs in, including through the same proxy.
        assert Browser(server, VICTIM).login("bithu", PASSWORD).status == 302
        # Five failures for giangvien from the attacker's second address lock only that pair.
        second = Browser(server, "203.0.113.10")
        for _ in range(4):
            assert second.login("giangvien", "sai-mat-khau").status == 200
        assert second.login("giangvien", "sai-mat-khau").status == 429  # the limit (5) is reached
        assert second.login("giangvien", PASSWORD).status == 429
        assert Browser(server, VICTIM).login("giangvien", PASSWORD).status == 302
        # A forged X-Forwarded-For from the locked address is ignored (nginx appends the real one).
        assert attacker.login("bithu", PASSWORD, spoofed=VICTIM).status == 429
        # A client straight at gunicorn (not the trusted proxy) is its own address,
        # whatever X-Forwarded-For it sends.
        direct = Browser(server, VICTIM, source="127.0.0.2")
        for _ in range(5):
            direct.login("bithu", "sai-mat-khau")
        assert direct.login("bithu", PASSWORD).status == 429
        assert Browser(server, VICTIM).login("bithu", PASSWORD).status == 302

        # API: 20 garbage bearer tokens from one address; valid tokens keep working.
        garbage = {"Authorization": "Bearer chb_not-a-real-token"}
        for _ in range(20):
            assert (
                server.request("GET", "/api/v1/me", client=ATTACKER, headers=garbage).status == 401
            )
        assert server.request("GET", "/api/v1/me", client=ATTACKER, headers=garbage).status == 429
        good = {"Authorization": f"Bearer {token}"}
        assert server.request("GET", "/api/v1/me", client=VICTIM, headers=garbage).status == 401
        assert server.request("GET", "/api/v1/me", client=VICTIM, headers=good).status == 200
        assert server.request("GET", "/api/v1/me", client=ATTACKER, headers=good).status == 200
