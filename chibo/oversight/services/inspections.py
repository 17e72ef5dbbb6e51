"""Inspections and supervisions: plan, status, conclusion (numbered KL), follow-ups, attached files."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from chibo.core import audit
from chibo.core.roles import Cap
from chibo.core.scoping import require_cap_on
from chibo.core.services import check_not_future, user_or_none
from chibo.lib.dates import dmy
from chibo.members.models import Member
from chibo.orgs.models import Org
from chibo.oversight.models import (
    FollowUp,
    Inspection,
    InspectionAttachment,
    InspectionKind,
    InspectionStatus,
)
from chibo.oversight.services.subtree import _under

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


# --- inspection and supervision ------------------------------------------------


def inspection_plan(
    *,
    actor: Any,
    org: Org,
    year: int,
    kind: str,
    topic: str,
    starts_on: dt.date,
    ends_on: dt.date,
    target_org: Org | None = None,
    target_member: Member | None = None,
    team: str = "",
) -> Inspection:
    """Put a thematic inspection or supervision into ``org``'s plan for ``year``."""
    require_cap_on(actor, org, Cap.OVERSIGHT_MANAGE)
    errors: dict[str, list[str]] = {}
    if kind not in InspectionKind.values:
        errors["kind"] = [_("Choose inspection or supervision.")]
    if not topic.strip():
        errors["topic"] = [_("Say what is inspected or supervised.")]
    if ends_on < starts_on:
        errors["ends_on"] = [_("The period cannot end before it starts.")]
    if starts_on.year != year:
        errors["starts_on"] = [
            _("The period must start in the plan year %(year)s.") % {"year": year}
        ]
    if (target_org is None) == (target_member is None):
        errors["target_org"] = [_("Choose either an organization or a member to inspect.")]
    elif target_org is not None and not _under(target_org, org):
        errors["target_org"] = [
            _("%(org)s is not under %(committee)s.")
            % {"org": target_org.name, "committee": org.name}
        ]
    elif target_member is not None and not _under(target_member.org, org):
        errors["target_member"] = [
            _("This member does not belong to %(committee)s.") % {"committee": org.name}
        ]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        inspection = Inspection.objects.create(
            org=org,
            year=year,
            kind=kind,
            topic=topic.strip(),
            target_org=target_org,
            target_member=target_member,
            team=team.strip(),
            starts_on=starts_on,
            ends_on=ends_on,
            created_by=user_or_none(actor),
        )
        audit.record(
            actor=actor,
            action="oversight.inspection_plan",
            object_type="inspection",
            object_id=inspection.pk,
            data={
                "org": org.code,
                "year": year,
                "kind": kind,
                "topic": inspection.topic,
                "target_org": target_org.code if target_org else "",
                "target_member": target_member.member_code if target_member else "",
            },
        )
    return inspection


def inspection_set_status(*, actor: Any, inspection: Inspection, status: str) -> Inspection:
    require_cap_on(actor, inspection.org, Cap.OVERSIGHT_MANAGE)
    if status not in (
        InspectionStatus.PLANNED,
        InspectionStatus.IN_PROGRESS,
        InspectionStatus.CANCELLED,
    ):
        raise ValidationError({"status": [_("Record a conclusion to close an inspection.")]})
    if inspection.status == InspectionStatus.CONCLUDED:
        raise ValidationError({"status": [_("This inspection is already concluded.")]})
    with transaction.atomic():
        inspection.status = status
        inspection.save(update_fields=["status"])
        audit.record(
            actor=actor,
            action="oversight.inspection_status",
            object_type="inspection",
            object_id=inspection.pk,
            data={"status": status},
        )
    return inspection


def _issue_conclusion_number(
    actor: Any, inspection: Inspection, concluded_on: dt.date
) -> tuple[str, int]:
    """Number the conclusion (KL) through the directives register's outgoing numbering."""
    from django.core.exceptions import PermissionDenied

    from chibo.directives.services import document_issue

    if actor is not None:
        try:
            require_cap_on(actor, inspection.org, Cap.DIRECTIVE_MANAGE)
        except PermissionDenied as exc:
            raise ValidationError(
                {
                    "issue_number": [
                        _(
                            "Your role does not number documents in the register: enter the conclusion's number instead."
                        )
                    ]
                }
            ) from exc
    document = document_issue(
        actor=actor,
        org=inspection.org,
        doc_type="KL",
        issued_on=concluded_on,
        title=_("Conclusion of the %(kind)s: %(topic)s")
        % {"kind": inspection.get_kind_display().lower(), "topic": inspection.topic},
    )
    return document.symbol, document.pk


