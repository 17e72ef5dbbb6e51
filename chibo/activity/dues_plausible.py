"""Is a dues amount plausible for this member and month? (issue 17: "99,999,999,999 đ for one month").

The rule in force for the month paid for sets the amount (QĐ 01-QĐ/TW; QĐ 342-QĐ/TW
before 3/2/2026), as ``dues.amount_due`` reads it:

- pupils and students: the flat amount (5,000 đ; 2,000 đ before) — exactly;
- a recorded insured salary or pension (``DuesBase``): 1% / 0.5% of it, give or take
  the rounding tolerance;
- a salaried member or pensioner whose base chibo does not know: the plausible range
  of ``dues.plausible_monthly_vnd`` (from the salaries that can be insured);
- a reduction of 30/50/70% scales all of these; an exemption (100%) means nothing is due.

An amount that does not fit is unusual, not impossible (a voluntary higher payment,
a rounding, a rate chibo does not know): the payment asks for a confirmation
(``core.plausibility.NeedsConfirmation``). Above ``refuse_above_vnd`` — no monthly
dues are that high — or zero and below, it is refused.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from chibo.activity.models import DuesBase, DuesBasis, DuesRelief
from chibo.core.rules import Rule, RuleViolation, rule_in_force
from chibo.members.models import Category, Member

FLAT_CATEGORIES = (Category.STUDENT, Category.PUPIL)
SALARIED_CATEGORIES = (
    Category.LECTURER,
    Category.TEACHER,
    Category.CADRE,
    Category.PUBLIC_EMPLOYEE,
)
CHUNK = 500


def vnd(amount: int) -> str:
    """``5.000`` (vi) / ``5,000`` (en)."""
    return number_format(amount, 0, use_l10n=True, force_grouping=True)


def _num(value: float) -> str:
    """``1``, ``0,5`` (vi)."""
    return number_format(value, 1 if value % 1 else 0, use_l10n=True)


@dataclass(frozen=True)
class Expectation:
    """What the rule says a month's dues are: exactly ``exact``, or within [low, high]."""

    exact: int | None
    low: int
    high: int
    basis: str  # in words, for the messages
    exempt: bool = False
    tolerant: bool = False  # a percentage: rounding to the thousand is fine


@dataclass
class Known:
    """Members' recorded bases and reliefs, read once for a batch of payments."""

    bases: dict[int, list[tuple[dt.date, str, int]]]
    reliefs: dict[int, list[tuple[dt.date, dt.date, int]]]
    # Party seniority of the full members (issue 20: exempt at 50 years, QĐ 01-QĐ/TW).
    seniority: dict[int, Any] = field(default_factory=dict)


def known_for(member_ids: Iterable[int]) -> Known:
    ids = sorted(set(member_ids))
    bases: dict[int, list[tuple[dt.date, str, int]]] = defaultdict(list)
    reliefs: dict[int, list[tuple[dt.date, dt.date, int]]] = defaultdict(list)
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        for member_id, start, basis, base in (
            DuesBase.objects.filter(member_id__in=chunk)
            .order_by("member_id", "valid_from")
            .values_list("member_id", "valid_from", "basis", "base_vnd")
        ):
            bases[member_id].append((start, basis, base))
        for member_id, start, end, percent in DuesRelief.objects.filter(
            member_id__in=chunk
        ).values_list("member_id", "start", "end", "percent"):
            reliefs[member_id].append((start, end, percent))
    from chibo.members.seniority import seniority_map

    seniority = seniority_map(Member.objects.filter(pk__in=ids, recognized_on__isnull=False))
    return Known(bases, reliefs, seniority)


def plausible_rule(month: dt.date) -> Rule:
    return rule_in_force("dues.plausible_monthly_vnd", on=month)


