"""The rules registry: regulations as versioned data.

Party regulations changed several times in 2025–26 (shared/RULES.md). A
service never hard-codes a number a regulation sets: it asks for the rule in
force on the event's date and, when refusing, quotes the rule and its source.
Rule versions live in ``core.RuleVersion`` (loaded by data migrations, one
per rule set, editable by administrators for the values marked
configurable).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext as _

from chibo.core.models import RuleVersion


@dataclass(frozen=True)
class Rule:
    key: str
    title: str
    value: Any
    source: str
    clause: str
    valid_from: dt.date
    valid_to: dt.date | None
    confidence: str

    @property
    def citation(self) -> str:
        return f"{self.source} {self.clause}".strip()


class RuleMissing(ValidationError, LookupError):
    """No version of a rule is in force on a date.

    Usually a date outside every regulation chibo knows (a typo like year
    0071, or a date before the earliest version): the user gets a clear
    refusal (a ValidationError, so forms show it and the API answers 422)
    instead of a server error.
    """

    def __init__(self, key: str, on: dt.date) -> None:
        self.key = key
        self.on = on
        super().__init__(
            _("No regulation known to chibo covers the date %(date)s (rule %(key)s).")
            % {"date": f"{on.day:02d}/{on.month:02d}/{on.year:04d}", "key": key},
            code="no_rule",
        )


class RuleViolation(ValidationError):
    """A refusal that names the rule and its source."""

    def __init__(self, rule: Rule, message: str, field: str | None = None) -> None:
        self.rule = rule
        full = _("%(message)s (rule: %(title)s — %(citation)s)") % {
            "message": message,
            "title": rule.title,
            "citation": rule.citation,
        }
        if field:
            super().__init__({field: [full]}, code="rule")
        else:
            super().__init__(full, code="rule")


_cache: dict[str, list[Rule]] | None = None


def _load() -> dict[str, list[Rule]]:
    global _cache
    if _cache is None:
        table: dict[str, list[Rule]] = {}
        for row in RuleVersion.objects.order_by("key", "valid_from"):
            table.setdefault(row.key, []).append(
                Rule(
                    key=row.key,
                    title=row.title,
                    value=row.value,
                    source=row.source,
                    clause=row.clause,
                    valid_from=row.valid_from,
                    valid_to=row.valid_to,
                    confidence=row.confidence,
                )
            )
        _cache = table
    return _cache


def clear_cache() -> None:
    global _cache
    _cache = None


@receiver(post_save, sender=RuleVersion)
@receiver(post_delete, sender=RuleVersion)
def _rules_changed(**kwargs: Any) -> None:
    clear_cache()


def rule_in_force(key: str, *, on: dt.date) -> Rule:
    """The version of rule ``key`` in force on date ``on``."""
    for rule in reversed(_load().get(key, [])):
        if rule.valid_from <= on and (rule.valid_to is None or on < rule.valid_to):
            return rule
    raise RuleMissing(key, on)


def all_rules() -> list[Rule]:
    return [rule for versions in _load().values() for rule in versions]
