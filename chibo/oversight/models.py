"""Inspection and supervision, discipline, and the annual quality evaluation.

Sources (shared/RULES.md): QĐ 296-QĐ/TW (30/5/2025) with HD 08-HD/TW
(10/6/2025) for inspection, supervision and discipline (QĐ 22-QĐ/TW, 2021,
before); QĐ 124-QĐ/TW (2023) and QĐ 366-QĐ/TW (2025) for the evaluation.
The numbers those texts set live in the rules registry (migration 0002).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# --- inspection and supervision ------------------------------------------------


class InspectionKind(models.TextChoices):
    INSPECTION = "inspection", _("Inspection")
    SUPERVISION = "supervision", _("Supervision")


class InspectionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    CONCLUDED = "concluded", _("Concluded")
    CANCELLED = "cancelled", _("Cancelled")


class Inspection(models.Model):
    """One thematic inspection or supervision in a committee's yearly plan."""

    org = models.ForeignKey(
        "orgs.Org",
        on_delete=models.PROTECT,
        related_name="inspections_run",
        verbose_name=_("committee"),
    )
    year = models.PositiveSmallIntegerField(_("plan year"))
    kind = models.CharField(_("type"), max_length=12, choices=InspectionKind.choices)
    topic = models.CharField(_("subject matter"), max_length=255)
    target_org = models.ForeignKey(
        "orgs.Org",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
        verbose_name=_("organization inspected"),
    )
    target_member = models.ForeignKey(
        "members.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
        verbose_name=_("member inspected"),
    )
    team = models.TextField(_("team"), blank=True)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=InspectionStatus.choices,
        default=InspectionStatus.PLANNED,
    )
    findings = models.TextField(_("findings"), blank=True)
    conclusion = models.TextField(_("conclusion"), blank=True)
    concluded_on = models.DateField(_("concluded on"), null=True, blank=True)
    conclusion_number = models.CharField(_("conclusion document number"), max_length=64, blank=True)
    # The directives register's outgoing document when the number came from it.
    conclusion_document_id = models.PositiveIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "starts_on", "id"]
        indexes = [
            models.Index(fields=["org", "year"], name="insp_org_year_idx"),
            models.Index(fields=["target_org", "starts_on"], name="insp_target_idx"),
        ]
        verbose_name = _("inspection or supervision")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.topic}"

    @property
    def subject_label(self) -> str:
        if self.target_member_id:
            return str(self.target_member)
        return self.target_org.name if self.target_org is not None else ""


