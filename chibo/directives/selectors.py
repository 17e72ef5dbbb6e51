"""Reads of the register, tasks and reports, always from the actor's scope.

A document is visible to an actor whose directive scope covers the org
whose register holds it, or an org named as its recipient, or an org given
one of its tasks (a unit sees the directive that assigns it work).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.core.roles import Cap
from chibo.core.scoping import scope_for
from chibo.directives import periods as P
from chibo.directives.models import (
    Assignment,
    CommitteeTerm,
    CompiledReport,
    Document,
    ProgressReport,
    Recipient,
    Recurrence,
    ReportStatus,
    Task,
)
from chibo.lib.numbers import whole_number
from chibo.lib.text import fold
from chibo.orgs.models import Org, OrgKind
from chibo.orgs.selectors import orgs_for


def documents_for(actor: Any) -> QuerySet[Document]:
    scope = scope_for(actor, Cap.DIRECTIVE_VIEW)
    if scope.is_empty:
        return Document.objects.none()
    return Document.objects.filter(
        scope.q("org__")
        | Q(pk__in=Recipient.objects.filter(scope.q("org__")).values("document_id"))
        | Q(pk__in=Assignment.objects.filter(scope.q("org__")).values("task__document_id"))
    )


@dataclass(frozen=True)
class DocumentFilter:
    q: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    direction: str = ""


def document_search(actor: Any, flt: DocumentFilter) -> QuerySet[Document]:
    """By number, symbol or title words (diacritics ignored, every word must match) and dates."""
    qs = documents_for(actor)
    words = fold(flt.q).split()
    number = whole_number(words[0], low=1, high=10**9) if len(words) == 1 else None
    if number is not None:
        qs = qs.filter(Q(number=number) | Q(search_folded__contains=words[0]))
    else:
        for word in words:
            qs = qs.filter(search_folded__contains=word)
    if flt.date_from:
        qs = qs.filter(issued_on__gte=flt.date_from)
    if flt.date_to:
        qs = qs.filter(issued_on__lte=flt.date_to)
    if flt.direction:
        qs = qs.filter(direction=flt.direction)
    return qs.select_related("org").order_by("-issued_on", "-id")


def get_document_for(actor: Any, pk: int, *, manage: bool = False) -> Document:
    """The document if ``actor`` may see it (404); with ``manage``, 403 unless it may manage it."""
    document = (
        documents_for(actor).select_related("org", "term", "attachment").filter(pk=pk).first()
    )
    if document is None:
        raise Http404(_("No such document in your scope."))
    if manage and not can_manage(actor, document):
        raise PermissionDenied(_("Your role may read this document but not change it."))
    return document


def can_manage(actor: Any, document: Document) -> bool:
    return scope_for(actor, Cap.DIRECTIVE_MANAGE).covers(document.org)


def can_report(actor: Any, assignment: Assignment) -> bool:
    return scope_for(actor, Cap.DIRECTIVE_REPORT).covers(assignment.org)


def can_view_assignment(actor: Any, assignment: Assignment) -> bool:
    """The unit's own assignment, or any assignment of a document in the actor's register."""
    view = scope_for(actor, Cap.DIRECTIVE_VIEW)
    return view.covers(assignment.org) or view.covers(assignment.task.document.org)


def get_assignment_for(actor: Any, pk: int, *, report: bool = False) -> Assignment:
    assignment = (
        Assignment.objects.select_related("task__document__org", "org").filter(pk=pk).first()
    )
    if assignment is None or not can_view_assignment(actor, assignment):
        raise Http404(_("No such assignment in your scope."))
    if report and not can_report(actor, assignment):
        raise PermissionDenied(_("Your role may read this task but not report on it."))
    return assignment


def get_report_for(actor: Any, pk: int) -> ProgressReport:
    report = ProgressReport.objects.select_related("assignment").filter(pk=pk).first()
    if report is None:
        raise Http404(_("No such report in your scope."))
    get_assignment_for(actor, report.assignment_id)
    return report


def get_compiled_for(actor: Any, pk: int) -> CompiledReport:
    """A compiled report holds every unit's figures: seeing the directive is not enough.

    An issued one has the scope of its output document (the issuer's register,
    its recipients); a draft (no output yet) that of the issuer's register.
    """
    compiled = (
        CompiledReport.objects.select_related("output__attachment", "directive__org")
        .filter(pk=pk)
        .first()
    )
    if compiled is None or not _may_read_compilation(actor, compiled):
        raise Http404(_("No such report in your scope."))
    return compiled


def _may_read_compilation(actor: Any, compiled: CompiledReport) -> bool:
    if compiled.output_id is not None:
        return documents_for(actor).filter(pk=compiled.output_id).exists()
    return scope_for(actor, Cap.DIRECTIVE_VIEW).covers(compiled.directive.org)


def compilations_for(actor: Any, document: Document) -> QuerySet[CompiledReport]:
    """The compiled reports of ``document`` that ``actor`` may read (``get_compiled_for``)."""
    issued = Q(output__in=documents_for(actor).values("pk"))
    if scope_for(actor, Cap.DIRECTIVE_VIEW).covers(document.org):
        issued |= Q(output__isnull=True)  # the issuer's drafts
    return document.compilations.select_related("output").filter(issued)


def links_of(document: Document) -> dict[str, list[Any]]:
    return {
        "out": list(document.links_out.select_related("target").all()),
        "in": list(document.links_in.select_related("source").all()),
    }


def visible_document_ids(actor: Any, ids: Iterable[int | None]) -> set[int]:
    """Which of ``ids`` the actor may open (``get_document_for``): the pages link only those."""
    wanted = {pk for pk in ids if pk is not None}
    if not wanted:
        return set()
    return set(documents_for(actor).filter(pk__in=wanted).values_list("pk", flat=True))


def visible_assignment_ids(actor: Any, assignments: Iterable[Assignment]) -> set[int]:
    """Which assignments the actor may open (``get_assignment_for``)."""
    return {a.pk for a in assignments if can_view_assignment(actor, a)}


# Newest document first, then the task, then the unit: the page's and the API's order.
ASSIGNMENT_ORDER = ("-task__document__issued_on", "task_id", "id")


def my_assignments(actor: Any) -> QuerySet[Assignment]:
    """Assignments the actor's units must report on."""
    scope = scope_for(actor, Cap.DIRECTIVE_REPORT)
    if scope.is_empty:
        return Assignment.objects.none()
    return (
        Assignment.objects.filter(scope.q("org__"))
        .select_related("task__document", "org")
        .order_by(*ASSIGNMENT_ORDER)
    )


