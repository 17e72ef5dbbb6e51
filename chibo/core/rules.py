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
from django.db import DatabaseError
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext as _

from chibo.core.models import RuleVersion
from chibo.core.prepared import Prepared


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


# Each process keeps the rules in memory, with the version stamp they were read under.
# At the start of every request and every background task it reads the stamp again (one
# small query) and drops its copy when another process changed a rule meanwhile: an edit
# in one gunicorn worker reaches all of them by their next request.
_cache: dict[str, list[Rule]] | None = None
_stamp: tuple[Any, ...] | None = None


def _stamp_query() -> Any:
    from django.db.models import Count, IntegerField, Max, Value

    # Grouped by a constant, which the ORM leaves out: one row, the aggregate's statement.
    return (
        RuleVersion.objects.order_by()
        .annotate(one=Value(1, IntegerField()))
        .values("one")
        .annotate(n=Count("id"), top=Max("id"), at=Max("changed_at"))
        .values_list("n", "top", "at")
    )


_STAMP = Prepared(RuleVersion, _stamp_query)


def version_stamp() -> tuple[Any, ...]:
    """(rows, newest id, last change) of the rule versions: any insert, edit or delete moves it.

    Read on every request: the ORM's statement compiled once per process (``Prepared``: the
    aggregate cost 0.4 ms of Python a request). Only compared with the previous stamp."""
    rows = _STAMP.rows()
    return rows[0] if rows else (0, None, None)


def _load() -> dict[str, list[Rule]]:
    global _cache, _stamp
    if _cache is None:
        stamp = version_stamp()
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
        _cache, _stamp = table, stamp
    return _cache


def clear_cache() -> None:
    global _cache, _stamp
    _cache = None
    _stamp = None


def refresh_if_changed(**kwargs: Any) -> None:
    """Drop this process's rules if the stamp moved since they were read (another process
    changed a rule). Connected to ``request_started`` and the tasks' ``task_started``."""
    try:
        stamp = version_stamp()  # read on every request, loaded or not: one query, always
    except DatabaseError:  # a database not migrated yet (collectstatic, a first `migrate`)
        return
    if _cache is not None and stamp != _stamp:
        clear_cache()


@receiver(post_save, sender=RuleVersion)
@receiver(post_delete, sender=RuleVersion)
def _rules_changed(**kwargs: Any) -> None:
    clear_cache()


def rule_in_force(key: str, *, on: dt.date) -> Rule:
    """The version of rule ``key`` in force on date ``on``."""
    rule = rule_or_none(key, on=on)
    if rule is None:
        raise RuleMissing(key, on)
    return rule


def rule_or_none(key: str, *, on: dt.date) -> Rule | None:
    """``rule_in_force``, or None where it raises, without building the refusal's message
    (an import's checks ask for thousands of dates, many before the rule's first version)."""
    for rule in reversed(_load().get(key, [])):
        if rule.valid_from <= on and (rule.valid_to is None or on < rule.valid_to):
            return rule
    return None


def all_rules() -> list[Rule]:
    return [rule for versions in _load().values() for rule in versions]
