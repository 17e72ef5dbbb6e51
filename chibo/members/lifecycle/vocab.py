"""The lifecycle's vocabularies: categories, statuses, event kinds, removal reasons, transfer
grounds and purposes, exemption criteria. ``members.models`` imports them; this module imports
no model.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _l

# --- vocabularies ----------------------------------------------------------------


class Category(models.TextChoices):
    """Đối tượng đảng viên (kept on every event as ``category_after``)."""

    LECTURER = "lecturer", _l("Lecturer")
    TEACHER = "teacher", _l("Teacher")
    CADRE = "cadre", _l("Cadre")
    PUBLIC_EMPLOYEE = "public_employee", _l("Public employee")
    STUDENT = "student", _l("University/college student")
    PUPIL = "pupil", _l("Pupil")
    OTHER = "other", _l("Other")


class Status(models.TextChoices):
    ACTIVE = "active", _l("Active")
    EXEMPTED = "exempted", _l("Exempted from activity")
    TEMP_AWAY = "temp_away", _l("Temporarily transferred out")
    TRANSFERRED_OUT = "transferred_out", _l("Transferred out")
    REMOVED = "removed", _l("Removed from the rolls")
    EXPELLED = "expelled", _l("Expelled")
    DECEASED = "deceased", _l("Deceased")


# Members still on an org's rolls (counted in its membership).
ON_ROLLS = (Status.ACTIVE, Status.EXEMPTED, Status.TEMP_AWAY)


TERMINAL = (Status.REMOVED, Status.EXPELLED, Status.DECEASED)


class RemovalReason(models.TextChoices):
    ABANDONED_ACTIVITY = "abandoned_activity", _l("Abandoned party activity")
    UNPAID_DUES = "unpaid_dues", _l("Did not pay party dues")
    NOT_RECOGNIZED = "not_recognized", _l("Not recognized as a full member after probation")
    OTHER = "other", _l("Other reason")


class EventKind(models.TextChoices):
    ADMITTED = "admitted", _l("Admitted (probationary)")
    CEREMONY = "ceremony", _l("Admission ceremony")
    RECOGNIZED = "recognized", _l("Recognized as full member")
    TRANSFER_OUT = "transfer_out", _l("Official transfer out")
    TRANSFER_IN = "transfer_in", _l("Official transfer in")
    TEMP_OUT = "temp_out", _l("Temporary transfer out")
    TEMP_BACK = "temp_back", _l("Back from temporary transfer")
    EXEMPTED = "exempted", _l("Exempted from work and activity")
    EXEMPTION_ENDED = "exemption_ended", _l("Exemption ended")
    REMOVED = "removed", _l("Removed from the rolls")
    EXPELLED = "expelled", _l("Expelled")
    DECEASED = "deceased", _l("Deceased")
    CARD_ISSUED = "card_issued", _l("Party card issued")
    CATEGORY_CHANGED = "category_changed", _l("Category changed")
    REASSIGNED = "reassigned", _l("Moved by restructuring")


class TransferGrounds(models.TextChoices):
    """Why an official transfer happens (issue 20): what its first deadline counts from."""

    JOB_MOVE = "job_move", _l("Job move")
    RETIREMENT = "retirement", _l("Retirement")
    RESIDENCE = "residence", _l("Long-term change of residence")
    GRADUATION = "graduation", _l("Graduation (student with no job yet)")
    OTHER = "other", _l("Other")


class TempPurpose(models.TextChoices):
    """Why a temporary transfer happens (issue 20): it sets the bounds of its duration
    (rule ``transfer.temporary_months``)."""

    WORK = "work", _l("Work elsewhere")
    RESIDENCE = "residence", _l("Change of residence")
    STUDY = "study", _l("Full-time study in Vietnam")


class ExemptionCriterion(models.TextChoices):
    """Why a member is exempted from work and activity (RULES.md; rule ``exemption.criteria``)."""

    OLD_AGE = "old_age", _l("Old age or frail health")
    ILLNESS = "illness", _l("Illness needing 3 months' treatment or more")
    FAR_AWAY = "far_away", _l("Working alone abroad or far away")
    MOBILE_WORK = "mobile_work", _l("Mobile work for under a year")
    AWAITING_RETIREMENT = "awaiting_retirement", _l("Waiting for retirement")
    MATERNITY = "maternity", _l("Maternity")
