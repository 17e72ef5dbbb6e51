"""Every page of every app and every API operation refuses an anonymous caller.

Walked from the URLconf and the OpenAPI schema, so a new view or route without its
login or token check fails here. (The role-by-role matrix of orgs and members is
tests/test_permission_matrix.py; each app's own tests cover its roles.)
"""

from __future__ import annotations

import re
import uuid

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, UUIDConverter

from chibo.api import api

# Pages anyone may open: signing in and out, the language switch, an invitation link (its
# token is the credential), and the installable app's files, which hold no personal data
# (the browser fetches the manifest without cookies; home/pwa.py).
PUBLIC = {
    "accounts:login",
    "accounts:logout",
    "set_language",
    "accounts:invite",
    "home:manifest",
    "home:service_worker",
    "home:offline",
}


def _patterns(resolver: URLResolver, namespace: str = "") -> list[tuple[str, URLPattern]]:
    out: list[tuple[str, URLPattern]] = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "api":
                continue  # the API is checked from its schema below
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            out += _patterns(entry, inner)
        elif entry.name:
            out.append((f"{namespace}{entry.name}", entry))
    return out


def _sample(pattern: URLPattern) -> dict[str, object]:
    kwargs: dict[str, object] = {}
    for name, converter in pattern.pattern.converters.items():
        if isinstance(converter, UUIDConverter):
            kwargs[name] = uuid.UUID(int=1)
        else:
            kwargs[name] = 1 if isinstance(converter, IntConverter) else "X1"
    for name in re.findall(r"\(\?P<(\w+)>", str(pattern.pattern)):
        kwargs.setdefault(name, "X1")
    return kwargs


PAGES = sorted({name: pattern for name, pattern in _patterns(get_resolver())}.items())


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "pattern"), PAGES, ids=[name for name, _ in PAGES])
def test_every_page_sends_an_anonymous_visitor_to_sign_in(name: str, pattern: URLPattern) -> None:
    if name in PUBLIC:
        pytest.skip("public page")
    url = reverse(name, kwargs=_sample(pattern))
    for method in ("get", "post"):
        response = getattr(Client(), method)(url)
        assert response.status_code in (302, 405), (method, url, response.status_code)
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("accounts:login")), (method, url)


def _operations() -> list[tuple[str, str]]:
    out = []
    for path, operations in api.get_openapi_schema()["paths"].items():
        for method in operations:
            sample = re.sub(r"\{int:[^}]+\}|\{[^}]*_id\}", "1", path)
            out.append((method, re.sub(r"\{[^}]+\}", "X1", sample)))
    return sorted(out)


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), _operations())
def test_every_api_operation_answers_401_without_a_token(method: str, path: str) -> None:
    response = getattr(Client(), method)(path, content_type="application/json")
    assert response.status_code == 401, (method, path, response.status_code)
    assert response.json()["error"]["code"] == "unauthorized"
