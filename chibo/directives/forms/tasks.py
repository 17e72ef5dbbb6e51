"""Tasks of a directive, progress reports, their review, and compiling a report."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chibo.core.roles import Cap
from chibo.core.web import date_field
from chibo.directives import selectors, services
from chibo.directives.forms.fields import _SPLIT, _file, _textarea, signature_fields
from chibo.directives.models import (
    IssuingUnit,
    Recurrence,
)
from chibo.orgs.models import Org
from chibo.orgs.selectors import orgs_for

GROUPS = [
    ("", _("— none —")),
    ("direct_all", _("All directly subordinate committees")),
    ("direct_schools", _("Directly subordinate committees with school party organizations")),
    ("schools", _("All school party organizations (grassroots)")),
]


class TaskForm(forms.Form):
    section = forms.CharField(
        label=_("Section"), max_length=20, widget=forms.TextInput(attrs={"placeholder": "1"})
    )
    title = forms.CharField(label=_("What the units must do"), max_length=300)
    lead_person = forms.CharField(label=_("Person in charge"), max_length=120, required=False)
    recurrence = forms.ChoiceField(
        label=_("Reporting"), choices=Recurrence.choices, initial=Recurrence.SEMIANNUAL
    )
    deadline = date_field(_("Deadline"), required=False)
    report_due_days = forms.IntegerField(
        label=_("Report due (days after each period ends)"), min_value=0, max_value=90, initial=5
    )
    units = forms.CharField(
        label=_("Units (organization codes)"),
        required=False,
        help_text=_("Separated by commas, e.g. KDHCD, DHQG, SGDDT."),
    )
    group = forms.ChoiceField(label=_("… or a whole group"), choices=GROUPS, required=False)
    named_units = forms.CharField(
        label=_("Units outside the tree (one per line)"),
        required=False,
        widget=_textarea(2),
        help_text=_("e.g. Ban Thường vụ Thành Đoàn"),
    )
    text = forms.CharField(label=_("Text of the section"), required=False, widget=_textarea(4))

    def __init__(self, *args: Any, user: Any, document: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.document = document

    def clean_units(self) -> list[Org]:
        out = []
        for code in _SPLIT.split(self.cleaned_data["units"] or ""):
            code = code.strip()
            if not code:
                continue
            org = orgs_for(self.user, Cap.DIRECTIVE_MANAGE).filter(code=code).first()
            if org is None:
                raise ValidationError(
                    _("No organization with code %(code)s in your scope.") % {"code": code}
                )
            out.append(org)
        return out

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # Form.clean returns cleaned_data
        units = data.get("units") or []
        if not units and not data.get("group") and not (data.get("named_units") or "").strip():
            raise ValidationError(_("Choose at least one unit."))
        return data

    def save(self) -> Any:
        data = self.cleaned_data
        orgs = list(data["units"]) + selectors.group_orgs(self.user, data["group"])
        return services.task_create(
            actor=self.user,
            document=self.document,
            section=data["section"],
            title=data["title"],
            text=data["text"],
            lead_person=data["lead_person"],
            deadline=data["deadline"],
            recurrence=data["recurrence"],
            report_due_days=data["report_due_days"],
            orgs=orgs,
            named_units=(data["named_units"] or "").splitlines(),
        )


class ReportForm(forms.Form):
    text = forms.CharField(label=_("Results in the period"), widget=_textarea(8), required=False)
    figures = forms.CharField(
        label=_("Figures (one per line: label = number)"),
        required=False,
        widget=_textarea(4),
        help_text=_("e.g. Sinh viên được kết nạp = 12"),
    )
    attachment = forms.FileField(label=_("Attached file"), required=False)
    # Optimistic locking: the report's version when the form was shown (0: new).
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean_figures(self) -> dict[str, int | float]:
        out: dict[str, int | float] = {}
        for line in (self.cleaned_data["figures"] or "").splitlines():
            if not line.strip():
                continue
            label, sep, value = line.rpartition("=")
            try:
                number: int | float = float(value.strip().replace(".", "").replace(",", "."))
            except ValueError:
                number = float("nan")
            if not sep or not label.strip() or number != number:
                raise ValidationError(
                    _("Write each figure as “label = number”: %(line)s") % {"line": line}
                )
            out[label.strip()] = int(number) if number == int(number) else number
        return out

    def attachment_in(self) -> services.FileIn | None:
        return _file(self.cleaned_data.get("attachment"))


def figures_text(figures: dict[str, Any]) -> str:
    return "\n".join(f"{label} = {value}" for label, value in figures.items())


class ReviewForm(forms.Form):
    comment = forms.CharField(label=_("Comments"), required=False, widget=_textarea(2))


class CompileForm(forms.Form):
    period = forms.CharField(widget=forms.HiddenInput)
    issued_on = date_field(_("Date of the report"))
    issuing_unit = forms.TypedChoiceField(
        label=_("Issued by"),
        choices=IssuingUnit.choices,
        initial=IssuingUnit.COMMITTEE,
        required=False,
        empty_value=IssuingUnit.COMMITTEE,
    )
    recipients = forms.CharField(
        label=_("Sent to (Nơi nhận), one per line"),
        required=False,
        widget=_textarea(2),
        help_text=_("“Lưu …” is added by itself."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("issued_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        signature_fields(self)

    def clean_recipients(self) -> list[str]:
        lines = [
            " ".join(line.strip().lstrip("-").split())
            for line in self.cleaned_data["recipients"].splitlines()
        ]
        return [line.rstrip(",.;") for line in lines if line]
