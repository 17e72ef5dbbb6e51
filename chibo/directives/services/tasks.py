"""Tasks of a directive and their assignment to orgs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chibo.core import audit
from chibo.core.roles import Cap
from chibo.core.scoping import require_cap_on
from chibo.directives.models import (
    Assignment,
    Document,
    Recurrence,
    Task,
)
from chibo.lib.text import fold
from chibo.orgs.models import Org

# --- tasks ---------------------------------------------------------------------


def task_create(
    *,
    actor: Any,
    document: Document,
    section: str,
    title: str,
    text: str = "",
    lead_person: str = "",
    deadline: dt.date | None = None,
    recurrence: str = Recurrence.ONCE,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    report_due_days: int = 5,
    orgs: Iterable[Org] = (),
    named_units: Iterable[str] = (),
) -> Task:
    """A section of ``document`` becomes a task, fanned out to one assignment per unit."""
    require_cap_on(actor, document.org, Cap.DIRECTIVE_MANAGE)
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError({"title": [_("Say what the units must do.")]})
    if recurrence not in Recurrence.values:
        raise ValidationError({"recurrence": [_("Choose how often the units report.")]})
    if recurrence == Recurrence.ONCE and deadline is None:
        raise ValidationError({"deadline": [_("A one-off task needs a deadline.")]})
    starts = starts_on or document.issued_on
    if deadline is not None and deadline < starts:
        raise ValidationError({"deadline": [_("The deadline cannot be before the task starts.")]})
    if ends_on is not None and ends_on < starts:
        raise ValidationError({"ends_on": [_("Reporting cannot end before it starts.")]})
    with transaction.atomic():
        task = Task.objects.create(
            document=document,
            section=section.strip()[:20],
            title=title[:300],
            text=text.strip(),
            lead_person=lead_person.strip(),
            deadline=deadline,
            recurrence=recurrence,
            starts_on=starts,
            ends_on=ends_on,
            report_due_days=report_due_days,
        )
        audit.record(
            actor=actor,
            action="directives.task_create",
            object_type="task",
            object_id=task.pk,
            data={"document": document.symbol, "section": task.section, "recurrence": recurrence},
        )
        task_assign(actor=actor, task=task, orgs=orgs, named_units=named_units)
    return task


def task_assign(
    *, actor: Any, task: Task, orgs: Iterable[Org] = (), named_units: Iterable[str] = ()
) -> list[Assignment]:
    """Give ``task`` to more units (orgs in the actor's scope, or names of units outside the tree)."""
    require_cap_on(actor, task.document.org, Cap.DIRECTIVE_MANAGE)
    orgs = list(orgs)
    for org in orgs:
        require_cap_on(actor, org, Cap.DIRECTIVE_MANAGE)
    with transaction.atomic():
        have_orgs = set(task.assignments.exclude(org=None).values_list("org_id", flat=True))
        have_names = {
            fold(n) for n in task.assignments.filter(org=None).values_list("unit_name", flat=True)
        }
        rows = []
        for org in orgs:
            if org.pk not in have_orgs:
                have_orgs.add(org.pk)
                rows.append(Assignment(task=task, org=org, unit_name=org.name))
        for name in named_units:
            clean = " ".join(name.split())
            if clean and fold(clean) not in have_names:
                have_names.add(fold(clean))
                rows.append(Assignment(task=task, org=None, unit_name=clean[:255]))
        created = Assignment.objects.bulk_create(rows)
        if rows:
            audit.record(
                actor=actor,
                action="directives.assign",
                object_type="task",
                object_id=task.pk,
                data={"units": [a.org.code if a.org else a.unit_name for a in rows]},
            )
    return created
