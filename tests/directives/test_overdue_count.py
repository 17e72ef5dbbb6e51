"""The dashboard's count of overdue tasks (issue 24): counted in SQL per task past due, equal to
what the status boards mark overdue, without loading the assignments as model rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chibo.directives import selectors, services
from chibo.directives.models import Assignment, Recurrence, Task
from chibo.orgs.models import Org
from tests import factories as f

pytestmark = pytest.mark.django_db


def _boards_overdue(actor: Any, root: Org, as_of: dt.date) -> int:
    """The count as the status boards give it (the code before issue 24's change)."""
    assignments = Assignment.objects.filter(root.subtree_filter("org__")).select_related("task")
    if actor is not None:
        from chibo.core.roles import Cap
        from chibo.core.scoping import scope_for

        assignments = assignments.filter(scope_for(actor, Cap.DIRECTIVE_VIEW).q("org__"))
    overdue = 0
    for task in {a.task for a in assignments}:
        periods = selectors.task_periods(task, as_of)
        if not periods:
            continue
        latest = max(periods, key=lambda p: p.start)
        board = selectors.status_board(task, latest, as_of)
        overdue += sum(
            1
            for row in board.rows
            if row.overdue
            and row.assignment.org is not None
            and root.path <= row.assignment.org.path < root.path_bound
        )
    return overdue


@pytest.fixture
def tasks(t: dict[str, Org], task: Task, directive: Any, unit_user: Any) -> list[Task]:
    """The semiannual task (Khối and Quận 1), a one-off task with a deadline (the university, a
    cell closed since, the school), reports in several states."""
    once = services.task_create(
        actor=None,
        document=directive,
        section="2",
        title="Tổng kết công tác phát triển đảng viên",
        recurrence=Recurrence.ONCE,
        deadline=dt.date(2024, 3, 31),
        orgs=[t["uni"], t["cell_b"], t["school"]],
    )
    khoi = task.assignments.get(org=t["khoi"])
    report = services.report_save(actor=unit_user, assignment=khoi, period="2024-H1", text="x")
    services.report_submit(actor=unit_user, report=report)
    services.report_save(
        actor=None, assignment=task.assignments.get(org=t["district"]), period="2023-H2", text="y"
    )  # a draft: not in
    uni = once.assignments.get(org=t["uni"])
    report = services.report_save(actor=None, assignment=uni, period="once", text="z")
    services.report_submit(actor=None, report=report)
    yearly = services.task_create(
        actor=None,
        document=directive,
        section="4",
        title="Báo cáo năm",
        recurrence=Recurrence.YEARLY,
        starts_on=dt.date(2023, 1, 1),
        ends_on=dt.date(2023, 12, 31),
        report_due_days=10,
        orgs=[t["khoi"], t["district"], t["school"]],
    )
    report = services.report_save(
        actor=None, assignment=yearly.assignments.get(org=t["khoi"]), period="2023", text="n"
    )
    services.report_review(
        actor=None, report=services.report_submit(actor=None, report=report), accept=True
    )
    Org.objects.filter(pk=t["cell_b"].pk).update(closed_on=dt.date(2023, 6, 1))
    return [task, once, yearly]


DAYS = [
    dt.date(2023, 7, 1),
    dt.date(2024, 1, 10),
    dt.date(2024, 1, 11),
    dt.date(2024, 4, 1),
    dt.date(2024, 7, 10),
    dt.date(2024, 7, 11),
    dt.date(2025, 2, 1),
]


def test_the_count_is_what_the_status_boards_mark_overdue(
    t: dict[str, Org], tasks: list[Task], office_user: Any, outside_user: Any, unit_user: Any
) -> None:
    seen = set()
    for actor in (None, office_user, outside_user, unit_user):
        for root in (t["city"], t["khoi"], t["district"], t["uni"]):
            for day in DAYS:
                expected = _boards_overdue(actor, root, day)
                assert selectors.overdue_tasks(actor, root, day) == expected, (actor, root, day)
                seen.add(expected)
    assert len(seen) >= 3, seen  # the cases differ: not all zeros


def test_after_a_report_or_a_new_assignment_the_count_is_the_boards(
    t: dict[str, Org], tasks: list[Task], unit_user: Any
) -> None:
    day = dt.date(2025, 1, 11)
    before = selectors.overdue_tasks(None, t["city"], day)
    report = services.report_save(
        actor=None, assignment=tasks[1].assignments.get(org=t["school"]), period="once", text="w"
    )
    assert (
        selectors.overdue_tasks(None, t["city"], day)
        == before
        == _boards_overdue(None, t["city"], day)
    )
    services.report_submit(actor=None, report=report)
    assert selectors.overdue_tasks(None, t["city"], day) == before - 1
    assert selectors.overdue_tasks(None, t["city"], day) == _boards_overdue(None, t["city"], day)
    f.org("Q1-P2", "Chi bộ Khu phố 2", "grassroots_cell", t["district"])
    services.task_create(
        actor=None,
        document=tasks[0].document,
        section="3",
        title="Báo cáo quý",
        recurrence=Recurrence.QUARTERLY,
        starts_on=dt.date(2024, 1, 1),
        ends_on=dt.date(2024, 12, 31),
        report_due_days=5,
        orgs=list(Org.objects.filter(code__in=["Q1-P2", "Q1-P1"])),
    )
    assert selectors.overdue_tasks(None, t["city"], day) == _boards_overdue(None, t["city"], day)
    assert (
        selectors.overdue_tasks(None, t["city"], day) == before - 1 + 2
    )  # 2024-Q4 of both wards, due 5/1


def test_the_count_loads_no_assignment_or_report_rows(
    t: dict[str, Org], tasks: list[Task], office_user: Any
) -> None:
    with CaptureQueriesContext(connection) as queries:
        selectors.overdue_tasks(office_user, t["city"], dt.date(2025, 2, 1))
    rows = [
        q["sql"][:120]
        for q in queries
        if '"directives_assignment"."unit_name"' in q["sql"]
        or '"directives_progressreport"."text"' in q["sql"]
    ]
    assert rows == []
    # One statement for the tasks, one count per task past due.
    assert len(queries) <= 1 + len(tasks), [q["sql"][:120] for q in queries]
