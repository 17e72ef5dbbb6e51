"""Cell meetings, attendance, party dues, transfer papers and early warnings.

Designed for bulk loading (imports, demo data): a meeting is identified by
(org, held_on, kind); an attendance row by (meeting, member); a dues payment
by (member, period). ``Attendance`` repeats its meeting's ``org`` and
``month`` so the warnings query reads one table through small indexes
(``activity.services`` keeps them consistent).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AbsenceReason(models.Model):
    """A reason that makes an absence excused. No national list exists (RULES.md, L): configuration."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=120)
    active = models.BooleanField(_("in use"), default=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("absence reason")

    def __str__(self) -> str:
        return self.name


class MeetingKind(models.TextChoices):
    REGULAR = "regular", _("Regular (monthly)")
    THEMATIC = "thematic", _("Thematic")


class PartyGroup(models.Model):
    """A party group (tổ đảng) inside a cell; cells of 50+ members may meet by group (issue 20)."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="party_groups")
    name = models.CharField(_("name"), max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["org_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["org", "name"], name="party_group_unique_org_name")
        ]
        verbose_name = _("party group")

    def __str__(self) -> str:
        return self.name


class PartyGroupMember(models.Model):
    """A member's party group: at most one at a time (``activity.services.party_group_set_members``)."""

    group = models.ForeignKey(PartyGroup, on_delete=models.CASCADE, related_name="links")
    member = models.OneToOneField(
        "members.Member", on_delete=models.CASCADE, related_name="party_group_link"
    )

    def __str__(self) -> str:
        return f"{self.member_id} in {self.group_id}"


class Meeting(models.Model):
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="meetings")
    # Set: a regular meeting held by one party group of the cell (họp theo tổ đảng).
    group = models.ForeignKey(
        PartyGroup,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meetings",
        verbose_name=_("party group"),
    )
    kind = models.CharField(_("type"), max_length=10, choices=MeetingKind.choices)
    held_on = models.DateField(_("date"))
    month = models.DateField(editable=False)  # first day of held_on's month
    online = models.BooleanField(_("online"), default=False)
    place = models.CharField(_("place"), max_length=255, blank=True)
    topic = models.CharField(_("topic"), max_length=255, blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    documents = models.TextField(_("documents discussed"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-held_on", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["org", "held_on", "kind"],
                condition=models.Q(group__isnull=True),
                name="meeting_unique_org_day_kind",
            ),
            models.UniqueConstraint(
                fields=["group", "held_on"],
                condition=models.Q(group__isnull=False),
                name="meeting_unique_group_day",
            ),
        ]
        indexes = [
            models.Index(fields=["org", "month"], name="meeting_org_month_idx"),
            # A subtree's or the city's meetings of a few months, read from the index alone
            # (the overview's cells that skipped meetings; issue 24).
            models.Index(fields=["month", "org", "kind"], name="meeting_month_org_idx"),
        ]
        verbose_name = _("cell meeting")

    def __str__(self) -> str:
        return f"{self.org_id} {self.kind} {self.held_on}"


class Presence(models.TextChoices):
    PRESENT = "present", _("Present")
    EXCUSED = "excused", _("Excused absence")
    UNEXCUSED = "unexcused", _("Unexcused absence")


class Attendance(models.Model):
    # FK indexes are left to the composite indexes below: ~24M rows at city scale, every index costs.
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attendance", db_index=False
    )
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="attendance", db_index=False
    )
    status = models.CharField(_("attendance"), max_length=10, choices=Presence.choices)
    reason = models.ForeignKey(
        AbsenceReason, null=True, blank=True, on_delete=models.PROTECT, db_index=False
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    # Expected = a member of the meeting's org on its date, status active.
    # Temporarily attached members from other orgs attend but are not expected.
    expected = models.BooleanField(default=True)
    attached = models.BooleanField(default=False)
    # Copies of the meeting's org and month (see module docstring).
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", db_index=False)
    month = models.DateField()
    # Optimistic locking for the sheet (a device that marked offline sends the version it
    # saw; a row saved meanwhile is a conflict, never overwritten). NULL is version 0: the
    # row as created, present by default. Nullable so that adding it does not rebuild the
    # table on SQLite (about 26M rows at city scale).
    version = models.PositiveIntegerField(null=True, blank=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "member"], name="attendance_unique_meeting_member"
            ),
        ]
        indexes = [
            models.Index(fields=["member", "month"], name="attendance_member_month_idx"),
            # Warnings start from unexcused absences only: a small partial index.
            models.Index(
                fields=["month", "org"],
                condition=models.Q(status="unexcused"),
                name="attendance_unexcused_idx",
            ),
            # Attendance rate of a subtree over months (activity health): read from the index alone.
            models.Index(
                fields=["month", "org", "status"],
                condition=models.Q(expected=True),
                name="attendance_expected_idx",
            ),
        ]
        verbose_name = _("attendance")

    def __str__(self) -> str:
        return f"{self.meeting_id}/{self.member_id}: {self.status}"


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash to the cell")
    ONLINE = "online", _("Online payment")


