"""The party organization tree, with its history.

The tree is a materialized path: each org's ``path`` is its ancestors' ids
(6 base-36 characters each) followed by its own, so "everything under X" is
one range scan ``path >= X.path AND path < bound(X.path)`` on a B-tree index
(a range, not LIKE: see shared/NOTES.md). Restructuring is dated: every
org keeps ``OrgPeriod`` rows (parent and name over a span of dates) so a
report for a past date sees the tree as it was.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from chibo.core.fields import ByteOrderCharField
from chibo.lib.text import prefix_upper_bound

STEP = 6  # characters of path per level: base-36 ids up to 2 billion


def encode_step(pk: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    n = pk
    while n:
        n, r = divmod(n, 36)
        out = digits[r] + out
    return out.rjust(STEP, "0")


class OrgKind(models.TextChoices):
    CITY_COMMITTEE = "city_committee", _("City party committee")
    DIRECT_COMMITTEE = "direct_committee", _("Directly subordinate committee")
    GRASSROOTS_COMMITTEE = "grassroots_committee", _("Grassroots party committee")
    GRASSROOTS_CELL = "grassroots_cell", _("Grassroots party cell")
    SUBORDINATE_CELL = "subordinate_cell", _("Subordinate party cell")


# Which kind of org may sit under which (Party Charter, Art. 21–24). A grassroots
# organization may sit directly under the provincial committee: the commune and ward
# committees have since 1/7/2025 (QĐ 294-QĐ/TW, no district level), and some
# grassroots committees always did.
ALLOWED_PARENTS: dict[str, set[str | None]] = {
    OrgKind.CITY_COMMITTEE: {None},
    OrgKind.DIRECT_COMMITTEE: {OrgKind.CITY_COMMITTEE},
    OrgKind.GRASSROOTS_COMMITTEE: {OrgKind.DIRECT_COMMITTEE, OrgKind.CITY_COMMITTEE},
    OrgKind.GRASSROOTS_CELL: {OrgKind.DIRECT_COMMITTEE, OrgKind.CITY_COMMITTEE},
    OrgKind.SUBORDINATE_CELL: {OrgKind.GRASSROOTS_COMMITTEE},
}
CELL_KINDS = {OrgKind.GRASSROOTS_CELL, OrgKind.SUBORDINATE_CELL}


class SchoolLevel(models.TextChoices):
    PRESCHOOL = "mam_non", _("Preschool")
    PRIMARY = "tieu_hoc", _("Primary school")
    LOWER_SECONDARY = "thcs", _("Lower secondary school")
    UPPER_SECONDARY = "thpt", _("Upper secondary school")
    VOCATIONAL = "trung_cap", _("Vocational school")
    COLLEGE = "cao_dang", _("College")
    UNIVERSITY = "dai_hoc", _("University")


class Ownership(models.TextChoices):
    PUBLIC = "cong_lap", _("Public")
    PRIVATE = "ngoai_cong_lap", _("Non-public")


class Org(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=255)
    name_folded = ByteOrderCharField(max_length=255, db_index=True, editable=False)
    kind = models.CharField(_("type"), max_length=24, choices=OrgKind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = ByteOrderCharField(max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(editable=False)
    school_level = models.CharField(
        _("school level"), max_length=12, choices=SchoolLevel.choices, blank=True
    )
    ownership = models.CharField(
        _("ownership"), max_length=16, choices=Ownership.choices, blank=True
    )
    opened_on = models.DateField(_("established on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The issuer part of its documents' symbols (HD 36-HD/VPTW): "01-BC/ĐUK", "03-NQ/CB".
    # Defaults by type (orgs.letterhead.default_abbreviation); editable.
    abbreviation = models.CharField(_("document abbreviation"), max_length=24, blank=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("party organization")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def is_school(self) -> bool:
        return bool(self.school_level)

    @property
    def is_cell(self) -> bool:
        return self.kind in CELL_KINDS

    @property
    def is_open(self) -> bool:
        return self.closed_on is None

    @property
    def path_bound(self) -> str:
        return prefix_upper_bound(self.path)

    def subtree_filter(self, prefix: str = "") -> models.Q:
        """Q for this org and everything under it (``prefix`` = lookup path to Org)."""
        return models.Q(**{f"{prefix}path__gte": self.path, f"{prefix}path__lt": self.path_bound})

    def ancestors(self) -> models.QuerySet[Org]:
        steps = [self.path[:i] for i in range(STEP, len(self.path), STEP)]
        return Org.objects.filter(path__in=steps).order_by("path")


class OrgPeriod(models.Model):
    """An org's parent and name over [valid_from, valid_to): the tree's history."""

    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="periods")
    parent = models.ForeignKey(Org, null=True, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=255)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["org_id", "valid_from"]
        indexes = [models.Index(fields=["valid_from", "valid_to"], name="orgperiod_span_idx")]

    def __str__(self) -> str:
        return f"{self.org_id} under {self.parent_id} from {self.valid_from}"


class OrgEvent(models.Model):
    """A dated restructuring step: created, moved, renamed, merged, closed."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Established")
        MOVED = "moved", _("Moved under a new superior")
        RENAMED = "renamed", _("Renamed")
        MERGED = "merged", _("Merged into another organization")
        CLOSED = "closed", _("Dissolved")

    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    effective_date = models.DateField()
    recorded_at = models.DateTimeField(auto_now_add=True)
    decision_number = models.CharField(max_length=64, blank=True)
    actor = models.ForeignKey("auth.User", null=True, on_delete=models.SET_NULL, related_name="+")
    data = models.JSONField(default=dict)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["effective_date", "id"]

    def __str__(self) -> str:
        return f"{self.org_id} {self.kind} {self.effective_date}"
