"""Forms for oversight; the views hand their cleaned data to oversight.services / oversight.evaluation."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy

from chibo.core.roles import Cap
from chibo.core.web import date_field, decision_field
from chibo.members.forms import member_by_code
from chibo.members.models import Member
from chibo.members.pick import PickField
from chibo.orgs.forms import org_by_code
from chibo.orgs.models import Org
from chibo.oversight.models import HoldReason, InspectionKind, Penalty

TEXTAREA = forms.Textarea(attrs={"rows": 3})


class _UserForm(forms.Form):
    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user


class InspectionForm(_UserForm):
    org = forms.CharField(
        label=gettext_lazy("Committee (code)"),
        max_length=32,
        widget=forms.TextInput(attrs={"list": "org-choices", "autocomplete": "off"}),
    )
    year = forms.IntegerField(label=gettext_lazy("Plan year"), min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=gettext_lazy("Type"), choices=InspectionKind.choices)
    topic = forms.CharField(label=gettext_lazy("Subject matter"), max_length=255)
    target_org = forms.CharField(
        label=gettext_lazy("Organization inspected (code)"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"list": "org-choices", "autocomplete": "off"}),
    )
    target_member = PickField(label=gettext_lazy("or member inspected"), required=False)
    team = forms.CharField(
        label=gettext_lazy("Team"),
        required=False,
        widget=TEXTAREA,
        help_text=gettext_lazy("Head and members of the inspection team, one per line."),
    )
    starts_on = date_field(gettext_lazy("From"))
    ends_on = date_field(gettext_lazy("To"))

    def clean_org(self) -> Org:
        return org_by_code(self.user, self.cleaned_data["org"], Cap.OVERSIGHT_MANAGE)

    def clean_target_org(self) -> Org | None:
        code = self.cleaned_data["target_org"].strip()
        return org_by_code(self.user, code, Cap.MEMBER_VIEW) if code else None

    def clean_target_member(self) -> Member | None:
        code = self.cleaned_data["target_member"].strip()
        return member_by_code(self.user, code) if code else None


class ConcludeForm(forms.Form):
    findings = forms.CharField(label=gettext_lazy("Findings"), required=False, widget=TEXTAREA)
    conclusion = forms.CharField(label=gettext_lazy("Conclusion"), widget=TEXTAREA)
    concluded_on = date_field(gettext_lazy("Concluded on"))
    issue_number = forms.BooleanField(
        label=gettext_lazy("Number the conclusion (KL) in the document register"),
        required=False,
        help_text=gettext_lazy("Takes the next outgoing number of the committee for this term."),
    )
    conclusion_number = forms.CharField(
        label=gettext_lazy("or the conclusion's number, if already numbered"),
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("e.g. 12-KL/ĐU")}),
    )


class FollowUpForm(forms.Form):
    action = forms.CharField(label=gettext_lazy("Follow-up action"), max_length=255)
    responsible = forms.CharField(label=gettext_lazy("Responsible"), max_length=255, required=False)
    due_on = date_field(gettext_lazy("Deadline"))


class AttachmentForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Document"))


class CaseForm(_UserForm):
    member = PickField(label=gettext_lazy("Member"), required=False)
    subject_org = forms.CharField(
        label=gettext_lazy("or organization (code)"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"list": "org-choices", "autocomplete": "off"}),
    )
    violation = forms.CharField(label=gettext_lazy("Violation"), widget=TEXTAREA)
    opened_on = date_field(gettext_lazy("Opened on"))

    def clean_member(self) -> Member | None:
        code = self.cleaned_data["member"].strip()
        return member_by_code(self.user, code) if code else None

    def clean_subject_org(self) -> Org | None:
        code = self.cleaned_data["subject_org"].strip()
        return org_by_code(self.user, code, Cap.MEMBER_VIEW) if code else None


class HoldForm(forms.Form):
    reason = forms.ChoiceField(label=gettext_lazy("Why the case waits"), choices=HoldReason.choices)
    since = date_field(gettext_lazy("Since"))
    child_born_on = date_field(gettext_lazy("Child's date of birth (when nursing)"), required=False)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=255, required=False)


class ReleaseForm(forms.Form):
    on = date_field(gettext_lazy("The situation ended on"))


class DecideForm(_UserForm):
    penalty = forms.ChoiceField(label=gettext_lazy("Form of discipline"), choices=Penalty.choices)
    by_cell_vote = forms.BooleanField(
        label=gettext_lazy("Decided by the cell's own vote"), required=False
    )
    deciding_org = forms.CharField(
        label=gettext_lazy("Deciding organization (code)"),
        max_length=32,
        widget=forms.TextInput(attrs={"list": "org-choices", "autocomplete": "off"}),
    )
    votes_for = forms.IntegerField(
        label=gettext_lazy("Votes in favour"), min_value=0, required=False
    )
    votes_total = forms.IntegerField(
        label=gettext_lazy("Full members of the cell"), min_value=0, required=False
    )
    decided_on = date_field(gettext_lazy("Decided on"))
    decision_number = decision_field()
    effective_on = date_field(
        gettext_lazy("Effective from"),
        required=False,
        help_text=gettext_lazy(
            "Empty: the decision date. A cell's decision takes effect when announced."
        ),
    )
    received_on = date_field(gettext_lazy("Decision received on"), required=False)
    post = forms.CharField(
        label=gettext_lazy("Post (for a dismissal)"), max_length=120, required=False
    )

    def clean_deciding_org(self) -> Org:
        return org_by_code(self.user, self.cleaned_data["deciding_org"], Cap.MEMBER_VIEW)


class AppealForm(forms.Form):
    received_on = date_field(gettext_lazy("Decision received on"), required=False)
    filed_on = date_field(gettext_lazy("Appeal filed on"))
    note = forms.CharField(label=gettext_lazy("Appeal"), required=False, widget=TEXTAREA)


class DropForm(forms.Form):
    on = date_field(gettext_lazy("Concluded on"))
    note = forms.CharField(label=gettext_lazy("Note"), max_length=255, required=False)


class YearOrgForm(forms.Form):
    org = forms.CharField(
        label=gettext_lazy("Organization (code)"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"list": "org-choices", "autocomplete": "off"}),
    )
    year = forms.IntegerField(
        label=gettext_lazy("Year"), min_value=2000, max_value=2100, required=False
    )


class CoverageForm(forms.Form):
    org = forms.CharField(
        label=gettext_lazy("Organization (code)"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"list": "org-choices", "autocomplete": "off"}),
    )
    date_from = date_field(gettext_lazy("From"), required=False)
    date_to = date_field(gettext_lazy("To"), required=False)


def this_year() -> int:
    return timezone.localdate().year
