from __future__ import annotations

import datetime as dt
import random

import pytest
from django.core.management import call_command

from chibo.orgs.models import Org
from chibo.reports import demo, figures
from chibo.reports.models import Target


@pytest.mark.django_db
def test_seed_demo_adds_targets_and_reports_run_on_demo_data() -> None:
    call_command("seed-demo", "--members", "300")
    today = dt.date.today()
    counts = demo.seed_demo(rng=random.Random(1), today=today, scale=0.1)
    assert counts["report_targets"] == Target.objects.count() > 0
    root = Org.objects.get(parent__isnull=True)
    adm = figures.admissions(root, dt.date(today.year - 5, 1, 1), today)
    assert adm.counts.total > 0
    comp = figures.composition(root, today)
    assert comp.total > 0 and comp.full + comp.probationary == comp.total
