from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from chibo.core.roles import Role
from chibo.directives import services
from chibo.directives.models import CommitteeTerm, Document, Recurrence, Task
from chibo.orgs.models import Org
from tests import factories as f

TERM_START = dt.date(2020, 10, 18)
TERM_END = dt.date(2025, 10, 15)


def quick_user(username: str, role: str, org: Org) -> Any:
    """A user with a role and no usable password (views log in with force_login): no slow hashing."""
    from django.contrib.auth.models import User

    from chibo.accounts.models import RoleAssignment

    user = User.objects.create(username=username)
    RoleAssignment.objects.create(user=user, role=role, org=org)
    return user


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def t(db: None) -> dict[str, Org]:
    tree = f.tree()
    CommitteeTerm.objects.create(
        org=tree["city"], name="2020–2025", starts_on=TERM_START, ends_on=TERM_END
    )
    CommitteeTerm.objects.create(
        org=tree["city"], name="2025–2030", starts_on=TERM_END + dt.timedelta(days=1)
    )
    return tree


@pytest.fixture
def office_user(t: dict[str, Org]) -> Any:
    return quick_user("vanphong", Role.CITY_OFFICE, t["city"])


@pytest.fixture
def unit_user(t: dict[str, Org]) -> Any:
    return quick_user("khoi", Role.SUPERIOR_STAFF, t["khoi"])


@pytest.fixture
def outside_user(t: dict[str, Org]) -> Any:
    return quick_user("quan1", Role.SUPERIOR_STAFF, t["district"])


@pytest.fixture
def viewer_user(t: dict[str, Org]) -> Any:
    return quick_user("xem", Role.VIEWER, t["city"])


@pytest.fixture
def directive(t: dict[str, Org]) -> Document:
    return services.document_register_incoming(
        actor=None,
        org=t["city"],
        symbol="1000-CV/TU",
        issuing_org=t["city"],
        title="Về tăng cường công tác xây dựng Đảng của tổ chức đảng trường học",
        issuing_body="Ban Thường vụ Thành ủy",
        issued_on=dt.date(2023, 6, 16),
        incoming_number="398",
        recipients=[
            services.RecipientIn("Ban Thường vụ Đảng ủy Khối Đại học, Cao đẳng", 2, t["khoi"])
        ],
        cites=["29-NQ/TW", "14-CT/TU"],
    )


@pytest.fixture
def task(t: dict[str, Org], directive: Document) -> Task:
    return services.task_create(
        actor=None,
        document=directive,
        section="1",
        title="Lãnh đạo công tác xây dựng Đảng trong trường học",
        recurrence=Recurrence.SEMIANNUAL,
        report_due_days=10,
        orgs=[t["khoi"], t["district"]],
        named_units=["Ban Thường vụ Thành Đoàn"],
    )
