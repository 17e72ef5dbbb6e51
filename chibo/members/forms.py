"""Forms for member records. Each event form hands its data to one members.services function."""

from __future__ import annotations

from typing import Any, ClassVar, cast

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _l

from chibo.core.roles import Cap
from chibo.core.web import date_field, decision_field
from chibo.members import services
from chibo.members.lifecycle import (
    RECORDABLE,
    SPECS,
    Decision,
    EventSpec,
    Input,
    InputType,
    record,
)
from chibo.members.models import Category, Gender, Member, Status
from chibo.members.selectors import members_for
from chibo.orgs.forms import org_by_code
from chibo.orgs.models import CELL_KINDS, Org
from chibo.orgs.selectors import orgs_for

STATUS_CHOICES = [
    ("on_rolls", _l("On the rolls")),
    ("all", _l("All statuses")),
    *Status.choices,
]
STANDING_CHOICES = [
    ("", _l("Full and probationary")),
    ("full", _l("Full members")),
    ("probationary", _l("Probationary members")),
]


class MemberFilterForm(forms.Form):
    q = forms.CharField(
        label=_l("Search"),
        required=False,
        widget=forms.SearchInput(
            attrs={
                "placeholder": _l("Name or member code"),
                "autocomplete": "off",
                "autofocus": True,
            }
        ),
    )
    org = forms.CharField(
        label=_l("Organization (code)"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _l("all")}),
    )
    category = forms.ChoiceField(
        label=_l("Category"),
        required=False,
        choices=[("", _l("All categories")), *Category.choices],
    )
    status = forms.ChoiceField(label=_l("Status"), required=False, choices=STATUS_CHOICES)
    standing = forms.ChoiceField(label=_l("Standing"), required=False, choices=STANDING_CHOICES)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_org(self) -> Org | None:
        code = self.cleaned_data["org"].strip()
        return org_by_code(self.user, code, Cap.MEMBER_VIEW) if code else None

    def clean_status(self) -> str:
        status = self.cleaned_data["status"] or "on_rolls"
        return "" if status == "all" else status


def member_by_code(user: Any, code: str) -> Member:
    """The member within ``user``'s scope that ``code`` names: a code, or a name only one
    member has (``members.pick``); else a form error (other apps' forms use it)."""
    from chibo.members.pick import resolve

    return resolve(members_for(user), code)


def cells_for_change(user: Any) -> Any:
    return (
        orgs_for(user, Cap.MEMBER_CHANGE)
        .filter(kind__in=CELL_KINDS, closed_on__isnull=True)
        .order_by("name_folded")
    )


class CellChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Org) -> str:
        return f"{obj.name} ({obj.code})"


class _IdentityForm(forms.Form):
    full_name = forms.CharField(label=_l("Full name"), max_length=120)
    date_of_birth = date_field(_l("Date of birth"))
    gender = forms.ChoiceField(label=_l("Gender"), choices=Gender.choices)
    ethnicity = forms.CharField(label=_l("Ethnicity"), max_length=40, initial="Kinh")
    expected_graduation = date_field(
        _l("Expected graduation"), required=False, help_text=_l("Students and pupils only.")
    )
    citizen_id = forms.CharField(label=_l("Citizen ID"), max_length=16, required=False)
    phone = forms.CharField(label=_l("Phone"), max_length=20, required=False)

    def identity(self) -> services.Identity:
        data = self.cleaned_data
        return services.Identity(
            member_code=data["member_code"],
            full_name=data["full_name"],
            date_of_birth=data["date_of_birth"],
            gender=data["gender"],
            category=data["category"],
            ethnicity=data["ethnicity"],
            expected_graduation=data["expected_graduation"],
            party_card_number=data.get("party_card_number", ""),
            citizen_id=data["citizen_id"],
            phone=data["phone"],
        )


