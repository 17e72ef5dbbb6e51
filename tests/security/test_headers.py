"""Pages and API docs (issue 16.12): no-store on personal data, the language cookie, docs for signed-in users."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from chibo.accounts.tokens import token_create
from chibo.core.roles import Role
from tests import factories as f
from tests.security.served import FIELD_KEY, Browser, gunicorn

PASSWORD = "mat-khau-dai-123"


def _no_store(response: Any) -> bool:
    return "no-store" in response.get("Cache-Control", "")


@pytest.mark.django_db
def test_pages_files_and_api_answers_with_personal_data_are_not_stored(tree: dict) -> None:
    member = f.member(tree["cell_a"], code="DV-A")
    sec = f.user("bithu", Role.CELL_SECRETARY, tree["cell_a"])
    client = Client()
    assert not _no_store(client.get(reverse("accounts:login")))  # public page
    client.force_login(sec)
    for url in (
        reverse("members:detail", args=[member.member_code]),
        reverse("members:list"),
        reverse("interchange:export") + "?kind=members&format=csv",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert _no_store(response) and "private" in response["Cache-Control"], url
    _t, raw = token_create(actor=None, user=sec, expires_days=1)
    api = Client().get(f"/api/v1/members/{member.member_code}", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.status_code == 200 and _no_store(api)
    assert _no_store(Client().get("/api/v1/me"))  # the 401 too


@pytest.mark.django_db
def test_api_docs_only_for_signed_in_users_when_not_public(tree: dict, settings: Any) -> None:
    settings.CHIBO_API_DOCS_PUBLIC = False
    anonymous = Client()
    docs = anonymous.get("/api/v1/docs")
    assert docs.status_code == 302 and reverse("accounts:login") in docs["Location"]
    schema = anonymous.get("/api/v1/openapi.json")
    assert schema.status_code == 401 and "WWW-Authenticate" in schema
    bad = anonymous.get("/api/v1/openapi.json", HTTP_AUTHORIZATION="Bearer chb_nope")
    assert bad.status_code == 401
    sec = f.user("bithu", Role.CELL_SECRETARY, tree["cell_a"])
    _t, raw = token_create(actor=None, user=sec, expires_days=1)
    by_token = Client().get("/api/v1/openapi.json", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert by_token.status_code == 200 and by_token.json()["openapi"].startswith("3.")
    signed_in = Client()
    signed_in.force_login(sec)
    assert signed_in.get("/api/v1/docs").status_code == 200
    assert signed_in.get("/api/v1/openapi.json").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_production_settings_through_gunicorn(tmp_path: Path, settings: Any) -> None:
    settings.CHIBO_FIELD_KEY = FIELD_KEY  # the key gunicorn runs with
    tree = f.tree()
    member = f.member(tree["cell_a"], code="DV-A")
    f.user("bithu", Role.CELL_SECRETARY, tree["cell_a"])
    with gunicorn(tmp_path) as server:
        browser = Browser(server, "198.51.100.7")
        assert browser.get("/api/v1/docs").status == 302
        assert browser.get("/api/v1/openapi.json").status == 401
        response = browser.post(
            "/i18n/setlang/",
            {"language": "en", "next": "/accounts/login/"},
            form_page="/accounts/login/",
        )
        lang = response.cookie("django_language")
        assert "Secure" in lang and "SameSite=Lax" in lang and "HttpOnly" in lang, lang
        assert browser.login("bithu", PASSWORD).status == 302
        page = browser.get(f"/members/{member.member_code}/")
        assert page.status == 200 and "no-store" in page.header("Cache-Control")
        assert browser.get("/api/v1/docs").status == 200
        assert browser.get("/api/v1/openapi.json").status == 200
