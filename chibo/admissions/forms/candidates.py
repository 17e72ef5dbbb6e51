"""Forms of the candidates' board and record: the filters, registering a candidate, the education
level, replacing an introducer.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

from chibo.admissions import services
from chibo.admissions.models import (
    Candidate,
    EducationLevel,
    Introducer,
    ReplacementReason,
    Stage,
)
from chibo.core.plausibility import confirm_field
from chibo.core.roles import Cap
from chibo.core.web import date_field
from chibo.members.models import ON_ROLLS, Category, Gender, Member
from chibo.members.pick import PickField, resolve
from chibo.members.selectors import members_for
from chibo.orgs.models import CELL_KINDS, Org
from chibo.orgs.selectors import orgs_for


def _full_member(user: Any, text: str, field: str) -> Member:
    """A full member on the rolls in the actor's scope, by code or name (members.pick)."""
    roster = members_for(user).filter(is_full=True, status__in=ON_ROLLS)
    try:
        return resolve(roster, text)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc


class BoardFilterForm(forms.Form):
    org = forms.ModelChoiceField(
        label=gettext_lazy("Organization"),
        queryset=Org.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=gettext_lazy("All in my scope"),
    )
    category = forms.ChoiceField(
        label=gettext_lazy("Category"),
        required=False,
        choices=[("", gettext_lazy("All categories")), *Category.choices],
    )
    stage = forms.ChoiceField(
        label=gettext_lazy("Stage"),
        required=False,
        choices=[
            ("", gettext_lazy("Open cases")),
            *[(k, v) for k, v in Stage.choices if k != Stage.RECOGNITION_VOTE_FAILED],
        ],
    )
    overdue = forms.BooleanField(label=gettext_lazy("Overdue only"), required=False)
    history_overdue = forms.BooleanField(
        label=gettext_lazy("Personal history overdue"), required=False
    )
    escalated = forms.BooleanField(
        label=gettext_lazy("Sent to the upper committee"), required=False
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["org"]).queryset = (
            orgs_for(user, Cap.MEMBER_VIEW).filter(closed_on__isnull=True).order_by("path")
        )


class RegisterForm(forms.Form):
    org = forms.ModelChoiceField(
        label=gettext_lazy("Party cell"), queryset=Org.objects.none(), to_field_name="code"
    )
    full_name = forms.CharField(label=gettext_lazy("Full name"), max_length=120)
    date_of_birth = date_field(gettext_lazy("Date of birth"))
    gender = forms.ChoiceField(label=gettext_lazy("Gender"), choices=Gender.choices)
    category = forms.ChoiceField(
        label=gettext_lazy("Category"), choices=Category.choices, initial=Category.STUDENT
    )
    education_level = forms.ChoiceField(
        label=gettext_lazy("Education level"),
        choices=[("", gettext_lazy("— not recorded yet —")), *EducationLevel.choices],
        required=False,
        help_text=gettext_lazy(
            "At least lower secondary school is required; the cell's review checks it."
        ),
    )
    mentor = PickField(
        label=gettext_lazy("Mentor"),
        help_text=gettext_lazy("A full member of the cell assigned to help the candidate."),
    )
    registered_on = date_field(gettext_lazy("Registered on"))
    youth_union_exists = forms.BooleanField(
        label=gettext_lazy(
            "A Youth Union organization exists where the candidate studies or works"
        ),
        required=False,
        initial=True,
    )
    citizen_id = forms.CharField(label=gettext_lazy("Citizen ID"), max_length=16, required=False)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=20, required=False)
    confirm = confirm_field()

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        cast(forms.ModelChoiceField, self.fields["org"]).queryset = (
            orgs_for(user, Cap.MEMBER_CHANGE)
            .filter(kind__in=CELL_KINDS, closed_on__isnull=True)
            .order_by("name")
        )
        cast(PickField, self.fields["mentor"]).pick(standing="full")

    def mentor_options(self) -> list[Member]:
        cells = cast(forms.ModelChoiceField, self.fields["org"]).queryset
        return list(
            members_for(self.user)
            .filter(org__in=cells, is_full=True, status__in=ON_ROLLS)
            .select_related("org")[:300]
        )

    def save(self) -> Candidate:
        data = self.cleaned_data
        return services.candidate_register(
            actor=self.user,
            org=data["org"],
            full_name=data["full_name"],
            date_of_birth=data["date_of_birth"],
            gender=data["gender"],
            category=data["category"],
            registered_on=data["registered_on"],
            mentor=_full_member(self.user, data["mentor"], "mentor"),
            youth_union_exists=data["youth_union_exists"],
            education_level=data["education_level"],
            citizen_id=data["citizen_id"],
            phone=data["phone"],
            confirm=data["confirm"],
        )


class EducationForm(forms.Form):
    """The candidate's education level, recorded or corrected before the cell's review."""

    education_level = forms.ChoiceField(
        label=gettext_lazy("Education level"),
        choices=[("", gettext_lazy("— choose —")), *EducationLevel.choices],
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, candidate: Candidate, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user, self.candidate = user, candidate
        self.fields["version"].initial = candidate.version

    def save(self) -> Candidate:
        return services.candidate_set_education(
            actor=self.user,
            candidate=self.candidate,
            education_level=self.cleaned_data["education_level"],
            expected_version=self.cleaned_data.get("version"),
        )


class ReplaceIntroducerForm(forms.Form):
    """The cell assigns another introducer in place of one who moved or was disciplined."""

    reason = forms.ChoiceField(
        label=gettext_lazy("Why is the introducer replaced?"),
        choices=ReplacementReason.choices,
        widget=forms.RadioSelect,
    )
    reason_text = forms.CharField(
        label=gettext_lazy("Details (required for another reason)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    replaced_on = date_field(gettext_lazy("Date the cell assigned the new introducer"))
    member = PickField(
        label=gettext_lazy("New introducer"),
        help_text=gettext_lazy(
            "A full member of the cell. The 12 months worked or studied together are not "
            "required for a replacement."
        ),
    )
    months_together = forms.IntegerField(
        label=gettext_lazy("Months worked or studied together (if known)"),
        min_value=0,
        required=False,
    )
    document_number = forms.CharField(
        label=gettext_lazy("Cell minutes or resolution number"), max_length=64, required=False
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, user: Any, candidate: Candidate, introducer: Introducer, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user, self.candidate, self.introducer = user, candidate, introducer
        self.fields["version"].initial = candidate.version
        cast(PickField, self.fields["member"]).pick(org=candidate.org, standing="full")

    def save(self) -> Introducer:
        data = self.cleaned_data
        return services.candidate_replace_introducer(
            actor=self.user,
            candidate=self.candidate,
            introducer=self.introducer,
            member=_full_member(self.user, data["member"], "member"),
            replaced_on=data["replaced_on"],
            reason=data["reason"],
            reason_text=data["reason_text"],
            months_together=data["months_together"] or 0,
            document_number=data["document_number"],
            expected_version=data.get("version"),
        )
