"""Every URL of orgs/ and members/, with each role and anonymously: the expected status.

The URL list is walked from the URLconf, so a new view without a row here
fails the completeness test instead of going unchecked.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import get_resolver, reverse

from chibo.core.roles import Role
from chibo.members import services
from chibo.members.forms import EVENT_FORMS
from tests import factories as f

ROLES = [
    "cell_secretary",
    "grassroots_staff",
    "superior_staff",
    "city_office",
    "viewer",
    "sysadmin",
]

# Status per role, in the order of ROLES; anonymous is always a redirect to login.
VIEW = (200, 200, 200, 200, 200, 200)
RESTRUCTURE = (403, 200, 200, 403, 403, 403)
MEMBER_READ = (200, 200, 200, 200, 200, 403)
MEMBER_RECORD = (200, 200, 200, 200, 200, 404)  # sysadmin: personal data is not in its scope
MEMBER_WRITE = (200, 200, 200, 403, 403, 403)
MEMBER_RECORD_WRITE = (200, 200, 200, 403, 403, 404)
# The document abbreviation: restructuring staff or whoever keeps the org's register.
ABBREVIATION = (200, 200, 200, 200, 403, 403)

# (url name, method, expected statuses); codes: org BK-SV1, member DV0001, incoming DV0002.
MATRIX: dict[str, tuple[str, tuple[int, ...]]] = {
    "orgs:tree": ("GET", VIEW),
    "orgs:detail": ("GET", VIEW),
    "orgs:children": ("GET", VIEW),
    "orgs:move": ("GET", RESTRUCTURE),
    "orgs:merge": ("GET", RESTRUCTURE),
    "orgs:rename": ("GET", RESTRUCTURE),
    "orgs:close": ("GET", RESTRUCTURE),
    "orgs:new_child": ("GET", RESTRUCTURE),
    "orgs:abbreviation": ("GET", ABBREVIATION),
    "members:list": ("GET", MEMBER_READ),
    "members:pick": ("GET", MEMBER_READ),  # the person picker's search
    "members:admit": ("GET", MEMBER_WRITE),
    "members:receive": ("GET", MEMBER_WRITE),
    "members:incoming": ("GET", MEMBER_WRITE),
    # an empty POST re-renders the list with the form's errors
    "members:arrive": ("POST", MEMBER_WRITE),
    "members:detail": ("GET", MEMBER_RECORD),
    "members:edit": ("GET", MEMBER_RECORD_WRITE),
    "members:event": ("GET", MEMBER_RECORD_WRITE),
}


def _url_names() -> set[str]:
    names = set()
    for namespace in ("orgs", "members"):
        _prefix, resolver = get_resolver().namespace_dict[namespace]
        names |= {f"{namespace}:{p.name}" for p in resolver.url_patterns}
    return names


def _urls(name: str) -> list[str]:
    if name in {
        "orgs:tree",
        "members:list",
        "members:pick",
        "members:admit",
        "members:receive",
        "members:incoming",
    }:
        return [reverse(name)]
    if name.startswith("orgs:"):
        return [reverse(name, args=["BK-SV1"])]
    if name == "members:arrive":
        return [reverse(name, args=["DV0002"])]
    if name == "members:event":
        return [reverse(name, args=["DV0001", kind]) for kind in EVENT_FORMS]
    return [reverse(name, args=["DV0001"])]


@pytest.fixture
def clients(db: None) -> dict[str, Client]:
    t = f.tree()
    f.member(t["cell_a"], code="DV0001")
    incoming = f.member(t["cell_b"], code="DV0002", full_name="Đặng Thị Hoa")
    services.member_transfer_out(
        actor=None,
        member=incoming,
        effective_date=dt.date(2025, 8, 1),
        decision=services.Decision(),
        destination_org=t["cell_a"],
    )
    where = {
        "cell_secretary": t["cell_a"],
        "grassroots_staff": t["uni"],
        "superior_staff": t["khoi"],
        "city_office": t["city"],
        "viewer": t["uni"],
        "sysadmin": t["city"],
    }
    out = {}
    for role in ROLES:
        client = Client()
        client.force_login(f.user(role, Role(role), where[role]))
        out[role] = client
    out["anonymous"] = Client()
    return out


def test_matrix_covers_every_url() -> None:
    assert _url_names() == set(MATRIX)


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_permission_matrix(name: str, clients: dict[str, Client]) -> None:
    method, expected = MATRIX[name]
    for url in _urls(name):
        got = []
        for role in ROLES:
            client = clients[role]
            response = client.get(url) if method == "GET" else client.post(url, {})
            got.append(response.status_code)
        assert tuple(got) == expected, f"{url}: {dict(zip(ROLES, got, strict=True))}"
        anon = clients["anonymous"].get(url) if method == "GET" else clients["anonymous"].post(url)
        assert anon.status_code == 302, url
        assert anon["Location"].startswith(reverse("accounts:login")), url
