"""Each report as titled tables: what the page, the print view, XLSX and DOCX all show.

One description of the rows keeps the figures identical in every format.
Cells are typed: ``int`` (a count), ``pct`` (a percentage such as 5.16),
``vnd`` (an amount in đồng) or text; the formats decide how to write them. A
column has one kind; a row may override it (``row_kinds``) where one table
lists values of several kinds (activity health).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, overload

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chibo.core.periods import label as period_label
from chibo.lib.dates import dmy
from chibo.lib.numbers import round_pct
from chibo.members.models import Category, Gender, RemovalReason, Status
from chibo.orgs.models import SchoolLevel
from chibo.reports import figures, records

INT, PCT, MONEY, TEXT = "int", "pct", "vnd", "text"


@dataclass
class Table:
    title: str
    columns: list[tuple[str, str]]  # (header, kind)
    rows: list[list[Any]] = field(default_factory=list)
    # per row, the records behind it ("" if none)
    links: Sequence[str] = field(default_factory=list)
    row_kinds: list[list[str] | None] = field(default_factory=list)  # per row: its cells' kinds

    def kinds_of(self, index: int) -> list[str]:
        """The kinds of row ``index``'s cells (the columns' unless the row says otherwise)."""
        own = self.row_kinds[index] if index < len(self.row_kinds) else None
        if own:
            return list(own)
        return [kind for _header, kind in self.columns]

    @property
    def typed_rows(self) -> list[list[tuple[Any, str]]]:
        """Each row as (value, kind) pairs: what every format writes."""
        return [list(zip(row, self.kinds_of(i), strict=True)) for i, row in enumerate(self.rows)]


@dataclass
class ReportDoc:
    kind: str
    title: str
    subtitle: str
    org_code: str
    org_name: str
    tables: list[Table]


def _linked(table: Table, figures_of_rows: list[int], links: list[str]) -> None:
    """Each row's link to the members behind its figure; none where the figure is 0."""
    table.links = [link if n else "" for n, link in zip(figures_of_rows, links, strict=True)]


class _Links(Sequence[str]):
    """A table's links made when first read: only the report page reads them; an export of a
    city's 4,000 units would build 4,000 URLs for nothing (~60 ms)."""

    def __init__(self, make: Callable[[], list[str]]) -> None:
        self._make: Callable[[], list[str]] | None = make
        self._links: list[str] = []

    def _all(self) -> list[str]:
        if self._make is not None:
            self._links, self._make = self._make(), None
        return self._links

    def __len__(self) -> int:
        return len(self._all())

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        return self._all()[index]


def _linked_by_unit(
    table: Table, figures_of_rows: list[int], link: Callable[..., str], units: list[str]
) -> None:
    """``_linked`` for one row per unit (``units``: their codes), the links made when read."""
    table.links = _Links(
        lambda: [link(unit=u) if n else "" for n, u in zip(figures_of_rows, units, strict=True)]
    )


def _level_label(level: str) -> str:
    return str(SchoolLevel(level).label) if level in SchoolLevel.values else _("Not a school")