# --- periods and the status board --------------------------------------------------


def task_periods(task: Task, today: dt.date | None = None) -> list[P.Period]:
    """The reporting periods of a task that have started by ``today``."""
    today = today or timezone.localdate()
    if task.recurrence == Recurrence.ONCE:
        end = task.deadline or task.starts_on
        return [P.Period(P.ONCE_KEY, task.starts_on, end)]
    until = min(today, task.ends_on) if task.ends_on else today
    return P.periods_between(task.recurrence, task.starts_on, until)


def due_on(task: Task, period: P.Period) -> dt.date:
    if task.recurrence == Recurrence.ONCE:
        return task.deadline or period.end
    return period.end + dt.timedelta(days=task.report_due_days)


def find_period(task: Task, key: str) -> P.Period | None:
    if task.recurrence == Recurrence.ONCE:
        return task_periods(task)[0] if key == P.ONCE_KEY else None
    try:
        period = P.parse_period(key)
    except ValueError:
        return None
    if P.period_containing(task.recurrence, period.start) != period:
        return None
    if period.end < task.starts_on or (task.ends_on and period.start > task.ends_on):
        return None
    return period


_EVERY_UNIT: Any = object()  # status_board without an actor: the system sees every unit


@dataclass
class BoardRow:
    assignment: Assignment
    report: ProgressReport | None
    due_on: dt.date
    state: str  # missing | draft | submitted | accepted | returned
    overdue: bool
    late: bool


@dataclass
class Board:
    task: Task
    period: P.Period
    rows: list[BoardRow] = field(default_factory=list)
    hidden: int = 0  # units whose reports the viewer may not see (no status shown for them)

    @property
    def reported(self) -> int:
        return sum(
            1 for r in self.rows if r.state in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)
        )

    @property
    def overdue(self) -> int:
        return sum(1 for r in self.rows if r.overdue)


def status_board(
    task: Task, period: P.Period, today: dt.date | None = None, *, actor: Any = _EVERY_UNIT
) -> Board:
    """Who has and has not reported on ``task`` for ``period``; overdue = not in and past due.

    With ``actor``, only the units whose reports it may see (``can_view_assignment``:
    the unit, or the register that holds the directive, is in its scope) are on the
    board, with their status and reports; the others are only counted (``hidden``).
    Without it (the system: compilation, counts), every unit.
    """
    today = today or timezone.localdate()
    due = due_on(task, period)
    # A unit dissolved before the period began has nothing to report for it.
    assignments = [
        a
        for a in task.assignments.select_related("org", "task__document__org")
        if a.org is None or a.org.closed_on is None or a.org.closed_on > period.start
    ]
    hidden = 0
    if actor is not _EVERY_UNIT:
        shown = [a for a in assignments if can_view_assignment(actor, a)]
        hidden = len(assignments) - len(shown)
        assignments = shown
    reports = {
        r.assignment_id: r
        for r in ProgressReport.objects.filter(assignment__task=task, period=period.key)
    }
    board = Board(task=task, period=period, hidden=hidden)
    for assignment in assignments:
        report = reports.get(assignment.pk)
        state = report.status if report else ("missing" if assignment.org_id else "outside")
        is_in = state in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED, "outside")
        board.rows.append(
            BoardRow(
                assignment=assignment,
                report=report,
                due_on=report.due_on if report else due,
                state=state,
                overdue=not is_in and today > due,
                late=bool(report and report.is_late),
            )
        )
    return board


