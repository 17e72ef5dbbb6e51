"""Admissions: an outstanding candidate (quần chúng ưu tú) on the way to full member.

A ``Candidate`` is registered by a cell, with a mentor member. Each step of
the path (course, application, … decision, ceremony, recognition) is a
``CandidateStep`` row with its date, document number and who recorded it;
the candidate's ``stage`` is the last step done, kept by
``admissions.services``. The decision to admit creates the party member
through ``members.services.member_admit`` (probationary, ceremony still to
be held; its 30 working days count from ``decision_received_on``, the day
the cell received the decision, when recorded); the ceremony goes through
``member_record_ceremony`` and
recognition through ``member_recognize``. An ``Override`` lets a committee user let one failed
rule check pass, with a reason, audited.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chibo.core.crypto import EncryptedCharField
from chibo.core.fields import ByteOrderCharField
from chibo.members.models import Category, Gender


class Stage(models.TextChoices):
    """Steps in order (HD 12-HD/BTCTW forms 1-KNĐ … 9-KNĐ), then the end states."""

    REGISTERED = "registered", _("Registered as outstanding candidate")
    COURSE = "course", _("Awareness course completed")
    APPLICATION = "application", _("Application letter submitted")
    HISTORY = "history", _("Personal history declared")
    BACKGROUND_CHECK = "background_check", _("Background check done")
    INTRODUCERS = "introducers", _("Introduced by members")
    YOUTH_UNION = "youth_union", _("Introduced by the Youth Union")
    OPINIONS = "opinions", _("Opinions collected")
    CELL_RESOLUTION = "cell_resolution", _("Cell resolution")
    GRASSROOTS_RESOLUTION = "grassroots_resolution", _("Grassroots committee resolution")
    DECISION = "decision", _("Admission decision")
    CEREMONY = "ceremony", _("Admission ceremony (probation)")
    RECOGNITION_VOTE = "recognition_vote", _("Recognition vote")
    RECOGNITION_DECISION = "recognition_decision", _("Recognized as full member")
    # A recognition vote that did not reach 2/3 (issue 20, item 9): kept as a step of its
    # own, never the candidate's stage; the third one sends the case to the upper committee.
    RECOGNITION_VOTE_FAILED = "recognition_vote_failed", _("Recognition vote without 2/3")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REJECTED = "rejected", _("Not admitted")
    NOT_RECOGNIZED = "not_recognized", _("Not recognized (removal proposed)")


PATH: tuple[str, ...] = (
    Stage.REGISTERED,
    Stage.COURSE,
    Stage.APPLICATION,
    Stage.HISTORY,
    Stage.BACKGROUND_CHECK,
    Stage.INTRODUCERS,
    Stage.YOUTH_UNION,
    Stage.OPINIONS,
    Stage.CELL_RESOLUTION,
    Stage.GRASSROOTS_RESOLUTION,
    Stage.DECISION,
    Stage.CEREMONY,
    Stage.RECOGNITION_VOTE,
    Stage.RECOGNITION_DECISION,
)
END_STATES: tuple[str, ...] = (Stage.WITHDRAWN, Stage.REJECTED, Stage.NOT_RECOGNIZED)
# Steps the grassroots/superior committee records; the cell records the rest.
COMMITTEE_STEPS: frozenset[str] = frozenset(
    {Stage.GRASSROOTS_RESOLUTION, Stage.DECISION, Stage.RECOGNITION_DECISION, Stage.REJECTED}
)
# Finished or closed: nothing more to do.
CLOSED: tuple[str, ...] = (Stage.RECOGNITION_DECISION, *END_STATES)


class EducationLevel(models.TextChoices):
    """The highest general-education level completed (trình độ giáo dục phổ thông / học vấn).

    Ordered: ``EDUCATION_RANK`` compares a candidate's level with the rule's minimum
    (``admission.education_min_level``: lower secondary, issue 20 item 6).
    """

    BELOW_PRIMARY = "below_primary", _("Not completed primary school")
    PRIMARY = "primary", _("Primary school (tiểu học)")
    LOWER_SECONDARY = "lower_secondary", _("Lower secondary school (THCS)")
    UPPER_SECONDARY = "upper_secondary", _("Upper secondary school (THPT) or equivalent")
    HIGHER = "higher", _("College, university or higher")


EDUCATION_RANK: dict[str, int] = {level: i for i, level in enumerate(EducationLevel.values)}


class ReplacementReason(models.TextChoices):
    """Why the cell assigns another introducer (issue 20 item 7)."""

    MOVED = "moved", _("The introducer moved (transferred elsewhere)")
    DISCIPLINED = "disciplined", _("The introducer was disciplined")
    OTHER = "other", _("Other reason")


class Candidate(models.Model):
    full_name = models.CharField(_("full name"), max_length=120)
    name_folded = ByteOrderCharField(max_length=120, db_index=True, editable=False)
    date_of_birth = models.DateField(_("date of birth"))
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices)
    ethnicity = models.CharField(_("ethnicity"), max_length=40, default="Kinh")
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    # Sensitive (Decree 13/2023): shown only with member.view_sensitive.
    # Encrypted at rest (core.crypto); the plain value is at most 16 characters.
    citizen_id = EncryptedCharField(_("citizen ID"), max_length=255, blank=True)
    phone = EncryptedCharField(_("phone"), max_length=255, blank=True)
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="candidates")
    mentor = models.ForeignKey(
        "members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="mentees"
    )
    # Empty: not recorded yet; the cell's review refuses until it is (issue 20 item 6).
    education_level = models.CharField(
        _("education level"), max_length=16, choices=EducationLevel.choices, blank=True
    )
    youth_union_exists = models.BooleanField(
        _("a Youth Union organization exists where the candidate studies or works"), default=True
    )
    registered_on = models.DateField(_("registered on"))
    stage = models.CharField(_("stage"), max_length=24, choices=Stage.choices, db_index=True)
    stage_on = models.DateField(_("stage reached on"))
    # The next deadline and what it is for (kept by the services; the board filters on it).
    next_due = models.DateField(_("next deadline"), null=True, blank=True, db_index=True)
    next_due_for = models.CharField(max_length=24, blank=True)
    member = models.OneToOneField(
        "members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="candidacy"
    )
    # When the cell received the admission decision (often days after it was
    # signed): the ceremony's 30 working days count "from receiving the
    # decision" (admission.ceremony_working_days; HD 01 / HD 06 điểm 3.2).
    # Empty: not recorded; the deadline then counts from the decision's date.
    decision_received_on = models.DateField(
        _("date the cell received the decision"), null=True, blank=True
    )
    # The new member's personal history (lý lịch đảng viên), declared within 30 working
    # days of the ceremony (admission.member_history_working_days; issue 20, item 8).
    # The deadline is set when the ceremony is recorded; the board and the home read it.
    history_due_on = models.DateField(
        _("personal history due by"), null=True, blank=True, db_index=True
    )
    history_declared_on = models.DateField(_("personal history declared on"), null=True, blank=True)
    history_late_reason = models.TextField(_("reason for the late personal history"), blank=True)
    # The third recognition vote without 2/3: the case went to the upper committee
    # (recognition.failed_votes_to_upper; issue 20, item 9). No more cell votes after it.
    escalated_on = models.DateField(
        _("sent to the upper committee on"), null=True, blank=True, db_index=True
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name_folded", "id"]
        indexes = [models.Index(fields=["org", "stage"], name="candidate_org_stage_idx")]
        verbose_name = _("candidate")

    def __str__(self) -> str:
        return self.full_name

    @property
    def is_closed(self) -> bool:
        return self.stage in CLOSED

    def history_overdue_on(self, today: dt.date) -> bool:
        """The personal history is not recorded and its deadline has passed (open cases)."""
        return bool(
            self.history_due_on
            and self.history_declared_on is None
            and self.history_due_on < today
            and not self.is_closed
        )

    @property
    def history_overdue(self) -> bool:
        """As of today (the member's record and the candidate's page read it)."""
        return self.history_overdue_on(timezone.localdate())

    @property
    def history_pending(self) -> bool:
        return bool(self.history_due_on and self.history_declared_on is None and not self.is_closed)

    @property
    def due_is_certificate_expiry(self) -> bool:
        """Before the cell's vote, ``next_due`` is the awareness-course certificate's expiry
        (``path.refresh_due``): the cell must vote before it, but no step is due by then."""
        return self.next_due_for == Stage.CELL_RESOLUTION and self.stage not in (
            Stage.CELL_RESOLUTION,
            *CLOSED,
        )


class CandidateStep(models.Model):
    """One step done, append-only: date, document, who recorded it, and its figures."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="steps")
    stage = models.CharField(_("step"), max_length=24, choices=Stage.choices)
    done_on = models.DateField(_("date"))
    document_number = models.CharField(_("document number"), max_length=64, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["done_on", "id"]
        indexes = [models.Index(fields=["candidate", "stage"], name="cstep_candidate_stage_idx")]

    def __str__(self) -> str:
        return f"{self.candidate_id} {self.stage} {self.done_on}"


class Introducer(models.Model):
    """A full member (or the Youth Union committee) introducing the candidate (3-KNĐ / 4-KNĐ)."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="introducers")
    member = models.ForeignKey(
        "members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="introduced"
    )
    youth_union_body = models.CharField(_("Youth Union committee"), max_length=255, blank=True)
    months_together = models.PositiveSmallIntegerField(
        _("months worked or studied together"), default=0
    )
    introduced_on = models.DateField(_("introduced on"))
    # A replacement (issue 20 item 7): the cell assigned this introducer in place of one
    # who moved or was disciplined; the 12 months together are waived for it.
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    # Set on the introducer who was replaced (no longer introduces).
    replaced_on = models.DateField(_("replaced on"), null=True, blank=True)
    replacement_reason = models.CharField(
        _("reason for the replacement"),
        max_length=16,
        choices=ReplacementReason.choices,
        blank=True,
    )
    replacement_note = models.TextField(_("details of the reason"), blank=True)
    document_number = models.CharField(_("document number"), max_length=64, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.youth_union_body or str(self.member_id)

    @property
    def is_active(self) -> bool:
        return self.replaced_on is None


class Override(models.Model):
    """A committee user lets one failed rule check pass for one step, with a reason (audited)."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="overrides")
    stage = models.CharField(_("step"), max_length=24, choices=Stage.choices)
    rule_key = models.CharField(_("rule"), max_length=80)
    reason = models.TextField(_("reason"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.candidate_id} {self.stage} {self.rule_key}"