def admissions_doc(report: figures.AdmissionsReport) -> ReportDoc:
    data = report.breakdown()
    summary = Table(
        _("Admissions"),
        [(_("Indicator"), TEXT), (_("Number"), INT), (_("Share of all admissions"), PCT)],
    )
    summary.rows = [
        [_("Members admitted (all organizations)"), data["total_admissions"], None],
        [
            _("Students admitted by school party organizations"),
            data["school_students"],
            data["school_students_share_pct"],
        ],
        [
            _("Pupils admitted by school party organizations"),
            data["school_pupils"],
            data["school_pupils_share_pct"],
        ],
        [
            _("Students and pupils admitted by school party organizations"),
            data["school_students_and_pupils"],
            data["school_students_and_pupils_share_pct"],
        ],
    ]
    code = report.org.code
    when = {"start": report.start, "end": report.end}

    link = records.linker("admissions", code, when)

    _linked(
        summary,
        [row[1] for row in summary.rows],
        [
            link(),
            link(category=Category.STUDENT),
            link(category=Category.PUPIL),
            link(category=records.SCHOOL),
        ],
    )
    if "historical_admissions" in data:  # issue 20: the past admissions entered as records apart
        total = data["total_admissions"]
        links = list(summary.links)
        for label, n, origin in (
            (
                _("Admitted through the admission path in chibo"),
                data["admissions_in_chibo"],
                "chibo",
            ),
            (
                _("Past admissions entered as records (decided before chibo)"),
                data["historical_admissions"],
                "past",
            ),
        ):
            summary.rows.append([label, n, figures.share_pct(n, total)])
            links.append(link(origin=origin) if n else "")
        summary.links = links
    past = (
        [(_("Of these, entered as past records"), INT)] if "historical_admissions" in data else []
    )

    def past_of(row: dict[str, Any]) -> list[Any]:
        return [row["historical_admissions"]] if past else []

    counted = [
        (_("Admissions"), INT),
        (_("Students"), INT),
        (_("Pupils"), INT),
        (_("Students and pupils"), INT),
        *past,
    ]
    whole = (_("Share of all admissions (whole organization)"), PCT)

    def counts(row: dict[str, Any], *, of_whole: bool = True) -> list[Any]:
        """Counts, the row's own share, and (``of_whole``) the share of the report's total."""
        out = [
            row["total_admissions"],
            row["school_students"],
            row["school_pupils"],
            row["school_students_and_pupils"],
            *past_of(row),
            row["school_students_and_pupils_share_pct"],
        ]
        return [*out, row["share_of_total_pct"]] if of_whole else out

    by_unit = Table(
        _("By unit"),
        [
            (_("Code"), TEXT),
            (_("Unit"), TEXT),
            *counted,
            (_("Share of the unit's admissions"), PCT),
            whole,
        ],
    )
    for row in data["by_unit"]:
        by_unit.rows.append([row["org"], row["name"], *counts(row)])
    _linked_by_unit(
        by_unit,
        [r["total_admissions"] for r in data["by_unit"]],
        link,
        [r["org"] for r in data["by_unit"]],
    )
    by_level = Table(
        _("By school level"),
        [(_("School level"), TEXT), *counted, (_("Share of the level's admissions"), PCT), whole],
    )
    by_level.rows = [[_level_label(r["school_level"]), *counts(r)] for r in data["by_school_level"]]
    _linked(
        by_level,
        [r["total_admissions"] for r in data["by_school_level"]],
        [link(level=r["school_level"] or records.NO_LEVEL) for r in data["by_school_level"]],
    )
    by_year = Table(
        _("By year"),
        [(_("Year"), TEXT), *counted, (_("Share of the year's admissions"), PCT)],
    )
    by_year.rows = [[str(r["year"]), *counts(r, of_whole=False)] for r in data["by_year"]]
    _linked(
        by_year,
        [r["total_admissions"] for r in data["by_year"]],
        [link(year=r["year"]) for r in data["by_year"]],
    )
    return ReportDoc(
        "admissions",
        _("Admissions of students and pupils"),
        _("From %(start)s to %(end)s") % {"start": dmy(report.start), "end": dmy(report.end)},
        report.org.code,
        report.org.name,
        [summary, by_unit, by_level, by_year],
    )


