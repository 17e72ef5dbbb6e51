"""chibo served by real gunicorn with the shipped config (deploy/gunicorn.conf.py, deploy/env.example).

The test's own database is handed to gunicorn: on SQLite the migrated
in-memory database is copied to a file (sqlite3's backup API), on
PostgreSQL gunicorn connects to the test database itself. Tests using it
need ``transactional_db`` (gunicorn's workers see only committed rows).
Requests are sent as nginx sends them (``X-Forwarded-For`` with the client
address appended, ``X-Forwarded-Proto: https``) from 127.0.0.1, the shipped
trusted proxy; ``source`` sends them from another loopback address instead.
"""

from __future__ import annotations

import atexit
import http.client
import importlib.util
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

PROJECT = Path(__file__).resolve().parents[2]
HOST = "chibo.test"
FIELD_KEY = "Wm2S0jcrOqGMd3xnpyKhPh1u2_X7lWlGrYRlbKTuvCg="
AUDIT_KEY = "a" * 20 + "-audit-key-for-the-served-test"
BACKUP_KEY = "q7Hc3m0nQ2mYJ8kq3dQ3Q1m2QkVn0l8oYc6Wm1gT9uE="


def require_gunicorn() -> None:
    """gunicorn is in the dev extra (make install); a run without it skips, except in CI."""
    if importlib.util.find_spec("gunicorn") is None:
        reason = "gunicorn is not installed (pip install -e '.[dev]')"
        if os.environ.get("CI") == "true":
            pytest.fail(f"cannot run in CI: {reason}", pytrace=False)
        print(f"SKIPPED: {reason}")
        pytest.skip(reason)


def shipped_env() -> dict[str, str]:
    """The variables deploy/env.example sets (comments and blanks left out)."""
    env = {}
    for line in (PROJECT / "deploy" / "env.example").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            name, value = line.split("=", 1)
            env[name] = value
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url(tmp: Path) -> str:
    from django.db import connection

    if connection.vendor == "sqlite":
        import sqlite3

        path = tmp / "served.sqlite3"
        connection.ensure_connection()
        dst = sqlite3.connect(path)
        connection.connection.backup(dst)
        dst.close()
        return f"sqlite:///{path}"
    sd = connection.settings_dict
    user = sd.get("USER") or "postgres"
    password = f":{sd['PASSWORD']}" if sd.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{sd.get('HOST') or '127.0.0.1'}:{sd.get('PORT') or 5432}/{sd['NAME']}"


def production_env(tmp: Path, **overrides: str) -> dict[str, str]:
    """What a deployed process gets: deploy/env.example with its secrets filled in, the test's
    database (as in ``_database_url``) and a private var/ in ``tmp``."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(shipped_env())
    env.update(
        {
            "SECRET_KEY": "s" * 30 + "-production-secret-for-the-served-test-0123456789",
            "ALLOWED_HOSTS": HOST,
            "CSRF_TRUSTED_ORIGINS": f"https://{HOST}",
            "CHIBO_FIELD_KEY": FIELD_KEY,
            "CHIBO_AUDIT_KEY": AUDIT_KEY,
            "CHIBO_AUDIT_CHECKPOINTS": str(tmp / "checkpoints.jsonl"),
            "CHIBO_BACKUP_KEY": BACKUP_KEY,
            "CHIBO_BACKUP_DIR": str(tmp / "backups"),
            "DATABASE_URL": _database_url(tmp),
            "CONN_MAX_AGE": "0",
            "CHIBO_VAR_DIR": str(tmp / "var"),
            "CHIBO_MEDIA_ROOT": str(tmp / "var" / "media"),
            "CHIBO_2FA_REQUIRED": "false",
            **overrides,
        }
    )
    return env


_STATIC: list[Path] = []


def _collected_static(env: dict[str, str]) -> Path:
    """The static files and their manifest, as every deploy makes them (docs/deploy.md):
    collected once per test run (hashing and compressing takes half a minute or more on a
    busy machine) and shared by every served test's var/static."""
    if not _STATIC:
        root = Path(tempfile.mkdtemp(prefix="chibo-served-static-"))
        atexit.register(shutil.rmtree, root, True)
        collect_env = {**env, "CHIBO_VAR_DIR": str(root / "var")}
        subprocess.run(
            [sys.executable, "-m", "chibo", "collectstatic", "--noinput", "-v", "0"],
            cwd=PROJECT,
            env=collect_env,
            check=True,
            capture_output=True,
            timeout=600,
        )
        _STATIC.append(root / "var" / "static")
    return _STATIC[0]


