"""Progress reports on an assigned task: save, submit, review."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.core import audit
from chibo.core.names import person_name
from chibo.core.roles import Cap
from chibo.core.scoping import require_cap_on
from chibo.core.services import user_or_none
from chibo.directives import selectors
from chibo.directives.models import (
    Assignment,
    ProgressReport,
    ReportStatus,
    Task,
)
from chibo.directives.services.attachments import FileIn, attachment_store
from chibo.lib.numbers import count_value

# --- progress reports -------------------------------------------------------------


def _period_or_error(task: Task, key: str) -> Any:
    period = selectors.find_period(task, key)
    if period is None:
        raise ValidationError(
            {"period": [_("This task has no reporting period %(key)s.") % {"key": key}]}
        )
    return period


def _clean_figures(figures: dict[str, Any] | None) -> dict[str, float | int]:
    out: dict[str, float | int] = {}
    for label, value in (figures or {}).items():
        name = " ".join(str(label).split())[:120]
        if not name:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValidationError(
                {"figures": [_("“%(label)s” must be a number.") % {"label": name}]}
            )
        out[name] = count_value(value)  # 12.0 from a JSON client is the count 12
    return out


def _stale_report(report: ProgressReport) -> ValidationError:
    """The refusal of a stale save, quoting who changed the report and what it says now."""
    from chibo.core.models import AuditEntry

    last = (
        AuditEntry.objects.filter(object_type="progress_report", object_id=str(report.pk))
        .order_by("-seq")
        .select_related("actor")
        .only("actor_username", "created_at", "actor__first_name", "actor__last_name")
        .first()
    )
    excerpt = report.text if len(report.text) <= 300 else report.text[:300] + "…"
    return ValidationError(
        _(
            "%(who)s changed this report while you were editing it (%(when)s); your text was "
            "not saved. The report now reads: “%(text)s”. Copy what you need, reload the page "
            "and try again."
        )
        % {
            "who": (person_name(last.actor) or last.actor_username) if last else _("Someone else"),
            "when": timezone.localtime(last.created_at).strftime("%d/%m/%Y %H:%M") if last else "",
            "text": excerpt,
        }
    )


def report_save(
    *,
    actor: Any,
    assignment: Assignment,
    period: str,
    text: str,
    figures: dict[str, Any] | None = None,
    attachment: FileIn | None = None,
    expected_version: int | None = None,
) -> ProgressReport:
    """Create or update a unit's draft report for a period (also a returned one).

    ``expected_version`` is the version the editor started from (0: no report
    yet); a save based on a stale version is refused, showing the other change.
    """
    if assignment.org is None:
        raise ValidationError(
            _("This unit is outside the organization tree; the issuer records its report.")
        )
    require_cap_on(actor, assignment.org, Cap.DIRECTIVE_REPORT)
    task = assignment.task
    p = _period_or_error(task, period)
    clean = _clean_figures(figures)
    with transaction.atomic():
        report, created = ProgressReport.objects.select_for_update().get_or_create(
            assignment=assignment,
            period=p.key,
            defaults={
                "period_start": p.start,
                "period_end": p.end,
                "due_on": selectors.due_on(task, p),
            },
        )
        if expected_version is not None and not created and report.version != expected_version:
            raise _stale_report(report)
        if report.status in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED):
            raise ValidationError(
                _("This report has been submitted; it can be changed only if it is returned.")
            )
        if not created:
            report.version += 1
        report.text = text.strip()
        report.figures = clean
        report.status = (
            ReportStatus.DRAFT if report.status != ReportStatus.RETURNED else ReportStatus.RETURNED
        )
        stored = attachment_store(attachment)
        if stored is not None:
            report.attachment = stored
        report.save()
        audit.record(
            actor=actor,
            action="directives.report_save",
            object_type="progress_report",
            object_id=report.pk,
            data={"assignment": assignment.pk, "period": p.key, "created": created},
        )
    return report


def report_submit(
    *,
    actor: Any,
    report: ProgressReport,
    now: dt.datetime | None = None,
    expected_version: int | None = None,
) -> ProgressReport:
    assignment = report.assignment
    require_cap_on(actor, assignment.org, Cap.DIRECTIVE_REPORT)
    with transaction.atomic():
        report = ProgressReport.objects.select_for_update().get(pk=report.pk)
        if expected_version is not None and report.version != expected_version:
            raise _stale_report(report)
        if report.status not in (ReportStatus.DRAFT, ReportStatus.RETURNED):
            raise ValidationError(_("This report has already been submitted."))
        if not report.text.strip():
            raise ValidationError({"text": [_("Write the report before submitting it.")]})
        report.status = ReportStatus.SUBMITTED
        report.submitted_at = now or timezone.now()
        report.submitted_by = user_or_none(actor)
        report.version += 1
        report.save(
            update_fields=["status", "submitted_at", "submitted_by", "version", "updated_at"]
        )
        audit.record(
            actor=actor,
            action="directives.report_submit",
            object_type="progress_report",
            object_id=report.pk,
            data={"period": report.period, "late": report.is_late},
        )
    return report


def report_review(
    *,
    actor: Any,
    report: ProgressReport,
    accept: bool,
    comment: str = "",
    expected_version: int | None = None,
) -> ProgressReport:
    """The issuer accepts a submitted report, or returns it with comments."""
    document = report.assignment.task.document
    require_cap_on(actor, document.org, Cap.DIRECTIVE_MANAGE)
    comment = comment.strip()
    if not accept and not comment:
        raise ValidationError({"comment": [_("Say what the unit should change.")]})
    with transaction.atomic():
        report = ProgressReport.objects.select_for_update().get(pk=report.pk)
        if expected_version is not None and report.version != expected_version:
            raise _stale_report(report)
        if report.status != ReportStatus.SUBMITTED:
            raise ValidationError(_("Only a submitted report can be accepted or returned."))
        report.status = ReportStatus.ACCEPTED if accept else ReportStatus.RETURNED
        report.review_comment = comment
        report.reviewed_at = timezone.now()
        report.reviewed_by = user_or_none(actor)
        report.version += 1
        report.save(
            update_fields=[
                "status",
                "review_comment",
                "reviewed_at",
                "reviewed_by",
                "version",
                "updated_at",
            ]
        )
        audit.record(
            actor=actor,
            action="directives.report_review",
            object_type="progress_report",
            object_id=report.pk,
            data={"accepted": accept, "comment": comment},
        )
    return report
