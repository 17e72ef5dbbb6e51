"""Forms for training; the views hand their cleaned data to training.services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chibo.core.roles import Cap
from chibo.core.web import date_field
from chibo.members.forms import member_by_code
from chibo.members.pick import PickField
from chibo.orgs.forms import org_by_code
from chibo.orgs.models import Org
from chibo.training.models import THEORY_LEVELS, CourseKind, Post

ORG_INPUT = forms.TextInput(attrs={"list": "org-choices", "autocomplete": "off"})


class _UserForm(forms.Form):
    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user


class CourseForm(_UserForm):
    kind = forms.ChoiceField(label=gettext_lazy("Course"), choices=CourseKind.choices)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=255)
    organizer = forms.CharField(
        label=gettext_lazy("Organizer (org code)"), max_length=32, widget=ORG_INPUT
    )
    starts_on = date_field(gettext_lazy("From"))
    ends_on = date_field(gettext_lazy("To"))
    place = forms.CharField(label=gettext_lazy("Place"), max_length=255, required=False)

    def clean_organizer(self) -> Org:
        return org_by_code(self.user, self.cleaned_data["organizer"], Cap.TRAINING_MANAGE)


class EnrolForm(_UserForm):
    member = PickField(label=gettext_lazy("Member"), required=False)
    candidate = forms.IntegerField(
        label=gettext_lazy("or candidate number (admissions)"), required=False, min_value=1
    )

    def clean_member(self) -> Any:
        code = self.cleaned_data["member"].strip()
        return member_by_code(self.user, code) if code else None

    def clean_candidate(self) -> Any:
        pk = self.cleaned_data["candidate"]
        if not pk:
            return None
        from chibo.admissions.selectors import candidates_for

        candidate = candidates_for(self.user).filter(pk=pk).first()
        if candidate is None:
            raise ValidationError(_("No candidate with this number in your scope."))
        return candidate


class CompleteForm(forms.Form):
    completed_on = date_field(gettext_lazy("Completed on"))
    certificate_number = forms.CharField(
        label=gettext_lazy("Certificate number"), max_length=64, required=False
    )
    certificate_date = date_field(gettext_lazy("Certificate date"), required=False)


class CertificateForm(_UserForm):
    member = PickField(label=gettext_lazy("Member"))
    kind = forms.ChoiceField(label=gettext_lazy("Course"), choices=CourseKind.choices)
    certificate_number = forms.CharField(label=gettext_lazy("Certificate number"), max_length=64)
    certificate_date = date_field(gettext_lazy("Certificate date"))
    issuer = forms.CharField(label=gettext_lazy("Issued by"), max_length=255, required=False)

    def clean_member(self) -> Any:
        return member_by_code(self.user, self.cleaned_data["member"])


class PostForm(_UserForm):
    member = PickField(label=gettext_lazy("Member"))
    post = forms.ChoiceField(label=gettext_lazy("Post"), choices=Post.choices)
    org = forms.CharField(
        label=gettext_lazy("Organization (code)"), max_length=32, widget=ORG_INPUT
    )
    from_on = date_field(gettext_lazy("From"))
    to_on = date_field(gettext_lazy("To"), required=False)

    def clean_member(self) -> Any:
        return member_by_code(self.user, self.cleaned_data["member"])

    def clean_org(self) -> Org:
        return org_by_code(self.user, self.cleaned_data["org"], Cap.TRAINING_MANAGE)


class RequirementForm(forms.Form):
    post = forms.ChoiceField(label=gettext_lazy("Post"), choices=Post.choices)
    level = forms.ChoiceField(
        label=gettext_lazy("Required level"),
        choices=[(k, CourseKind(k).label) for k in THEORY_LEVELS],
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=255, required=False)
