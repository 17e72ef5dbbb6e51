"""Two-step login (TOTP + recovery codes), session binding, token creation, role dates, roles page."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from chibo.accounts import services, twofactor
from chibo.accounts.models import ApiToken, RecoveryCode, RoleAssignment, TwoFactorDevice
from chibo.core.models import AuditEntry
from chibo.core.roles import Cap, Role
from chibo.core.scoping import forget_scopes, has_cap
from tests import factories as f

PASSWORD = "mat-khau-dai-123"


def test_totp_matches_the_rfc_6238_test_vector() -> None:
    # RFC 6238 appendix B: secret "12345678901234567890", T=59 s → 94287082 (8 digits); 6 digits: 287082.
    import base64

    secret = base64.b32encode(b"12345678901234567890").decode()
    assert twofactor.totp(secret, at=59) == "287082"
    assert twofactor.totp(secret, at=1111111109) == "081804"
    assert twofactor.match_step(secret, "287 082", at=59) == 1
    assert twofactor.match_step(secret, "287082", at=59 + 30) == 1  # one step of drift
    assert twofactor.match_step(secret, "287082", at=59 + 61) is None  # two steps: refused
    assert twofactor.match_step(secret, "12345", at=59) is None


def _login(username: str) -> Client:
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _enrol(user: Any) -> str:
    device = twofactor.enrol_start(user=user)
    codes = twofactor.enrol_confirm(
        user=user, code=twofactor.totp(device.secret, at=time.time() - 30)
    )
    assert codes is not None and len(codes) == 10
    return device.secret


@pytest.mark.django_db
def test_committee_staff_must_enrol_before_any_page(tree: dict, two_factor_on: None) -> None:
    f.user("uni", Role.GRASSROOTS_STAFF, tree["uni"])
    client = _login("uni")
    response = client.get(reverse("members:list"))
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("accounts:2fa_enrol")
    )
    page = client.get(reverse("accounts:2fa_enrol"))
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    secret = TwoFactorDevice.objects.get(user__username="uni").secret
    wrong = client.post(reverse("accounts:2fa_enrol"), {"code": "000000"})
    assert (
        wrong.status_code == 200
        and TwoFactorDevice.objects.get(user__username="uni").confirmed_at is None
    )
    done = client.post(reverse("accounts:2fa_enrol"), {"code": twofactor.totp(secret)})
    assert done.status_code == 200
    assert len(done.context["codes"]) == 10
    assert RecoveryCode.objects.filter(user__username="uni").count() == 10
    assert client.get(reverse("members:list")).status_code == 200


@pytest.mark.django_db
def test_enrolled_user_must_pass_the_code_at_each_login_and_codes_are_single_use(
    tree: dict, two_factor_on: None
) -> None:
    user = f.user("captren", Role.SUPERIOR_STAFF, tree["khoi"])
    secret = _enrol(user)
    client = _login("captren")
    response = client.get(reverse("members:list"))
    assert response["Location"].startswith(reverse("accounts:2fa_verify"))
    assert client.post(reverse("accounts:2fa_verify"), {"code": "123456"}).status_code == 200
    code = twofactor.totp(secret)
    response = client.post(reverse("accounts:2fa_verify"), {"code": code, "next": "/members/"})
    assert response.status_code == 302 and response["Location"] == "/members/"
    assert client.get(reverse("members:list")).status_code == 200
    # The same code again (another session): a replay is refused.
    other = _login("captren")
    assert other.post(reverse("accounts:2fa_verify"), {"code": code}).status_code == 200
    assert other.get(reverse("members:list")).status_code == 302
    assert AuditEntry.objects.filter(action="accounts.2fa_failed").count() == 2


@pytest.mark.django_db
def test_recovery_code_works_once(tree: dict, two_factor_on: None) -> None:
    user = f.user("quantri", Role.SYSADMIN, tree["city"])
    device = twofactor.enrol_start(user=user)
    codes = twofactor.enrol_confirm(user=user, code=twofactor.totp(device.secret))
    assert codes
    client = _login("quantri")
    response = client.post(reverse("accounts:2fa_verify"), {"code": codes[0].upper()})
    assert response.status_code == 302
    again = _login("quantri")
    assert again.post(reverse("accounts:2fa_verify"), {"code": codes[0]}).status_code == 200
    assert twofactor.recovery_codes_left(user) == 9
    assert AuditEntry.objects.filter(action="accounts.2fa_recovery_used").count() == 1


@pytest.mark.django_db
def test_wrong_codes_are_throttled(tree: dict, two_factor_on: None, settings: Any) -> None:
    settings.LOGIN_FAILURE_LIMIT = 3
    user = f.user("uni", Role.GRASSROOTS_STAFF, tree["uni"])
    secret = _enrol(user)
    client = _login("uni")
    for _ in range(3):
        assert client.post(reverse("accounts:2fa_verify"), {"code": "000000"}).status_code == 200
    # Locked: even the right code waits.
    locked = client.post(reverse("accounts:2fa_verify"), {"code": twofactor.totp(secret)})
    assert locked.status_code == 429


@pytest.mark.django_db
def test_optional_for_cell_secretary_and_viewer_and_off_switch(
    tree: dict, two_factor_on: None, settings: Any
) -> None:
    f.user("bithu", Role.CELL_SECRETARY, tree["cell_a"])
    f.user("xem", Role.VIEWER, tree["uni"])
    assert _login("bithu").get(reverse("members:list")).status_code == 200
    assert _login("xem").get(reverse("members:list")).status_code == 200
    staff = f.user("uni", Role.GRASSROOTS_STAFF, tree["uni"])
    assert twofactor.required_for(staff)
    settings.CHIBO_2FA_REQUIRED = False
    assert not twofactor.required_for(staff)
    assert _login("uni").get(reverse("members:list")).status_code == 200


@pytest.mark.django_db
def test_a_cell_secretary_who_opted_in_is_asked_for_the_code(
    tree: dict, two_factor_on: None
) -> None:
    user = f.user("bithu", Role.CELL_SECRETARY, tree["cell_a"])
    _enrol(user)
    response = _login("bithu").get(reverse("members:list"))
    assert response.status_code == 302 and reverse("accounts:2fa_verify") in response["Location"]


@pytest.mark.django_db
def test_session_api_refused_before_2fa_but_bearer_token_works(
    tree: dict, two_factor_on: None
) -> None:
    from chibo.accounts.tokens import token_create

    user = f.user("uni", Role.GRASSROOTS_STAFF, tree["uni"])
    _enrol(user)
    client = _login("uni")
    assert client.get("/api/v1/members").status_code == 401
    _tok, raw = token_create(actor=None, user=user, expires_days=5, second_factor=True)
    assert Client().get("/api/v1/members", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200


@pytest.mark.django_db
def test_token_creation_re_asks_the_password_and_is_throttled(tree: dict, settings: Any) -> None:
    settings.LOGIN_FAILURE_LIMIT = 2
    f.user("bithu", Role.CELL_SECRETARY, tree["cell_a"])
    client = _login("bithu")
    url = reverse("accounts:tokens")
    bad = client.post(url, {"expires_days": "30", "password": "sai-mat-khau"})
    assert bad.status_code == 200 and not ApiToken.objects.exists()
    assert client.post(url, {"expires_days": "30"}).status_code == 200  # no password: form error
    client.post(url, {"expires_days": "30", "password": "sai-nua"})
    locked = client.post(url, {"expires_days": "30", "password": PASSWORD})
    assert locked.status_code == 429 and not ApiToken.objects.exists()


@pytest.mark.django_db
def test_token_creation_needs_a_verified_session_for_committee_roles(
    tree: dict, two_factor_on: None
) -> None:
    user = f.user("uni", Role.GRASSROOTS_STAFF, tree["uni"])
    secret = _enrol(user)
    client = _login("uni")
    url = reverse("accounts:tokens")
    response = client.post(url, {"expires_days": "30", "password": PASSWORD})
    assert response.status_code == 302 and not ApiToken.objects.exists()  # sent to the 2FA step
    client.post(reverse("accounts:2fa_verify"), {"code": twofactor.totp(secret)})
    assert client.post(url, {"expires_days": "30", "password": PASSWORD}).status_code == 200
    assert ApiToken.objects.count() == 1


@pytest.mark.django_db
def test_session_is_bound_to_the_user_agent(tree: dict) -> None:
    f.user("bithu", Role.CELL_SECRETARY, tree["cell_a"])
    client = Client(HTTP_USER_AGENT="Firefox/130")
    client.post(reverse("accounts:login"), {"username": "bithu", "password": PASSWORD})
    assert client.get(reverse("members:list")).status_code == 200
    stolen = Client(HTTP_USER_AGENT="curl/8")
    stolen.cookies = client.cookies
    response = stolen.get(reverse("members:list"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


@pytest.mark.django_db
def test_role_assignment_counts_only_between_its_dates(tree: dict) -> None:
    user = f.user("uni", None)
    today = timezone.localdate()
    ra = services.role_grant(
        actor=None,
        user=user,
        role=Role.GRASSROOTS_STAFF,
        org=tree["uni"],
        valid_from=today,
        valid_until=today,
    )
    assert has_cap(user, Cap.MEMBER_VIEW)  # both ends inclusive
    services.role_set_dates(
        actor=None, assignment=ra, valid_from=None, valid_until=today - dt.timedelta(days=1)
    )
    forget_scopes(user)
    assert not has_cap(user, Cap.MEMBER_VIEW)
    services.role_set_dates(
        actor=None, assignment=ra, valid_from=today + dt.timedelta(days=1), valid_until=None
    )
    forget_scopes(user)
    assert not has_cap(user, Cap.MEMBER_VIEW)
    with pytest.raises(ValidationError, match="valid_until"):
        services.role_set_dates(
            actor=None, assignment=ra, valid_from=today, valid_until=today - dt.timedelta(days=1)
        )
    assert AuditEntry.objects.filter(action="accounts.role_dates").count() == 2


@pytest.mark.django_db
def test_roles_page_inside_outside_and_read_only(tree: dict) -> None:
    admin = f.user("quantri", Role.SYSADMIN, tree["khoi"])
    outsider = f.user("quantri2", Role.SYSADMIN, tree["district"])
    viewer = f.user("xem", Role.VIEWER, tree["city"])
    target = f.user("bithu", Role.CELL_SECRETARY, tree["cell_a"])
    ra = RoleAssignment.objects.get(user=target)
    inside = Client()
    inside.force_login(admin)
    page = inside.get(reverse("accounts:roles"))
    assert page.status_code == 200 and "bithu" in page.content.decode()
    outside = Client()
    outside.force_login(outsider)
    assert "bithu" not in outside.get(reverse("accounts:roles")).content.decode()
    assert outside.post(reverse("accounts:role_end", args=[ra.pk]), {}).status_code == 404
    read_only = Client()
    read_only.force_login(viewer)
    assert read_only.get(reverse("accounts:roles")).status_code == 403
    assert read_only.post(reverse("accounts:role_revoke", args=[ra.pk])).status_code == 403
    # Propose with dates (dd/mm/yyyy); another administrator approves; end one, reset 2FA, revoke.
    response = inside.post(
        reverse("accounts:role_grant"),
        {"username": "bithu", "role": Role.VIEWER, "org_code": "BK", "valid_from": "01/01/2026"},
    )
    assert response.status_code == 302
    assert not RoleAssignment.objects.filter(user=target, role=Role.VIEWER).exists()
    from chibo.accounts.models import RoleRequest

    second = Client()
    second.force_login(f.user("quantri3", Role.SYSADMIN, tree["city"]))
    pending = RoleRequest.objects.get(user=target)
    second.post(reverse("accounts:role_request_approve", args=[pending.pk]))
    assert RoleAssignment.objects.get(user=target, role=Role.VIEWER).valid_from == dt.date(
        2026, 1, 1
    )
    bad = inside.post(
        reverse("accounts:role_grant"), {"username": "bithu", "role": Role.VIEWER, "org_code": "Q1"}
    )
    assert bad.status_code == 200 and "org_code" in bad.context["form"].errors
    assert (
        inside.post(
            reverse("accounts:role_end", args=[ra.pk]), {"valid_until": "30/06/2030"}
        ).status_code
        == 302
    )
    ra.refresh_from_db()
    assert ra.valid_until == dt.date(2030, 6, 30)
    assert inside.post(reverse("accounts:role_2fa_reset", args=[ra.pk])).status_code == 302
    assert inside.post(reverse("accounts:role_revoke", args=[ra.pk])).status_code == 302
    assert not RoleAssignment.objects.filter(pk=ra.pk).exists()


@pytest.mark.django_db
def test_demo_accounts_are_pre_enrolled_with_the_published_secret(tree: dict) -> None:
    from chibo.members.demo import accounts

    orgs = {name: tree["city"].pk for name in accounts.USERNAMES}
    accounts.create_accounts(orgs)
    enrolled = set(TwoFactorDevice.objects.values_list("user__username", flat=True))
    assert enrolled == {"cosoviec", "captren", "vanphong", "quantri"}
    device = TwoFactorDevice.objects.get(user__username="captren")
    assert device.secret == accounts.TOTP_SECRET
    assert twofactor.verify_code(user=device.user, code=twofactor.totp(accounts.TOTP_SECRET))


@pytest.mark.django_db
def test_a_code_used_again_in_its_window_says_so(tree: dict, two_factor_on: None) -> None:
    user = f.user("captren", Role.SUPERIOR_STAFF, tree["khoi"])
    secret = _enrol(user)
    code = twofactor.totp(secret)
    first = _login("captren")
    assert first.post(reverse("accounts:2fa_verify"), {"code": code}).status_code == 302
    second = _login("captren")  # the same person, a second browser, within the 30 s
    page = second.post(reverse("accounts:2fa_verify"), {"code": code})
    text = page.content.decode()
    assert page.status_code == 200
    assert "đã được dùng" in text and "mã tiếp theo" in text and "Mã chưa đúng" not in text
    wrong = second.post(reverse("accounts:2fa_verify"), {"code": "000000"}).content.decode()
    assert "đã được dùng" not in wrong


@pytest.mark.django_db
def test_demo_accounts_have_recovery_codes_printed_by_demo_logins(tree: dict) -> None:
    import io

    from django.core.management import call_command

    from chibo.members.demo import accounts

    accounts.create_accounts({name: tree["city"].pk for name in accounts.USERNAMES})
    user = RoleAssignment.objects.get(user__username="cosoviec").user
    assert twofactor.recovery_codes_left(user) == 10
    codes = accounts.recovery_codes("cosoviec")
    assert twofactor.verify_code(user=user, code=codes[0])
    out = io.StringIO()
    call_command("demo-logins", stdout=out)
    _table, _sep, printed = out.getvalue().partition("Mã khôi phục")
    line = next(x for x in printed.splitlines() if x.strip().startswith("cosoviec "))
    assert codes[0] not in line and codes[1] in line and len(line.split()) == 10