def inspection_conclude(
    *,
    actor: Any,
    inspection: Inspection,
    findings: str,
    conclusion: str,
    concluded_on: dt.date,
    conclusion_number: str = "",
    issue_number: bool = False,
) -> Inspection:
    """Record findings and the conclusion; number it in the register or record its number."""
    require_cap_on(actor, inspection.org, Cap.OVERSIGHT_MANAGE)
    errors: dict[str, list[str]] = {}
    if inspection.status in (InspectionStatus.CONCLUDED, InspectionStatus.CANCELLED):
        raise ValidationError(_("This inspection is already closed."))
    if not conclusion.strip():
        errors["conclusion"] = [_("Write the conclusion.")]
    if concluded_on < inspection.starts_on:
        errors["concluded_on"] = [
            _("The conclusion cannot come before the period starts (%(date)s).")
            % {"date": dmy(inspection.starts_on)}
        ]
    if errors:
        raise ValidationError(errors)
    check_not_future(concluded_on, "concluded_on")
    with transaction.atomic():
        number, document_id = conclusion_number.strip(), None
        if issue_number:
            number, document_id = _issue_conclusion_number(actor, inspection, concluded_on)
        inspection.findings = findings.strip()
        inspection.conclusion = conclusion.strip()
        inspection.concluded_on = concluded_on
        inspection.conclusion_number = number
        inspection.conclusion_document_id = document_id
        inspection.status = InspectionStatus.CONCLUDED
        inspection.save()
        audit.record(
            actor=actor,
            action="oversight.inspection_conclude",
            object_type="inspection",
            object_id=inspection.pk,
            data={"concluded_on": concluded_on, "number": number, "document_id": document_id},
        )
    return inspection


def followup_add(
    *, actor: Any, inspection: Inspection, action: str, due_on: dt.date, responsible: str = ""
) -> FollowUp:
    require_cap_on(actor, inspection.org, Cap.OVERSIGHT_MANAGE)
    if not action.strip():
        raise ValidationError({"action": [_("Describe the action.")]})
    with transaction.atomic():
        item = FollowUp.objects.create(
            inspection=inspection,
            action=action.strip(),
            responsible=responsible.strip(),
            due_on=due_on,
        )
        audit.record(
            actor=actor,
            action="oversight.followup_add",
            object_type="inspection",
            object_id=inspection.pk,
            data={"followup": item.pk, "due_on": due_on},
        )
    return item


def followup_done(*, actor: Any, followup: FollowUp, done_on: dt.date) -> FollowUp:
    require_cap_on(actor, followup.inspection.org, Cap.OVERSIGHT_MANAGE)
    check_not_future(done_on, "done_on")
    with transaction.atomic():
        followup.done_on = done_on
        followup.save(update_fields=["done_on"])
        audit.record(
            actor=actor,
            action="oversight.followup_done",
            object_type="inspection",
            object_id=followup.inspection_id,
            data={"followup": followup.pk, "done_on": done_on},
        )
    return followup


def attachment_add(
    *, actor: Any, inspection: Inspection, upload: UploadedFile
) -> InspectionAttachment:
    require_cap_on(actor, inspection.org, Cap.OVERSIGHT_MANAGE)
    if upload.size is not None and upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"file": [_("The file is larger than 20 MB.")]})
    with transaction.atomic():
        item = InspectionAttachment(
            inspection=inspection,
            name=(upload.name or "file")[:200],
            size=upload.size or 0,
            uploaded_by=user_or_none(actor),
        )
        item.file.save(upload.name or "file", upload, save=False)
        item.save()
        audit.record(
            actor=actor,
            action="oversight.attachment_add",
            object_type="inspection",
            object_id=inspection.pk,
            data={"attachment": item.pk, "name": item.name},
        )
    return item
