"""The token UI: each user sees and revokes only their own tokens; the token is shown once."""

from __future__ import annotations

import pytest
from django.test import Client

from chibo.accounts.models import ApiToken
from chibo.accounts.tokens import token_create
from chibo.core.models import AuditEntry
from chibo.core.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db


def client_for(username: str) -> Client:
    client = Client()
    client.login(username=username, password="mat-khau-dai-123")
    return client


def test_anonymous_is_sent_to_login(tree: dict) -> None:
    r = Client().get("/accounts/tokens/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_create_shows_the_token_once_and_stores_only_its_hash(tree: dict) -> None:
    factories.user("sec", Role.CELL_SECRETARY, tree["cell_a"])
    client = client_for("sec")
    assert client.get("/accounts/tokens/").status_code == 200
    r = client.post(
        "/accounts/tokens/",
        {"name": "báo cáo", "expires_days": "30", "password": "mat-khau-dai-123"},
    )
    assert r.status_code == 200 and "no-store" in r["Cache-Control"]
    raw = r.context["raw"]
    assert raw.startswith("chb_") and raw in r.content.decode()
    again = client.get("/accounts/tokens/").content.decode()
    assert raw not in again and ApiToken.objects.get().prefix in again
    assert ApiToken.objects.get().key_hash != raw


@pytest.mark.parametrize(("days", "ok"), [("0", False), ("1", True), ("365", True), ("366", False)])
def test_lifetime_boundaries_in_the_form(tree: dict, days: str, ok: bool) -> None:
    factories.user("sec", Role.CELL_SECRETARY, tree["cell_a"])
    r = client_for("sec").post(
        "/accounts/tokens/", {"expires_days": days, "password": "mat-khau-dai-123"}
    )
    assert (r.context["raw"] is not None) is ok
    assert ApiToken.objects.count() == (1 if ok else 0)


def test_a_read_only_viewer_may_hold_a_token(tree: dict) -> None:
    # Tokens carry the holder's rights: a viewer's token reads, and its writes get 403.
    factories.user("xem", Role.VIEWER, tree["uni"])
    r = client_for("xem").post(
        "/accounts/tokens/", {"expires_days": "7", "password": "mat-khau-dai-123"}
    )
    assert r.status_code == 200 and r.context["raw"]


def test_revoke_own_token_and_not_someone_elses(tree: dict) -> None:
    sec = factories.user("sec", Role.CELL_SECRETARY, tree["cell_a"])
    other = factories.user("other", Role.CELL_SECRETARY, tree["cell_b"])
    mine, _ = token_create(actor=sec, user=sec)
    theirs, _ = token_create(actor=other, user=other)
    client = client_for("sec")
    assert client.post(f"/accounts/tokens/{theirs.pk}/revoke/").status_code == 404
    assert client.get(f"/accounts/tokens/{mine.pk}/revoke/").status_code == 405
    r = client.post(f"/accounts/tokens/{mine.pk}/revoke/")
    assert r.status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.revoked_at is not None and theirs.revoked_at is None
    assert AuditEntry.objects.filter(action="accounts.token_revoke", actor=sec).exists()