def expectation(member: Member, month: dt.date, known: Known) -> Expectation:
    """The month's dues for ``member`` by the rules in force for that month."""
    relief = max(
        (p for start, end, p in known.reliefs.get(member.pk, []) if start <= month <= end),
        default=0,
    )
    if relief >= 100:
        return Expectation(0, 0, 0, _("exempt from dues"), exempt=True)
    from chibo.members.seniority import exempt_for_seniority

    if exempt_for_seniority(known.seniority.get(member.pk), month):
        return Expectation(0, 0, 0, _("exempt from dues: 50 years of party seniority"), exempt=True)
    base = None
    for start, since_basis, amount in known.bases.get(member.pk, []):
        if start <= month:
            base = (since_basis, amount)
    basis = base[0] if base else None
    if basis is None:
        if member.category in FLAT_CATEGORIES:
            basis = DuesBasis.STUDENT_PUPIL
        elif member.category in SALARIED_CATEGORIES:
            basis = DuesBasis.SALARIED
    share = (100 - relief) / 100
    reduced = _(", reduced by %(p)s%%") % {"p": relief} if relief else ""
    if basis == DuesBasis.STUDENT_PUPIL:
        rule = rule_in_force("dues.student_pupil_monthly_vnd", on=month)
        exact = round(int(rule.value) * share)
        text = _("pupils and students, %(source)s") % {"source": rule.source}
        return Expectation(exact, exact, exact, text + reduced)
    ranges = plausible_rule(month).value
    if basis in (DuesBasis.SALARIED, DuesBasis.PENSIONER) and base and base[1]:
        key = "dues.salaried_pct" if basis == DuesBasis.SALARIED else "dues.pensioner_pct"
        pct = float(rule_in_force(key, on=month).value)
        exact = round(base[1] * pct / 100 * share)
        text = _("%(pct)s%% of %(base)s đ") % {"pct": _num(pct), "base": vnd(base[1])}
        return Expectation(exact, exact, exact, text + reduced, tolerant=True)
    if basis == DuesBasis.SALARIED:
        low, high = ranges["salaried"]
        pct = float(rule_in_force("dues.salaried_pct", on=month).value)
        text = _("a member on a salary (%(pct)s%% of the insured salary)") % {"pct": _num(pct)}
    elif basis == DuesBasis.PENSIONER:
        low, high = ranges["pensioner"]
        pct = float(rule_in_force("dues.pensioner_pct", on=month).value)
        text = _("a pensioner (%(pct)s%% of the pension)") % {"pct": _num(pct)}
    else:
        low, high = ranges["pensioner"][0], ranges["salaried"][1]
        text = _("a member on a salary or a pension")
    return Expectation(None, round(low * share), round(high * share), text + reduced)


def fits(expected: Expectation, amount: int, month: dt.date) -> bool:
    if expected.exempt:
        return False
    if expected.exact is not None:
        if not expected.tolerant:  # a flat rate: exactly
            return amount == expected.exact
        return abs(amount - expected.exact) <= int(plausible_rule(month).value["tolerance_vnd"])
    return expected.low <= amount <= expected.high


def refuse_impossible(amount: int, month: dt.date, field: str = "amount_vnd") -> None:
    """Zero, negative, or more than any month's dues can be: refused with our own sentence."""
    if amount <= 0:
        raise ValidationError({field: [_("The amount must be more than 0 đ.")]})
    rule = plausible_rule(month)
    ceiling = int(rule.value["refuse_above_vnd"])
    if amount > ceiling:
        raise RuleViolation(
            rule,
            _(
                "%(amount)s đ for one month cannot be party dues (at most %(max)s đ a month): "
                "check the amount."
            )
            % {"amount": vnd(amount), "max": vnd(ceiling)},
            field=field,
        )


def unusual(member: Member, months: list[dt.date], amount: int, known: Known) -> list[str]:
    """What is unusual about paying ``amount`` a month for ``months`` (empty: all fit)."""
    groups: dict[Expectation, list[dt.date]] = defaultdict(list)
    for month in months:
        expected = expectation(member, month, known)
        if not fits(expected, amount, month):
            groups[expected].append(month)
    out: list[str] = []
    for expected, bad in groups.items():
        when = ", ".join(m.strftime("%m/%Y") for m in bad)
        if expected.exempt:
            out.append(
                _("%(name)s is exempt from dues for %(months)s: is this payment right?")
                % {"name": member.full_name, "months": when}
            )
        elif expected.exact is not None:
            text = _(
                "The rule sets %(expected)s đ a month for %(months)s (%(basis)s); "
                "%(amount)s đ a month was entered."
            ) % {
                "expected": vnd(expected.exact),
                "months": when,
                "basis": expected.basis,
                "amount": vnd(amount),
            }
            if len(months) > 1 and expected.exact and amount == expected.exact * len(months):
                text += " " + _(
                    "If %(amount)s đ is the total for %(n)s months, enter the amount for one month."
                ) % {"amount": vnd(amount), "n": len(months)}
            out.append(text)
        else:
            out.append(
                _(
                    "%(amount)s đ a month for %(months)s is outside the usual range for "
                    "%(basis)s (%(low)s – %(high)s đ)."
                )
                % {
                    "amount": vnd(amount),
                    "months": when,
                    "basis": expected.basis,
                    "low": vnd(expected.low),
                    "high": vnd(expected.high),
                }
            )
    return out
