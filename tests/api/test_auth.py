"""Tokens, bearer and session auth, throttling, the error shape, the language."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from chibo.accounts.models import ApiToken
from chibo.accounts.tokens import MAX_DAYS, token_create, token_revoke
from chibo.core.models import AuditEntry
from chibo.core.roles import Role
from tests import factories
from tests.api.conftest import Api, api_for

pytestmark = pytest.mark.django_db


def test_no_token_is_401_json(tree: dict) -> None:
    r = Api().get("/me")
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "unauthorized"
    assert r.json()["error"]["message"]


def test_valid_token_identifies_the_user(tree: dict) -> None:
    user = factories.user("sec", Role.CELL_SECRETARY, tree["cell_a"])
    r = api_for(user).get("/me")
    assert r.status_code == 200
    body = r.json()
    assert body["username"] == "sec"
    assert body["roles"][0]["role"] == "cell_secretary"
    assert body["roles"][0]["org_code"] == "BK-SV1"


def test_token_is_stored_hashed_and_shown_once(tree: dict) -> None:
    user = factories.user("sec")
    token, raw = token_create(actor=user, user=user, name="script")
    row = ApiToken.objects.get(pk=token.pk)
    assert raw not in (row.key_hash, row.prefix)
    assert len(row.key_hash) == 64
    assert raw.startswith(row.prefix)


def test_revoked_and_expired_tokens_are_refused(tree: dict) -> None:
    user = factories.user("sec", Role.CELL_SECRETARY, tree["cell_a"])
    token, raw = token_create(actor=user, user=user)
    token_revoke(actor=user, token=token)
    assert Api(raw).get("/me").status_code == 401
    token2, raw2 = token_create(actor=user, user=user, expires_days=1)
    ApiToken.objects.filter(pk=token2.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert Api(raw2).get("/me").status_code == 401


def test_inactive_user_token_is_refused(tree: dict) -> None:
    user = factories.user("sec", Role.CELL_SECRETARY, tree["cell_a"])
    api = api_for(user)
    user.is_active = False
    user.save()
    assert api.get("/me").status_code == 401


def test_bad_tokens_are_throttled(tree: dict) -> None:
    from chibo.api import BAD_TOKEN_LIMIT

    bad = Api("chb_not-a-real-token")
    for _ in range(BAD_TOKEN_LIMIT):
        assert bad.get("/me").status_code == 401
    r = bad.get("/me")
    assert r.status_code == 429
    assert r.json()["error"]["code"] == "throttled"
    assert r["Retry-After"]


def test_session_auth_for_the_ui_with_csrf_on_writes(tree: dict) -> None:
    factories.user("sec", Role.CELL_SECRETARY, tree["cell_a"])
    client = Client(enforce_csrf_checks=True)
    client.login(username="sec", password="mat-khau-dai-123")
    assert client.get("/api/v1/me").status_code == 200
    r = client.post("/api/v1/orgs/BK-SV1/rename", {}, content_type="application/json")
    assert r.status_code == 403  # no CSRF token


@pytest.mark.parametrize(
    ("days", "ok"), [(0, False), (1, True), (MAX_DAYS, True), (MAX_DAYS + 1, False)]
)
def test_token_lifetime_boundaries(tree: dict, days: int, ok: bool) -> None:
    user = factories.user("sec")
    if ok:
        token, _raw = token_create(actor=user, user=user, expires_days=days)
        assert (token.expires_at - timezone.now()).days in (days - 1, days)
    else:
        with pytest.raises(Exception, match="1"):
            token_create(actor=user, user=user, expires_days=days)


def test_create_token_command_prints_only_the_token(tree: dict) -> None:
    factories.user("sec", Role.CELL_SECRETARY, tree["cell_a"])
    out = io.StringIO()
    call_command("create-token", "sec", "--expires-days", "7", stdout=out)
    raw = out.getvalue().strip()
    assert "\n" not in raw and raw.startswith("chb_")
    assert Api(raw).get("/me").json()["username"] == "sec"
    token = ApiToken.objects.get(user__username="sec")
    assert 6 <= (token.expires_at - timezone.now()).days <= 7
    assert AuditEntry.objects.filter(action="accounts.token_create").exists()


def test_create_token_command_refuses_unknown_user_and_bad_days(tree: dict) -> None:
    factories.user("sec")
    with pytest.raises(CommandError):
        call_command("create-token", "nobody", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("create-token", "sec", "--expires-days", "0", stdout=io.StringIO())


def test_errors_are_vietnamese_by_default_and_english_on_request(tree: dict) -> None:
    user = factories.user("sec", Role.CELL_SECRETARY, tree["cell_a"])
    factories.member(tree["cell_a"], code="DV1")
    vi = api_for(user).post("/members/DV1/events/exempted", {})
    assert vi.status_code == 422
    assert vi.json()["error"]["fields"]["effective_date"] == ["Trường này là bắt buộc."]
    assert vi.json()["error"]["message"].startswith("Dữ liệu không hợp lệ")
    en = api_for(user, "en").post("/members/DV1/events/exempted", {})
    assert en.json()["error"]["fields"]["effective_date"] == ["This field is required."]
    assert en.json()["error"]["message"].startswith("Invalid input")


def test_openapi_schema_and_docs_are_served(tree: dict) -> None:
    client = Client()
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    for path in (
        "/api/v1/members",
        "/api/v1/members/{member_code}",
        "/api/v1/orgs/{code}",
        "/api/v1/me",
        "/api/v1/members/{member_code}/events/removed",
        "/api/v1/orgs/{code}/move",
    ):
        assert path in schema["paths"], path
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    csp = docs["Content-Security-Policy"]
    assert (
        "script-src 'self'" in csp
        and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    )


def test_openapi_schema_validates_against_the_openapi_meta_schema(tree: dict) -> None:
    import schemathesis

    raw = Client().get("/api/v1/openapi.json").json()
    schemathesis.openapi.from_dict(raw).validate()  # raises on an invalid document


@pytest.mark.parametrize("kind", ["garbage", "expired", "revoked"])
def test_writes_with_a_bad_token_are_401_with_www_authenticate(tree: dict, kind: str) -> None:
    user = factories.user("sec", Role.CELL_SECRETARY, tree["cell_a"])
    token, raw = token_create(actor=user, user=user)
    if kind == "garbage":
        raw = "chb_not-a-real-token"
    elif kind == "expired":
        ApiToken.objects.filter(pk=token.pk).update(
            expires_at=timezone.now() - dt.timedelta(seconds=1)
        )
    else:
        token_revoke(actor=user, token=token)
    client = Client(enforce_csrf_checks=True)
    for method, path in (
        ("post", "/api/v1/orgs/BK-SV1/rename"),
        ("put", "/api/v1/reports/targets"),
        ("patch", "/api/v1/members/DV1"),
    ):
        r = getattr(client, method)(
            path,
            {},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {raw}",
        )
        assert r.status_code == 401, (method, r.status_code, r.content)
        assert r.json()["error"]["code"] == "unauthorized"
        assert r["WWW-Authenticate"] == 'Bearer realm="chibo", error="invalid_token"'


def test_a_write_without_any_credentials_is_401(tree: dict) -> None:
    client = Client(enforce_csrf_checks=True)
    client.cookies["sessionid"] = "abcdefgh12345678"  # a stale cookie: no signed-in session
    r = client.post("/api/v1/orgs/BK-SV1/rename", {}, content_type="application/json")
    assert r.status_code == 401 and r["WWW-Authenticate"] == 'Bearer realm="chibo"'


def test_a_signed_in_browser_sending_a_bad_token_gets_401_not_its_session(tree: dict) -> None:
    factories.user("sec", Role.CELL_SECRETARY, tree["cell_a"])
    client = Client(enforce_csrf_checks=True)
    client.login(username="sec", password="mat-khau-dai-123")
    r = client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer chb_wrong")
    assert r.status_code == 401
