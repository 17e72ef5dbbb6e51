"""The votes of the admission path: their figures, the 2/3 a recognition vote needs, a failed vote,
and the case sent to the upper committee after the failed votes the rule allows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from chibo.admissions import checks
from chibo.admissions.models import (
    Candidate,
    CandidateStep,
    Stage,
)
from chibo.admissions.path import (
    failed_votes,
)
from chibo.core import audit
from chibo.core.rules import Rule, RuleViolation
from chibo.members.selectors import cell_roll
from chibo.orgs.models import Org


def _int(data: dict[str, Any], name: str) -> int:
    try:
        return int(data.get(name))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValidationError({name: [_("Enter a whole number.")]}) from None


def _text(data: dict[str, Any], name: str, message: str) -> str:
    value = str(data.get(name) or "").strip()
    if not value:
        raise ValidationError({name: [message]})
    return value


def vote_figures(
    org: Org, on: dt.date, data: dict[str, Any]
) -> tuple[dict[str, int], dict[str, Any]]:
    """The vote's figures, held to the cell's rolls on the vote's date (issue 20, item 5).

    ``full_members`` defaults to the full members on the rolls that day
    (``members.selectors.cell_roll``); of them only the exempted and the temporarily
    transferred out may be left out when absent (``absent_excluded``). A typed figure the
    rolls do not give (another count, more left out than may be) needs ``figures_reason``,
    kept on the step with what the rolls said. Returns (the figures the check uses, what
    the step keeps).
    """
    roll = cell_roll(org, on)
    on_rolls, excludable = len(roll.full), len(roll.excludable)
    typed = data.get("full_members")
    full = on_rolls if typed in (None, "") else _int(data, "full_members")
    absent = 0 if data.get("absent_excluded") in (None, "") else _int(data, "absent_excluded")
    figures = {
        "full_members": full,
        "absent_excluded": absent,
        "votes_for": _int(data, "votes_for"),
    }
    reason = str(data.get("figures_reason") or "").strip()
    if (full != on_rolls or absent > excludable) and not reason:
        names = ", ".join(m.full_name for m in roll.excludable) or _("none")
        raise ValidationError(
            {
                "full_members" if full != on_rolls else "absent_excluded": [
                    _(
                        "On %(date)s the rolls of %(org)s count %(n)s full members, of whom "
                        "%(x)s may be left out if absent (exempted or temporarily transferred "
                        "out: %(names)s). You entered %(full)s full members and %(absent)s left "
                        "out: give the reason for the difference."
                    )
                    % {
                        "date": checks.fmt(on),
                        "org": org.name,
                        "n": on_rolls,
                        "x": excludable,
                        "names": names,
                        "full": full,
                        "absent": absent,
                    }
                ]
            }
        )
    kept: dict[str, Any] = {
        **figures,
        "roll_full_members": on_rolls,
        "roll_excludable": [m.member_code for m in roll.excludable],
    }
    if full != on_rolls or absent > excludable:
        kept["figures_reason"] = reason
    return figures, kept


def _limit_rule(on: dt.date) -> Rule:
    return checks.rule("recognition.failed_votes_to_upper", on)


def _refuse_vote_after_escalation(c: Candidate, on: dt.date) -> None:
    """After the third vote without 2/3 the upper committee decides: no fourth cell vote."""
    limit = _limit_rule(c.escalated_on or on)
    raise RuleViolation(
        limit,
        _(
            "The cell has already voted %(n)s times on the recognition of %(name)s without "
            "reaching 2/3; since %(date)s the case is with the upper committee, which decides: "
            "the cell does not vote again."
        )
        % {"n": int(limit.value), "name": c.full_name, "date": checks.fmt(c.escalated_on or on)},
        "done_on",
    )


def _escalate(actor: Any, c: Candidate, step: CandidateStep) -> None:
    """The third vote without 2/3: audited, and the committee staff above the cell told."""
    from chibo.admissions.remind import committee_staff
    from chibo.core.notify import notify

    votes = [s.done_on for s in failed_votes(c)]
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        message = _(
            "Recognition of %(name)s (%(org)s): the cell voted %(n)s times without reaching "
            "2/3 (last on %(date)s); the case is now with the upper committee to decide."
        ) % {
            "name": c.full_name,
            "org": c.org.name,
            "n": len(votes),
            "date": checks.fmt(step.done_on),
        }
        for user in committee_staff(c.org, step.done_on):
            notice = notify(
                user=user,
                kind="admissions.recognition_escalated",
                message=message,
                url=f"/admissions/{c.pk}/",
                dedupe_key=f"admissions.recognition_escalated:{c.pk}",
            )
            sent += notice is not None
    audit.record(
        actor=actor,
        action="admissions.recognition_escalated",
        object_type="candidate",
        object_id=c.pk,
        data={
            "escalated_on": step.done_on,
            "votes": votes,
            "rule": "recognition.failed_votes_to_upper",
            "citation": _limit_rule(step.done_on).citation,
            "notified": sent,
        },
    )


def _failed_vote(c: Candidate, on: dt.date, figures: dict[str, int]) -> dict[str, Any]:
    """A recognition vote that did not reach 2/3: its figures must say so; which attempt it is."""
    share = checks.rule("admission.cell_vote_share", on)
    checks.check_vote(checks.Checker({share.key}), on, **figures)  # the figures' own sense
    if checks.vote_passes(share.value, **figures):
        raise ValidationError(
            {
                "votes_for": [
                    _(
                        "%(votes)s of %(den)s full members in favour reaches %(num)s/%(d)s: "
                        "record it as the recognition vote, not as a vote without 2/3."
                    )
                    % {
                        "votes": figures["votes_for"],
                        "den": figures["full_members"] - figures["absent_excluded"],
                        "num": share.value["num"],
                        "d": share.value["den"],
                    }
                ]
            }
        )
    limit = int(_limit_rule(on).value)
    return {"passed": False, "attempt": len(failed_votes(c)) + 1, "attempts_allowed": limit}


def _recognition_vote_reaches(
    chk: checks.Checker, c: Candidate, on: dt.date, figures: dict[str, int]
) -> None:
    """A recognition vote short of 2/3 is refused as such, pointing to the vote without 2/3."""
    share = checks.rule("admission.cell_vote_share", on)
    if share.key in chk.overridden_keys or checks.vote_passes(share.value, **figures):
        return
    if figures["votes_for"] > figures["full_members"] - figures["absent_excluded"]:
        return  # check_vote says what is wrong with the figures
    limit = int(_limit_rule(on).value)
    raise RuleViolation(
        share,
        _(
            "%(votes)s of %(den)s full members in favour is less than %(num)s/%(d)s. If the "
            "cell's vote really did not reach it, record “%(failed)s” (vote %(n)s of %(limit)s: "
            "after %(limit)s such votes the case goes to the upper committee)."
        )
        % {
            "votes": figures["votes_for"],
            "den": figures["full_members"] - figures["absent_excluded"],
            "num": share.value["num"],
            "d": share.value["den"],
            "failed": Stage.RECOGNITION_VOTE_FAILED.label,
            "n": len(failed_votes(c)) + 1,
            "limit": limit,
        },
        "votes_for",
    )
