"""A small world for oversight: the factory tree, members in the student cell, one user per role."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from chibo.core.roles import Role
from chibo.members import services as member_services
from chibo.members.models import Category, Member
from tests import factories as f


def full_member(
    org: Any, code: str, name: str, admitted_on: dt.date = dt.date(2020, 1, 10)
) -> Member:
    member = f.member(
        org,
        code=code,
        full_name=name,
        admitted_on=admitted_on,
        category=Category.LECTURER,
        date_of_birth=dt.date(1985, 1, 1),
    )
    member_services.member_recognize(
        actor=None,
        member=member,
        decided_on=member.probation_ends_on,
        decision=member_services.Decision(number="5-QĐ/ĐU"),
    )
    member.refresh_from_db()
    return member


@pytest.fixture(autouse=True)
def _english_messages() -> Iterator[None]:
    # Service-level tests match the English source text; pages render in Vietnamese.
    with translation.override("en"):
        yield


@pytest.fixture
def world(db: Any, tmp_path: Any, settings: Any) -> dict[str, Any]:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    tree = f.tree()
    members = [
        full_member(tree["cell_a"], f"DV-A{i}", name)
        for i, name in enumerate(
            ["Lê Văn Minh", "Phạm Thị Hoa", "Võ Văn Tâm", "Đặng Thu Hà", "Bùi Văn Nam"], start=1
        )
    ]
    probationary = f.member(
        tree["cell_a"], code="DV-P1", full_name="Trần Thị Cúc", admitted_on=dt.date(2026, 3, 1)
    )
    users = {
        "sec": f.user("bithu", Role.CELL_SECRETARY, tree["cell_a"]),
        "staff": f.user("cosoviec", Role.GRASSROOTS_STAFF, tree["uni"]),
        "sup": f.user("captren", Role.SUPERIOR_STAFF, tree["khoi"]),
        "out": f.user("ngoai", Role.GRASSROOTS_STAFF, tree["district"]),
        "view": f.user("xem", Role.VIEWER, tree["uni"]),
    }
    return {**tree, "members": members, "probationary": probationary, **users}


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client
