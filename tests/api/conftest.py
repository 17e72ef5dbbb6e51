from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from chibo.accounts.tokens import token_create
from chibo.core.roles import Role
from chibo.members.models import Category
from tests import factories


@pytest.fixture(autouse=True)
def _fast_api_tests(settings: Any) -> None:
    cache.clear()  # throttle counters live in the cache


class Api:
    """A JSON client for /api/v1 with a bearer token (or none)."""

    def __init__(self, token: str | None = None, lang: str | None = None) -> None:
        self.client = Client()
        self.headers: dict[str, str] = {}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"
        if lang:
            self.headers["Accept-Language"] = lang

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def post(self, path: str, body: dict | None = None) -> Any:
        return self.client.post(
            f"/api/v1{path}", body or {}, content_type="application/json", headers=self.headers
        )

    def patch(self, path: str, body: dict) -> Any:
        return self.client.patch(
            f"/api/v1{path}", body, content_type="application/json", headers=self.headers
        )


def api_for(user: Any, lang: str | None = None) -> Api:
    _t, raw = token_create(actor=None, user=user)
    return Api(raw, lang)


@pytest.fixture
def world(tree: dict) -> dict:
    """The factory tree with members and one user per role."""
    m = {
        "an": factories.member(tree["cell_a"], full_name="Nguyễn Văn An", code="DV-AN"),
        "binh": factories.member(tree["cell_a"], full_name="Nguyễn Thị Bình", code="DV-BINH"),
        "dung": factories.member(tree["cell_a"], full_name="Đặng Văn Dũng", code="DV-DUNG"),
        "gv": factories.member(
            tree["cell_b"], full_name="Nguyễn Hữu Giảng", code="DV-GV", category=Category.LECTURER
        ),
        "hs": factories.member(
            tree["school"], full_name="Nguyễn Minh Học", code="DV-HS", category=Category.TEACHER
        ),
    }
    u = {
        "sec": factories.user("sec", Role.CELL_SECRETARY, tree["cell_a"]),
        "uni": factories.user("uni", Role.GRASSROOTS_STAFF, tree["uni"]),
        "sup": factories.user("sup", Role.SUPERIOR_STAFF, tree["city"]),
        "q1": factories.user("q1", Role.GRASSROOTS_STAFF, tree["district"]),
        "office": factories.user("office", Role.CITY_OFFICE, tree["city"]),
        "viewer": factories.user("viewer", Role.VIEWER, tree["uni"]),
        "admin": factories.user("admin", Role.SYSADMIN, tree["city"]),
    }
    return {"tree": tree, "members": m, "users": u}
