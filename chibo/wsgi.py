from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chibo.settings")
application = get_wsgi_application()


def _warm() -> None:
    """Load what the first request of every process would otherwise load.

    gunicorn imports this module once in its master (``preload_app``) and forks the
    workers from it, so whatever is loaded here is shared and never paid again
    when a worker is recycled. Without it a fresh worker's first request imported the
    URLconf and the whole API's schemas (about 1.1 s on the project's machine) while
    its queue waited.
    """
    from django.urls import get_resolver, reverse

    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018 - imports every app's views and the API
    reverse("home:index")  # fills the resolver's reverse tables


_warm()
