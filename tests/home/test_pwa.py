"""The installable app: manifest, service worker and offline page answer without login."""

from __future__ import annotations

import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_manifest_names_the_app_in_vietnamese() -> None:
    response = Client().get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/manifest+json")
    data = json.loads(response.content)
    assert data["name"] == "chibo — Công tác đảng trong trường học"
    assert data["short_name"] == "Chi bộ"
    assert (data["lang"], data["start_url"], data["display"]) == ("vi", "/", "standalone")
    for icon in data["icons"]:
        assert Client().get(icon["src"]).status_code == 200, icon["src"]


def test_the_service_worker_keeps_only_static_files_and_the_offline_page() -> None:
    response = Client().get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    shell = json.loads(body.split("var SHELL = ", 1)[1].split(";\n", 1)[0])
    assert shell and all(path.startswith("/static/") for path in shell)
    for path in shell:
        assert Client().get(path).status_code == 200, path
    assert 'var OFFLINE = "/offline/"' in body
    assert 'request.mode === "navigate"' in body  # pages: network only


def test_the_offline_page_has_no_personal_data_and_no_login() -> None:
    response = Client().get("/offline/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Không có kết nối mạng" in html and "csrfmiddlewaretoken" not in html
