"""The system's own figures for a compiled report, from the members' event log.

What directive 1000-CV/TU asks the city to watch (its footnote and its
opening): admissions of students and pupils by school party organizations,
as counts and as shares of all admissions in the period, and student
members removed for abandoning party activity.

Aggregates only (no personal data leaves this module). The counts come
from ``chibo.reports.figures``, which places each event in the org tree as
it stood on its date: one definition for the compiled report and the
statistics.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from chibo.lib.numbers import fraction
from chibo.orgs.models import Org


@dataclass(frozen=True)
class SystemFigures:
    period_start: dt.date
    period_end: dt.date
    org_code: str
    admissions_total: int
    admissions_students: int
    admissions_pupils: int
    removals_students_abandoned: int
    # Of the admissions, the past ones entered as records (decided before chibo; issue 20).
    # None: not counted (a compiled report made before it was).
    admissions_historical: int | None = None

    @property
    def admissions_school(self) -> int:
        return self.admissions_students + self.admissions_pupils

    def share(self, count: int) -> float:
        return fraction(count, self.admissions_total)

    def as_dict(self) -> dict[str, Any]:
        """Counts, and shares as fractions at full precision: every display rounds them once,
        half-up (``chibo.lib.numbers``), from the counts."""
        data = asdict(self)
        data["period_start"] = self.period_start.isoformat()
        data["period_end"] = self.period_end.isoformat()
        data["admissions_school"] = self.admissions_school
        if self.admissions_historical is None:
            del data["admissions_historical"]
        else:
            data["admissions_in_chibo"] = self.admissions_total - self.admissions_historical
        data["share_students"] = self.share(self.admissions_students)
        data["share_pupils"] = self.share(self.admissions_pupils)
        data["share_school"] = self.share(self.admissions_school)
        return data


# (key in as_dict, label, the count a share divides by the total, or "" for a count). A row
# whose key is in OPTIONAL_ROWS is left out of a compiled report made before it was counted.
OPTIONAL_ROWS = frozenset({"admissions_in_chibo", "admissions_historical"})
FIGURE_ROWS: list[tuple[str, Any, str]] = [
    ("admissions_total", _("Members admitted in the period (whole organization)"), ""),
    ("admissions_in_chibo", _("of whom admitted through the admission path in chibo"), ""),
    (
        "admissions_historical",
        _("of whom past admissions entered as records (decided before chibo)"),
        "",
    ),
    (
        "admissions_school",
        _("of whom students and pupils admitted by school party organizations"),
        "",
    ),
    ("share_school", _("share of all admissions"), "admissions_school"),
    ("admissions_students", _("students (university, college, vocational)"), ""),
    ("share_students", _("students: share of all admissions"), "admissions_students"),
    ("admissions_pupils", _("pupils (upper secondary)"), ""),
    ("share_pupils", _("pupils: share of all admissions"), "admissions_pupils"),
    (
        "removals_students_abandoned",
        _("Student members removed for abandoning party activity"),
        "",
    ),
]


# The counts are reports' (``reports.figures``: each event placed in the org tree as it
# stood on its date). Reports sits above directives (docs/architecture.md, "Layers"), so it
# registers its counter here in ``ReportsConfig.ready``.
counter: Callable[[Org, dt.date, dt.date], SystemFigures] | None = None


def system_figures(*, root: Org, start: dt.date, end: dt.date) -> SystemFigures:
    """Counts for events dated in [start, end] in ``root``'s subtree (the tree of each date)."""
    assert counter is not None, "the reports app registers directives.figures.counter"
    return counter(root, start, end)
