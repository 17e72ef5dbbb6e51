"""The document register, tasks assigned to units, progress reports, compiled reports.

A ``Document`` sits in one org's register (the receiver's for an incoming
one, the issuer's for an outgoing one). Outgoing documents are numbered from
01 per type within the issuing committee's term (HD 36-HD/VPTW) by
``NumberCounter``, a row locked while a number is taken, and the unique
constraint on (org, term, type, number) guards against duplicates.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chibo.core.fields import ByteOrderCharField


class Direction(models.TextChoices):
    INCOMING = "in", _("Incoming")
    OUTGOING = "out", _("Outgoing")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")
    EXPRESS = "express", _("Express (flash)")


class Confidentiality(models.TextChoices):
    NORMAL = "normal", _("Not classified")
    CONFIDENTIAL = "confidential", _("Confidential")
    SECRET = "secret", _("Secret")
    TOP_SECRET = "top_secret", _("Top secret")


class Recurrence(models.TextChoices):
    ONCE = "once", _("One-off, by the deadline")
    QUARTERLY = "quarterly", _("Every quarter")
    SEMIANNUAL = "semiannual", _("Every 6 months")
    YEARLY = "yearly", _("Every year")


class IssuingUnit(models.TextChoices):
    """Who in an org issues a document: the committee itself, or its advisory office."""

    COMMITTEE = "committee", _("The committee")
    OFFICE = "office", _("The committee's office")


class RecipientKind(models.TextChoices):
    TO = "to", _("Addressed to (Kính gửi)")
    COPY = "copy", _("Copy (Nơi nhận)")


class CommitteeTerm(models.Model):
    """A committee's term: from the day after one congress closes to the close of the next."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="committee_terms")
    name = models.CharField(_("term"), max_length=40)
    # The congress that opened the term ("Đại hội đại biểu lần thứ XI").
    congress = models.CharField(_("congress"), max_length=200, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)

    class Meta:
        ordering = ["org_id", "starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["org", "starts_on"], name="committeeterm_unique_start"),
        ]
        verbose_name = _("committee term")

    def __str__(self) -> str:
        return self.name


class NumberCounter(models.Model):
    """The last number given to a document type in a term; locked while the next is taken."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    term = models.ForeignKey(CommitteeTerm, on_delete=models.PROTECT, related_name="counters")
    doc_type = models.CharField(max_length=8)
    # The committee and its office number separately ("…/TU" and "…/VPTU").
    issuing_unit = models.CharField(
        max_length=12, choices=IssuingUnit.choices, default=IssuingUnit.COMMITTEE
    )
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["org", "term", "doc_type", "issuing_unit"], name="numbercounter_unique_unit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.doc_type} {self.last_number}"


class Attachment(models.Model):
    """A file kept in the database (documents are small; backups then hold everything)."""

    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=120)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    data = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Document(models.Model):
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    org = models.ForeignKey(
        "orgs.Org",
        on_delete=models.PROTECT,
        related_name="documents",
        verbose_name=_("register of"),
    )
    number = models.PositiveIntegerField(_("number"))
    doc_type = models.CharField(_("type"), max_length=8)
    issuer_code = models.CharField(_("issuer abbreviation"), max_length=24)
    symbol = models.CharField(_("number and symbol"), max_length=40)
    symbol_folded = ByteOrderCharField(max_length=40, db_index=True, editable=False)
    term = models.ForeignKey(
        CommitteeTerm, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    title = models.CharField(_("title (V/v)"), max_length=500)
    # Folded symbol, title and issuing body: words are searched without diacritics.
    search_folded = ByteOrderCharField(max_length=800, editable=False)
    issuing_org = models.ForeignKey(
        "orgs.Org", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    issuing_body = models.CharField(_("issuing body"), max_length=200)
    issuing_unit = models.CharField(
        _("issued by"), max_length=12, choices=IssuingUnit.choices, default=IssuingUnit.COMMITTEE
    )
    # The signature block: "T/M BAN THƯỜNG VỤ" (empty: the head signs in their own right).
    signature_for = models.CharField(_("signing for"), max_length=60, blank=True)
    signer = models.CharField(_("signed by"), max_length=120, blank=True)
    signer_title = models.CharField(_("signer's title"), max_length=120, blank=True)
    issued_on = models.DateField(_("date"), db_index=True)
    urgency = models.CharField(
        _("urgency"), max_length=8, choices=Urgency.choices, default=Urgency.NORMAL
    )
    confidentiality = models.CharField(
        _("confidentiality"),
        max_length=12,
        choices=Confidentiality.choices,
        default=Confidentiality.NORMAL,
    )
    incoming_number = models.CharField(_("incoming register number"), max_length=40, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    body = models.TextField(_("text"), blank=True)
    attachment = models.ForeignKey(
        Attachment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # What produced the entry when another app did ("admissions.candidate:12:decision",
    # "activity.transfer:34"): that app finds its register entry again by it.
    source = models.CharField(max_length=80, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "-id"]
        constraints = [
            # Outgoing numbers: never twice the same in a type and term (HD 36-HD/VPTW).
            models.UniqueConstraint(
                fields=["org", "term", "doc_type", "issuing_unit", "number"],
                condition=models.Q(direction="out"),
                name="document_outgoing_unit_number_unique",
            ),
        ]
        indexes = [models.Index(fields=["org", "issued_on"], name="document_org_date_idx")]
        verbose_name = _("document")

    def __str__(self) -> str:
        return self.symbol


class Recipient(models.Model):
    """A line of "Kính gửi" / "Nơi nhận": a unit (an org in the tree, or just a name) and copies."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="recipients")
    org = models.ForeignKey(
        "orgs.Org", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("recipient"), max_length=255)
    kind = models.CharField(max_length=8, choices=RecipientKind.choices, default=RecipientKind.TO)
    copies = models.PositiveSmallIntegerField(_("copies"), default=1)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["document_id", "position", "id"]

    def __str__(self) -> str:
        return self.name


