"""Static files on a phone: cached for good in production, and never stale after an upgrade.

A phone should not fetch chibo's CSS and JavaScript again on every page (the page weight
counts them as cached), and must fetch the new ones after an upgrade: in production the
file names carry a hash of their content (collectstatic's manifest), so each name can be
cached for good (WhiteNoise, and nginx's `expires 1y` on /static/ in deploy/nginx).
"""

from __future__ import annotations

import re

import pytest

from tests.test_settings import output, production_env, run_chibo

pytestmark = pytest.mark.database_free

SCRIPT = """
from django.templatetags.static import static
from django.test import Client
url = static("chibo.css")
response = Client().get(url, secure=True)
print(url, response.status_code, response.headers.get("Cache-Control"))
"""


def test_production_static_names_carry_a_hash_and_are_cached_for_good(tmp_path):
    env = production_env(tmp_path) | {"ALLOWED_HOSTS": "testserver"}
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        done = run_chibo(tmp_path, *command, "-v", "0", **env)  # a request reads the rules
        assert done.returncode == 0, output(done)
    result = run_chibo(tmp_path, "shell", "-c", SCRIPT, **env)
    assert result.returncode == 0, output(result)
    url, status, cache_control = result.stdout.strip().splitlines()[-1].split(maxsplit=2)
    assert re.fullmatch(r"/static/chibo\.[0-9a-f]{12}\.css", url), url
    assert status == "200"
    assert "immutable" in cache_control and "max-age=315360000" in cache_control, cache_control
