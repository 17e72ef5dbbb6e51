"""The committee's terms (nhiệm kỳ)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from chibo.core.roles import Cap
from chibo.core.web import date_field
from chibo.directives import services
from chibo.orgs.models import Org
from chibo.orgs.selectors import orgs_for


class TermForm(forms.Form):
    """Declare a committee term (nhiệm kỳ)."""

    org = forms.CharField(
        label=_("Organization code"),
        max_length=32,
        widget=forms.TextInput(attrs={"list": "term-orgs"}),
    )
    name = forms.CharField(
        label=_("Term"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "2025–2030"}),
    )
    congress = forms.CharField(
        label=_("Opened by the congress"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Đại hội đại biểu lần thứ XII")}),
    )
    starts_on = date_field(_("Starts on"), help_text=_("The day after the congress closed."))
    ends_on = date_field(
        _("Ends on"), required=False, help_text=_("Leave empty while the term runs.")
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_org(self) -> Org:
        code = self.cleaned_data["org"].strip()
        org = orgs_for(self.user, Cap.DIRECTIVE_MANAGE).filter(code=code).first()
        if org is None:
            raise ValidationError(
                _("No organization with code %(code)s in your scope.") % {"code": code}
            )
        return org

    def save(self) -> Any:
        data = self.cleaned_data
        return services.term_create(
            actor=self.user,
            org=data["org"],
            name=data["name"],
            congress=data["congress"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
        )
