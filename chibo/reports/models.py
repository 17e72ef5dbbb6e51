"""Models of the reports app: targets set by a superior for an org and a year."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Indicator(models.TextChoices):
    """What a target counts (the directive's indicators)."""

    SCHOOL_STUDENT_PUPIL_ADMISSIONS = (
        "school_students_and_pupils",
        _("Admissions of students and pupils by school party organizations"),
    )
    TOTAL_ADMISSIONS = "total_admissions", _("All admissions")


# A yearly admissions target above this (a fifth of every party member in
# Vietnam) is a typing error, not a target.
TARGET_MAX = 1_000_000


class Target(models.Model):
    """A yearly target for an org's subtree, set by its superior (Cap.ORG_RESTRUCTURE over the parent)."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="report_targets")
    year = models.PositiveSmallIntegerField(_("year"))
    indicator = models.CharField(_("indicator"), max_length=32, choices=Indicator.choices)
    value = models.PositiveIntegerField(_("target"))
    note = models.CharField(_("note"), max_length=255, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["org__path", "-year", "indicator"]
        constraints = [
            models.UniqueConstraint(
                fields=["org", "year", "indicator"], name="report_target_unique"
            ),
        ]
        verbose_name = _("target")

    def __str__(self) -> str:
        return f"{self.org_id} {self.year} {self.indicator}={self.value}"


class EventTally(models.Model):
    """Member events counted per ancestor org and month (``reports.tallies``), kept by triggers.

    ``ancestor``: an org on the event's org's path (that org included); ``unit``: the child of
    ``ancestor`` on that path (``ancestor`` itself for its own events); ``ym``: year * 12 +
    month - 1 of the event's day. Org ids are plain integers: the rows are written by the
    database's triggers, never through the ORM.
    """

    ancestor = models.IntegerField()
    ym = models.IntegerField()
    unit = models.IntegerField()
    kind = models.CharField(max_length=20)
    school_level = models.CharField(max_length=20, blank=True, default="")
    category = models.CharField(max_length=16, blank=True, default="")
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["ancestor", "ym", "unit", "kind", "school_level", "category"],
                name="reports_tally_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.ancestor}/{self.unit} {self.ym // 12}-{self.ym % 12 + 1:02d} {self.kind}: {self.n}"
