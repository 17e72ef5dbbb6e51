"""The type of a request whose user has signed in (for annotations; Django builds requests).

A page behind ``login_required`` and an API route behind a token see a ``User``, never
``AnonymousUser``: annotate their ``request`` as ``SignedInRequest`` and mypy knows it.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.http import HttpRequest


class SignedInRequest(HttpRequest):
    user: User
