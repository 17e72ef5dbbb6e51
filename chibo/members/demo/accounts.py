"""The demo log-ins: one account per role, all with the same public password."""

from __future__ import annotations

from typing import Any

PASSWORD = "chibo-demo-2026"  # noqa: S105 — published in the README: demo data only
# The demo committee and admin accounts use two-step login like real ones, with
# this published TOTP secret (add it to an authenticator app, or read the current
# code from `chibo demo-logins`). Demo data only.
TOTP_SECRET = "CHIBODEMOCHIBODEMOCHIBODEMOSECRT"  # noqa: S105


def recovery_codes(username: str) -> list[str]:
    """The demo account's 10 recovery codes: derived from its name and the published secret,
    so `chibo demo-logins` can print them (demo data only, like the password)."""
    import hashlib

    codes = []
    for n in range(10):
        digest = hashlib.sha256(f"{TOTP_SECRET}|{username}|{n}".encode()).hexdigest()
        codes.append(f"{digest[:4]}-{digest[4:8]}")
    return codes


# (username, role, last name, first name); the org of each comes from the tree.
ACCOUNTS: list[tuple[str, str, str, str]] = [
    ("bithu", "cell_secretary", "Trần Thị", "Mai"),
    ("cosoviec", "grassroots_staff", "Lê Văn", "Hùng"),
    ("captren", "superior_staff", "Phạm Minh", "Tuấn"),
    ("vanphong", "city_office", "Võ Thị Ngọc", "Hân"),
    ("xem", "viewer", "Huỳnh Quốc", "Bảo"),
    ("quantri", "sysadmin", "Đỗ Đức", "Long"),
]
USERNAMES = [account[0] for account in ACCOUNTS]
ROLE_LABELS = {
    "cell_secretary": "Bí thư chi bộ",
    "grassroots_staff": "Cán bộ đảng ủy cơ sở",
    "superior_staff": "Cán bộ cấp ủy cấp trên",
    "city_office": "Văn phòng Thành ủy",
    "viewer": "Chỉ xem",
    "sysadmin": "Quản trị hệ thống",
}


def create_accounts(org_ids: dict[str, int]) -> list[Any]:
    """Create the users and their role assignments (inside the caller's transaction)."""
    from django.contrib.auth.models import User

    from chibo.accounts import twofactor
    from chibo.accounts.models import RoleAssignment

    users = []
    hashed = ""
    for username, role, family_and_middle, given in ACCOUNTS:
        # Vietnamese order, as accounts.services.user_create stores it:
        # get_full_name() gives "Trần Thị Mai", not "Mai Trần Thị".
        user = User(
            username=username,
            first_name=family_and_middle,
            last_name=given,
            email=f"{username}@demo.chibo.invalid",
        )
        if not hashed:
            # PBKDF2 costs ~0.5 s a call: hash the shared password once and reuse it.
            user.set_password(PASSWORD)
            hashed = user.password
        user.password = hashed
        user.save()
        RoleAssignment.objects.create(user=user, role=role, org_id=org_ids[username])
        if role in twofactor.ROLES_REQUIRING_2FA:
            twofactor.enrol_with_secret(user=user, secret=TOTP_SECRET)
            twofactor.set_recovery_codes(user=user, codes=recovery_codes(username))
        users.append(user)
    return users
