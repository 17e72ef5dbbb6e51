"""The start pages of the city office and of the system administrator.

City office: the state of the current 6-monthly compilation (item 8 of
1000-CV/TU: units reported, late, missing; compiled or not), the city's stored
warnings and the overdue admission steps. System administrator: accounts and
roles, the audit chain's last check, the newest backup. A few aggregate queries
each, whatever the size of the city.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from chibo.accounts.models import RoleAssignment, TwoFactorDevice
from chibo.activity.models import MemberWarning, WarningLevel
from chibo.admissions.models import CLOSED, Candidate
from chibo.core.models import AuditEntry, AuditHead
from chibo.core.roles import Role
from chibo.directives import periods as P
from chibo.directives import selectors as directive_selectors
from chibo.directives.models import (
    Assignment,
    CompiledReport,
    Document,
    ProgressReport,
    Recurrence,
    ReportStatus,
    Task,
)
from chibo.orgs.models import Org

# --- city office ---------------------------------------------------------------------------------


@dataclass
class Compilation:
    """One directive's compilation for one 6-month period."""

    document: Document
    period: P.Period
    due: dt.date
    units: int = 0
    reported: int = 0  # submitted or accepted on time
    late: int = 0  # submitted or accepted after the due date
    missing: int = 0  # not in (none, draft or returned)
    compiled: CompiledReport | None = None
    task_ids: list[int] = field(default_factory=list)

    @property
    def overdue(self) -> bool:
        return self.missing > 0 and self.due < timezone.localdate()


def compilations(root: Org, today: dt.date) -> list[Compilation]:
    """The current compilation of each directive of ``root``'s register with 6-monthly tasks.

    Current = the latest 6-month period that has ended by ``today`` (the one to
    compile now); when it is compiled already, the period running today.
    Four queries whatever the number of units.
    """
    tasks = list(
        Task.objects.filter(document__org=root, recurrence=Recurrence.SEMIANNUAL)
        .select_related("document")
        .order_by("document__issued_on", "document_id", "id")
    )
    by_doc: dict[int, list[Task]] = {}
    for task in tasks:
        by_doc.setdefault(task.document_id, []).append(task)
    compiled = {
        (c.directive_id, c.period): c
        for c in CompiledReport.objects.filter(directive_id__in=list(by_doc)).select_related(
            "output"
        )
    }
    out: list[Compilation] = []
    for doc_tasks in by_doc.values():
        started = directive_selectors.task_periods(doc_tasks[0], today)
        ended = [p for p in started if p.end < today]
        if not ended and not started:
            continue
        period = max(ended or started, key=lambda p: p.start)
        doc = doc_tasks[0].document
        if (doc.pk, period.key) in compiled and len(started) > len(ended):
            period = max(started, key=lambda p: p.start)
        out.append(
            Compilation(
                document=doc,
                period=period,
                due=directive_selectors.due_on(doc_tasks[0], period),
                compiled=compiled.get((doc.pk, period.key)),
                task_ids=[t.pk for t in doc_tasks],
            )
        )
    if not out:
        return out
    assignments = _assignments_per_task([t for c in out for t in c.task_ids])
    reports = ProgressReport.objects.filter(
        assignment__task_id__in=[t for c in out for t in c.task_ids],
        period__in={c.period.key for c in out},
        assignment__org__isnull=False,
        status__in=(ReportStatus.SUBMITTED, ReportStatus.ACCEPTED),
    ).values_list("assignment__task_id", "period", "submitted_at", "due_on")
    done: dict[tuple[int, str], list[tuple[Any, Any]]] = {}
    for task_id, period_key, submitted_at, due_on in reports:
        done.setdefault((task_id, period_key), []).append((submitted_at, due_on))
    for c in out:
        for task_id in c.task_ids:
            n = assignments.get(task_id, 0)
            rows = done.get((task_id, c.period.key), [])
            # As ProgressReport.is_late: submitted after the day it was due.
            late = sum(1 for sub, due in rows if sub is not None and sub.date() > due)
            c.units += n
            c.late += late
            c.reported += len(rows) - late
            c.missing += max(n - len(rows), 0)
    return out


def _assignments_per_task(task_ids: list[int]) -> dict[int, int]:
    return dict(
        Assignment.objects.filter(task_id__in=task_ids, org__isnull=False)
        .order_by()
        .values_list("task_id")
        .annotate(n=Count("pk"))
    )


@dataclass
class CityWork:
    root: Org
    compilations: list[Compilation]
    warnings: int
    reviews: int
    admissions_overdue: int