def removals_doc(report: figures.RemovalsReport) -> ReportDoc:
    data = report.as_dict()
    summary = Table(_("Removals"), [(_("Indicator"), TEXT), (_("Number"), INT)])
    summary.rows = [
        [_("Removed from the rolls or expelled"), data["total_removals"]],
        [_("Removed from the rolls"), data["removed"]],
        [_("Expelled"), data["expelled"]],
        [
            _("Students removed for abandoning party activity"),
            data["students_removed_abandoned_activity"],
        ],
    ]
    when = {"start": report.start, "end": report.end}

    link = records.linker("removals", report.org.code, when)

    _linked(
        summary,
        [row[1] for row in summary.rows],
        [link(), link(kind="removed"), link(kind="expelled"), link(abandoned="1")],
    )
    reasons = Table(_("Removals by reason"), [(_("Reason"), TEXT), (_("Number"), INT)])
    reasons.rows = [[str(RemovalReason(r).label), n] for r, n in data["by_reason"].items()]
    _linked(
        reasons,
        list(data["by_reason"].values()),
        [link(kind="removed", reason=r) for r in data["by_reason"]],
    )
    cols = [
        (_("Removed"), INT),
        (_("Expelled"), INT),
        (_("Students removed for abandoning activity"), INT),
    ]

    def counts(v: dict[str, int]) -> list[int]:
        return [v["removed"], v["expelled"], v["students_removed_abandoned_activity"]]

    by_cat = Table(_("By category"), [(_("Category"), TEXT), *cols])
    by_cat.rows = [[str(Category(c).label), *counts(v)] for c, v in data["by_category"].items()]
    _linked(
        by_cat,
        [v["removed"] + v["expelled"] for v in data["by_category"].values()],
        [link(category=c) for c in data["by_category"]],
    )
    by_year = Table(_("By year"), [(_("Year"), TEXT), *cols])
    by_year.rows = [[str(r["year"]), *counts(r)] for r in data["by_year"]]
    _linked(
        by_year,
        [r["removed"] + r["expelled"] for r in data["by_year"]],
        [link(year=r["year"]) for r in data["by_year"]],
    )
    by_unit = Table(_("By unit"), [(_("Code"), TEXT), (_("Unit"), TEXT), *cols])
    by_unit.rows = [[r["org"], r["name"], *counts(r)] for r in data["by_unit"]]
    _linked_by_unit(
        by_unit,
        [r["removed"] + r["expelled"] for r in data["by_unit"]],
        link,
        [r["org"] for r in data["by_unit"]],
    )
    return ReportDoc(
        "removals",
        _("Removals from the rolls and expulsions"),
        _("From %(start)s to %(end)s") % {"start": dmy(report.start), "end": dmy(report.end)},
        report.org.code,
        report.org.name,
        [summary, reasons, by_cat, by_year, by_unit],
    )


AGE_LABELS = {
    "under_30": "< 30",
    "30_39": "30–39",
    "40_49": "40–49",
    "50_59": "50–59",
    "60_plus": "≥ 60",
}


def composition_doc(report: figures.CompositionReport) -> ReportDoc:
    data = report.as_dict()
    total = data["total_members"]
    when = {"as_of": report.as_of}

    link = records.linker("composition", report.org.code, when)

    def share_table(
        title: str, head: str, items: list[tuple[str, int]], facets: list[dict[str, str]]
    ) -> Table:
        table = Table(title, [(head, TEXT), (_("Members"), INT), (_("Share"), PCT)])
        table.rows = [[label, n, figures.share_pct(n, total)] for label, n in items]
        _linked(table, [n for _label, n in items], [link(**f) for f in facets])
        return table

    summary = share_table(
        _("Membership"),
        _("Indicator"),
        [
            (_("Members on the rolls"), total),
            (_("Full members"), data["full"]),
            (_("Probationary members"), data["probationary"]),
        ],
        [{}, {"standing": "full"}, {"standing": "probationary"}],
    )
    tables = [
        summary,
        share_table(
            _("By status"),
            _("Status"),
            [(str(Status(s).label), n) for s, n in data["by_status"].items()],
            [{"status": s} for s in data["by_status"]],
        ),
        share_table(
            _("By category"),
            _("Category"),
            [(str(Category(c).label), n) for c, n in data["by_category"].items()],
            [{"category": c} for c in data["by_category"]],
        ),
        share_table(
            _("By gender"),
            _("Gender"),
            [(str(Gender(g).label), n) for g, n in data["by_gender"].items()],
            [{"gender": g} for g in data["by_gender"]],
        ),
        share_table(
            _("By age"),
            _("Age"),
            [(AGE_LABELS[b], n) for b, n in data["by_age_band"].items()],
            [{"age": b} for b in data["by_age_band"]],
        ),
        share_table(
            _("By school level"),
            _("School level"),
            [(_level_label(lv), n) for lv, n in data["by_school_level"].items()],
            [{"level": lv or records.NO_LEVEL} for lv in data["by_school_level"]],
        ),
    ]
    by_unit = Table(
        _("By unit"),
        [
            (_("Code"), TEXT),
            (_("Unit"), TEXT),
            (_("Members"), INT),
            (_("Full members"), INT),
            (_("Probationary members"), INT),
        ],
    )
    for r in data["by_unit"]:
        by_unit.rows.append([r["org"], r["name"], r["total"], r["full"], r["probationary"]])
    _linked_by_unit(
        by_unit, [r["total"] for r in data["by_unit"]], link, [r["org"] for r in data["by_unit"]]
    )
    tables.append(by_unit)
    return ReportDoc(
        "composition",
        _("Membership composition"),
        _("As of %(date)s") % {"date": dmy(report.as_of)},
        report.org.code,
        report.org.name,
        tables,
    )