@contextmanager
def gunicorn(tmp: Path, **overrides: str) -> Iterator[Server]:
    """gunicorn on a free port with deploy/gunicorn.conf.py and deploy/env.example's settings."""
    from django.core.management import call_command

    require_gunicorn()
    # CACHE_BACKEND=database, as deployed.
    call_command("createcachetable", "chibo_cache", verbosity=0)
    port = _free_port()
    env = production_env(
        tmp,
        CHIBO_BIND=f"127.0.0.1:{port}",
        WEB_WORKERS="2",
        WEB_ACCESS_LOG=str(tmp / "access.log"),
        DJANGO_SETTINGS_MODULE="tests.security.served_settings",
        **overrides,
    )
    (tmp / "var").mkdir(parents=True, exist_ok=True)
    (tmp / "var" / "static").symlink_to(_collected_static(env))
    log = (tmp / "gunicorn.log").open("wb")
    proc = subprocess.Popen(  # noqa: S603 — our own server, our own arguments
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            str(PROJECT / "deploy" / "gunicorn.conf.py"),
            "chibo.wsgi:application",
        ],
        cwd=PROJECT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise AssertionError((tmp / "gunicorn.log").read_text()[-3000:])
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError("gunicorn did not start in 60 s") from None
                time.sleep(0.2)
        yield Server(port, tmp / "gunicorn.log")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


class Response:
    def __init__(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name: str) -> str:
        return ", ".join(v for k, v in self.headers if k.lower() == name.lower())

    def cookie(self, name: str) -> str:
        """The whole Set-Cookie line for ``name`` (attributes included), or ""."""
        for key, value in self.headers:
            if key.lower() == "set-cookie" and value.split("=", 1)[0].strip() == name:
                return value
        return ""

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Server:
    def __init__(self, port: int, log: Path) -> None:
        self.port = port
        self.log = log

    def request(
        self,
        method: str,
        path: str,
        *,
        client: str,
        spoofed: str = "",
        source: str = "127.0.0.1",
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
        cookies: dict[str, str] | None = None,
    ) -> Response:
        """One request as nginx forwards it for ``client`` (X-Forwarded-For: [spoofed, ]client)."""
        conn = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=30, source_address=(source, 0)
        )
        sent = {
            "Host": HOST,
            "X-Forwarded-For": f"{spoofed}, {client}" if spoofed else client,
            "X-Forwarded-Proto": "https",
            **(headers or {}),
        }
        if cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        try:
            conn.request(method, path, body=body, headers=sent)
            raw = conn.getresponse()
            return Response(raw.status, raw.getheaders(), raw.read())
        finally:
            conn.close()


class Browser:
    """A person's browser behind nginx: keeps cookies, sends CSRF like a form post."""

    def __init__(self, server: Server, client: str, source: str = "127.0.0.1") -> None:
        self.server = server
        self.client = client
        self.source = source
        self.cookies: dict[str, str] = {}

    def _keep(self, response: Response) -> Response:
        for name, value in response.headers:
            if name.lower() == "set-cookie":
                key, _sep, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        return response

    def get(self, path: str, **kwargs: Any) -> Response:
        return self._keep(
            self.server.request(
                "GET", path, client=self.client, source=self.source, cookies=self.cookies, **kwargs
            )
        )

    def post(
        self, path: str, data: dict[str, str], spoofed: str = "", form_page: str = ""
    ) -> Response:
        """POST ``data`` to ``path`` with the CSRF token of the form on ``form_page`` (``path``)."""
        page = self.get(form_page or path)
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        form = {**data, "csrfmiddlewaretoken": match.group(1) if match else ""}
        return self._keep(
            self.server.request(
                "POST",
                path,
                client=self.client,
                spoofed=spoofed,
                source=self.source,
                cookies=self.cookies,
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Referer": f"https://{HOST}{path}",
                },
                body=urlencode(form).encode(),
            )
        )

    def login(self, username: str, password: str, spoofed: str = "") -> Response:
        return self.post("/accounts/login/", {"username": username, "password": password}, spoofed)
