"""Forms of the activity pages; each hands its cleaned data to a service."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from chibo.activity.models import MeetingKind, PaymentMethod
from chibo.core.datefields import MonthField
from chibo.core.plausibility import AmountField, confirm_field
from chibo.core.web import date_field
from chibo.members.pick import PickField, resolve


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Type"), choices=MeetingKind.choices, initial=MeetingKind.REGULAR
    )
    held_on = date_field(_("Date"))
    online = forms.BooleanField(label=_("Held online"), required=False)
    place = forms.CharField(label=_("Place"), max_length=255, required=False)
    topic = forms.CharField(label=_("Topic (thematic meetings)"), max_length=255, required=False)
    agenda = forms.CharField(
        label=_("Agenda"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    documents = forms.CharField(
        label=_("Documents discussed"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    minutes = forms.CharField(
        label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    resolution = forms.CharField(
        label=_("Resolution"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    group = forms.TypedChoiceField(
        label=_("Meeting by party group (họp theo tổ đảng)"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_(
            "Cells of 50 members or more may meet by party group up to 3 times a year "
            "(HD 03-HD/TW, 2022). Leave empty for a meeting of the whole cell."
        ),
    )
    confirm = confirm_field()

    TEXT = ("place", "topic", "agenda", "documents", "minutes", "resolution")

    def __init__(self, *args: Any, groups: Any = None, **kwargs: Any) -> None:
        """``groups``: the cell's party groups to choose from; None: no choice (an edit)."""
        super().__init__(*args, **kwargs)
        if not groups:
            del self.fields["group"]
        else:
            cast(forms.ChoiceField, self.fields["group"]).choices = [
                ("", _("No: the whole cell meets")),
                *((g.pk, g.name) for g in groups),
            ]
            self.order_fields(["kind", "group"])

    def text(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in self.TEXT}


class PaymentForm(forms.Form):
    member = PickField(label=_("Member"))
    first = MonthField(label=_("From month"))
    last = MonthField(
        label=_("To month"), required=False, help_text=_("Leave empty for a single month.")
    )
    amount_vnd = AmountField(label=_("Amount per month (đ)"), initial=5000)
    paid_on = date_field(_("Paid on"))
    method = forms.ChoiceField(
        label=_("Method"), choices=PaymentMethod.choices, initial=PaymentMethod.CASH
    )
    reference = forms.CharField(label=_("Payment reference"), max_length=64, required=False)
    confirm = confirm_field()

    def __init__(self, *args: Any, roster: Any, org: Any, **kwargs: Any) -> None:
        """``roster``: the members the actor may record dues for on this page (``org``'s)."""
        super().__init__(*args, **kwargs)
        self.roster = roster
        cast(PickField, self.fields["member"]).pick(org=org)

    def clean_member(self) -> Any:
        return resolve(self.roster, self.cleaned_data["member"])

    def clean(self) -> dict[str, Any]:
        data = self.cleaned_data
        first, last = data.get("first"), data.get("last") or data.get("first")
        if first and last and last < first:
            self.add_error("last", _("The last month must not be before the first."))
        data["last"] = last
        return data


class LetterForm(forms.Form):
    number = forms.CharField(
        label=_("Letter number"),
        max_length=64,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. 25-GGT/ĐU")}),
    )
    issued_on = date_field(_("Issued on"))
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class TrackingForm(forms.Form):
    """The committee's "theo dõi từ ngày" for one cell or every cell under a committee."""

    org = forms.CharField(
        label=_("Cell, or committee for all its cells (code)"),
        max_length=32,
        widget=forms.TextInput(attrs={"list": "tracking-orgs", "autocomplete": "off"}),
    )
    set_on = date_field(
        _("Tracked from"),
        required=False,
        help_text=_(
            "The day the cell started recording its meetings and dues in chibo. Leave empty to "
            "count from the first meeting or dues payment recorded."
        ),
    )
    note = forms.CharField(label=_("Note"), max_length=255, required=False)


class ReasonForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Reason"), max_length=120)
    position = forms.IntegerField(label=_("Order"), min_value=0, initial=10)
    active = forms.BooleanField(label=_("In use"), required=False, initial=True)


class GraduateTransferForm(forms.Form):
    """The one-step start of a graduate's transfer to the place of residence (issue 20)."""

    destination = forms.CharField(
        label=_("Transfer to (the party committee of the place of residence)"),
        max_length=255,
        required=False,
    )
    destination_org = forms.CharField(
        label=_("or a cell in chibo (code)"), max_length=32, required=False
    )
    effective_date = date_field(_("Transfer date"), required=False)
