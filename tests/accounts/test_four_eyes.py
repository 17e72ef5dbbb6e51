"""Sysadmin separation (issue 16.9) and the web page to create users (issue 17).

Nobody grants or changes their own roles; a grant (or longer dates) is a
proposal another administrator over that subtree approves, audited; a
second factor is reset only for users whose every role lies inside the
administrator's subtree. Dates on these pages are dd/mm/yyyy.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from chibo.accounts import services, twofactor
from chibo.accounts.models import RoleAssignment, RoleRequest, TwoFactorDevice
from chibo.core.models import AuditEntry, Notification
from chibo.core.roles import Cap, Role
from chibo.core.scoping import forget_scopes, has_cap
from tests import factories as f

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_sysadmin_cannot_grant_himself_a_role(tree: dict) -> None:
    admin = f.user("quantri", Role.SYSADMIN, tree["khoi"])
    with pytest.raises(PermissionDenied):
        services.role_propose(actor=admin, user=admin, role=Role.SUPERIOR_STAFF, org=tree["khoi"])
    with pytest.raises(PermissionDenied):
        services.role_grant(actor=admin, user=admin, role=Role.SUPERIOR_STAFF, org=tree["khoi"])
    page = _client(admin).post(
        reverse("accounts:role_grant"),
        {"username": "quantri", "role": Role.SUPERIOR_STAFF, "org_code": "KDHCD"},
    )
    assert page.status_code == 200 and "Không ai tự cấp" in page.content.decode()
    forget_scopes(admin)
    assert not has_cap(admin, Cap.MEMBER_VIEW_SENSITIVE)
    assert not RoleRequest.objects.exists()


def test_nobody_changes_or_revokes_their_own_roles(tree: dict) -> None:
    admin = f.user("quantri", Role.SYSADMIN, tree["khoi"])
    own = RoleAssignment.objects.get(user=admin)
    with pytest.raises(PermissionDenied):
        services.role_set_dates(
            actor=admin, assignment=own, valid_from=None, valid_until=dt.date(2030, 1, 1)
        )
    with pytest.raises(PermissionDenied):
        services.role_revoke(actor=admin, user=admin, role=own.role, org=own.org)
    client = _client(admin)
    client.post(reverse("accounts:role_revoke", args=[own.pk]))
    assert RoleAssignment.objects.filter(pk=own.pk).exists()


def test_a_grant_takes_effect_only_when_another_administrator_approves(tree: dict) -> None:
    first = f.user("quantri", Role.SYSADMIN, tree["khoi"])
    second = f.user("quantri2", Role.SYSADMIN, tree["city"])
    outsider = f.user("quantri3", Role.SYSADMIN, tree["district"])
    staff = f.user("canbo", None)
    request = services.role_propose(
        actor=first, user=staff, role=Role.GRASSROOTS_STAFF, org=tree["uni"]
    )
    assert not RoleAssignment.objects.filter(user=staff).exists()
    assert Notification.objects.filter(user=second, kind="role_request").exists()
    assert not Notification.objects.filter(user=outsider).exists()
    with pytest.raises(PermissionDenied):  # the proposer
        services.role_request_approve(actor=first, request=request)
    with pytest.raises(PermissionDenied):  # no authority over that subtree
        services.role_request_approve(actor=outsider, request=request)
    services.role_request_approve(actor=second, request=request)
    assert RoleAssignment.objects.filter(user=staff, role=Role.GRASSROOTS_STAFF).exists()
    request.refresh_from_db()
    assert request.status == RoleRequest.Status.APPROVED and request.decided_by == second
    actions = list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))
    assert actions[-3:] == [
        "accounts.role_proposed",
        "accounts.role_grant",
        "accounts.role_approved",
    ]
    grant = AuditEntry.objects.get(action="accounts.role_grant", object_id="canbo")
    assert grant.actor == second and grant.data["proposed_by"] == "quantri"


def test_a_puppet_sysadmin_cannot_approve_its_creators_proposals(tree: dict) -> None:
    admin = f.user("quantri", Role.SYSADMIN, tree["khoi"])
    puppet = services.user_create(actor=admin, username="bu-nhin", password="mot-mat-khau-rat-dai")
    # The sysadmin role itself is a proposal: the puppet gets nothing on its own.
    services.role_propose(actor=admin, user=puppet, role=Role.SYSADMIN, org=tree["khoi"])
    assert not has_cap(puppet, Cap.ACCOUNTS_MANAGE)
    mine = services.role_propose(
        actor=admin, user=f.user("x", None), role=Role.SUPERIOR_STAFF, org=tree["khoi"]
    )
    with pytest.raises(PermissionDenied):
        services.role_request_approve(actor=puppet, request=mine)


def test_longer_dates_are_proposed_shorter_apply_at_once(tree: dict) -> None:
    first = f.user("quantri", Role.SYSADMIN, tree["khoi"])
    second = f.user("quantri2", Role.SYSADMIN, tree["khoi"])
    staff = f.user("canbo", None)
    ra = services.role_grant(
        actor=None,
        user=staff,
        role=Role.GRASSROOTS_STAFF,
        org=tree["uni"],
        valid_until=dt.date(2030, 6, 30),
    )
    client = _client(first)
    client.post(reverse("accounts:role_end", args=[ra.pk]), {"valid_until": "31/12/2031"})
    ra.refresh_from_db()
    assert ra.valid_until == dt.date(2030, 6, 30)  # not yet: proposed
    pending = RoleRequest.objects.get(kind=RoleRequest.Kind.DATES)
    assert pending.valid_until == dt.date(2031, 12, 31)
    _client(second).post(reverse("accounts:role_request_approve", args=[pending.pk]))
    ra.refresh_from_db()
    assert ra.valid_until == dt.date(2031, 12, 31)
    client.post(reverse("accounts:role_end", args=[ra.pk]), {"valid_until": "01/03/2027"})
    ra.refresh_from_db()
    assert ra.valid_until == dt.date(2027, 3, 1)  # shorter: at once


def test_2fa_reset_only_for_users_whose_every_role_is_inside(tree: dict) -> None:
    admin = f.user("quantri", Role.SYSADMIN, tree["khoi"])
    city_user = f.user("vanphong", Role.CITY_OFFICE, tree["city"])
    twofactor.enrol_with_secret(user=city_user, secret=twofactor.new_secret())
    # The attack of the issue: give the city user a role inside my subtree, then reset.
    inside_ra = services.role_grant(actor=None, user=city_user, role=Role.VIEWER, org=tree["uni"])
    with pytest.raises(PermissionDenied):
        twofactor.twofactor_reset(actor=admin, user=city_user)
    page = _client(admin).post(reverse("accounts:role_2fa_reset", args=[inside_ra.pk]))
    assert page.status_code == 302 and TwoFactorDevice.objects.filter(user=city_user).exists()
    local = f.user("canbo", Role.GRASSROOTS_STAFF, tree["uni"])
    twofactor.enrol_with_secret(user=local, secret=twofactor.new_secret())
    twofactor.twofactor_reset(actor=admin, user=local)
    assert not TwoFactorDevice.objects.filter(user=local).exists()
    with pytest.raises(PermissionDenied):
        twofactor.twofactor_reset(actor=admin, user=admin)


def test_roles_page_proposals_approved_by_another_admin_on_the_web(tree: dict) -> None:
    first = f.user("quantri", Role.SYSADMIN, tree["khoi"])
    second = f.user("quantri2", Role.SYSADMIN, tree["khoi"])
    f.user("canbo", None)
    a, b = _client(first), _client(second)
    response = a.post(
        reverse("accounts:role_grant"),
        {
            "username": "canbo",
            "role": Role.GRASSROOTS_STAFF,
            "org_code": "BK",
            "valid_from": "01/02/2026",
            "valid_until": "",
        },
    )
    assert response.status_code == 302
    request = RoleRequest.objects.get()
    assert request.valid_from == dt.date(2026, 2, 1)
    mine = a.get(reverse("accounts:roles")).content.decode()
    assert "Chờ một quản trị viên khác" in mine
    assert reverse("accounts:role_request_approve", args=[request.pk]) not in mine
    theirs = b.get(reverse("accounts:roles")).content.decode()
    assert reverse("accounts:role_request_approve", args=[request.pk]) in theirs
    assert b.post(reverse("accounts:role_request_approve", args=[request.pk])).status_code == 302
    assert RoleAssignment.objects.filter(user__username="canbo", org__code="BK").exists()


def test_sysadmin_pages_take_dates_as_dd_mm_yyyy(tree: dict) -> None:
    admin = f.user("quantri", Role.SYSADMIN, tree["khoi"])
    f.user("canbo", Role.VIEWER, tree["uni"])
    page = _client(admin).get(reverse("accounts:roles")).content.decode()
    assert 'type="date"' not in page
    assert len(re.findall(r'placeholder="dd/mm/yyyy"', page)) >= 3


def test_create_a_user_with_a_password_and_a_proposed_role(tree: dict) -> None:
    admin = f.user("quantri", Role.SYSADMIN, tree["khoi"])
    client = _client(admin)
    assert client.get(reverse("accounts:user_new")).status_code == 200
    response = client.post(
        reverse("accounts:user_new"),
        {
            "username": "bithu2",
            "full_name": "Lê Thị Hồng",
            "email": "hong@example.vn",
            "how": "password",
            "password": "mot-mat-khau-rat-dai",
            "role": Role.CELL_SECRETARY,
            "org_code": "BK-SV1",
        },
    )
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    user = RoleRequest.objects.get().user
    assert user.username == "bithu2" and user.get_full_name() == "Lê Thị Hồng"
    assert user.check_password("mot-mat-khau-rat-dai") and user.email == "hong@example.vn"
    assert not RoleAssignment.objects.filter(user=user).exists()  # waiting for approval
    assert AuditEntry.objects.filter(action="accounts.user_create", object_id="bithu2").exists()


def test_create_a_user_by_invitation_the_link_works_once(tree: dict) -> None:
    admin = f.user("quantri", Role.SYSADMIN, tree["khoi"])
    response = _client(admin).post(
        reverse("accounts:user_new"),
        {"username": "moi", "full_name": "Trần Văn Mới", "how": "invite"},
    )
    link = re.search(r'value="([^"]+)" id="invite-link"', response.content.decode()).group(1)
    path = link.split("testserver", 1)[1]
    newcomer = Client()
    assert newcomer.get(path).status_code == 200
    done = newcomer.post(
        path, {"new_password1": "mat-khau-moi-rat-dai", "new_password2": "mat-khau-moi-rat-dai"}
    )
    assert done.status_code == 302
    assert (
        newcomer.post(
            reverse("accounts:login"), {"username": "moi", "password": "mat-khau-moi-rat-dai"}
        ).status_code
        == 302
    )
    assert Client().get(path).status_code == 400  # used: the link no longer works


def test_create_user_page_inside_outside_read_only(tree: dict) -> None:
    viewer = f.user("xem", Role.VIEWER, tree["city"])
    assert _client(viewer).get(reverse("accounts:user_new")).status_code == 403
    anonymous = Client().get(reverse("accounts:user_new"))
    assert anonymous.status_code == 302 and reverse("accounts:login") in anonymous["Location"]
    admin = f.user("quantri", Role.SYSADMIN, tree["khoi"])
    outside = _client(admin).post(
        reverse("accounts:user_new"),
        {
            "username": "nguoi-q1",
            "full_name": "Người Quận Một",
            "how": "password",
            "password": "mot-mat-khau-rat-dai",
            "role": Role.CELL_SECRETARY,
            "org_code": "Q1-THPT",
        },
    )
    assert outside.status_code == 200 and "org_code" in outside.context["form"].errors
    assert not RoleRequest.objects.exists()
