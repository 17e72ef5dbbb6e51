"""Helpers for the browser journeys (real Chromium through Playwright)."""

from __future__ import annotations

from typing import Any

PASSWORD = "mat-khau-dai-123"


def login(
    page: Any, live_url: str, username: str, password: str = PASSWORD, totp_secret: str = ""
) -> None:
    """Log in through the login form (and the 2FA step when ``totp_secret`` is given)."""
    page.goto(f"{live_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("form[action$='/accounts/login/'] button[type=submit]")
    page.wait_for_load_state("domcontentloaded")
    if "/accounts/login/" in page.url:
        raise AssertionError(f"login as {username!r} failed: still on {page.url}")
    if totp_secret and "/accounts/2fa/" in page.url:
        from chibo.accounts.twofactor import totp

        page.fill("#id_code", totp(totp_secret))
        page.click("main form[action$='/accounts/2fa/verify/'] button[type=submit]")
        page.wait_for_load_state("domcontentloaded")
        if "/accounts/2fa/" in page.url:
            raise AssertionError(f"2FA step for {username!r} failed: still on {page.url}")