class FollowUp(models.Model):
    """A follow-up action the conclusion asks for, with its deadline."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="followups")
    action = models.CharField(_("action"), max_length=255)
    responsible = models.CharField(_("responsible"), max_length=255, blank=True)
    due_on = models.DateField(_("deadline"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.action


def attachment_path(instance: InspectionAttachment, filename: str) -> str:
    return f"oversight/inspections/{instance.inspection_id}/{filename}"


class InspectionAttachment(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=255)
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name


# --- discipline ----------------------------------------------------------------


class Penalty(models.TextChoices):
    REPRIMAND = "khien_trach", _("Reprimand")
    WARNING = "canh_cao", _("Warning")
    DISMISSAL = "cach_chuc", _("Dismissal from post")
    EXPULSION = "khai_tru", _("Expulsion")
    DISSOLUTION = "giai_tan", _("Dissolution")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Under review")
    ON_HOLD = "on_hold", _("Waiting (not reviewed for now)")
    DECIDED = "decided", _("Decided")
    DROPPED = "dropped", _("Not disciplined")


class HoldReason(models.TextChoices):
    """QĐ 296-QĐ/TW: no review while the member is in one of these situations."""

    PREGNANT = "pregnant", _("Pregnant")
    NURSING = "nursing", _("Nursing a child under 12 months")
    ILL = "ill", _("Seriously ill, treated in hospital")


class DisciplineCase(models.Model):
    member = models.ForeignKey(
        "members.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="discipline_cases",
        verbose_name=_("member"),
    )
    subject_org = models.ForeignKey(
        "orgs.Org",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="discipline_cases",
        verbose_name=_("organization"),
    )
    # Where the case belongs for scoping: the member's cell, or the org disciplined.
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    violation = models.TextField(_("violation"))
    opened_on = models.DateField(_("opened on"))
    status = models.CharField(
        _("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    hold_reason = models.CharField(
        _("reason for waiting"), max_length=10, choices=HoldReason.choices, blank=True
    )
    hold_since = models.DateField(_("waiting since"), null=True, blank=True)
    child_born_on = models.DateField(_("child's date of birth"), null=True, blank=True)
    hold_note = models.CharField(_("note"), max_length=255, blank=True)
    penalty = models.CharField(
        _("form of discipline"), max_length=12, choices=Penalty.choices, blank=True
    )
    deciding_org = models.ForeignKey(
        "orgs.Org",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("deciding organization"),
    )
    by_cell_vote = models.BooleanField(_("decided by the cell's own vote"), default=False)
    votes_for = models.PositiveIntegerField(null=True, blank=True)
    votes_total = models.PositiveIntegerField(null=True, blank=True)
    decision_number = models.CharField(_("decision number"), max_length=64, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    effective_on = models.DateField(_("effective from"), null=True, blank=True)
    received_on = models.DateField(_("decision received on"), null=True, blank=True)
    post = models.CharField(_("post removed from"), max_length=120, blank=True)
    was_full_member = models.BooleanField(null=True, blank=True)
    appeal_on = models.DateField(_("appeal filed on"), null=True, blank=True)
    appeal_note = models.TextField(_("appeal"), blank=True)
    appeal_outcome = models.CharField(_("outcome of the appeal"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opened_on", "-id"]
        indexes = [models.Index(fields=["member", "decided_on"], name="disc_member_idx")]
        verbose_name = _("discipline case")

    def __str__(self) -> str:
        return f"{self.subject_label}: {self.get_penalty_display() or self.get_status_display()}"

    @property
    def subject_label(self) -> str:
        return (
            str(self.member)
            if self.member_id
            else (self.subject_org.name if self.subject_org is not None else "")
        )


# --- annual quality evaluation ---------------------------------------------------


class Grade(models.TextChoices):
    EXCELLENT = "HTXSNV", _("Excellently fulfilled duties (HTXSNV)")
    GOOD = "HTTNV", _("Well fulfilled duties (HTTNV)")
    FULFILLED = "HTNV", _("Fulfilled duties (HTNV)")
    FAILED = "KHTNV", _("Did not fulfil duties (KHTNV)")


class EvalStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed by the cell")
    CONFIRMED = "confirmed", _("Confirmed by the committee")


class MemberEvaluation(models.Model):
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="evaluations"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    proposed_grade = models.CharField(_("proposed grade"), max_length=6, choices=Grade.choices)
    grade = models.CharField(_("confirmed grade"), max_length=6, choices=Grade.choices, blank=True)
    status = models.CharField(
        max_length=10, choices=EvalStatus.choices, default=EvalStatus.PROPOSED
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    proposed_on = models.DateField()
    confirmed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["org_id", "member_id"]
        constraints = [
            models.UniqueConstraint(fields=["member", "year"], name="member_eval_once_a_year")
        ]
        indexes = [models.Index(fields=["org", "year"], name="meval_org_year_idx")]

    def __str__(self) -> str:
        return f"{self.member_id} {self.year} {self.final_grade}"

    @property
    def final_grade(self) -> str:
        return self.grade or self.proposed_grade


class OrgEvaluation(models.Model):
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="evaluations")
    year = models.PositiveSmallIntegerField(_("year"))
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    proposed_grade = models.CharField(_("proposed grade"), max_length=6, choices=Grade.choices)
    grade = models.CharField(_("confirmed grade"), max_length=6, choices=Grade.choices, blank=True)
    status = models.CharField(
        max_length=10, choices=EvalStatus.choices, default=EvalStatus.PROPOSED
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    proposed_on = models.DateField()
    confirmed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["org_id", "year"]
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="org_eval_once_a_year")]

    def __str__(self) -> str:
        return f"{self.org_id} {self.year} {self.grade or self.proposed_grade}"
