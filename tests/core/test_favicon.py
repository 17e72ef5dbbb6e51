"""The favicon: every page names it, and /favicon.ico answers (no 404 per page in a crawl)."""

from __future__ import annotations

import pytest
from django.test import Client

from chibo.core.roles import Role
from tests import factories


@pytest.mark.django_db
def test_favicon_ico_is_served_without_login(client: Client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    body = b"".join(response.streaming_content)
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert "max-age=" in response["Cache-Control"]


@pytest.mark.django_db
def test_every_page_links_the_svg_icon(client: Client) -> None:
    tree = factories.tree()
    factories.user("bithu", Role.CELL_SECRETARY, tree["cell_a"])
    assert client.login(username="bithu", password="mat-khau-dai-123")
    for url in ("/accounts/login/", "/members/"):
        html = client.get(url, follow=True).content.decode()
        assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html, url
    assert client.get("/static/favicon.svg").status_code == 200
