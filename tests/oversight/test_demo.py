"""Demo data: the base seed, then the oversight and training seeds, cover every flow."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.core.management import call_command

from chibo.oversight import demo as oversight_demo
from chibo.oversight.evaluation import evaluation_summary
from chibo.oversight.models import DisciplineCase, Inspection, MemberEvaluation
from chibo.training import demo as training_demo
from chibo.training.models import Enrolment, LeadershipPost

pytestmark = pytest.mark.django_db


def test_seed_demo_covers_oversight_and_training() -> None:
    call_command("seed-demo", "--members", "300", "--members-only")
    today = dt.date(2026, 11, 1)
    counts = oversight_demo.seed_demo(rng=random.Random(7), today=today, scale=0.1)
    assert counts["inspections"] == Inspection.objects.count() > 0
    assert counts["discipline_cases"] == DisciplineCase.objects.count() > 0
    assert MemberEvaluation.objects.filter(year=2025).exclude(score=None).exists()
    assert set(MemberEvaluation.objects.values_list("year", flat=True)) == {2023, 2024, 2025}
    tcounts = training_demo.seed_demo(rng=random.Random(7), today=today, scale=0.1)
    assert tcounts["courses"] > 0 and Enrolment.objects.count() == tcounts["enrolments"] > 0
    assert LeadershipPost.objects.exists()
    from chibo.orgs.models import Org

    root = Org.objects.get(parent=None)
    summary = evaluation_summary(None, root, 2024)
    assert summary["members"]["evaluated"] > 0
