"""In-app notifications, with e-mail when EMAIL_HOST is configured."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from chibo.core.models import Notification


def notify(
    *, user: Any, kind: str, message: str, url: str = "", dedupe_key: str = ""
) -> Notification | None:
    """Create a notice; with ``dedupe_key`` the same notice is not repeated. Returns None if deduped."""
    if dedupe_key and Notification.objects.filter(user=user, dedupe_key=dedupe_key).exists():
        return None
    notice = Notification.objects.create(
        user=user, kind=kind, message=message[:500], url=url, dedupe_key=dedupe_key
    )
    if getattr(settings, "EMAIL_HOST", "") and user.email:
        transaction.on_commit(
            lambda: send_mail(
                subject=f"[chibo] {message[:80]}",
                message=f"{message}\n{url}",
                from_email=None,
                recipient_list=[user.email],
                fail_silently=True,
            )
        )
    return notice
