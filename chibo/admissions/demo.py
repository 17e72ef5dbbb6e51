"""Demo candidates at every stage, mostly students in university cells, some pupils in high schools.

Reads the orgs and members the base seed wrote and bulk-inserts candidates
with their steps and introducers. The decision admits: candidates decided
but not yet ceremonied get their probationary member through
``members.services.member_admit`` (ceremony pending), like the path does.
Candidates at the ceremony and later are linked to probationary (or
recently recognized) members the base seed already admitted, so the
member's event log and the candidacy agree. Some cases are left past their
deadline (decision, ceremony) so the board has something to warn about.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from chibo.admissions import checks, membership
from chibo.admissions.models import (
    PATH,
    Candidate,
    CandidateStep,
    EducationLevel,
    Introducer,
    Stage,
)
from chibo.lib.text import fold
from chibo.members.models import ON_ROLLS, Category, EventKind, Member, MemberEvent
from chibo.orgs.models import CELL_KINDS, Org, SchoolLevel

STUDENT_LEVELS = (SchoolLevel.UNIVERSITY, SchoolLevel.COLLEGE)
PRE_ADMISSION = PATH[: PATH.index(Stage.DECISION) + 1]
SURNAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Huỳnh",
    "Ngô",
    "Dương",
]
MIDDLE = ["Văn", "Thị", "Minh", "Ngọc", "Thanh", "Hữu", "Gia", "Khánh", "Bảo"]
GIVEN = [
    "An",
    "Bình",
    "Châu",
    "Dũng",
    "Giang",
    "Hà",
    "Khoa",
    "Lan",
    "Linh",
    "Mai",
    "Nam",
    "Phúc",
    "Quân",
    "Tâm",
    "Thảo",
    "Trang",
    "Tuấn",
    "Vy",
    "Yến",
]
BATCH = 500


def _name(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def _cells() -> tuple[list[Org], list[Org]]:
    cells = Org.objects.filter(kind__in=CELL_KINDS, closed_on__isnull=True)
    students = [o for o in cells if o.school_level in STUDENT_LEVELS]
    pupils = [o for o in cells if o.school_level == SchoolLevel.UPPER_SECONDARY]
    return students, pupils


def _full_members(org_ids: list[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    rows = Member.objects.filter(org_id__in=org_ids, is_full=True, status__in=ON_ROLLS).values_list(
        "org_id", "id"
    )
    for org_id, member_id in rows.iterator(chunk_size=5000):
        out.setdefault(org_id, []).append(member_id)
    return out


def _next_due(
    stage: str, dates: dict[str, dt.date], probation_end: dt.date | None, today: dt.date
) -> tuple[dt.date | None, str]:
    if stage in (Stage.CELL_RESOLUTION, Stage.GRASSROOTS_RESOLUTION):
        return checks.deadline(
            "admission.decision_working_days", dates[Stage.CELL_RESOLUTION]
        ), Stage.DECISION
    if stage == Stage.DECISION:
        return checks.deadline(
            "admission.ceremony_working_days", dates[Stage.DECISION]
        ), Stage.CEREMONY
    if stage == Stage.CEREMONY and probation_end:
        return checks.deadline(
            "recognition.vote_working_days", probation_end
        ), Stage.RECOGNITION_VOTE
    if stage == Stage.RECOGNITION_VOTE:
        return checks.deadline(
            "recognition.decision_working_days", dates[stage]
        ), Stage.RECOGNITION_DECISION
    if Stage.COURSE in dates and stage not in (Stage.RECOGNITION_DECISION,):
        return checks.certificate_expires(dates[Stage.COURSE], today), Stage.CELL_RESOLUTION
    return None, ""


def seed_demo(*, rng: random.Random, today: dt.date, scale: float) -> dict[str, int]:
    """Insert demo candidates; returns counts (candidates, steps, introducers, linked members)."""
    students, pupils = _cells()
    if not students and not pupils:
        return {"candidates": 0, "steps": 0, "introducers": 0, "admitted_linked": 0}
    full = _full_members([o.pk for o in students + pupils])
    students = [o for o in students if full.get(o.pk)]
    pupils = [o for o in pupils if full.get(o.pk)]
    total = max(24, round(150 * scale))
    plans: list[dict[str, Any]] = []
    for i in range(total):
        pupil = bool(pupils) and (not students or rng.random() < 0.12)
        org = rng.choice(pupils if pupil else students)
        stage = (
            PRE_ADMISSION[i % len(PRE_ADMISSION)]
            if i < len(PRE_ADMISSION) * 2
            else rng.choice(PRE_ADMISSION)
        )
        if rng.random() < 0.04:
            stage = rng.choice([Stage.WITHDRAWN, Stage.REJECTED])
        plans.append({"org": org, "pupil": pupil, "stage": stage, "member": None})
    # Candidates at the ceremony or later: the base seed's recent admissions in school cells.
    recent = list(
        Member.objects.filter(
            org__in=students + pupils,
            status__in=ON_ROLLS,
            category__in=(Category.STUDENT, Category.PUPIL),
            admitted_on__gte=today - dt.timedelta(days=540),
            candidacy__isnull=True,
        ).select_related("org")[: max(6, round(40 * scale))]
    )
    for member in recent:
        if member.is_full:
            stage = Stage.RECOGNITION_DECISION
        elif (
            member.probation_ends_on is not None
            and member.probation_ends_on < today
            and rng.random() < 0.5
        ):
            stage = Stage.RECOGNITION_VOTE
        else:
            stage = Stage.CEREMONY
        plans.append(
            {
                "org": member.org,
                "pupil": member.category == Category.PUPIL,
                "stage": stage,
                "member": member,
            }
        )
    candidates: list[Candidate] = []
    step_rows: list[list[CandidateStep]] = []
    intro_rows: list[list[Introducer]] = []
    for plan in plans:
        candidates.append(_build(plan, rng, today, full, step_rows, intro_rows))
    for start in range(0, len(candidates), BATCH):
        Candidate.objects.bulk_create(candidates[start : start + BATCH])
    decided = _admit_decided(candidates, step_rows)
    _through_the_path(recent)
    for cand, steps, intros in zip(candidates, step_rows, intro_rows, strict=True):
        for step in steps:
            step.candidate_id = cand.pk
        for intro in intros:
            intro.candidate_id = cand.pk
    all_steps = [s for steps in step_rows for s in steps]
    all_intros = [i for intros in intro_rows for i in intros]
    CandidateStep.objects.bulk_create(all_steps, batch_size=BATCH)
    Introducer.objects.bulk_create(all_intros, batch_size=BATCH)
    return {
        "candidates": len(candidates),
        "steps": len(all_steps),
        "introducers": len(all_intros),
        "admitted_linked": len(recent),
        "admitted_at_decision": decided,
    }


def _through_the_path(members: list[Member]) -> None:
    """The base seed flags every admission historical (the city's existing members); those
    linked here to a candidacy were admitted through the path: their flag goes (issue 20).
    Demo data only: the event log is append-only everywhere else."""
    events = MemberEvent.objects.filter(
        member__in=members, kind=EventKind.ADMITTED, data__historical=True
    )
    for event in events:
        data = {k: v for k, v in event.data.items() if k != "historical"}
        MemberEvent.objects.filter(pk=event.pk).update(data=data)


def _admit_decided(candidates: list[Candidate], step_rows: list[list[CandidateStep]]) -> int:
    """Candidates decided, ceremony still to be held: the decision created their member."""
    decided = []
    for cand, steps in zip(candidates, step_rows, strict=True):
        if cand.stage != Stage.DECISION or cand.member_id is not None:
            continue
        step = next(s for s in steps if s.stage == Stage.DECISION)
        member = membership.admit(
            None, cand, step.done_on, step.document_number, step.data["deciding_body"]
        )
        step.data = {**step.data, "member_id": member.pk, "member_code": member.member_code}
        cand.member = member
        decided.append(cand)
    Candidate.objects.bulk_update(decided, ["member"], batch_size=BATCH)
    return len(decided)


def _build(
    plan: dict[str, Any],
    rng: random.Random,
    today: dt.date,
    full: dict[int, list[int]],
    step_rows: list[list[CandidateStep]],
    intro_rows: list[list[Introducer]],
) -> Candidate:
    org, member, stage = plan["org"], plan["member"], plan["stage"]
    end_state = stage if stage in (Stage.WITHDRAWN, Stage.REJECTED) else None
    last = rng.choice(PRE_ADMISSION[1:8]) if end_state else stage
    path = list(PATH[: PATH.index(last) + 1])
    if member is not None:
        # Dates of the base seed's admission (ceremony recorded with it): decision =
        # admitted_on, ceremony = ceremony_on.
        anchor = member.admitted_on
        dates = _dates_back(path[: PATH.index(Stage.DECISION) + 1], anchor, rng)
        dates[Stage.CEREMONY] = member.ceremony_on
        if Stage.RECOGNITION_VOTE in path:
            vote = min(member.probation_ends_on + dt.timedelta(days=rng.randint(3, 20)), today)
            dates[Stage.RECOGNITION_VOTE] = vote
        if Stage.RECOGNITION_DECISION in path:
            dates[Stage.RECOGNITION_DECISION] = min(
                dates[Stage.RECOGNITION_VOTE] + dt.timedelta(days=14), today
            )
        dob, name, gender, category = (
            member.date_of_birth,
            member.full_name,
            member.gender,
            member.category,
        )
    else:
        # Most open cases are recent; a third of those waiting for the committee are left overdue.
        late: dict[str, tuple[int, int]] = {
            Stage.CELL_RESOLUTION: (100, 140),
            Stage.GRASSROOTS_RESOLUTION: (100, 140),
            Stage.DECISION: (50, 90),  # the ceremony is 30 working days after the decision
        }
        if last in late and rng.random() < 0.35:
            anchor = today - dt.timedelta(days=rng.randint(*late[last]))
        else:
            anchor = today - dt.timedelta(days=rng.randint(0, 25))
        dates = _dates_back(path, anchor, rng)
        years = rng.randint(17, 18) if plan["pupil"] else rng.randint(19, 23)
        dob = dates[Stage.REGISTERED] - dt.timedelta(
            days=int(years * 365.25) - 400 + rng.randint(0, 300)
        )
        name, gender = _name(rng), rng.choice(["male", "female"])
        category = Category.PUPIL if plan["pupil"] else Category.STUDENT
    if end_state:
        dates[end_state] = min(dates[path[-1]] + dt.timedelta(days=10), today)
    mentors = full[org.pk]
    steps, intros = [], []
    for s in [*path, *([end_state] if end_state else [])]:
        data: dict[str, Any] = {}
        doc = ""
        if s == Stage.REGISTERED:
            data = {"demo": True}
        elif s == Stage.COURSE:
            doc = f"{rng.randint(100, 999)}/GCN"
            data = {"cert_number": doc, "cert_issuer": "Trung tâm Chính trị"}
        elif s in (Stage.CELL_RESOLUTION, Stage.RECOGNITION_VOTE):
            n = max(3, len(mentors))
            data = {"full_members": n, "absent_excluded": 0, "votes_for": n}
            doc = f"{rng.randint(1, 99):02d}-NQ/CB"
        elif s == Stage.INTRODUCERS:
            intros.append(
                Introducer(
                    member_id=rng.choice(mentors),
                    months_together=rng.randint(12, 40),
                    introduced_on=dates[s],
                )
            )
            data = {"youth_union": True}
        elif s == Stage.YOUTH_UNION:
            data = {"youth_union_body": "Ban Chấp hành Đoàn trường"}
            intros.append(
                Introducer(youth_union_body=data["youth_union_body"], introduced_on=dates[s])
            )
        elif s in (Stage.DECISION, Stage.GRASSROOTS_RESOLUTION, Stage.RECOGNITION_DECISION):
            doc = (
                f"{rng.randint(100, 9999)}-{'NQ' if s == Stage.GRASSROOTS_RESOLUTION else 'QĐ'}/ĐU"
            )
            if s != Stage.GRASSROOTS_RESOLUTION:
                data = {"deciding_body": "Đảng ủy cấp trên", "extension": False}
        elif s in (Stage.WITHDRAWN, Stage.REJECTED):
            data = {}
        steps.append(
            CandidateStep(
                stage=s,
                done_on=dates[s],
                document_number=doc,
                data=data,
                note="" if s not in (Stage.WITHDRAWN, Stage.REJECTED) else "Dữ liệu mẫu",
            )
        )
    if member is not None:
        linked = {"member_id": member.pk, "member_code": member.member_code}
        decision = steps[path.index(Stage.DECISION)]
        decision.data = {**decision.data, **linked}
        if Stage.CEREMONY in path:
            steps[path.index(Stage.CEREMONY)].data = {
                **linked,
                "probation_ends_on": member.probation_ends_on.isoformat(),
            }
    final = end_state or path[-1]
    due, due_for = (
        (None, "")
        if end_state
        else _next_due(final, dates, member.probation_ends_on if member else None, today)
    )
    step_rows.append(steps)
    intro_rows.append(intros)
    history: dict[str, Any] = {}
    if member is not None and member.ceremony_on is not None and end_state is None:
        # The new member's personal history (issue 20): most declared within the 30
        # working days, a few late or not yet. Its own random stream (the main one unchanged).
        own = random.Random(member.pk)
        due = checks.history_deadline(member.ceremony_on)
        declared = member.ceremony_on + dt.timedelta(days=own.randint(5, 50))
        history = {"history_due_on": due}
        if declared <= today and own.random() < 0.85:
            history["history_declared_on"] = declared
            if declared > due:
                history["history_late_reason"] = "Đảng viên đi thực tập xa (dữ liệu mẫu)"
    return Candidate(
        **history,
        full_name=name,
        name_folded=fold(name),
        date_of_birth=dob,
        gender=gender,
        category=category,
        org=org,
        mentor_id=rng.choice(mentors),
        youth_union_exists=True,
        # Pupils of upper-secondary schools have finished lower secondary; students more.
        education_level=(
            EducationLevel.LOWER_SECONDARY if plan["pupil"] else EducationLevel.UPPER_SECONDARY
        ),
        registered_on=dates[Stage.REGISTERED],
        stage=final,
        stage_on=dates[final],
        next_due=due,
        next_due_for=due_for,
        member=member,
    )


def _dates_back(path: list[str], last: dt.date, rng: random.Random) -> dict[str, dt.date]:
    """Step dates ending on ``last``, 7–25 days apart (the course a little earlier)."""
    dates: dict[str, dt.date] = {}
    day = last
    for s in reversed(path):
        dates[s] = day
        day -= dt.timedelta(days=rng.randint(7, 25))
    return dates
