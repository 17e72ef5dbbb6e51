"""The regulation checks of the admission path, each against the rule in force on the event's date.

Every check asks ``core.rules`` for the version in force on its date and
refuses with ``RuleViolation`` (rule title + source). A committee user's
``Override`` for (candidate, step, rule) lets that one check pass; the
overridden rule keys are kept on the step.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from chibo.core.datefields import no_such_date_message
from chibo.core.rules import Rule, RuleMissing, RuleViolation, rule_in_force
from chibo.core.validity import certificate_valid_until
from chibo.lib.dates import NoSuchDate, dmy, full_months_between, parse_day
from chibo.lib.workdays import add_working_days
from chibo.members.models import ON_ROLLS, Member


def fmt(day: dt.date) -> str:
    return dmy(day)


def rule(key: str, on: dt.date) -> Rule:
    try:
        return rule_in_force(key, on=on)
    except RuleMissing as exc:
        raise ValidationError(
            _("No regulation in chibo covers %(date)s for this step; ask the administrator.")
            % {"date": fmt(on)}
        ) from exc


@dataclass
class Checker:
    """Runs the checks of one step; an override recorded for (step, rule) lets a failure pass."""

    overridden_keys: set[str] = field(default_factory=set)
    used: list[str] = field(default_factory=list)

    def require(
        self, the_rule: Rule, ok: bool, message: str, field_name: str | None = None
    ) -> None:
        if ok:
            return
        if the_rule.key in self.overridden_keys:
            self.used.append(the_rule.key)
            return
        raise RuleViolation(the_rule, message, field=field_name)


def age_months(date_of_birth: dt.date, on: dt.date) -> int:
    return full_months_between(date_of_birth, on)


def check_age(chk: Checker, date_of_birth: dt.date, on: dt.date) -> None:
    """18 to 60 years at the cell's review, counted in months; over 60 needs the provincial committee."""
    months = age_months(date_of_birth, on)
    low = rule("admission.age_min_months", on)
    chk.require(
        low,
        months >= int(low.value),
        _(
            "On %(date)s the candidate is %(y)s years %(m)s months old, under the minimum of %(min)s years."
        )
        % {"date": fmt(on), "y": months // 12, "m": months % 12, "min": int(low.value) // 12},
        "date_of_birth",
    )
    high = rule("admission.age_max_months", on)
    chk.require(
        high,
        months <= int(high.value),
        _(
            "On %(date)s the candidate is %(y)s years %(m)s months old, over %(max)s years: only the "
            "provincial-level committee may admit; record its approval as an override."
        )
        % {"date": fmt(on), "y": months // 12, "m": months % 12, "max": int(high.value) // 12},
        "date_of_birth",
    )


def check_education(chk: Checker, level: str, on: dt.date) -> None:
    """At least lower-secondary education at the cell's review (issue 20 item 6).

    Missing or below the rule's minimum is refused, quoting the rule; an override (the
    Secretariat's guidance for remote or ethnic-minority areas) lets it pass.
    """
    from chibo.admissions.models import EDUCATION_RANK, EducationLevel

    minimum = rule("admission.education_min_level", on)
    wanted = str(minimum.value)
    wanted_label = EducationLevel(wanted).label if wanted in EducationLevel.values else wanted
    if not level:
        chk.require(
            minimum,
            False,
            _(
                "The candidate's education level is not recorded: record it on the "
                "candidate's page (at least %(min)s)."
            )
            % {"min": wanted_label},
            "education_level",
        )
        return
    chk.require(
        minimum,
        EDUCATION_RANK.get(level, -1) >= EDUCATION_RANK.get(wanted, 0),
        _("The candidate's education (%(level)s) is below the minimum: %(min)s.")
        % {
            "level": EducationLevel(level).label if level in EducationLevel.values else level,
            "min": wanted_label,
        },
        "education_level",
    )


def check_certificate(chk: Checker, issued_on: dt.date | None, on: dt.date) -> None:
    """The awareness-course certificate must still be valid at the cell's review.

    Valid from its issue through ``core.validity.certificate_valid_until`` (60 months
    later, the same day of the month): the one definition the page, the board and the
    reminders use too. 60 months and one day is refused.
    """
    valid = rule("admission.certificate_valid_months", on)
    if issued_on is None:
        chk.require(valid, False, _("The awareness-course certificate has not been recorded."))
        return
    until = certificate_expires(issued_on, on)
    if issued_on > on:
        chk.require(
            valid,
            False,
            _("The awareness-course certificate of %(issued)s is dated after %(date)s.")
            % {"issued": fmt(issued_on), "date": fmt(on)},
        )
        return
    chk.require(
        valid,
        on <= until,
        _(
            "The awareness-course certificate of %(issued)s was valid until %(until)s "
            "(%(valid)s months); on %(date)s it has expired: the candidate must retake the course."
        )
        % {
            "issued": fmt(issued_on),
            "until": fmt(until),
            "date": fmt(on),
            "valid": int(valid.value),
        },
    )


def youth_union_applies(date_of_birth: dt.date, youth_union_exists: bool, on: dt.date) -> bool:
    """Under 30 where a Youth Union organization exists: the Youth Union committee introduces."""
    below = rule("admission.youth_union_age_below", on)
    return youth_union_exists and age_months(date_of_birth, on) < int(below.value) * 12


def check_introducers(
    chk: Checker, introducers: list[tuple[Member, int]], on: dt.date, *, youth_union: bool
) -> None:
    """Full members who worked/studied with the candidate >= 12 months; 1 (+ Youth Union) or 2."""
    together = rule("admission.introducer_min_months_together", on)
    needed_rule = rule("admission.youth_union_age_below", on)
    seen: set[int] = set()
    for member, months in introducers:
        if member.pk in seen:
            raise ValidationError({"introducers": [_("The same member cannot introduce twice.")]})
        seen.add(member.pk)
        full = (
            member.recognized_on is not None
            and member.recognized_on <= on
            and member.status in ON_ROLLS
        )
        chk.require(
            together,
            full,
            _("%(name)s was not a full member on %(date)s; only full members may introduce.")
            % {"name": member.full_name, "date": fmt(on)},
            "introducers",
        )
        chk.require(
            together,
            months >= int(together.value),
            _(
                "%(name)s has worked or studied with the candidate %(months)s months, fewer than %(min)s."
            )
            % {"name": member.full_name, "months": months, "min": int(together.value)},
            "introducers",
        )
    needed = 1 if youth_union else 2
    message = (
        _(
            "A candidate under %(age)s where a Youth Union exists needs the Youth Union committee and one full member."
        )
        if youth_union
        else _("The candidate needs two full members as introducers.")
    ) % {"age": needed_rule.value}
    chk.require(
        needed_rule if youth_union else together, len(introducers) >= needed, message, "introducers"
    )


def vote_passes(
    share: dict[str, Any], full_members: int, absent_excluded: int, votes_for: int
) -> bool:
    """At least num/den of the full members, absent exempted/temporarily-away members not counted."""
    denominator = full_members - absent_excluded
    return denominator > 0 and votes_for * int(share["den"]) >= int(share["num"]) * denominator


def check_vote(
    chk: Checker, on: dt.date, *, full_members: int, absent_excluded: int, votes_for: int
) -> None:
    share = rule("admission.cell_vote_share", on)
    if full_members < 0 or absent_excluded < 0 or votes_for < 0:
        raise ValidationError(_("The figures of the vote cannot be negative."))
    if absent_excluded > full_members or votes_for > full_members - absent_excluded:
        raise ValidationError(
            {"votes_for": [_("The votes in favour cannot exceed the full members counted.")]}
        )
    denominator = full_members - absent_excluded
    chk.require(
        share,
        vote_passes(share.value, full_members, absent_excluded, votes_for),
        _("%(votes)s of %(den)s full members in favour is less than %(num)s/%(d)s.")
        % {
            "votes": votes_for,
            "den": denominator,
            "num": share.value["num"],
            "d": share.value["den"],
        },
        "votes_for",
    )


def deadline(key: str, start: dt.date, *, extension: bool = False) -> dt.date:
    """The last day for a step due ``N`` working days after ``start`` (+ extension when granted)."""
    value = rule(key, start).value
    days = int(value["days"]) if isinstance(value, dict) else int(value)
    if extension and isinstance(value, dict):
        days += int(value.get("extension", 0))
    return add_working_days(start, days)


def check_deadline(
    chk: Checker, key: str, start: dt.date, done_on: dt.date, what: str, *, extension: bool = False
) -> None:
    last = deadline(key, start, extension=extension)
    chk.require(
        rule(key, start),
        done_on <= last,
        _(
            "%(what)s on %(date)s is after the deadline of %(last)s (counted in working days from %(start)s)."
        )
        % {"what": what, "date": fmt(done_on), "last": fmt(last), "start": fmt(start)},
        "done_on",
    )


def history_deadline(ceremony_on: dt.date) -> dt.date:
    """The last day for the new member's personal history: N working days after the ceremony."""
    return deadline("admission.member_history_working_days", ceremony_on)


def decision_received_on(value: Any) -> dt.date | None:
    """The receipt date given with the decision: a date, an ISO string (API) or nothing."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        try:
            parse_day(str(value))
        except NoSuchDate as exc:
            raise ValidationError({"received_on": [no_such_date_message(exc)]}) from None
        except ValueError:
            pass
        raise ValidationError(
            {"received_on": [_("Enter the date the cell received the decision as yyyy-mm-dd.")]}
        ) from None


def check_decision_received(received_on: dt.date, decided_on: dt.date, today: dt.date) -> None:
    """The cell receives the decision on or after its date, and not later than today."""
    if received_on < decided_on:
        raise ValidationError(
            {
                "received_on": [
                    _(
                        "The date the cell received the decision (%(received)s) cannot be "
                        "before the decision's date (%(decided)s)."
                    )
                    % {"received": fmt(received_on), "decided": fmt(decided_on)}
                ]
            }
        )
    if received_on > today:
        raise ValidationError(
            {
                "received_on": [
                    _(
                        "The date the cell received the decision (%(received)s) cannot be "
                        "in the future."
                    )
                    % {"received": fmt(received_on)}
                ]
            }
        )


def certificate_expires(issued_on: dt.date, on: dt.date) -> dt.date:
    """The certificate's last valid day, judged on ``on`` (``core.validity``)."""
    try:
        return certificate_valid_until(issued_on, on)
    except RuleMissing as exc:
        raise ValidationError(
            _("No regulation in chibo covers %(date)s for this step; ask the administrator.")
            % {"date": fmt(on)}
        ) from exc