class _NewMemberForm(_IdentityForm):
    org = CellChoiceField(label=_l("Party cell"), queryset=Org.objects.none(), to_field_name="code")
    member_code = forms.CharField(label=_l("Member code"), max_length=32)
    category = forms.ChoiceField(label=_l("Category"), choices=Category.choices)
    field_order = (
        "org",
        "member_code",
        "full_name",
        "date_of_birth",
        "gender",
        "category",
        "ethnicity",
        "citizen_id",
        "phone",
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        cells = cells_for_change(user)
        cast(forms.ModelChoiceField, self.fields["org"]).queryset = cells
        if not self.is_bound and "org" not in self.initial:
            only = list(cells[:2])
            if len(only) == 1:  # a cell secretary: their own cell, preselected
                self.initial["org"] = only[0].code

    def decision(self) -> services.Decision:
        return services.Decision(
            number=self.cleaned_data["decision_number"],
            issuing_body=self.cleaned_data["issuing_body"],
        )


class PastAdmissionForm(_NewMemberForm):
    """An admission made before chibo, entered afterwards (``member_record_past_admission``)."""

    admitted_on = date_field(_l("Admission decision date"))
    decision_number = decision_field(required=True)
    deciding_body = forms.CharField(
        label=_l("Deciding committee"),
        max_length=255,
        widget=forms.TextInput(attrs={"placeholder": _l("e.g. Ban Thường vụ Đảng ủy Khối")}),
    )
    ceremony_on = date_field(
        _l("Admission ceremony date"), required=False, help_text=_l("Leave empty if the same day.")
    )
    recognition_decided_on = date_field(
        _l("Recognized as full member: decision date"),
        required=False,
        help_text=_l("Empty if still probationary. It takes effect on the day probation ended."),
    )
    recognition_decision_number = forms.CharField(
        label=_l("Recognition decision number"), max_length=64, required=False
    )
    over_age_approval = forms.CharField(
        label=_l("Over 60 at the decision: the provincial committee's approval"),
        max_length=255,
        required=False,
    )
    first_admitted_on = date_field(
        _l("Re-admitted: date of the first admission decision"),
        required=False,
        help_text=_l("Party seniority counts from it, less the time out of the Party."),
    )
    out_from = date_field(_l("Out of party activity from"), required=False)
    out_to = date_field(_l("Out of party activity until"), required=False)
    note = forms.CharField(
        label=_l("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # Form.clean returns cleaned_data
        if bool(data.get("out_from")) != bool(data.get("out_to")):
            self.add_error("out_to", _l("Give both dates of the period out of party activity."))
        return data

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        # Only the cells where the user decides admissions (admission.decide).
        cast(forms.ModelChoiceField, self.fields["org"]).queryset = (
            orgs_for(user, Cap.ADMISSION_DECIDE)
            .filter(kind__in=CELL_KINDS, closed_on__isnull=True)
            .order_by("name_folded")
        )

    def save(self) -> Member:
        data = self.cleaned_data
        return services.member_record_past_admission(
            actor=self.user,
            org=data["org"],
            identity=self.identity(),
            admitted_on=data["admitted_on"],
            decision_number=data["decision_number"],
            deciding_body=data["deciding_body"],
            ceremony_on=data["ceremony_on"],
            recognition_decided_on=data["recognition_decided_on"],
            recognition_decision_number=data["recognition_decision_number"],
            over_age_approval=data["over_age_approval"],
            note=data["note"],
            first_admitted_on=data["first_admitted_on"],
            out_periods=[(data["out_from"], data["out_to"])] if data.get("out_from") else [],
        )


class ReceiveForm(_NewMemberForm):
    party_card_number = forms.CharField(
        label=_l("Party card number"), max_length=32, required=False
    )
    from_body = forms.CharField(label=_l("Comes from (organization)"), max_length=255)
    admitted_on = date_field(_l("Admitted to the Party on"))
    recognized_on = date_field(
        _l("Recognized as full member on"),
        required=False,
        help_text=_l("Empty if still probationary."),
    )
    arrived_on = date_field(_l("Arrived on"))
    decision_number = decision_field()
    issuing_body = forms.CharField(label=_l("Issued by"), max_length=255, required=False)
    note = forms.CharField(
        label=_l("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def save(self) -> Member:
        data = self.cleaned_data
        return services.member_receive_from_outside(
            actor=self.user,
            org=data["org"],
            identity=self.identity(),
            admitted_on=data["admitted_on"],
            recognized_on=data["recognized_on"],
            arrived_on=data["arrived_on"],
            decision=self.decision(),
            from_body=data["from_body"],
            note=data["note"],
        )


class EditForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    full_name = _IdentityForm.base_fields["full_name"]
    date_of_birth = _IdentityForm.base_fields["date_of_birth"]
    gender = _IdentityForm.base_fields["gender"]
    ethnicity = _IdentityForm.base_fields["ethnicity"]
    expected_graduation = _IdentityForm.base_fields["expected_graduation"]
    citizen_id = _IdentityForm.base_fields["citizen_id"]
    phone = _IdentityForm.base_fields["phone"]

    def __init__(self, data: QueryDict | None = None, *, member: Member, sensitive: bool) -> None:
        initial = {name: getattr(member, name) for name in services.IDENTITY_FIELDS}
        initial["version"] = member.version
        super().__init__(data, initial=initial)
        if not sensitive:
            for name in services.SENSITIVE_FIELDS:
                del self.fields[name]

    def changes(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


# --- lifecycle events --------------------------------------------------------


def org_by_exact_code(code: str) -> Org | None:
    """A destination or host cell, usually outside the sender's scope.

    Looked up by its exact code only (an org's name is not personal data);
    the service checks that it is an open cell.
    """
    code = code.strip()
    if not code:
        return None
    org = Org.objects.filter(code=code).first()
    if org is None:
        raise ValidationError(_l("No organization has this code."))
    return org


class EventForm(forms.Form):
    """A lifecycle event's form, built from its ``lifecycle.EventSpec`` (``event_form``).

    The common fields (effective date, decision, issuing body, note), then the kind's
    inputs; ``submit`` hands them to ``lifecycle.record``.
    """

    spec: ClassVar[EventSpec]
    kind: ClassVar[str] = ""
    danger: ClassVar[bool] = False
    version = forms.IntegerField(widget=forms.HiddenInput)
    effective_date = date_field(_l("Effective date"))
    decision_number = decision_field()
    issuing_body = forms.CharField(label=_l("Issued by"), max_length=255, required=False)
    note = forms.CharField(
        label=_l("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, user: Any, member: Member, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"version": member.version})
        super().__init__(*args, **kwargs)
        self.user = user
        self.member = member
        spec = self.spec
        if spec.dated is not None:
            del self.fields["effective_date"]
        elif spec.date_label is not None:
            self.fields["effective_date"].label = spec.date_label
        if spec.note_label is not None:
            self.fields["note"].label = spec.note_label
        self.fields["note"].required = spec.note_required
        self.fields["decision_number"].required = spec.decision_required
        for item in spec.inputs:
            if item.initial is not None:
                self.fields[item.name].initial = item.initial(member)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # Form.clean returns cleaned_data
        for item in self.spec.inputs:
            name = item.name
            if name not in data or item.kind not in (InputType.ORG, InputType.OWN_CELL):
                continue
            try:
                if item.kind == InputType.ORG:
                    data[name] = org_by_exact_code(data[name])
                else:
                    data[name] = org_by_code(self.user, data[name], Cap.MEMBER_CHANGE)
            except ValidationError as exc:
                self.add_error(name, exc)
        return data

    def submit(self) -> Any:
        data = self.cleaned_data
        return record(
            self.spec.kind,
            actor=self.user,
            member=self.member,
            effective_date=data.get("effective_date"),
            decision=Decision(number=data["decision_number"], issuing_body=data["issuing_body"]),
            note=data["note"],
            expected_version=data["version"],
            **{item.name: data[item.name] for item in self.spec.inputs},
        )


def _input_field(item: Input) -> forms.Field:
    if item.kind == InputType.DATE:
        return date_field(item.label, required=item.required, help_text=item.help_text)
    if item.kind == InputType.CHOICE:
        assert item.choices is not None
        return forms.ChoiceField(
            label=item.label, required=item.required, choices=[("", "—"), *item.choices.choices]
        )
    max_length = 32 if item.kind in (InputType.ORG, InputType.OWN_CELL) else item.max_length
    return forms.CharField(
        label=item.label,
        max_length=max_length or None,
        required=item.required,
        help_text=item.help_text,
    )


def event_form(spec: EventSpec) -> type[EventForm]:
    """The form of one event kind: the common fields and the kind's inputs (leading ones first)."""
    fields: dict[str, Any] = {item.name: _input_field(item) for item in spec.inputs}
    attrs: dict[str, Any] = {
        **fields,
        "spec": spec,
        "kind": spec.kind,
        "danger": spec.danger,
        "field_order": [item.name for item in spec.inputs if item.lead],
        "__module__": __name__,
    }
    name = "".join(part.title() for part in spec.kind.split("_")) + "Form"
    return type(name, (EventForm,), attrs)


EVENT_FORMS: dict[str, type[EventForm]] = {kind: event_form(SPECS[kind]) for kind in RECORDABLE}


class ArrivalForm(forms.Form):
    """The receiving cell records the arrival of a member transferred within chibo."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    org = CellChoiceField(
        label=_l("Receiving cell"), queryset=Org.objects.none(), to_field_name="code"
    )
    effective_date = date_field(_l("Arrived on"))
    decision_number = decision_field()

    def __init__(self, *args: Any, user: Any, member: Member, **kwargs: Any) -> None:
        pending = member.pending_org
        kwargs.setdefault(
            "initial",
            {
                "version": member.version,
                "org": pending.code if pending and pending.is_cell else None,
            },
        )
        super().__init__(*args, **kwargs)
        self.user = user
        self.member = member
        cells = cells_for_change(user)
        if pending is not None:
            cells = cells.filter(pending.subtree_filter())
        cast(forms.ModelChoiceField, self.fields["org"]).queryset = cells
        self.auto_id = f"id_{member.member_code}_%s"

    def save(self) -> Any:
        data = self.cleaned_data
        return services.member_transfer_in(
            actor=self.user,
            member=self.member,
            org=data["org"],
            effective_date=data["effective_date"],
            decision=services.Decision(number=data["decision_number"]),
            expected_version=data["version"],
        )