def _pct_value(value: Any) -> Decimal:
    """A percentage from another app (float, Decimal, int) as 2 decimals, rounded half-up."""
    return round_pct(value)


def _money_value(value: Any) -> int:
    """An amount of đồng as a whole number."""
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


# The activity health table: (key, label, kind), in this order.
ACTIVITY_ROWS = (
    ("cells", gettext_lazy("Party cells"), INT),
    (
        "cells_missing_meetings",
        gettext_lazy("Cells missing their monthly or thematic meeting"),
        INT,
    ),
    (
        "cells_without_activity_data",
        gettext_lazy("Cells without activity data (no meeting or dues recorded)"),
        INT,
    ),
    ("monthly_meetings_held_pct", gettext_lazy("Monthly meetings held (%)"), PCT),
    ("thematic_meetings_held_pct", gettext_lazy("Thematic meetings held (%)"), PCT),
    ("attendance_rate_pct", gettext_lazy("Attendance rate (%)"), PCT),
    ("dues_collected", gettext_lazy("Party dues collected (VND)"), MONEY),
    ("open_warnings", gettext_lazy("Open warnings"), INT),
    ("overdue_tasks", gettext_lazy("Overdue tasks"), INT),
)


def _span(first: Any, last: Any) -> str:
    if isinstance(first, dt.date) and isinstance(last, dt.date):
        return f"{dmy(first)} – {dmy(last)}"
    return ""


def _activity_periods(data: dict[str, Any]) -> dict[str, str]:
    """The period each health figure measures, when the activity app says it."""
    months = _span(data.get("period_start"), data.get("period_end"))
    return {
        "monthly_meetings_held_pct": months,
        "attendance_rate_pct": months,
        "thematic_meetings_held_pct": period_label(data.get("quarter") or ""),
        "dues_collected": _span(data.get("dues_from"), data.get("dues_to")),
    }


def activity_doc(org_code: str, org_name: str, data: dict[str, Any]) -> ReportDoc:
    """One row per figure; a figure its app does not provide yet reads "no data yet"."""
    table = Table(_("Activity health"), [(_("Indicator"), TEXT), (_("Value"), TEXT)])
    periods = _activity_periods(data)
    for key, label, kind in ACTIVITY_ROWS:
        value = data.get(key)
        text = f"{label} ({periods[key]})" if periods.get(key) and value is not None else str(label)
        if value is None:
            table.rows.append([text, _("no data yet")])
            table.row_kinds.append([TEXT, TEXT])
            continue
        if kind == PCT:
            value = _pct_value(value)
        elif kind == MONEY:
            value = _money_value(value)
        table.rows.append([text, value])
        table.row_kinds.append([TEXT, kind])
    return ReportDoc(
        "activity",
        _("Activity health"),
        _("As of %(date)s") % {"date": dmy(data["as_of"])},
        org_code,
        org_name,
        [table],
    )