class DuesPayment(models.Model):
    """Dues for one month (``period``, first day), paid on ``paid_on`` — in advance or late."""

    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="dues_payments", db_index=False
    )
    period = models.DateField(_("month paid for"))
    amount_vnd = models.PositiveIntegerField(_("amount (đ)"))
    paid_on = models.DateField(_("paid on"))
    method = models.CharField(_("method"), max_length=8, choices=PaymentMethod.choices)
    reference = models.CharField(_("payment reference"), max_length=64, blank=True)
    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", db_index=False
    )  # collecting
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["member_id", "period"]
        constraints = [
            models.UniqueConstraint(fields=["member", "period"], name="dues_unique_member_period"),
        ]
        # "Recorded on or before D": payments made after D are found through paid_on; dues
        # collected in a period by a subtree (activity health) are read from this index alone.
        indexes = [
            models.Index(fields=["paid_on", "org", "amount_vnd"], name="dues_paid_on_org_idx")
        ]
        verbose_name = _("dues payment")

    def __str__(self) -> str:
        return f"{self.member_id} {self.period:%Y-%m}: {self.amount_vnd}"


class DuesBasis(models.TextChoices):
    STUDENT_PUPIL = "student_pupil", _("Pupil or student (flat amount)")
    SALARIED = "salaried", _("Salaried (share of insured salary)")
    PENSIONER = "pensioner", _("Pensioner (share of pension)")


class DuesBase(models.Model):
    """What a member's dues are computed from, from a month on (salary or pension)."""

    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="dues_bases"
    )
    valid_from = models.DateField(_("from month"))
    basis = models.CharField(_("basis"), max_length=16, choices=DuesBasis.choices)
    base_vnd = models.PositiveIntegerField(_("insured salary or pension (đ)"), default=0)

    class Meta:
        ordering = ["member_id", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["member", "valid_from"], name="dues_base_unique_start"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.basis} from {self.valid_from}"


class DuesRelief(models.Model):
    """Exemption (100%) or reduction (30/50/70%) of dues over months [start, end] (QĐ 01-QĐ/TW)."""

    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="dues_reliefs"
    )
    start = models.DateField(_("first month"))
    end = models.DateField(_("last month"))
    percent = models.PositiveSmallIntegerField(_("relief (%)"))
    reason = models.CharField(_("reason"), max_length=255)
    decision_number = models.CharField(_("decision number"), max_length=64, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["member_id", "start"]

    def __str__(self) -> str:
        return f"{self.member_id} -{self.percent}% {self.start}..{self.end}"


class TransferLetter(models.Model):
    """The paperwork of an official or temporary transfer (the member event is the fact)."""

    event = models.OneToOneField(
        "members.MemberEvent", on_delete=models.PROTECT, related_name="letter"
    )
    number = models.CharField(_("letter number"), max_length=64)
    issued_on = models.DateField(_("issued on"))
    dues_paid_through = models.DateField(_("dues paid through month"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.number


class Tracking(models.Model):
    """From when an org's party activity is judged (issue 17: no warning from missing data).

    The start is the date the committee set (``set_on``, "theo dõi từ ngày": the day the
    cell started recording in chibo), else the org's earliest recorded meeting or dues
    payment (``first_meeting_on``, ``first_payment_on``, kept by the services that record
    them). No row, or no start: the org has no activity data and nobody in it is judged.
    ``start`` and ``month`` (the first day of the start's month, the first month judged)
    are derived and stored so the warnings SQL can join on them (``activity.tracking``).
    """

    org = models.OneToOneField(
        "orgs.Org", primary_key=True, on_delete=models.CASCADE, related_name="activity_tracking"
    )
    set_on = models.DateField(_("tracked from"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField(null=True, blank=True)
    first_meeting_on = models.DateField(null=True, blank=True)
    first_payment_on = models.DateField(null=True, blank=True)
    start = models.DateField(null=True, blank=True)
    month = models.DateField(null=True, blank=True)
    month_number = models.IntegerField(
        null=True, blank=True
    )  # year * 12 + month - 1: SQL arithmetic

    class Meta:
        verbose_name = _("activity tracking start")

    def __str__(self) -> str:
        return f"{self.org_id} from {self.start}"

    def derive(self) -> None:
        """``start`` and ``month`` from the committee's date or the first records."""
        firsts = [d for d in (self.first_meeting_on, self.first_payment_on) if d is not None]
        self.start = self.set_on or (min(firsts) if firsts else None)
        self.month = self.start.replace(day=1) if self.start else None
        self.month_number = month_number(self.month) if self.month else None


def month_number(month: Any) -> int:
    """Months since year 0: two months' difference is a subtraction (``Tracking.month_number``)."""
    return int(month.year) * 12 + int(month.month) - 1


class WarningLevel(models.TextChoices):
    WARNING = "warning", _("Warning")
    REMOVAL_REVIEW = "removal_review", _("Removal review")


class MemberWarning(models.Model):
    """The stored result of the daily warnings run (one row per member at risk)."""

    member = models.OneToOneField(
        "members.Member", on_delete=models.CASCADE, related_name="activity_warning"
    )
    org = models.ForeignKey("orgs.Org", on_delete=models.CASCADE, related_name="+")
    level = models.CharField(_("level"), max_length=16, choices=WarningLevel.choices)
    inactive_months = models.JSONField(default=list)
    unpaid_months = models.JSONField(default=list)
    as_of = models.DateField()
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["org", "level"], name="mwarning_org_level_idx")]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.level}"
