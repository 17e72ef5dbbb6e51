from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chibo.core.datefields import DayField
from chibo.reports.models import TARGET_MAX, Indicator


class DateInput(forms.DateInput):
    """dd/mm/yyyy typed, as every date field: the browser's picker shows its own order
    (12/07/2026 for 7 December on an English browser)."""

    def __init__(self, **kwargs: Any) -> None:
        attrs = {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"}
        super().__init__(format="%d/%m/%Y", attrs=attrs | kwargs.pop("attrs", {}), **kwargs)


class ReportForm(forms.Form):
    org = forms.CharField(label=_("Organization (code)"), required=False)
    # DayField: ?from=2024-02-31 says the day does not exist.
    start = DayField(label=_("From"), required=False, widget=DateInput())
    end = DayField(label=_("To"), required=False, widget=DateInput())
    as_of = DayField(label=_("As of"), required=False, widget=DateInput())

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # Form.clean returns cleaned_data
        data["start"] = data.get("start") or dt.date(self.today.year, 1, 1)
        data["end"] = data.get("end") or self.today
        data["as_of"] = data.get("as_of") or self.today
        if data["start"] > data["end"]:
            self.add_error("end", _("The end of the period must not be before its start."))
        return data


class TargetForm(forms.Form):
    org = forms.CharField(label=_("Organization (code)"))
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    indicator = forms.ChoiceField(label=_("Indicator"), choices=Indicator.choices)
    value = forms.IntegerField(label=_("Target"), min_value=0, max_value=TARGET_MAX)
    note = forms.CharField(label=_("Note"), required=False, max_length=255)
