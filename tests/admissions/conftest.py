"""A small world for admissions: the factory tree, full members in the student cell, one user per role."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from chibo.admissions import services
from chibo.admissions.models import Candidate, Stage
from chibo.core.roles import Role
from chibo.members import services as member_services
from chibo.members.models import Category, Member
from tests import factories as f


def full_member(
    org: Any,
    code: str,
    name: str,
    admitted_on: dt.date = dt.date(2020, 1, 10),
    category: str = Category.LECTURER,
) -> Member:
    member = f.member(
        org,
        code=code,
        full_name=name,
        admitted_on=admitted_on,
        category=category,
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


@pytest.fixture
def world(tree: dict) -> dict:
    mentors = [
        full_member(tree["cell_a"], f"DV-F{i}", name)
        for i, name in enumerate(["Lê Văn Minh", "Phạm Thị Hoa", "Võ Văn Tâm"], start=1)
    ]
    users = {
        "sec": f.user("sec", Role.CELL_SECRETARY, tree["cell_a"]),
        "sec_b": f.user("sec-b", Role.CELL_SECRETARY, tree["cell_b"]),
        "uni": f.user("uni", Role.GRASSROOTS_STAFF, tree["uni"]),
        "viewer": f.user("viewer", Role.VIEWER, tree["uni"]),
    }
    return {"tree": tree, "full": mentors, "users": users}


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# The happy path of a student candidate (born 10/02/2004, under 30, Youth Union exists).
HAPPY: list[tuple[str, dt.date, str, dict[str, Any]]] = [
    (
        Stage.COURSE,
        dt.date(2024, 10, 15),
        "123/GCN",
        {"cert_number": "123/GCN", "cert_issuer": "TTCT Khối ĐH-CĐ"},
    ),
    (Stage.APPLICATION, dt.date(2024, 11, 1), "", {}),
    (Stage.HISTORY, dt.date(2024, 11, 15), "", {}),
    (Stage.BACKGROUND_CHECK, dt.date(2024, 12, 10), "", {}),
    (Stage.INTRODUCERS, dt.date(2025, 1, 6), "", {}),
    (
        Stage.YOUTH_UNION,
        dt.date(2025, 1, 10),
        "04-NQ/ĐTN",
        {"youth_union_body": "BCH Đoàn trường ĐH Bách khoa"},
    ),
    (Stage.OPINIONS, dt.date(2025, 1, 15), "", {}),
    (
        Stage.CELL_RESOLUTION,
        dt.date(2025, 2, 3),
        "06-NQ/CB",
        {"full_members": 3, "absent_excluded": 0, "votes_for": 3},
    ),
    (Stage.GRASSROOTS_RESOLUTION, dt.date(2025, 2, 20), "08-NQ/ĐU", {}),
    (Stage.DECISION, dt.date(2025, 3, 10), "09-QĐ/ĐU", {"deciding_body": "Đảng ủy Khối ĐH-CĐ"}),
    (Stage.CEREMONY, dt.date(2025, 3, 25), "", {}),
    (
        Stage.RECOGNITION_VOTE,
        dt.date(2026, 4, 1),
        "10-NQ/CB",
        {"full_members": 3, "absent_excluded": 0, "votes_for": 3},
    ),
    (Stage.RECOGNITION_DECISION, dt.date(2026, 4, 15), "11-QĐ/ĐU", {}),
]


def walk(
    world: dict, candidate: Candidate, until: str | None = None, *, actor: Any = None
) -> Candidate:
    """Record the happy path's steps up to and including ``until`` (all of them when None)."""
    for stage, day, doc, data in HAPPY:
        introducers = [(world["full"][0], 24)] if stage == Stage.INTRODUCERS else None
        services.candidate_record_step(
            actor=actor,
            candidate=candidate,
            stage=stage,
            done_on=day,
            document_number=doc,
            data=data,
            introducers=introducers,
        )
        if stage == until:
            break
    candidate.refresh_from_db()
    return candidate


@pytest.fixture
def cand(world: dict) -> Candidate:
    return f.candidate(world["tree"]["cell_a"], world["full"][0])


VOTE = {"full_members": 3, "absent_excluded": 0, "votes_for": 3}


def decided_on_20_january_2025(world: dict, *, received_on: dt.date | None = None) -> Candidate:
    """A candidate decided on 20/01/2025: 30 working days later, across Tết, is 10/03/2025.

    ``received_on``: the date the cell received the decision, given with the decision.
    """
    c = f.candidate(world["tree"]["cell_a"], world["full"][0])
    walk(world, c, Stage.YOUTH_UNION)
    decision = {"received_on": received_on} if received_on else {}
    for stage, day, data in [
        (Stage.OPINIONS, dt.date(2025, 1, 15), {}),
        (Stage.CELL_RESOLUTION, dt.date(2025, 1, 16), VOTE),
        (Stage.GRASSROOTS_RESOLUTION, dt.date(2025, 1, 17), {}),
        (Stage.DECISION, dt.date(2025, 1, 20), decision),
    ]:
        services.candidate_record_step(
            actor=None, candidate=c, stage=stage, done_on=day, document_number="1", data=data
        )
    return c
