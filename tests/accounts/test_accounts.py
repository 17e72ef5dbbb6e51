from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, override_settings

from chibo.accounts.models import RoleAssignment
from chibo.core.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db


def test_create_user_reads_the_password_from_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "pw"
    secret.write_text("mot-mat-khau-rat-dai\n", encoding="utf-8")
    call_command(
        "create-user", "bithu1", "--password-file", str(secret), "--full-name", "Lê Thị Hồng"
    )
    user = User.objects.get(username="bithu1")
    assert user.check_password("mot-mat-khau-rat-dai") and user.last_name == "Hồng"


def test_create_user_refuses_a_weak_password(tmp_path: Path) -> None:
    secret = tmp_path / "pw"
    secret.write_text("123\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("create-user", "weak", "--password-file", str(secret))
    assert not User.objects.filter(username="weak").exists()


def test_grant_and_revoke_role_commands(tree) -> None:
    factories.user("u1")
    call_command("grant-role", "u1", "cell_secretary", "BK-SV1")
    assert RoleAssignment.objects.filter(
        user__username="u1", role="cell_secretary", org__code="BK-SV1"
    ).exists()
    with pytest.raises(CommandError):
        call_command("grant-role", "u1", "cell_secretary", "BK-SV1")  # already held
    with pytest.raises(CommandError, match="Vai trò"):
        call_command("grant-role", "u1", "king", "BK-SV1")
    with pytest.raises(CommandError, match="tổ chức"):
        call_command("grant-role", "u1", "viewer", "NOPE")
    call_command("revoke-role", "u1", "cell_secretary", "BK-SV1")
    assert not RoleAssignment.objects.filter(user__username="u1").exists()
    assert AuditEntry.objects.filter(action="accounts.role_revoke").count() == 1


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_login_locks_after_repeated_failures(tree) -> None:
    factories.user("bithu", "cell_secretary", tree["cell_a"])
    client = Client()
    for _ in range(3):
        client.post("/accounts/login/", {"username": "bithu", "password": "sai-mat-khau"})
    # Even the right password is refused while locked.
    response = client.post(
        "/accounts/login/", {"username": "bithu", "password": "mat-khau-dai-123"}
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_login_succeeds_and_is_audited(tree) -> None:
    factories.user("bithu", "cell_secretary", tree["cell_a"])
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": "bithu", "password": "mat-khau-dai-123"}
    )
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="accounts.login", object_id="bithu").exists()


@override_settings(SESSION_IDLE_SECONDS=60)
def test_session_expires_after_inactivity(tree, monkeypatch) -> None:
    import time

    factories.user("bithu", "cell_secretary", tree["cell_a"])
    client = Client()
    client.post("/accounts/login/", {"username": "bithu", "password": "mat-khau-dai-123"})
    assert client.get("/orgs/").status_code == 200
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 61)
    response = client.get("/orgs/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_security_headers_are_set(tree) -> None:
    response = Client().get("/accounts/login/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