def directive_periods(document: Document, today: dt.date | None = None) -> list[P.Period]:
    """Every period any recurring task of the directive has reached, newest first; a one-off
    task counts in the half-year of its deadline (that half-year's report includes it)."""
    keyed: dict[str, P.Period] = {}
    today = today or timezone.localdate()
    for task in document.tasks.all():
        if task.recurrence == Recurrence.ONCE:
            if task.deadline is not None and task.deadline <= max(today, task.deadline):
                half = P.period_containing(P.SEMIANNUAL, task.deadline)
                if half.start <= today:
                    keyed.setdefault(half.key, half)
            continue
        for period in task_periods(task, today):
            keyed[period.key] = period
    return sorted(keyed.values(), key=lambda p: (p.start, p.key), reverse=True)


def already_registered(org: Org | None, symbol: str | None, day: dt.date | None) -> bool:
    """The same document (symbol and date) is already in ``org``'s incoming register."""
    if org is None or not symbol or day is None:
        return False
    return Document.objects.filter(
        org=org, direction="in", symbol_folded=fold(symbol), issued_on=day
    ).exists()


# --- committee terms -------------------------------------------------------------------


def term_covering(org: Org, day: dt.date) -> CommitteeTerm | None:
    return (
        CommitteeTerm.objects.filter(org=org, starts_on__lte=day)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
        .first()
    )


# By org (the tree's order), newest term first: the page's and the API's order.
TERM_ORDER = ("org__path", "-starts_on", "id")


def terms_for(actor: Any, code: str = "") -> QuerySet[CommitteeTerm]:
    """Terms of the orgs the actor manages (one org's when ``code`` is given), by org then
    newest first; the page and the API page it (a city's terms grow with its tree)."""
    scope = scope_for(actor, Cap.DIRECTIVE_MANAGE)
    if scope.is_empty:
        return CommitteeTerm.objects.none()
    qs = CommitteeTerm.objects.filter(scope.q("org__")).select_related("org")
    if code:
        qs = qs.filter(org__code=code)
    return qs.order_by(*TERM_ORDER)


def term_org_choices(actor: Any) -> list[Org]:
    """Open orgs the actor manages (the terms form's datalist), at most 500."""
    return list(
        orgs_for(actor, Cap.DIRECTIVE_MANAGE)
        .filter(closed_on__isnull=True)
        .order_by("path")
        .only("code", "name")[:500]
    )


def group_orgs(actor: Any, group: str) -> list[Org]:
    """A named group of units (one assignment each: fan-out); ``actor=None`` is the whole tree."""
    scoped = Org.objects.all() if actor is None else orgs_for(actor, Cap.DIRECTIVE_MANAGE)
    scoped = scoped.filter(closed_on__isnull=True)
    if group == "direct_all":
        return list(scoped.filter(kind=OrgKind.DIRECT_COMMITTEE))
    if group == "direct_schools":
        direct = list(scoped.filter(kind=OrgKind.DIRECT_COMMITTEE))
        school_paths = list(
            Org.objects.exclude(school_level="")
            .filter(closed_on__isnull=True)
            .values_list("path", flat=True)
        )
        return [o for o in direct if any(p.startswith(o.path) for p in school_paths)]
    if group == "schools":
        return list(
            scoped.exclude(school_level="").filter(
                kind__in=[OrgKind.GRASSROOTS_COMMITTEE, OrgKind.GRASSROOTS_CELL]
            )
        )
    return []


def overdue_tasks(actor: Any, root: Org, as_of: dt.date) -> int:
    """Assignments of units under ``root`` whose latest period's report is not in and past due.

    The tasks are those with an assignment under ``root`` in the actor's scope; each task's
    overdue rows are counted as ``status_board`` marks them (a unit open at the period's
    start, with no submitted or accepted report for it, after the period's due date), in
    one count per task past due instead of a board of model rows per task.
    """
    assignments = Assignment.objects.filter(root.subtree_filter("org__"))
    if actor is not None:
        assignments = assignments.filter(scope_for(actor, Cap.DIRECTIVE_VIEW).q("org__"))
    tasks = Task.objects.filter(pk__in=assignments.values("task_id"))
    overdue = 0
    for task in tasks:
        periods = task_periods(task, as_of)
        if not periods:
            continue
        latest = max(periods, key=lambda p: p.start)
        if as_of <= due_on(task, latest):
            continue
        reported = ProgressReport.objects.filter(
            assignment=OuterRef("pk"),
            period=latest.key,
            status__in=(ReportStatus.SUBMITTED, ReportStatus.ACCEPTED),
        )
        overdue += (
            Assignment.objects.filter(root.subtree_filter("org__"), task=task)
            .filter(Q(org__closed_on__isnull=True) | Q(org__closed_on__gt=latest.start))
            .exclude(Exists(reported))
            .count()
        )
    return overdue
