"""Plausibility: a nonsense value gets a message, never a row; an unusual one asks first.

Two kinds of refusal, both ``ValidationError`` so every caller already shows them:

- a value that cannot be true is refused outright (``RuleViolation`` quoting the
  rule, or a plain ``ValidationError``);
- a value that is possible but unusual (a dues amount that differs from the rule
  in force, a second regular meeting in a month, an old "student") raises
  ``NeedsConfirmation``: the same request again with ``confirm`` set goes through.
  Forms add ``confirm_field()`` and call ``ask_confirmation(form)`` after a
  refusal, which shows the checkbox; the API answers 422 with the code
  ``confirmation_required`` and the client sends ``"confirm": true``.

The age a category implies (pupil, student, lecturer …) is checked here for
every app that records a person with a category (``check_age_for_category``),
against the rule ``people.category_age_years`` (configuration, core/0004).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from chibo.core.rules import Rule, RuleMissing, RuleViolation, rule_in_force
from chibo.lib.dates import dmy, full_months_between

CONFIRM = "confirm"


class NeedsConfirmation(ValidationError):
    """Possible but unusual: refused until the same request comes with ``confirm``."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__({CONFIRM: messages}, code="confirmation_required")


def confirm_field() -> forms.BooleanField:
    """Hidden until a service asks for a confirmation (``ask_confirmation``)."""
    return forms.BooleanField(
        label=_l("I have checked: record it as entered"),
        required=False,
        widget=forms.HiddenInput,
    )


def ask_confirmation(form: forms.Form) -> None:
    """Show the confirmation checkbox when the service asked for it (or it was ticked)."""
    if CONFIRM not in form.fields:
        return
    asked = CONFIRM in form.errors
    ticked = str(form.data.get(CONFIRM, "")).lower() in ("on", "true", "1")
    if asked or ticked:
        form.fields[CONFIRM].widget = forms.CheckboxInput()


class AmountField(forms.IntegerField):
    """A whole number of đồng as people type it: ``5000``, ``5.000``, ``5,000``, ``5.000 đ``.

    (Django's IntegerField reads ``5.000`` as 5.) Our own sentences for a bad, zero or
    negative amount.
    """

    widget = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})
    default_error_messages = {
        "invalid": _l("Enter the amount in đồng as a whole number, e.g. 5.000."),
    }

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        if isinstance(value, int):
            number = value
        else:
            text = re.sub(r"[\s.,đĐ₫]", "", str(value)).removesuffix("d").removesuffix("D")
            if not re.fullmatch(r"-?\d{1,15}", text):
                raise ValidationError(self.error_messages["invalid"], code="invalid")
            number = int(text)
        if number <= 0:
            raise ValidationError(_("The amount must be more than 0 đ."), code="min_value")
        return number


# --- age and category ------------------------------------------------------------------------


@dataclass(frozen=True)
class AgeProblem:
    too_young: bool  # cannot be true (refused); else older than usual (confirm)
    message: str
    rule: Rule


def age_problem(
    date_of_birth: dt.date | None, category: str, category_label: str, on: dt.date
) -> AgeProblem | None:
    """Whether the age on ``on`` fits the category (``people.category_age_years``); None if it does.

    No rule, or no range for the category (``other``): nothing to say.
    """
    if date_of_birth is None or not category or date_of_birth > on:
        return None
    try:
        rule = rule_in_force("people.category_age_years", on=on)
    except RuleMissing:
        return None
    bounds = (rule.value or {}).get(category)
    if not bounds:
        return None
    low, high = int(bounds[0]), int(bounds[1])
    years = full_months_between(date_of_birth, on) // 12
    values = {
        "dob": dmy(date_of_birth),
        "years": years,
        "category": category_label,
        "low": low,
        "high": high,
        "date": dmy(on),
    }
    if years < low:
        return AgeProblem(
            True,
            _(
                "Born on %(dob)s, the person is %(years)s on %(date)s: too young to be "
                "%(category)s (from %(low)s years). Check the date of birth or the category."
            )
            % values,
            rule,
        )
    if years > high:
        return AgeProblem(
            False,
            _(
                "Born on %(dob)s, the person is %(years)s on %(date)s, older than usual for "
                "%(category)s (%(low)s to %(high)s years). Check the date of birth and the "
                "category, then confirm."
            )
            % values,
            rule,
        )
    return None


def check_age_for_category(
    *,
    date_of_birth: dt.date | None,
    category: str,
    category_label: str,
    on: dt.date,
    confirm: bool = False,
    field: str = "date_of_birth",
) -> None:
    """A pupil, a student, a lecturer … is of an age that fits (``people.category_age_years``).

    Younger than the category's minimum cannot be true: refused (``RuleViolation``). Older
    than its usual maximum happens (in-service students, emeritus lecturers): asks for a
    confirmation unless ``confirm``.
    """
    problem = age_problem(date_of_birth, category, category_label, on)
    if problem is None:
        return
    if problem.too_young:
        raise RuleViolation(problem.rule, problem.message, field=field)
    if not confirm:
        raise NeedsConfirmation([problem.message])


def confirmed(value: Any) -> bool:
    """A ``confirm`` value from a form or a JSON body."""
    return value is True or str(value).lower() in ("on", "true", "1")
