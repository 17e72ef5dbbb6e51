"""Forms recording a step of the admission path, the decision's receipt and the new member's
personal history.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chibo.admissions import services
from chibo.admissions.forms.candidates import _full_member
from chibo.admissions.models import (
    Candidate,
    CandidateStep,
    Stage,
)
from chibo.core.web import date_field
from chibo.lib.dates import dmy
from chibo.members.models import ON_ROLLS, Member
from chibo.members.pick import PickField
from chibo.members.selectors import cell_roll, members_for

VOTE_STAGES = (Stage.CELL_RESOLUTION, Stage.RECOGNITION_VOTE, Stage.RECOGNITION_VOTE_FAILED)


DOC_LABELS: dict[str, Any] = {
    Stage.COURSE: gettext_lazy("Certificate number"),
    Stage.APPLICATION: gettext_lazy("Application letter (form 1-KNĐ) reference"),
    Stage.HISTORY: gettext_lazy("Personal history (form 2-KNĐ) reference"),
    Stage.BACKGROUND_CHECK: gettext_lazy("Background check report number"),
    Stage.YOUTH_UNION: gettext_lazy("Youth Union resolution number (4-KNĐ)"),
    Stage.CELL_RESOLUTION: gettext_lazy("Cell resolution number (6-KNĐ)"),
    Stage.GRASSROOTS_RESOLUTION: gettext_lazy("Committee resolution number (8-KNĐ)"),
    Stage.DECISION: gettext_lazy("Admission decision number (9-KNĐ)"),
    Stage.CEREMONY: gettext_lazy("Ceremony minutes number"),
    Stage.RECOGNITION_VOTE: gettext_lazy("Cell resolution number"),
    Stage.RECOGNITION_VOTE_FAILED: gettext_lazy("Meeting minutes number"),
    Stage.RECOGNITION_DECISION: gettext_lazy("Recognition decision number"),
}


class StepForm(forms.Form):
    """Date, document and note for every step, plus the fields the step needs."""

    done_on = date_field(gettext_lazy("Date"))
    document_number = forms.CharField(
        label=gettext_lazy("Document number"), max_length=64, required=False
    )
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    # Optimistic locking: the candidate's version when the form was shown.
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, user: Any, candidate: Candidate, stage: str, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user, self.candidate, self.stage = user, candidate, stage
        self.fields["version"].initial = candidate.version
        self.fields["document_number"].label = DOC_LABELS.get(
            stage, gettext_lazy("Document number")
        )
        if stage in (Stage.DECISION, Stage.RECOGNITION_DECISION):
            self.fields["document_number"].required = True
        if stage in (Stage.WITHDRAWN, Stage.REJECTED, Stage.NOT_RECOGNIZED):
            self.fields["note"].required = True
            self.fields["note"].label = gettext_lazy("Reason")
        add = self.fields.__setitem__
        if stage == Stage.COURSE:
            self.fields["done_on"].label = gettext_lazy("Certificate date")
            self.fields["document_number"].required = True
            add(
                "cert_issuer",
                forms.CharField(
                    label=gettext_lazy("Issued by"),
                    max_length=255,
                    widget=forms.TextInput(
                        attrs={"placeholder": gettext_lazy("e.g. Trung tâm Chính trị quận 1")}
                    ),
                ),
            )
        elif stage == Stage.INTRODUCERS:
            add("introducer_1", PickField(label=gettext_lazy("First introducer")))
            cast(PickField, self.fields["introducer_1"]).pick(org=candidate.org, standing="full")
            add(
                "months_1",
                forms.IntegerField(
                    label=gettext_lazy("Months worked or studied together"), min_value=0
                ),
            )
            add(
                "introducer_2",
                PickField(
                    label=gettext_lazy("Second introducer"),
                    required=False,
                    help_text=gettext_lazy("Not needed when the Youth Union committee introduces."),
                ),
            )
            cast(PickField, self.fields["introducer_2"]).pick(org=candidate.org, standing="full")
            add(
                "months_2",
                forms.IntegerField(
                    label=gettext_lazy("Months worked or studied together"),
                    min_value=0,
                    required=False,
                ),
            )
        elif stage == Stage.YOUTH_UNION:
            add(
                "youth_union_body",
                forms.CharField(label=gettext_lazy("Youth Union committee"), max_length=255),
            )
        elif stage in VOTE_STAGES:
            # The rolls on the vote's date give the count (issue 20); shown as of the form's
            # day, checked again by the service for the date typed.
            roll = cell_roll(candidate.org, self.initial.get("done_on") or timezone.localdate())
            names = ", ".join(m.full_name for m in roll.excludable) or _("none")
            add(
                "full_members",
                forms.IntegerField(
                    label=gettext_lazy("Full members of the cell"),
                    min_value=0,
                    required=False,
                    initial=len(roll.full),
                    help_text=_(
                        "From the rolls: %(n)s full members on %(date)s. Empty: the rolls' count "
                        "on the vote's date."
                    )
                    % {"n": len(roll.full), "date": dmy(roll.day)},
                ),
            )
            add(
                "absent_excluded",
                forms.IntegerField(
                    label=gettext_lazy(
                        "Of whom exempted or temporarily transferred out, and absent"
                    ),
                    min_value=0,
                    initial=0,
                    required=False,
                    help_text=_("They do not count in the 2/3. On the rolls: %(n)s (%(names)s).")
                    % {"n": len(roll.excludable), "names": names},
                ),
            )
            add("votes_for", forms.IntegerField(label=gettext_lazy("Votes in favour"), min_value=0))
            add(
                "figures_reason",
                forms.CharField(
                    label=gettext_lazy("Reason, if your figures differ from the rolls"),
                    max_length=500,
                    required=False,
                ),
            )
        elif stage in (Stage.DECISION, Stage.RECOGNITION_DECISION):
            add(
                "deciding_body",
                forms.CharField(
                    label=gettext_lazy("Deciding committee"), max_length=255, required=False
                ),
            )
            add(
                "extension",
                forms.BooleanField(label=gettext_lazy("The deadline was extended"), required=False),
            )
        if stage == Stage.DECISION:
            # The decision admits: the probationary member is created now.
            add(
                "member_code",
                forms.CharField(
                    label=gettext_lazy("Member code (blank: assigned automatically)"),
                    max_length=32,
                    required=False,
                ),
            )
            add("received_on", received_on_field())

    def member_options(self) -> list[Member]:
        if self.stage != Stage.INTRODUCERS:
            return []
        return list(
            members_for(self.user).filter(org=self.candidate.org, is_full=True, status__in=ON_ROLLS)
        )

    def save(self) -> CandidateStep:
        data = dict(self.cleaned_data)
        introducers = []
        if self.stage == Stage.INTRODUCERS:
            for i in (1, 2):
                code = (data.get(f"introducer_{i}") or "").strip()
                if code:
                    months = data.get(f"months_{i}")
                    if months is None:
                        raise ValidationError(
                            {f"months_{i}": [_("Enter the months worked or studied together.")]}
                        )
                    introducers.append((_full_member(self.user, code, f"introducer_{i}"), months))
        expected_version = data.pop("version", None)
        extra = {k: v for k, v in data.items() if k not in ("done_on", "document_number", "note")}
        if self.stage == Stage.COURSE:
            extra["cert_number"] = data["document_number"]
        return services.candidate_record_step(
            actor=self.user,
            candidate=self.candidate,
            stage=self.stage,
            done_on=data["done_on"],
            document_number=data["document_number"],
            note=data["note"],
            data=extra,
            introducers=introducers,
            expected_version=expected_version,
        )


def received_on_field(required: bool = False) -> forms.DateField:
    return date_field(
        gettext_lazy("Date the cell received the decision"),
        required=required,
        help_text=gettext_lazy(
            "The ceremony's deadline counts from it; blank: from the decision's date. "
            "It can also be recorded later on the candidate's page."
        ),
    )


class DecisionReceiptForm(forms.Form):
    """The date the cell received the admission decision, recorded after the decision."""

    received_on = received_on_field(required=True)

    def __init__(self, *args: Any, user: Any, candidate: Candidate, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user, self.candidate = user, candidate

    def save(self) -> Candidate:
        return services.candidate_record_decision_receipt(
            actor=self.user,
            candidate=self.candidate,
            received_on=self.cleaned_data["received_on"],
        )


class MemberHistoryForm(forms.Form):
    """The date the new member declared the personal history, after the ceremony (issue 20)."""

    declared_on = date_field(gettext_lazy("Date the personal history was declared"))
    late_reason = forms.CharField(
        label=gettext_lazy("Reason for the delay (only if after the deadline)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, candidate: Candidate, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user, self.candidate = user, candidate
        self.fields["version"].initial = candidate.version
        if candidate.history_due_on:
            self.fields["declared_on"].help_text = _(
                "Due by %(date)s: 30 working days after the admission ceremony."
            ) % {"date": dmy(candidate.history_due_on)}

    def save(self) -> Candidate:
        data = self.cleaned_data
        return services.candidate_record_member_history(
            actor=self.user,
            candidate=self.candidate,
            declared_on=data["declared_on"],
            late_reason=data["late_reason"] or "",
            expected_version=data.get("version"),
        )
