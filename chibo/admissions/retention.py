"""Retention: personal records of candidates who never became members are not kept for ever.

A candidate (quần chúng ưu tú) whose case ended without admission
(withdrawn or not admitted), or that has had no step for the retention
period, is purged ``CHIBO_CANDIDATE_RETENTION_YEARS`` years (default 5)
after its last step: the candidate, its steps, introducers and overrides
are deleted, and course enrolments keep their counts but lose the name.
A candidate who became a member (``member`` set) is never purged here.
Each purge is one audit entry listing the ids, and the command prints a
report. The audit log itself is append-only and is not rewritten.

What apps above admissions keep of a candidate they anonymize through
``ANONYMIZERS``, registered in their ``AppConfig.ready`` (training: the course
enrolments); admissions may not import them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from chibo.admissions.models import CLOSED, Candidate, CandidateStep, Stage
from chibo.core import audit
from chibo.lib.dates import years_before

ANONYMIZED_NAME = "—"

# Each takes (candidate ids, dry_run), anonymizes (unless dry_run) what it keeps of
# them and returns how many rows; run inside the purge's transaction, before the delete.
ANONYMIZERS: list[Callable[[list[int], bool], int]] = []


@dataclass
class PurgeReport:
    cutoff: dt.date
    years: int
    dry_run: bool
    candidates: int = 0
    steps: int = 0
    enrolments_anonymized: int = 0
    by_stage: dict[str, int] = field(default_factory=dict)
    by_org: dict[str, int] = field(default_factory=dict)


def cutoff_for(today: dt.date, years: int) -> dt.date:
    """Candidates whose last step is before this date are due."""
    return years_before(today, years)


def purgeable(*, today: dt.date | None = None, years: int | None = None) -> QuerySet:
    """Candidates due for purging on ``today``: never admitted, and last step before the cutoff."""
    years = years or settings.CHIBO_CANDIDATE_RETENTION_YEARS
    cutoff = cutoff_for(today or timezone.localdate(), years)
    ended = Q(stage__in=[Stage.WITHDRAWN, Stage.REJECTED])
    # Still open but nothing happened for the whole period: abandoned.
    inactive = ~Q(stage__in=CLOSED)
    return Candidate.objects.filter(
        (ended | inactive), member__isnull=True, stage_on__lt=cutoff
    ).select_related("org")


def candidates_purge(
    *, actor: Any, today: dt.date | None = None, years: int | None = None, dry_run: bool = False
) -> PurgeReport:
    """Purge (or, with ``dry_run``, only count) the candidates due; audited."""
    today = today or timezone.localdate()
    years = years or settings.CHIBO_CANDIDATE_RETENTION_YEARS
    report = PurgeReport(cutoff=cutoff_for(today, years), years=years, dry_run=dry_run)
    with transaction.atomic():
        due = list(purgeable(today=today, years=years).select_for_update(of=("self",)))
        ids = [c.pk for c in due]
        report.candidates = len(ids)
        for c in due:
            report.by_stage[c.stage] = report.by_stage.get(c.stage, 0) + 1
            report.by_org[c.org.code] = report.by_org.get(c.org.code, 0) + 1
        report.steps = CandidateStep.objects.filter(candidate_id__in=ids).count()
        report.enrolments_anonymized = sum(anonymize(ids, dry_run) for anonymize in ANONYMIZERS)
        if dry_run or not ids:
            return report
        Candidate.objects.filter(pk__in=ids).delete()  # steps, introducers, overrides cascade
        audit.record(
            actor=actor,
            action="admissions.candidates_purge",
            object_type="candidate",
            data={
                "ids": ids,
                "cutoff": report.cutoff,
                "years": years,
                "steps": report.steps,
                "enrolments_anonymized": report.enrolments_anonymized,
                "by_stage": report.by_stage,
                "by_org": report.by_org,
            },
        )
    return report
