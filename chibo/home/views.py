"""Pages of the home app: the start page "Việc cần làm" and the notifications."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from chibo.home import notices
from chibo.home.blocks import blocks_for
from chibo.home.menu import menu_for

PAGE_SIZE = 30


def _page_number(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and 0 < len(raw) < 19 else None


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """This month's work of each of the user's roles, each item linking to where it is resolved."""
    today = timezone.localdate()
    context = {
        "today": today,
        "blocks": blocks_for(request.user, today),
        "latest": list(notices.notifications_of(request.user, unread_only=True)[:3]),
        "other_pages": menu_for(request.user)[1],
    }
    return render(request, "home/home.html", context)


@login_required
@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    before = _page_number(request.GET.get("before", ""))
    rows = list(
        notices.notifications_of(request.user, unread_only=unread_only, before_id=before)[
            : PAGE_SIZE + 1
        ]
    )
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    context = {
        "rows": [(n, notices.safe_url(n)) for n in rows],
        "unread_only": unread_only,
        "unread": notices.unread_count(request.user),
        "next_before": rows[-1].pk if more else None,
        "first_page": before is None,
        "retention_days": settings.CHIBO_NOTIFICATION_RETENTION_DAYS,
    }
    return render(request, "home/notifications.html", context)


def _back(request: HttpRequest) -> HttpResponse:
    url = reverse("home:notifications")
    if request.POST.get("unread") == "1":
        url += "?unread=1"
    return redirect(url)


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notice = notices.get_notification_for(request.user, pk)
    notices.notification_mark_read(actor=request.user, notification=notice)
    return _back(request)


@login_required
@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark read and go to the object the notification is about."""
    notice = notices.get_notification_for(request.user, pk)
    notices.notification_mark_read(actor=request.user, notification=notice)
    return redirect(notices.safe_url(notice) or reverse("home:notifications"))


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    n = notices.notifications_mark_all_read(actor=request.user)
    messages.success(request, _("%(n)s notifications marked read.") % {"n": n})
    return _back(request)
