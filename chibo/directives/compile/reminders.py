"""Reminders to the reporting units before a deadline (7 days and 1 day before)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.accounts.models import RoleAssignment
from chibo.core.notify import notify
from chibo.core.roles import ROLE_CAPS, Cap
from chibo.directives import selectors
from chibo.directives.models import (
    Assignment,
    Recurrence,
    ReportStatus,
)
from chibo.lib.dates import dmy

# Not a regulation: how many days ahead units are reminded (configurable here).
REMIND_BEFORE_DAYS = (7, 1)


# --- reminders -------------------------------------------------------------------


def _reporters(org_ids: set[int | None]) -> dict[int | None, list[Any]]:
    roles = [role for role, caps in ROLE_CAPS.items() if Cap.DIRECTIVE_REPORT in caps]
    out: dict[int | None, list[Any]] = {}
    for ra in RoleAssignment.objects.filter(
        org_id__in=org_ids, role__in=roles, user__is_active=True
    ).select_related("user"):
        out.setdefault(ra.org_id, []).append(ra.user)
    return out


def remind_due(*, today: dt.date | None = None) -> int:
    """Notify units whose report is due within the reminder days, or overdue; returns notices sent.

    Each notice has a dedupe key (assignment, period, which reminder), so a
    daily run never repeats one.
    """
    today = today or timezone.localdate()
    assignments = list(
        Assignment.objects.filter(org__isnull=False).select_related("task__document", "org")
    )
    users = _reporters({a.org_id for a in assignments})
    done = {
        (r["assignment_id"], r["period"])
        for r in selectors.ProgressReport.objects.filter(
            status__in=[ReportStatus.SUBMITTED, ReportStatus.ACCEPTED]
        ).values("assignment_id", "period")
    }
    sent = 0
    for assignment in assignments:
        task = assignment.task
        horizon = today + dt.timedelta(days=max(REMIND_BEFORE_DAYS))
        periods = selectors.task_periods(task, horizon)
        if task.recurrence != Recurrence.ONCE:
            periods = periods[-3:]  # the previous, current and (near its end) next period
        for period in periods:
            if (assignment.pk, period.key) in done:
                continue
            due = selectors.due_on(task, period)
            left = (due - today).days
            if left < 0:
                which = "overdue"
                message = _(
                    "Overdue: the report of %(unit)s on %(doc)s §%(section)s (%(period)s) was due on %(due)s."
                )
            elif left <= max(REMIND_BEFORE_DAYS):
                which = f"due{min(d for d in REMIND_BEFORE_DAYS if left <= d)}"
                message = _(
                    "Reminder: the report of %(unit)s on %(doc)s §%(section)s (%(period)s) is due on %(due)s."
                )
            else:
                continue
            text = message % {
                "unit": assignment.unit_name,
                "doc": task.document.symbol,
                "section": task.section,
                "period": period.label,
                "due": dmy(due),
            }
            for user in users.get(assignment.org_id, []):
                notice = notify(
                    user=user,
                    kind="directives.reminder",
                    message=text,
                    url=f"/directives/assignments/{assignment.pk}/",
                    dedupe_key=f"directives:{assignment.pk}:{period.key}:{which}",
                )
                sent += notice is not None
    return sent