class LinkKind(models.TextChoices):
    FORWARDS = "forwards", _("forwards")
    CITES = "cites", _("cites")
    IMPLEMENTS = "implements", _("implements")
    REPORTS_ON = "reports_on", _("reports on")


class DocumentLink(models.Model):
    """``source`` forwards/cites ``target``; the target may not be in the register (symbol only)."""

    source = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="links_in"
    )
    target_symbol = models.CharField(max_length=40)
    target_folded = ByteOrderCharField(max_length=40, db_index=True)
    # The date the source gives for it ("… số 01-CV/KDHCD ngày 05/03/2025"), when it does.
    target_date = models.DateField(null=True, blank=True)
    # More than one document fits the symbol (and date): the link took the likeliest; check it.
    ambiguous = models.BooleanField(default=False)
    kind = models.CharField(max_length=12, choices=LinkKind.choices)

    class Meta:
        ordering = ["source_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "target_folded", "target_date", "kind"],
                name="documentlink_unique_dated",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.target_symbol}"


class Task(models.Model):
    """A section of a directive, given to one or more units."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="tasks")
    section = models.CharField(_("section"), max_length=20)
    title = models.CharField(_("task"), max_length=300)
    text = models.TextField(_("text of the section"), blank=True)
    lead_person = models.CharField(_("person in charge"), max_length=120, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    recurrence = models.CharField(
        _("reporting"), max_length=12, choices=Recurrence.choices, default=Recurrence.ONCE
    )
    starts_on = models.DateField(_("reporting starts on"))
    ends_on = models.DateField(_("reporting ends on"), null=True, blank=True)
    report_due_days = models.PositiveSmallIntegerField(
        _("report due (days after the period ends)"), default=5
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["document_id", "id"]
        verbose_name = _("task")

    def __str__(self) -> str:
        return f"{self.section}. {self.title}"


class Assignment(models.Model):
    """One unit's share of a task. ``org`` is empty for a unit outside the tree (e.g. the city's Youth Union)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="assignments")
    org = models.ForeignKey(
        "orgs.Org", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit_name = models.CharField(_("unit"), max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["task_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "org"],
                condition=models.Q(org__isnull=False),
                name="assignment_unique_org",
            ),
        ]

    def __str__(self) -> str:
        return self.unit_name


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned for changes")


class ProgressReport(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="reports")
    period = models.CharField(_("period"), max_length=8)
    period_start = models.DateField()
    period_end = models.DateField()
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    text = models.TextField(_("report"), blank=True)
    # {"label": number}: figures the unit reports (admissions, meetings held ...).
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    attachment = models.ForeignKey(
        Attachment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_comment = models.TextField(_("comments"), blank=True)
    # Optimistic locking: bumped by every change; a save based on a stale one is refused.
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["assignment_id", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "period"], name="progressreport_unique_period"
            ),
        ]
        verbose_name = _("progress report")

    def __str__(self) -> str:
        return f"{self.assignment_id} {self.period}"

    @property
    def is_late(self) -> bool:
        return self.submitted_at is not None and self.submitted_at.date() > self.due_on


class CompiledReport(models.Model):
    """The issuer's report for a directive and a period: an outgoing BC with a DOCX and figures.

    Compiling the period again makes a new ``version`` under the same number (the
    same ``output`` document). A period not yet ended is compiled only as a draft
    (dự thảo): no number, ``output`` empty, the DOCX kept here.
    """

    directive = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="compilations")
    period = models.CharField(max_length=8)
    output = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.PROTECT, related_name="compiled_from"
    )
    version = models.PositiveIntegerField(default=1)
    draft = models.BooleanField(default=False)
    attachment = models.ForeignKey(
        Attachment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    figures = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.directive_id} {self.period} v{self.version}"
