"""Demo oversight data: yearly inspection plans, discipline cases, three years of evaluations.

Reads the orgs and members the base seed wrote and bulk-inserts. Some
schools are never inspected (the coverage page has something to show); the
demo secretary's cell has this year's proposals over the 20% cap (the
warning) and a member graded KHTNV two years running.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from typing import Any

from chibo.accounts.models import RoleAssignment
from chibo.members.models import Member, Status
from chibo.orgs.models import CELL_KINDS, Org, OrgKind
from chibo.oversight.models import (
    CaseStatus,
    DisciplineCase,
    EvalStatus,
    FollowUp,
    Grade,
    HoldReason,
    Inspection,
    InspectionKind,
    InspectionStatus,
    MemberEvaluation,
    OrgEvaluation,
    Penalty,
)

BATCH = 500
TOPICS = [
    "Việc chấp hành Điều lệ Đảng, chế độ sinh hoạt chi bộ",
    "Chất lượng sinh hoạt chi bộ định kỳ và chuyên đề",
    "Công tác phát triển đảng viên là học sinh, sinh viên",
    "Thực hiện Chỉ thị 1000-CV/TU về xây dựng Đảng trong trường học",
    "Việc thu, nộp, quản lý đảng phí",
    "Công tác quản lý đảng viên đi học, chuyển sinh hoạt",
]
GRADE_YEARS = (2023, 2024, 2025)


def _score_for(grade: str, rng: random.Random) -> int:
    scores: dict[str, int] = {
        Grade.EXCELLENT: rng.randint(90, 98),
        Grade.GOOD: rng.randint(70, 89),
        Grade.FULFILLED: rng.randint(50, 69),
        Grade.FAILED: rng.randint(30, 49),
    }
    return scores[grade]


def _inspections(rng: random.Random, today: dt.date, orgs: list[Org]) -> tuple[int, int]:
    committees = [
        o for o in orgs if o.kind in (OrgKind.DIRECT_COMMITTEE, OrgKind.GRASSROOTS_COMMITTEE)
    ]
    rows: list[Inspection] = []
    for committee in committees:
        below = [
            o
            for o in orgs
            if o.pk != committee.pk
            and committee.path <= o.path < committee.path_bound
            and o.school_level
            and o.closed_on is None
        ]
        if not below:
            continue
        for year in range(today.year - 2, today.year + 1):
            picks = rng.sample(below, k=max(1, len(below) * 2 // 5)) if len(below) > 1 else below
            for target in picks:
                start = dt.date(year, rng.randint(2, 11), rng.randint(1, 20))
                end = start + dt.timedelta(days=rng.randint(5, 25))
                if start > today:
                    status = InspectionStatus.PLANNED
                elif end >= today:
                    status = InspectionStatus.IN_PROGRESS
                else:
                    status = (
                        InspectionStatus.CONCLUDED
                        if rng.random() < 0.9
                        else InspectionStatus.CANCELLED
                    )
                concluded = (
                    end + dt.timedelta(days=rng.randint(3, 15))
                    if status == InspectionStatus.CONCLUDED
                    else None
                )
                if concluded and concluded > today:
                    concluded = today
                rows.append(
                    Inspection(
                        org=committee,
                        year=year,
                        kind=rng.choice(InspectionKind.values),
                        topic=rng.choice(TOPICS),
                        target_org=target,
                        team="Tổ trưởng: đồng chí Ủy viên Ủy ban Kiểm tra\nThành viên: 2 đồng chí",
                        starts_on=start,
                        ends_on=end,
                        status=status,
                        concluded_on=concluded,
                        findings="Cơ bản thực hiện đúng quy định; còn một số hạn chế về hồ sơ."
                        if concluded
                        else "",
                        conclusion="Đạt yêu cầu; đề nghị khắc phục các hạn chế đã nêu."
                        if concluded
                        else "",
                        conclusion_number=f"{rng.randint(1, 60):02d}-KL/{committee.code[:6]}"
                        if concluded
                        else "",
                    )
                )
    Inspection.objects.bulk_create(rows, batch_size=BATCH)
    followups = []
    for i in Inspection.objects.filter(status=InspectionStatus.CONCLUDED).select_related(
        "target_org"
    ):
        if not rng.random() < 0.5:
            continue
        concluded, unit = i.concluded_on, i.target_org
        assert concluded is not None and unit is not None  # as the seed concluded them above
        followups.append(
            FollowUp(
                inspection=i,
                action="Bổ sung, hoàn thiện hồ sơ, biên bản sinh hoạt",
                responsible=unit.name,
                due_on=concluded + dt.timedelta(days=60),
                done_on=concluded + dt.timedelta(days=40) if rng.random() < 0.6 else None,
            )
        )
    FollowUp.objects.bulk_create(followups, batch_size=BATCH)
    return len(rows), len(followups)


def _discipline(rng: random.Random, today: dt.date, members: list[Member]) -> int:
    full = [m for m in members if m.recognized_on is not None]
    cases: list[DisciplineCase] = []
    for member in rng.sample(full, k=min(len(full), max(3, len(full) // 250))):
        opened = today - dt.timedelta(days=rng.randint(30, 700))
        decided = opened + dt.timedelta(days=rng.randint(10, 25))
        if decided > today:
            decided = today
        by_cell = rng.random() < 0.6
        penalty = (
            rng.choice([Penalty.REPRIMAND, Penalty.WARNING])
            if by_cell
            else rng.choice([Penalty.REPRIMAND, Penalty.WARNING, Penalty.DISMISSAL])
        )
        cases.append(
            DisciplineCase(
                member=member,
                org=member.org,
                violation="Vi phạm quy định về những điều đảng viên không được làm",
                opened_on=opened,
                status=CaseStatus.DECIDED,
                penalty=penalty,
                deciding_org=member.org if by_cell else (member.org.parent or member.org),
                by_cell_vote=by_cell,
                votes_for=rng.randint(6, 9) if by_cell else None,
                votes_total=10 if by_cell else None,
                decision_number="" if by_cell else f"{rng.randint(1, 90)}-QĐ/ĐU",
                decided_on=decided,
                effective_on=decided,
                received_on=decided + dt.timedelta(days=2),
                was_full_member=True,
                post="Chi ủy viên" if penalty == Penalty.DISMISSAL else "",
            )
        )
    women = [m for m in full if m.gender == "female"][:2]
    for member in women:
        opened = today - dt.timedelta(days=60)
        cases.append(
            DisciplineCase(
                member=member,
                org=member.org,
                violation="Vi phạm chế độ sinh hoạt đảng",
                opened_on=opened,
                status=CaseStatus.ON_HOLD,
                hold_reason=HoldReason.NURSING,
                hold_since=opened,
                child_born_on=today - dt.timedelta(days=150),
                hold_note="Đang nuôi con nhỏ",
            )
        )
    DisciplineCase.objects.bulk_create(cases, batch_size=BATCH)
    return len(cases)


def _grades_for(n: int, rng: random.Random) -> list[str]:
    grades: list[str] = [
        Grade.GOOD if r < 0.78 else Grade.FULFILLED if r < 0.97 else Grade.FAILED
        for r in (rng.random() for _ in range(n))
    ]
    good = grades.count(Grade.GOOD)
    for i in rng.sample(range(n), k=n)[: good // 5]:  # HTXSNV within 20% of HTTNV (QĐ 124)
        if grades[i] == Grade.GOOD:
            grades[i] = Grade.EXCELLENT
    while grades.count(Grade.EXCELLENT) * 5 > grades.count(Grade.GOOD):
        grades[grades.index(Grade.EXCELLENT)] = Grade.GOOD
    return grades


def _evaluations(
    rng: random.Random,
    today: dt.date,
    members: list[Member],
    cells: list[Org],
    demo_cell_id: int | None,
) -> tuple[int, int]:
    by_cell: dict[int, list[Member]] = defaultdict(list)
    for member in members:
        by_cell[member.org_id].append(member)
    rows: list[MemberEvaluation] = []
    org_rows: list[OrgEvaluation] = []
    failed_before: set[int] = set()
    for year in GRADE_YEARS:
        if year >= today.year:
            continue
        scored = year >= 2025
        for cell in cells:
            people = [m for m in by_cell.get(cell.pk, []) if m.admitted_on <= dt.date(year, 12, 31)]
            if not people:
                continue
            grades = _grades_for(len(people), rng)
            pending = scored and cell.pk == demo_cell_id
            if pending:  # the demo secretary's proposals break the cap: the warning shows
                grades = [Grade.EXCELLENT, Grade.EXCELLENT, *grades[2:]]
            for member, grade in zip(people, grades, strict=True):
                if year == 2024 and member.pk in failed_before:
                    grade = Grade.FAILED
                if grade == Grade.FAILED:
                    failed_before.add(member.pk)
                rows.append(
                    MemberEvaluation(
                        member=member,
                        year=year,
                        org=cell,
                        score=_score_for(grade, rng) if scored else None,
                        proposed_grade=grade,
                        grade="" if pending else grade,
                        status=EvalStatus.PROPOSED if pending else EvalStatus.CONFIRMED,
                        proposed_on=dt.date(year, 12, 10),
                        confirmed_on=None if pending else dt.date(year, 12, 28),
                    )
                )
            org_grade = rng.choice(
                [Grade.EXCELLENT, Grade.GOOD, Grade.GOOD, Grade.GOOD, Grade.FULFILLED]
            )
            org_rows.append(
                OrgEvaluation(
                    org=cell,
                    year=year,
                    score=_score_for(org_grade, rng) if scored else None,
                    proposed_grade=org_grade,
                    grade=org_grade,
                    status=EvalStatus.CONFIRMED,
                    proposed_on=dt.date(year, 12, 10),
                    confirmed_on=dt.date(year, 12, 28),
                )
            )
    MemberEvaluation.objects.bulk_create(rows, batch_size=BATCH)
    OrgEvaluation.objects.bulk_create(org_rows, batch_size=BATCH)
    return len(rows), len(org_rows)


def seed_demo(*, rng: random.Random, today: dt.date, scale: float) -> dict[str, Any]:
    orgs = list(Org.objects.filter(closed_on__isnull=True).order_by("path"))
    cells = [o for o in orgs if o.kind in CELL_KINDS]
    members = list(
        Member.objects.filter(status=Status.ACTIVE)
        .select_related("org", "org__parent")
        .order_by("id")
    )
    demo = (
        RoleAssignment.objects.filter(user__username="bithu")
        .values_list("org_id", flat=True)
        .first()
    )
    inspections, followups = _inspections(rng, today, orgs)
    cases = _discipline(rng, today, members)
    member_grades, org_grades = _evaluations(rng, today, members, cells, demo)
    return {
        "inspections": inspections,
        "follow_ups": followups,
        "discipline_cases": cases,
        "member_evaluations": member_grades,
        "org_evaluations": org_grades,
    }
