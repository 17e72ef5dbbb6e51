"""Demo data of the reports app: yearly admission targets for the directly subordinate committees."""

from __future__ import annotations

import datetime as dt
import random

from django.db.models import Count

from chibo.members.models import Category, EventKind, MemberEvent
from chibo.orgs.models import Org
from chibo.reports.models import Indicator, Target


def seed_demo(*, rng: random.Random, today: dt.date, scale: float) -> dict[str, int]:
    """Targets for this year and last year: about last year's school admissions of students and pupils, +0–20%."""
    committees = list(Org.objects.filter(depth=1, closed_on__isnull=True))
    targets = []
    for year in (today.year - 1, today.year):
        done = dict(
            MemberEvent.objects.filter(
                kind=EventKind.ADMITTED,
                effective_date__year=year - 1,
                category_after__in=[Category.STUDENT, Category.PUPIL],
                org__school_level__gt="",
            )
            .values_list("org__path")
            .order_by()
            .annotate(n=Count("id"))
        )
        for org in committees:
            base = sum(n for path, n in done.items() if path.startswith(org.path))
            value = (
                max(1, round(base * rng.uniform(1.0, 1.2))) if base else max(1, round(5 * scale))
            )
            targets.append(
                Target(
                    org=org,
                    year=year,
                    indicator=Indicator.SCHOOL_STUDENT_PUPIL_ADMISSIONS,
                    value=value,
                    note="Chỉ tiêu mẫu (dữ liệu demo)",
                )
            )
    Target.objects.bulk_create(targets, batch_size=500, ignore_conflicts=True)
    return {"report_targets": len(targets)}
