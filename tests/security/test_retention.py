"""Retention of candidates never admitted: purged after N years, at the boundary, audited and reported."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from chibo.admissions.models import Candidate, CandidateStep, Stage
from chibo.admissions.retention import candidates_purge, cutoff_for
from chibo.core.models import AuditEntry
from tests import factories as f
from tests.security.conftest import full_member

pytestmark = pytest.mark.django_db

TODAY = dt.date(2030, 9, 2)


def _cand(tree: dict, mentor, stage: str, on: dt.date, name: str) -> Candidate:
    c = f.candidate(tree["cell_a"], mentor, full_name=name, registered_on=dt.date(2024, 9, 2))
    Candidate.objects.filter(pk=c.pk).update(stage=stage, stage_on=on)
    return c


def test_purge_boundary_and_what_is_kept(tree: dict, settings, capsys) -> None:
    settings.CHIBO_CANDIDATE_RETENTION_YEARS = 5
    mentor = full_member(tree["cell_a"], "DV-M")
    cutoff = cutoff_for(TODAY, 5)
    assert cutoff == dt.date(2025, 9, 2)
    due = _cand(tree, mentor, Stage.WITHDRAWN, cutoff - dt.timedelta(days=1), "Rút hồ sơ")
    on_boundary = _cand(tree, mentor, Stage.REJECTED, cutoff, "Đúng hạn")  # not yet: kept
    inactive = _cand(tree, mentor, Stage.APPLICATION, cutoff - dt.timedelta(days=1), "Bỏ dở")
    recent = _cand(tree, mentor, Stage.REJECTED, TODAY, "Mới")
    admitted = _cand(tree, mentor, Stage.CEREMONY, dt.date(2020, 1, 1), "Đã kết nạp")
    Candidate.objects.filter(pk=admitted.pk).update(member=f.member(tree["cell_a"], code="DV-NEW"))

    dry = candidates_purge(actor=None, today=TODAY, dry_run=True)
    assert dry.candidates == 2 and Candidate.objects.count() == 5
    report = candidates_purge(actor=None, today=TODAY)
    assert report.candidates == 2 and report.by_stage == {Stage.WITHDRAWN: 1, Stage.APPLICATION: 1}
    left = set(Candidate.objects.values_list("pk", flat=True))
    assert left == {on_boundary.pk, recent.pk, admitted.pk}
    assert not CandidateStep.objects.filter(candidate_id__in=[due.pk, inactive.pk]).exists()
    entry = AuditEntry.objects.get(action="admissions.candidates_purge")
    assert sorted(entry.data["ids"]) == sorted([due.pk, inactive.pk])
    call_command("purge-candidates", "--dry-run")
    assert "quần chúng" in capsys.readouterr().out
