"""Training records: courses (lớp), who attended, certificates; leaders' posts.

A certificate's validity comes from the rules registry where a rule sets one
(the awareness course: ``admission.certificate_valid_months``, 60 months,
HD 06-HD/TW §5.4). The political-theory level each post requires is
configuration (``PostRequirement``), not a regulation we could confirm.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CourseKind(models.TextChoices):
    AWARENESS = "awareness", _("Party awareness course")
    NEW_MEMBER = "new_member", _("New-member course")
    THEORY_BASIC = "theory_basic", _("Political theory, elementary level")
    THEORY_INTERMEDIATE = "theory_intermediate", _("Political theory, intermediate level")
    THEORY_ADVANCED = "theory_advanced", _("Political theory, advanced level")
    REFRESHER = "refresher", _("Refresher course for leaders")


# Political-theory levels, lowest first: a higher level satisfies a lower requirement.
THEORY_LEVELS = (
    CourseKind.THEORY_BASIC,
    CourseKind.THEORY_INTERMEDIATE,
    CourseKind.THEORY_ADVANCED,
)


class Course(models.Model):
    """One session of a course: dates, organizer, participants."""

    kind = models.CharField(_("course"), max_length=20, choices=CourseKind.choices)
    title = models.CharField(_("title"), max_length=255)
    organizer = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="courses", verbose_name=_("organizer")
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    place = models.CharField(_("place"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "id"]
        indexes = [models.Index(fields=["organizer", "starts_on"], name="course_org_start_idx")]
        verbose_name = _("course")

    def __str__(self) -> str:
        return self.title


class Enrolment(models.Model):
    """A participant of a course (a member or a candidate), or a certificate recorded without one."""

    course = models.ForeignKey(
        Course, null=True, blank=True, on_delete=models.PROTECT, related_name="enrolments"
    )
    kind = models.CharField(_("course"), max_length=20, choices=CourseKind.choices)
    member = models.ForeignKey(
        "members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="enrolments"
    )
    candidate = models.ForeignKey(
        "admissions.Candidate",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enrolments",
    )
    # The participant's org when enrolled: where the record is seen from.
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    full_name = models.CharField(_("full name"), max_length=120)
    completed = models.BooleanField(_("completed"), default=False)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    certificate_number = models.CharField(_("certificate number"), max_length=64, blank=True)
    certificate_date = models.DateField(_("certificate date"), null=True, blank=True)
    issuer = models.CharField(_("issued by"), max_length=255, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["full_name", "id"]
        indexes = [
            models.Index(fields=["member", "kind"], name="enrol_member_kind_idx"),
            models.Index(fields=["candidate", "kind"], name="enrol_cand_kind_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["course", "member"], name="enrol_member_once"),
            models.UniqueConstraint(fields=["course", "candidate"], name="enrol_candidate_once"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.kind})"


class Post(models.TextChoices):
    SECRETARY = "bi_thu", _("Party secretary")
    DEPUTY_SECRETARY = "pho_bi_thu", _("Deputy party secretary")
    COMMITTEE_MEMBER = "cap_uy_vien", _("Committee member")
    PRINCIPAL = "hieu_truong", _("Principal / rector")
    VICE_PRINCIPAL = "pho_hieu_truong", _("Vice-principal / vice-rector")


class LeadershipPost(models.Model):
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="leadership_posts"
    )
    post = models.CharField(_("post"), max_length=20, choices=Post.choices)
    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("organization")
    )
    from_on = models.DateField(_("from"))
    to_on = models.DateField(_("to"), null=True, blank=True)

    class Meta:
        ordering = ["org_id", "post", "from_on"]
        indexes = [models.Index(fields=["org", "to_on"], name="lpost_org_idx")]

    def __str__(self) -> str:
        return f"{self.member_id} {self.post}"


class PostRequirement(models.Model):
    """The political-theory level a post requires (configuration)."""

    post = models.CharField(_("post"), max_length=20, choices=Post.choices, unique=True)
    level = models.CharField(_("required level"), max_length=20, choices=CourseKind.choices)
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        ordering = ["post"]

    def __str__(self) -> str:
        return f"{self.post}: {self.level}"
