"""Where a candidate stands on the path: the next step, what may be recorded, the next deadline."""

from __future__ import annotations

import datetime as dt
from typing import cast

from django.utils import timezone

from chibo.admissions import checks
from chibo.admissions.models import CLOSED, PATH, Candidate, CandidateStep, Stage
from chibo.members.models import Member

# Steps after which the candidate is a party member (the decision admits): closing the
# case is then a removal proposal, not a withdrawal.
AFTER_ADMISSION = (Stage.DECISION, Stage.CEREMONY, Stage.RECOGNITION_VOTE)


def last_step(candidate: Candidate, stage: str) -> CandidateStep | None:
    return candidate.steps.filter(stage=stage).order_by("-done_on", "-id").first()


def ceremony_counted_from(candidate: Candidate, decided_on: dt.date) -> dt.date:
    """The ceremony's working days count from the cell's receipt of the decision, when recorded.

    The rule says "from receiving the decision" (admission.ceremony_working_days);
    without a recorded receipt we count from the decision's date, as before.
    """
    return candidate.decision_received_on or decided_on


def youth_union_needed(candidate: Candidate) -> bool:
    step = last_step(candidate, Stage.INTRODUCERS)
    on = step.done_on if step else timezone.localdate()
    return checks.youth_union_applies(candidate.date_of_birth, candidate.youth_union_exists, on)


def failed_votes(candidate: Candidate) -> list[CandidateStep]:
    """The cell's recognition votes that did not reach 2/3, oldest first (issue 20, item 9)."""
    return list(
        candidate.steps.filter(stage=Stage.RECOGNITION_VOTE_FAILED).order_by("done_on", "id")
    )


def escalated(candidate: Candidate) -> bool:
    """After the third vote without 2/3 the upper committee decides; the cell votes no more."""
    return candidate.escalated_on is not None and candidate.stage not in CLOSED


def next_stage(candidate: Candidate) -> str | None:
    """The next step on the path (the Youth Union step is skipped where it does not apply)."""
    if candidate.stage in CLOSED:
        return None
    if escalated(candidate):
        return Stage.RECOGNITION_DECISION
    index = PATH.index(candidate.stage) + 1
    if index < len(PATH) and PATH[index] == Stage.YOUTH_UNION and not youth_union_needed(candidate):
        index += 1
    return PATH[index] if index < len(PATH) else None


def allowed_stages(candidate: Candidate) -> list[str]:
    """What may be recorded now: the next step, or closing the case."""
    if candidate.stage in CLOSED:
        return []
    nxt = next_stage(candidate)
    out = [nxt] if nxt else []
    if nxt == Stage.RECOGNITION_VOTE:
        # A vote that did not reach 2/3 is recorded as such (the third goes up).
        out.append(Stage.RECOGNITION_VOTE_FAILED)
    if candidate.stage in AFTER_ADMISSION:
        out.append(Stage.NOT_RECOGNIZED)
    else:
        out += [Stage.WITHDRAWN, Stage.REJECTED]
    return out


def refresh_due(c: Candidate, *, save: bool = True) -> None:
    """Keep ``next_due`` (the board's overdue filter) in step with the path."""
    due, due_for = None, ""
    if c.stage in (Stage.CELL_RESOLUTION, Stage.GRASSROOTS_RESOLUTION):
        resolution = last_step(c, Stage.CELL_RESOLUTION)
        assert resolution is not None  # the case is at or past the cell's resolution
        due, due_for = (
            checks.deadline("admission.decision_working_days", resolution.done_on),
            Stage.DECISION,
        )
    elif c.stage == Stage.DECISION:
        due, due_for = (
            checks.deadline(
                "admission.ceremony_working_days", ceremony_counted_from(c, c.stage_on)
            ),
            Stage.CEREMONY,
        )
    elif c.stage == Stage.CEREMONY and c.escalated_on is not None:
        # The upper committee decides, counted from the third vote without 2/3.
        due, due_for = (
            checks.deadline("recognition.decision_working_days", c.escalated_on),
            Stage.RECOGNITION_DECISION,
        )
    elif c.stage == Stage.CEREMONY and c.member_id:
        # The ceremony is recorded: the member's probation runs from it.
        end = cast(
            dt.date,
            Member.objects.values_list("probation_ends_on", flat=True).get(pk=c.member_id),
        )
        due, due_for = checks.deadline("recognition.vote_working_days", end), Stage.RECOGNITION_VOTE
    elif c.stage == Stage.RECOGNITION_VOTE:
        due, due_for = (
            checks.deadline("recognition.decision_working_days", c.stage_on),
            Stage.RECOGNITION_DECISION,
        )
    elif c.stage not in CLOSED:
        course = last_step(c, Stage.COURSE)
        if course is not None:
            due, due_for = (
                checks.certificate_expires(course.done_on, timezone.localdate()),
                Stage.CELL_RESOLUTION,
            )
    c.next_due, c.next_due_for = due, due_for
    if save:
        Candidate.objects.filter(pk=c.pk).update(next_due=due, next_due_for=due_for)
