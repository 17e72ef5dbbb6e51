"""``chibo demo-logins``: the demo accounts, their roles and orgs (printed by ``make run``)."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from chibo.accounts import twofactor
from chibo.accounts.models import RecoveryCode, RoleAssignment, TwoFactorDevice
from chibo.members.demo.accounts import (
    PASSWORD,
    ROLE_LABELS,
    TOTP_SECRET,
    USERNAMES,
    recovery_codes,
)


class Command(BaseCommand):
    help = "Print the demo log-ins (username, role, organization) and their shared password."

    def handle(self, *args: Any, **options: Any) -> None:
        assignments = {
            ra.user.username: ra
            for ra in RoleAssignment.objects.filter(user__username__in=USERNAMES).select_related(
                "user", "org"
            )
        }
        if not assignments:
            raise CommandError(
                "Chưa có tài khoản demo: chạy `chibo seed-demo` trên cơ sở dữ liệu trống."
            )
        rows = [("Tài khoản", "Vai trò", "Mã", "Tổ chức")]
        for username in USERNAMES:
            ra = assignments.get(username)
            if ra is not None:
                rows.append((username, ROLE_LABELS.get(ra.role, ra.role), ra.org.code, ra.org.name))
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        self.stdout.write(f"Tài khoản demo (mật khẩu: {PASSWORD}):")
        for n, row in enumerate(rows):
            line = "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:3]))
            self.stdout.write(f"  {line}  {row[3]}")
            if n == 0:
                self.stdout.write("  " + "  ".join("-" * w for w in widths))
        devices = [
            device
            for device in TwoFactorDevice.objects.filter(
                user__username__in=USERNAMES
            ).select_related("user")
            if device.secret == TOTP_SECRET  # encrypted: compared after decryption
        ]
        if devices:
            self.stdout.write(
                "Đăng nhập hai bước (cán bộ cấp ủy, Văn phòng, quản trị): khóa TOTP demo "
                f"{TOTP_SECRET} — thêm vào ứng dụng xác thực, hoặc dùng mã hiện tại "
                f"{twofactor.totp(TOTP_SECRET)} (đổi sau 30 giây; chạy lại `chibo demo-logins`)."
            )
            self.stdout.write("Mã khôi phục còn dùng được (mỗi mã một lần):")
            for device in sorted(devices, key=lambda d: USERNAMES.index(d.user.username)):
                user = device.user
                codes = recovery_codes(user.username)
                if not RecoveryCode.objects.filter(user=user).exists():
                    # A demo loaded before the demo accounts had recovery codes.
                    twofactor.set_recovery_codes(user=user, codes=codes)
                unused = twofactor.unused_codes_among(user=user, codes=codes)
                self.stdout.write(f"  {user.username.ljust(9)} {' '.join(unused) or '(hết)'}")
        # `make run` passes its PORT (PORT=8001 make run); 8000 otherwise.
        port = os.environ.get("PORT", "").strip()
        self.stdout.write(f"Mở http://127.0.0.1:{port if port.isdigit() else 8000}")
