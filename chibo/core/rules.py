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
import threading
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
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
# Each request and each background task reads the stamp again (one small query) at its first
# use of a rule, and drops the copy when another process changed a rule meanwhile: an edit in
# one gunicorn worker reaches all of them by their next request that reads a rule. A request
# that reads no rule (a search, a record, most reads) reads no stamp (issue 22: one round
# trip less on each of them).
_cache: dict[str, list[Rule]] | None = None
_stamp: tuple[Any, ...] | None = None
# Per thread (a threaded server runs several requests at once): whether this request or task
# has still to compare the stamp. Outside requests and tasks (commands, shells) nothing is
# compared, as before: the process's own edits clear its copy (``_rules_changed``).
_unchecked = threading.local()


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

    Read at the first rule of each request: the ORM's statement compiled once per process
    (``Prepared``: the aggregate cost 0.4 ms of Python a request). Only compared with the
    previous stamp."""
    rows = _STAMP.rows()
    return rows[0] if rows else (0, None, None)


def _load() -> dict[str, list[Rule]]:
    global _cache, _stamp
    if getattr(_unchecked, "flag", False):
        _unchecked.flag = False
        if _cache is not None and version_stamp() != _stamp:
            clear_cache()  # another process changed a rule since this copy was read
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
    """A request or a task starts: its first rule compares the stamp (``_load``) and drops
    this process's rules if another process changed one since they were read. Connected to
    ``request_started`` and the tasks' ``task_started``; no statement of its own."""
    _unchecked.flag = True


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
