"""Error pages (the start page is ``chibo.home``)."""

from __future__ import annotations

import sys

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import defaults
from django.views.decorators.http import require_GET

from chibo.core.busy import (
    RETRY_AFTER_SECONDS,
    busy_message,
    disk_full_message,
    is_busy,
    is_disk_full,
)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if exception and str(exception) else ""
    return render(request, "403.html", {"message": message}, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", {}, status=404)


@require_GET
def favicon(request: HttpRequest) -> FileResponse:
    """/favicon.ico: browsers (and downloads, API pages) ask for it whatever the page links."""
    response = FileResponse(
        (settings.BASE_DIR / "static" / "favicon.ico").open("rb"), content_type="image/x-icon"
    )
    response["Cache-Control"] = "public, max-age=604800"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """500, except for a database that is busy (503, Retry-After) or a full disk (507).

    Called while the exception is being handled (``sys.exc_info``). The page
    is standalone: it reads nothing from the database.
    """
    exc = sys.exc_info()[1]
    if is_busy(exc):
        response = render(request, "503.html", {"message": busy_message()}, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if is_disk_full(exc):
        return render(request, "503.html", {"message": disk_full_message()}, status=507)
    return defaults.server_error(request)
