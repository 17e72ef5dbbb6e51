"""Recognition without 2/3 (issue 20, item 9).

At the end of probation the cell votes on recognition as a full member; a vote that does
not reach 2/3 of the full members (counted from the rolls on the vote's date, item 5) is
recorded as such (step ``recognition_vote_failed``), the candidate stays on probation, and
the third one sends the case to the upper committee (rule
``recognition.failed_votes_to_upper`` = 3): visible on the board and the record, in the
committee's home and notifications, audited. A fourth cell vote is refused quoting the rule.
The happy path's probation ends on 25/03/2026.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError

from chibo.admissions import selectors, services
from chibo.admissions.models import Candidate, Stage
from chibo.admissions.path import allowed_stages, next_stage
from chibo.core.models import AuditEntry, Notification
from chibo.core.rules import RuleViolation
from chibo.home.work import compute
from tests import factories as f
from tests.admissions.conftest import walk
from tests.admissions.test_api import Api

pytestmark = pytest.mark.django_db
ENDS = dt.date(2026, 3, 25)
SHORT = {"votes_for": 1}  # 1 of the 3 full members on the rolls
VOTES = [dt.date(2026, 4, 1), dt.date(2026, 4, 8), dt.date(2026, 4, 15)]


def _on_probation(world: dict) -> Candidate:
    c = f.candidate(world["tree"]["cell_a"], world["full"][0], full_name="Hồ Văn Dự Bị")
    walk(world, c, Stage.CEREMONY)
    assert c.member.probation_ends_on == ENDS
    return c


def _fail(world: dict, c: Candidate, on: dt.date, **data: int) -> None:
    services.candidate_record_step(
        actor=world["users"]["sec"],
        candidate=c,
        stage=Stage.RECOGNITION_VOTE_FAILED,
        done_on=on,
        document_number="BB-01",
        data={**SHORT, **data},
    )


def test_a_vote_short_of_two_thirds_is_refused_as_a_pass_and_points_to_the_failed_vote(
    world: dict,
) -> None:
    c = _on_probation(world)
    with pytest.raises(RuleViolation) as exc:
        services.candidate_record_step(
            actor=world["users"]["sec"],
            candidate=c,
            stage=Stage.RECOGNITION_VOTE,
            done_on=VOTES[0],
            data=SHORT,
        )
    text = " ".join(exc.value.messages)
    assert "2/3" in text and "Điều 4 khoản 3" in text
    assert "không đủ 2/3" in text  # the step to record instead, in Vietnamese
    # Figures that reach 2/3 are not a failed vote.
    with pytest.raises(ValidationError, match="2/3"):
        _fail(world, c, VOTES[0], votes_for=2)


@pytest.mark.parametrize(
    ("offset", "ok"), [(-1, False), (0, True), (1, True)], ids=["day-before", "day-of", "day-after"]
)
def test_a_failed_vote_comes_after_probation_ends(world: dict, offset: int, ok: bool) -> None:
    c = _on_probation(world)
    day = ENDS + dt.timedelta(days=offset)
    if not ok:
        with pytest.raises(RuleViolation, match="25/03/2026"):
            _fail(world, c, day)
        assert not c.steps.filter(stage=Stage.RECOGNITION_VOTE_FAILED).exists()
        return
    _fail(world, c, day)
    c.refresh_from_db()
    assert c.stage == Stage.CEREMONY and c.escalated_on is None  # still on probation
    step = c.steps.get(stage=Stage.RECOGNITION_VOTE_FAILED)
    assert step.data["attempt"] == 1 and step.data["passed"] is False
    assert step.data["full_members"] == 3  # from the rolls on the vote's date (item 5)
    # A vote again the same day is refused; the day after is the next attempt.
    with pytest.raises(ValidationError, match="2/3"):
        _fail(world, c, day)
    _fail(world, c, day + dt.timedelta(days=1))
    assert c.steps.filter(stage=Stage.RECOGNITION_VOTE_FAILED).count() == 2


def test_figures_typed_against_the_rolls_need_a_reason(world: dict) -> None:
    c = _on_probation(world)
    with pytest.raises(ValidationError, match="3"):
        _fail(world, c, VOTES[0], full_members=9)
    _fail(world, c, VOTES[0], full_members=3)


def test_the_third_failed_vote_escalates_and_a_fourth_is_refused(world: dict) -> None:
    c = _on_probation(world)
    uni, sec = world["users"]["uni"], world["users"]["sec"]
    _fail(world, c, VOTES[0])
    _fail(world, c, VOTES[1])
    c.refresh_from_db()
    # After two: not yet with the committee; the cell may vote again or pass.
    assert c.escalated_on is None and Stage.RECOGNITION_VOTE in allowed_stages(c)
    assert compute(world["tree"]["uni"], VOTES[1]).total.n["recognition_escalated"] == 0
    _fail(world, c, VOTES[2])
    c.refresh_from_db()
    assert c.escalated_on == VOTES[2] and c.stage == Stage.CEREMONY
    assert next_stage(c) == Stage.RECOGNITION_DECISION
    assert allowed_stages(c) == [Stage.RECOGNITION_DECISION, Stage.NOT_RECOGNIZED]
    # The decision is now the committee's, due 30 working days after the third vote
    # (30/4, 1/5 and Monday 27/4/2026, for the Hùng Kings' day on a Sunday, are off).
    assert c.next_due_for == Stage.RECOGNITION_DECISION and c.next_due == dt.date(2026, 6, 1)
    entry = AuditEntry.objects.get(action="admissions.recognition_escalated")
    assert entry.data["votes"] == [d.isoformat() for d in VOTES] and entry.data["notified"] == 1
    notice = Notification.objects.get(user=uni, kind="admissions.recognition_escalated")
    assert "Hồ Văn Dự Bị" in notice.message and "cấp ủy cấp trên" in notice.message
    assert not Notification.objects.filter(user=sec, kind="admissions.recognition_escalated")
    # The committee's home and board list it.
    assert compute(world["tree"]["uni"], VOTES[2]).total.n["recognition_escalated"] == 1
    qs, _c, _n = selectors.board(uni, selectors.BoardFilter(escalated=True), VOTES[2])
    assert list(qs) == [c]
    # A fourth cell vote, passed or not, the day of, before or after: refused, quoting the rule.
    for stage in (Stage.RECOGNITION_VOTE, Stage.RECOGNITION_VOTE_FAILED):
        for day in (VOTES[2], VOTES[2] + dt.timedelta(days=1)):
            with pytest.raises(RuleViolation) as exc:
                services.candidate_record_step(
                    actor=sec,
                    candidate=c,
                    stage=stage,
                    done_on=day,
                    data={"votes_for": 3},
                )
            text = " ".join(exc.value.messages)
            assert "15/04/2026" in text and "cấp ủy cấp trên" in text
            assert "Điều 5 khoản 2" in text and "QĐ 294-QĐ/TW" in text
    assert c.steps.filter(stage=Stage.RECOGNITION_VOTE_FAILED).count() == 3
    # The upper committee decides: recognized from the day probation ended.
    services.candidate_record_step(
        actor=uni,
        candidate=c,
        stage=Stage.RECOGNITION_DECISION,
        done_on=dt.date(2026, 4, 20),
        document_number="20-QĐ/ĐU",
        data={"deciding_body": "Đảng ủy Trường"},
    )
    c.refresh_from_db()
    c.member.refresh_from_db()
    assert c.stage == Stage.RECOGNITION_DECISION and c.member.recognized_on == ENDS
    assert compute(world["tree"]["uni"], VOTES[2]).total.n["recognition_escalated"] == 0


def test_a_vote_that_passes_after_failed_ones_needs_no_deadline(world: dict) -> None:
    c = _on_probation(world)
    _fail(world, c, VOTES[0])
    services.candidate_record_step(
        actor=world["users"]["sec"],
        candidate=c,
        stage=Stage.RECOGNITION_VOTE,
        done_on=dt.date(2026, 6, 1),  # past the 30 working days of the first vote
        document_number="12-NQ/CB",
        data={"votes_for": 3},
    )
    c.refresh_from_db()
    assert c.stage == Stage.RECOGNITION_VOTE and c.escalated_on is None
    votes = selectors.to_dict(c, today=dt.date(2026, 6, 2), full=True)["recognition_votes"]
    assert [(v["done_on"], v["passed"]) for v in votes] == [
        ("2026-04-01", False),
        ("2026-06-01", True),
    ]


def test_api_records_three_failed_votes_escalates_and_refuses_the_fourth(world: dict) -> None:
    c = _on_probation(world)
    sec = Api(world["users"]["sec"])
    for i, day in enumerate(VOTES, start=1):
        r = sec.post(
            f"/{c.pk}/steps/recognition_vote_failed",
            {"done_on": day.isoformat(), "document_number": f"BB-{i}", "data": SHORT},
        )
        assert r.status_code == 200, r.content
        body = r.json()
        assert body["stage"] == "ceremony"
        assert body["escalated_on"] == (VOTES[2].isoformat() if i == 3 else None)
        assert [v["passed"] for v in body["recognition_votes"]] == [False] * i
    assert body["next_step"] == "recognition_decision"
    assert body["allowed_steps"] == ["recognition_decision", "not_recognized"]
    r = sec.post(
        f"/{c.pk}/steps/recognition_vote",
        {"done_on": "2026-04-16", "data": {"votes_for": 3}},
    )
    assert r.status_code == 422
    text = json.dumps(r.json(), ensure_ascii=False)
    assert "cấp ủy cấp trên" in text and "Điều 5 khoản 2" in text
    listed = Api(world["users"]["uni"]).get("", escalated=True).json()
    assert [item["id"] for item in listed["items"]] == [c.pk]
    assert Api(world["users"]["uni"]).get("", escalated=False).json()["total"] == 1


def test_pages_record_failed_votes_and_show_the_escalation(world: dict) -> None:
    from django.urls import reverse

    from tests.admissions.conftest import client_for

    c = _on_probation(world)
    web = client_for(world["users"]["sec"])
    detail = reverse("admissions:detail", args=[c.pk])
    step = reverse("admissions:step", args=[c.pk, Stage.RECOGNITION_VOTE_FAILED])
    assert step in web.get(detail).content.decode()  # the button
    for day in ["01/04/2026", "08/04/2026", "15/04/2026"]:
        c.refresh_from_db()
        r = web.post(
            step,
            {"done_on": day, "votes_for": 1, "full_members": 3, "version": c.version},
        )
        assert r.status_code == 302, r.content.decode()[:3000]
    page = web.get(detail).content.decode()
    assert 'id="escalated"' in page and "Đã chuyển cấp ủy cấp trên" in page
    assert "không đủ 2/3 (lần 3/3)" in page and step not in page  # no more cell votes
    record = web.get(reverse("members:detail", args=[c.member.member_code])).content.decode()
    assert 'id="recognition-escalated"' in record
    # The committee's home and board.
    uni = client_for(world["users"]["uni"])
    board = uni.get(reverse("admissions:board") + "?escalated=on").content.decode()
    assert c.full_name in board and "đã chuyển cấp ủy cấp trên" in board
    # The fourth vote through the page: refused with the rule.
    c.refresh_from_db()
    r = web.post(step, {"done_on": "16/04/2026", "votes_for": 1, "version": c.version})
    text = r.content.decode()
    assert r.status_code == 200 and "cấp ủy cấp trên" in text and "Điều 5 khoản 2" in text


def test_after_escalation_the_cell_cannot_recognize_from_the_members_record(world: dict) -> None:
    from chibo.members import services as ms

    c = _on_probation(world)
    for day in VOTES:
        _fail(world, c, day)
    member = c.member
    member.refresh_from_db()
    with pytest.raises(RuleViolation) as exc:
        ms.member_recognize(
            actor=world["users"]["sec"],
            member=member,
            decided_on=dt.date(2026, 4, 20),
            decision=ms.Decision(number="1-QĐ/CB"),
        )
    text = " ".join(exc.value.messages)
    assert "15/04/2026" in text and "cấp ủy cấp trên" in text and "Điều 5 khoản 2" in text
    member.refresh_from_db()
    assert not member.is_full
    # The committee may (its decision on the record or through the admission case).
    ms.member_recognize(
        actor=world["users"]["uni"],
        member=member,
        decided_on=dt.date(2026, 4, 20),
        decision=ms.Decision(number="20-QĐ/ĐU"),
    )
    member.refresh_from_db()
    assert member.is_full and member.recognized_on == ENDS


def test_the_vote_form_says_which_attempt_it_is(world: dict) -> None:
    """Lần biểu quyết: the cell's recognition vote forms say which vote this is, of how many,
    and list the votes before it; after the third the form says the committee decides."""
    from django.urls import reverse

    from tests.admissions.conftest import client_for

    c = _on_probation(world)
    web = client_for(world["users"]["sec"])
    forms = [
        reverse("admissions:step", args=[c.pk, stage])
        for stage in (Stage.RECOGNITION_VOTE, Stage.RECOGNITION_VOTE_FAILED)
    ]
    for attempt in (1, 2, 3):
        for url in forms:
            page = web.get(url).content.decode()
            assert 'id="vote-attempt"' in page, url
            assert f"Lần biểu quyết thứ {attempt}/3" in page, (url, attempt)
            for earlier in VOTES[: attempt - 1]:
                assert earlier.strftime("%d/%m/%Y") in page
        if attempt == 3:
            assert "lần cuối" in page and "cấp ủy cấp trên" in page
        _fail(world, c, VOTES[attempt - 1])
    page = web.get(forms[1]).content.decode()
    assert "Lần biểu quyết thứ 4" not in page and "đã biểu quyết 3 lần" in page
