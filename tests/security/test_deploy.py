"""`chibo check --deploy` is clean with production settings; the field key is required there."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.database_free

PROD = {
    "CHIBO_ENV": "production",
    "SECRET_KEY": "s" * 30 + "-production-secret-for-the-check-0123456789",
    "ALLOWED_HOSTS": "chibo.example.vn",
    "CHIBO_FIELD_KEY": "Wm2S0jcrOqGMd3xnpyKhPh1u2_X7lWlGrYRlbKTuvCg=",
    "CHIBO_AUDIT_KEY": "audit-key-for-the-deploy-check-0123456789abcdef",
    "CHIBO_BACKUP_KEY": "q7Hc3m0nQ2mYJ8kq3dQ3Q1m2QkVn0l8oYc6Wm1gT9uE=",
    "DATABASE_URL": "sqlite:///:memory:",
}


def _run(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "chibo", "check", "--deploy", "--fail-level", "WARNING"],
        # DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests (Playwright); a
        # deployment never has it, and check --deploy rightly refuses it.
        env={**{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_with_production_settings() -> None:
    result = _run(PROD)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_without_field_key_refuses_to_start() -> None:
    result = _run({**PROD, "CHIBO_FIELD_KEY": ""})
    assert result.returncode != 0 and "CHIBO_FIELD_KEY" in result.stderr


def test_production_without_its_keys_refuses_to_start() -> None:
    result = _run({**PROD, "CHIBO_AUDIT_KEY": ""})
    assert result.returncode != 0 and "CHIBO_AUDIT_KEY" in result.stderr
    result = _run({**PROD, "CHIBO_AUDIT_KEY": "change-me"})
    assert result.returncode != 0 and "CHIBO_AUDIT_KEY" in result.stderr
    result = _run({**PROD, "CHIBO_FIELD_KEY": "change-me"})
    assert result.returncode != 0 and "CHIBO_FIELD_KEY" in result.stderr
    result = _run({**PROD, "CHIBO_BACKUP_KEY": ""})
    assert result.returncode != 0 and "CHIBO_BACKUP_KEY" in result.stderr


def test_development_needs_no_key() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHIBO_") and k != "SECRET_KEY"}
    result = subprocess.run(
        [sys.executable, "-m", "chibo", "check"],
        env={**env, "DATABASE_URL": "sqlite:///:memory:"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
