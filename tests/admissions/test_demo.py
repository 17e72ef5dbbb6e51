"""Demo data: candidates at every stage, linked to the base seed's recent admissions."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.utils import timezone

from chibo.admissions.demo import seed_demo
from chibo.admissions.models import PATH, Candidate, Stage
from chibo.members.models import Category
from chibo.members.services import replay
from tests import factories as f
from tests.admissions.conftest import full_member

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_candidates_at_every_stage(world: dict) -> None:
    t = world["tree"]
    full_member(t["school"], "DV-S1", "Trương Văn Thầy", category=Category.TEACHER)
    today = timezone.localdate()
    recent = f.member(
        t["cell_a"],
        code="DV-R1",
        admitted_on=today - dt.timedelta(days=200),
        date_of_birth=dt.date(2004, 1, 1),
    )
    counts = seed_demo(rng=random.Random(7), today=today, scale=0.1)
    assert counts["candidates"] >= 24 and counts["admitted_linked"] == 1
    stages = set(Candidate.objects.values_list("stage", flat=True))
    assert set(PATH[: PATH.index(Stage.DECISION) + 1]) <= stages and Stage.CEREMONY in stages
    assert Candidate.objects.get(member=recent).stage == Stage.CEREMONY
    # Decided, ceremony still to be held: the decision created the probationary member.
    decided = list(Candidate.objects.filter(stage=Stage.DECISION).select_related("member"))
    assert decided and counts["admitted_at_decision"] == len(decided)
    for c in decided:
        m = c.member
        assert m is not None and m.ceremony_on is None and m.probation_ends_on is None
        assert m.admitted_on == c.stage_on and c.next_due_for == Stage.CEREMONY
        assert list(m.events.values_list("kind", flat=True)) == ["admitted"]
        state = replay(m)
        assert {name: getattr(m, name) for name in state} == state
        step = c.steps.get(stage=Stage.DECISION)
        assert step.data["member_code"] == m.member_code
    assert Candidate.objects.filter(category=Category.PUPIL, org=t["school"]).exists()
    assert (
        Candidate.objects.filter(next_due__lt=today)
        .exclude(stage__in=("withdrawn", "rejected"))
        .exists()
    )
    for c in Candidate.objects.all()[:40]:
        assert c.steps.filter(stage=c.stage).exists()
        assert list(c.steps.order_by("done_on", "id").values_list("done_on", flat=True)) == sorted(
            c.steps.values_list("done_on", flat=True)
        )
