"""Party members and their lifecycle as an append-only event log.

``Member`` holds identity plus the *current* state (org, status, standing),
which is derived from ``MemberEvent`` rows and kept consistent by
``members.lifecycle.record`` (``replay`` recomputes it from the events). Every event
records the state after it, so the state on any past date is the last event
on or before that date. The vocabularies of the lifecycle (status, category, event
kind, removal reason) are declared in ``members.lifecycle`` with the event kinds.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chibo.core.crypto import EncryptedCharField
from chibo.core.fields import ByteOrderCharField
from chibo.lib.text import mask as mask
from chibo.members.lifecycle.vocab import ON_ROLLS as ON_ROLLS
from chibo.members.lifecycle.vocab import TERMINAL as TERMINAL
from chibo.members.lifecycle.vocab import Category, EventKind, RemovalReason, Status


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class Member(models.Model):
    member_code = models.CharField(_("member code"), max_length=32, unique=True)
    full_name = models.CharField(_("full name"), max_length=120)
    # Folded (lowercase, no diacritics, đ→d) for search; see lib.text.fold. Indexed with
    # the columns a list reads (Meta.indexes; members.search).
    name_folded = ByteOrderCharField(max_length=120, editable=False)
    given_folded = ByteOrderCharField(max_length=40, editable=False)
    date_of_birth = models.DateField(_("date of birth"))
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices)
    ethnicity = models.CharField(_("ethnicity"), max_length=40, default="Kinh")
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    expected_graduation = models.DateField(_("expected graduation"), null=True, blank=True)
    # Sensitive: shown only to roles with member.view_sensitive.
    party_card_number = models.CharField(_("party card number"), max_length=32, blank=True)
    # Encrypted at rest (core.crypto); the plain value is at most 16 characters.
    citizen_id = EncryptedCharField(_("citizen ID"), max_length=255, blank=True)
    phone = EncryptedCharField(_("phone"), max_length=255, blank=True)

    # Derived from the events (services keep these consistent).
    # Indexed by member_org_state_idx (org first): a separate org index repeats it.
    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="members", db_index=False
    )
    # Not indexed alone: lists and counts read it with the org (member_org_state_idx) or the
    # name (member_name_idx); members in transit are found by their pending org.
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    is_full = models.BooleanField(_("full member"), default=False)
    admitted_on = models.DateField(_("admission decision date"))
    admitting_org = models.ForeignKey(
        "orgs.Org", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    category_at_admission = models.CharField(max_length=16, choices=Category.choices, blank=True)
    # Empty between the admission decision and the ceremony (probation runs from the ceremony).
    ceremony_on = models.DateField(_("admission ceremony date"), null=True, blank=True)
    probation_ends_on = models.DateField(_("probation ends"), null=True, blank=True)
    recognized_on = models.DateField(_("recognized on"), null=True, blank=True)
    # Empty for nearly every member: indexed where set only (Meta.indexes).
    temp_host_org = models.ForeignKey(
        "orgs.Org",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attached_members",
        db_index=False,
    )
    # Set while an official transfer to an org inside chibo is in transit.
    pending_org = models.ForeignKey(
        "orgs.Org",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incoming_members",
        db_index=False,
    )
    status_changed_on = models.DateField(null=True, blank=True)
    last_event_on = models.DateField()

    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name_folded", "member_code"]
        indexes = [
            # A scope's members by org (members.search, the "orgs" plan): a name prefix is a
            # seek inside each (org, status), and the list's filter and order read from the
            # index alone. Covering on PostgreSQL (INCLUDE is ignored elsewhere): the
            # composition report counts every member of a subtree from this index alone,
            # about a third faster than from the table at 5.5M (docs/performance.md).
            models.Index(
                fields=["org", "status", "name_folded", "member_code", "given_folded"],
                include=[
                    "last_event_on",
                    "admitted_on",
                    "recognized_on",
                    "category",
                    "gender",
                    "date_of_birth",
                    "id",
                ],
                name="member_org_state_idx",
            ),
            # The list in its order (name, code), with what its filter reads (members.search,
            # the "name" plan): a wide scope's page stops after fifty entries.
            models.Index(
                fields=["name_folded", "member_code", "status", "org"], name="member_name_idx"
            ),
            # A one-word search's given names, each in list order.
            models.Index(
                fields=["given_folded", "name_folded", "member_code", "status", "org"],
                name="member_given_idx",
            ),
            models.Index(
                fields=["temp_host_org"],
                condition=models.Q(temp_host_org__isnull=False),
                name="member_temp_host_idx",
            ),
            # Students graduating by a date (the transfers page's graduates): set for few.
            models.Index(
                fields=["category", "expected_graduation"],
                condition=models.Q(expected_graduation__isnull=False),
                name="member_graduation_idx",
            ),
            models.Index(
                fields=["pending_org"],
                condition=models.Q(pending_org__isnull=False),
                name="member_pending_org_idx",
            ),
        ]
        verbose_name = _("party member")

    def __str__(self) -> str:
        return f"{self.full_name} ({self.member_code})"

    @property
    def standing_label(self) -> Any:
        return _("Full member") if self.is_full else _("Probationary member")

    @property
    def masked_citizen_id(self) -> str:
        return mask(self.citizen_id)

    @property
    def masked_phone(self) -> str:
        return mask(self.phone)


class MemberEvent(models.Model):
    # Indexed by mevent_member_state_idx (member first): a separate member index repeats it.
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="events", db_index=False
    )
    kind = models.CharField(_("event"), max_length=20, choices=EventKind.choices)
    effective_date = models.DateField(_("effective date"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    decision_number = models.CharField(_("decision number"), max_length=64, blank=True)
    # Empty for most events (imports, the demo): indexed where set only (Meta.indexes).
    issuing_org = models.ForeignKey(
        "orgs.Org",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    issuing_body = models.CharField(_("issuing body"), max_length=255, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    note = models.TextField(_("note"), blank=True)
    reason = models.CharField(_("reason"), max_length=24, choices=RemovalReason.choices, blank=True)
    data = models.JSONField(default=dict, blank=True)
    # An official transfer sent after its paperwork was due (``data["late"]``, set with it by
    # members.lifecycle): a column, so that the late transfers of a city are read from their
    # own small index (mevent_late_idx) instead of every transfer's JSON.
    late = models.BooleanField(default=False, db_default=False)

    # State after the event: what "as of a date" queries read. Standing (full
    # or probationary) on a date is not here: it is ``recognized_on <= date``.
    # Indexed by mevent_org_kind_date_idx (org first): a separate org index repeats it.
    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="member_events", db_index=False
    )
    status_after = models.CharField(max_length=16, choices=Status.choices)
    category_after = models.CharField(max_length=16, choices=Category.choices)

    class Meta:
        ordering = ["effective_date", "id"]
        indexes = [
            # A member's state on a day is its last event by (date, id): on PostgreSQL
            # the composition report reads it from this index alone (INCLUDE).
            models.Index(
                fields=["member", "effective_date", "id"],
                include=["org", "status_after", "category_after"],
                name="mevent_member_state_idx",
            ),
            # A kind's events of a period with their org (the transfers page at city scope
            # counts the transfers sent from a subtree from this index alone on PostgreSQL).
            models.Index(fields=["kind", "effective_date", "org"], name="mevent_kind_date_idx"),
            # An org's events of a kind and period: SQLite walks a subtree's orgs and seeks
            # each one here (the org's foreign key index, widened).
            models.Index(fields=["org", "kind", "effective_date"], name="mevent_org_kind_date_idx"),
            models.Index(
                fields=["issuing_org"],
                condition=models.Q(issuing_org__isnull=False),
                name="mevent_issuing_org_idx",
            ),
            # The late official transfers (a handful among 56,000 transfers at 400,000 members).
            models.Index(
                fields=["org", "effective_date"],
                condition=models.Q(late=True),
                name="mevent_late_idx",
            ),
            models.Index(
                fields=["actor"], condition=models.Q(actor__isnull=False), name="mevent_actor_idx"
            ),
        ]
        verbose_name = _("member event")

    def __str__(self) -> str:
        return f"{self.member_id} {self.kind} {self.effective_date}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise RuntimeError("member events are append-only")
        super().save(*args, **kwargs)


class LateTransferDecision(models.Model):
    """The competent committee's decision on a late official transfer (QĐ 294-QĐ/TW point
    6.3.1; issue 20, item 10).

    A ``transfer_out`` event recorded after the 60 working days carries ``late`` and the
    member's reason; it stays pending — no transfer letter, no arrival — until a user who
    decides for the sending cell's superior committee (``admission.decide`` over it) accepts
    or refuses it here. One decision per event; events stay append-only.
    """

    event = models.OneToOneField(
        MemberEvent, on_delete=models.PROTECT, related_name="late_decision"
    )
    accepted = models.BooleanField(_("accepted"))
    decided_on = models.DateField(_("decision date"))
    committee = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("decision on a late transfer")

    def __str__(self) -> str:
        return f"{self.event_id} {'accepted' if self.accepted else 'refused'}"