def city_work(root: Org, today: dt.date) -> CityWork:
    levels = dict(
        MemberWarning.objects.filter(root.subtree_filter("org__"))
        .order_by()
        .values_list("level")
        .annotate(n=Count("pk"))
    )
    overdue = (
        Candidate.objects.filter(root.subtree_filter("org__"), next_due__lt=today)
        .exclude(stage__in=CLOSED)
        .count()
    )
    return CityWork(
        root=root,
        compilations=compilations(root, today),
        warnings=levels.get(WarningLevel.WARNING, 0),
        reviews=levels.get(WarningLevel.REMOVAL_REVIEW, 0),
        admissions_overdue=overdue,
    )


# --- system administrator -------------------------------------------------------------------------

# Roles that must use two-step login (docs/architecture.md, Roles).
TWO_STEP_ROLES = (
    Role.GRASSROOTS_STAFF,
    Role.SUPERIOR_STAFF,
    Role.CITY_OFFICE,
    Role.SYSADMIN,
)
ENDING_DAYS = 30
BACKUP_STALE_DAYS = 2


@dataclass
class AuditCheck:
    """The audit chain's last check: a signed checkpoint (clean) or a recorded break."""

    at: dt.datetime
    broken: bool
    problems: int = 0
    seq: int = 0  # the checkpoint's newest entry
    bad_lines: int = 0  # checkpoint lines without a valid signature


def last_audit_check() -> AuditCheck | None:
    """The newer of the last signed checkpoint (written after every clean verification,
    ``core.checkpoints``) and the last ``core.audit_chain_broken`` entry."""
    from chibo.core import checkpoints

    try:
        marks, bad = checkpoints.read()
    except OSError:
        marks, bad = [], []
    clean = None
    if marks:
        last = marks[-1]
        clean = AuditCheck(dt.datetime.fromisoformat(last.at), False, seq=last.seq)
    broken_entry = (
        AuditEntry.objects.filter(action="core.audit_chain_broken").order_by("-seq").first()
    )
    broken = None
    if broken_entry is not None:
        broken = AuditCheck(
            broken_entry.created_at, True, problems=int(broken_entry.data.get("problems", 0))
        )
    found = max((c for c in (clean, broken) if c), key=lambda c: c.at, default=None)
    if found is not None:
        found.bad_lines = len(bad)
    return found


@dataclass
class Backup:
    file: str
    created_at: dt.datetime | None
    size: int

    @property
    def stale(self) -> bool:
        return self.created_at is None or timezone.now() - self.created_at > dt.timedelta(
            days=BACKUP_STALE_DAYS
        )


@dataclass
class AdminWork:
    users_active: int
    users_without_role: int
    by_role: list[tuple[str, str, int]]  # role, label, assignments in force
    without_two_step: int  # users with a committee role and no confirmed 2FA device
    ending_soon: int  # assignments ending within ENDING_DAYS
    audit_entries: int
    audit_check: AuditCheck | None
    backup: Backup | None
    backup_dir: str


def _in_force(today: dt.date) -> Q:
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=today)) & (
        Q(valid_until__isnull=True) | Q(valid_until__gte=today)
    )


def newest_backup(directory: Path) -> Backup | None:
    """The newest ``*.manifest.json`` written by ``chibo backup`` in ``directory``."""
    try:
        manifests = sorted(directory.glob("chibo-*.manifest.json"))
    except OSError:
        return None
    for path in reversed(manifests):
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        created = parse_datetime(str(data.get("created_at", "")))
        return Backup(str(data.get("file", path.name)), created, int(data.get("size", 0) or 0))
    return None


def admin_work(today: dt.date) -> AdminWork:
    in_force = RoleAssignment.objects.filter(_in_force(today), user__is_active=True)
    counts = dict(in_force.order_by().values_list("role").annotate(n=Count("pk")))
    users = User.objects.filter(is_active=True)
    with_role = in_force.values("user_id")
    two_step_users = in_force.filter(role__in=TWO_STEP_ROLES).values("user_id")
    confirmed = TwoFactorDevice.objects.filter(confirmed_at__isnull=False).values("user_id")
    head = AuditHead.objects.filter(pk=1).values_list("last_seq", flat=True).first()
    return AdminWork(
        users_active=users.count(),
        users_without_role=users.exclude(pk__in=with_role).count(),
        by_role=[(role, str(label), counts.get(role, 0)) for role, label in Role.choices],
        without_two_step=users.filter(pk__in=two_step_users).exclude(pk__in=confirmed).count(),
        ending_soon=in_force.filter(
            valid_until__isnull=False, valid_until__lte=today + dt.timedelta(days=ENDING_DAYS)
        ).count(),
        audit_entries=head or 0,
        audit_check=last_audit_check(),
        backup=newest_backup(Path(settings.CHIBO_BACKUP_DIR)),
        backup_dir=str(settings.CHIBO_BACKUP_DIR),
    )
