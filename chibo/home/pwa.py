"""The installable app: web manifest, service worker, and the page shown offline.

The service worker (``/sw.js``, scope ``/``) keeps only the app's own static
files (CSS, JavaScript, icons) and the offline page: nothing personal. Pages,
the API and every response marked ``no-store`` always go to the network; a page
opened without a connection gets the offline page. Attendance marked while
offline is kept by the open sheet itself (``activity/sheet-offline.js``), not
by the worker. The worker's cache name is a hash of the files it keeps, so a
new release replaces it.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

# The app shell: what every page loads, and the attendance sheet's own files.
SHELL = (
    "vendor/pico.min.css",
    "chibo.css",
    "home/home.css",
    "vendor/htmx.min.js",
    "chibo.js",
    "members/picker.js",
    "home/app.js",
    "activity/activity.css",
    "activity/sheet.js",
    "activity/sheet-offline.js",
    "home/icons/icon.svg",
    "home/icons/icon-192.png",
    "favicon.svg",
)


@lru_cache(maxsize=1)
def shell_version() -> str:
    """A hash of the shell's files: a release that changes one gets a new cache."""
    digest = hashlib.sha256()
    for name in SHELL:
        path = finders.find(name)
        if path:
            with open(path, "rb") as fh:
                digest.update(fh.read())
    return digest.hexdigest()[:12]


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    data = {
        "name": _("chibo — Party work in schools"),
        "short_name": _("Chi bo"),
        "description": _("Meetings, attendance, dues and admissions of the school party cells."),
        "lang": "vi",
        "dir": "ltr",
        "start_url": "/",
        "scope": "/",
        "id": "/",
        "display": "standalone",
        "orientation": "any",
        "background_color": "#f7f7f5",
        "theme_color": "#b3261e",
        "icons": [
            {"src": static("home/icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("home/icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("home/icons/maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
            {"src": static("home/icons/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=1),
        content_type="application/manifest+json; charset=utf-8",
    )
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    context = {
        "version": shell_version(),
        "shell": json.dumps([static(name) for name in SHELL]),
        "offline": json.dumps("/offline/"),
        "static_prefix": json.dumps(static("")),
    }
    response = render(request, "home/sw.js", context, content_type="text/javascript; charset=utf-8")
    # The browser checks for a new worker on each visit; never serve it stale.
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """The page the worker shows when a page cannot be fetched: no personal data (cacheable)."""
    response = render(request, "home/offline.html", {})
    response["Cache-Control"] = "public, max-age=86400"
    return response
