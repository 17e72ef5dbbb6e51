"""Settings read from the environment: production passes `check --deploy`, bad values fail loudly.

Each case runs `python -m chibo` in a subprocess, because settings are read once
per process.
"""

from __future__ import annotations

import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.database_free

PROJECT_DIR = Path(__file__).resolve().parents[1]

# Variables chibo/settings.py reads: cleared so the caller's shell (or the
# PostgreSQL run's DATABASE_URL) cannot leak into a case.
SETTINGS_VARS = (
    "CHIBO_ENV",
    # Set by the browser tests for Playwright's sync API; never in a deployment.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "DEBUG",
    "SECRET_KEY",
    "DATABASE_URL",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "SESSION_IDLE_SECONDS",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_PRELOAD",
    "LOGIN_FAILURE_LIMIT",
    "LOGIN_LOCK_SECONDS",
    "CONN_MAX_AGE",
    "CHIBO_VAR_DIR",
    "CHIBO_FIELD_KEY",
    "CHIBO_2FA_REQUIRED",
    "CHIBO_CANDIDATE_RETENTION_YEARS",
    "CHIBO_BACKUP_DIR",
    "CHIBO_BACKUP_KEY",
    "CHIBO_AUDIT_KEY",
    "CHIBO_AUDIT_CHECKPOINTS",
    "CHIBO_TRUSTED_PROXIES",
    "CHIBO_WORKER_DEAD_SECONDS",
    "CHIBO_IMPORT_STALE_MINUTES",
    "CHIBO_IMPORT_KEEP_DAYS",
    "CHIBO_IMPORT_MAX_MB",
    "CHIBO_IMPORT_MAX_EXPANDED_MB",
)


def run_chibo(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARS}
    full_env["DJANGO_SETTINGS_MODULE"] = "chibo.settings"
    full_env["CHIBO_VAR_DIR"] = str(tmp_path / "var")
    full_env.update(env)
    return subprocess.run(  # noqa: S603 - fixed argv, our own interpreter
        [sys.executable, "-m", "chibo", *args],
        cwd=PROJECT_DIR,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=600,  # a guard against a hang, not a speed limit: collectstatic took > 120 s at load 10
    )


def random_secret_key() -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(60))


def production_env(tmp_path: Path) -> dict[str, str]:
    return {
        "CHIBO_ENV": "production",
        "SECRET_KEY": random_secret_key(),
        "ALLOWED_HOSTS": "chibo.example.vn",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
        # Encryption key of the sensitive fields (issue 10): required in production.
        "CHIBO_FIELD_KEY": "Wm2S0jcrOqGMd3xnpyKhPh1u2_X7lWlGrYRlbKTuvCg=",
        # Audit chain HMAC key and backup key (issue 16): required in production.
        "CHIBO_AUDIT_KEY": "audit-key-for-the-settings-test-0123456789abcdef",
        "CHIBO_BACKUP_KEY": "q7Hc3m0nQ2mYJ8kq3dQ3Q1m2QkVn0l8oYc6Wm1gT9uE=",
    }


def output(result: subprocess.CompletedProcess[str]) -> str:
    return result.stdout + result.stderr


# security.W021 (HSTS preload) is silenced while SECURE_HSTS_PRELOAD is off:
# preloading is an operator's decision (chibo/settings.py).
def test_production_settings_pass_check_deploy(tmp_path):
    result = run_chibo(
        tmp_path, "check", "--deploy", "--fail-level", "WARNING", **production_env(tmp_path)
    )
    assert result.returncode == 0, output(result)


def test_production_settings_pass_check_deploy_with_hsts_preload(tmp_path):
    """Every other deployment check passes once HSTS preload is switched on."""
    env = production_env(tmp_path) | {"SECURE_HSTS_PRELOAD": "true"}
    result = run_chibo(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode == 0, output(result)


def test_production_requires_secret_key(tmp_path):
    env = production_env(tmp_path)
    del env["SECRET_KEY"]
    result = run_chibo(tmp_path, "check", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY must be set when CHIBO_ENV=production" in result.stderr


def test_production_rejects_short_secret_key(tmp_path):
    env = production_env(tmp_path) | {"SECRET_KEY": "too-short"}
    result = run_chibo(tmp_path, "check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY must be at least 50 characters" in result.stderr


def test_debug_must_be_a_boolean(tmp_path):
    result = run_chibo(
        tmp_path, "check", DEBUG="maybe", DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}"
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DEBUG='maybe' is not a boolean" in result.stderr


def test_database_url_must_be_sqlite_or_postgresql(tmp_path):
    result = run_chibo(tmp_path, "check", DATABASE_URL="mysql://x")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DATABASE_URL must point to SQLite or PostgreSQL" in result.stderr


def test_development_defaults_pass_check(tmp_path):
    result = run_chibo(tmp_path, "check", DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}")
    assert result.returncode == 0, output(result)


def test_development_settings_pass_the_database_checks(tmp_path):
    """`make run`'s migrate shows no warning: SQLite ignores the indexes' INCLUDE on purpose."""
    result = run_chibo(tmp_path, "check", "--database", "default", "--fail-level", "WARNING")
    assert result.returncode == 0, output(result)
    assert "W040" not in output(result)
