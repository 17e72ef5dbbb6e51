"""Forms for member records. Each event form hands its data to one members.services function."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _l

from chibo.accounts.roles import Cap
from chibo.core.scoping import orgs_for
from chibo.core.web import date_field, decision_field
from chibo.members import services
from chibo.members.models import Category, EventKind, Gender, Member, RemovalReason, Status
from chibo.orgs.forms import org_by_code
from chibo.orgs.models import CELL_KINDS, Org

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
    field_order: ClassVar[list[str]] = [
        "org",
        "member_code",
        "full_name",
        "date_of_birth",
        "gender",
        "category",
        "ethnicity",
        "citizen_id",
        "phone",
    ]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        cells = cells_for_change(user)
        self.fields["org"].queryset = cells
        if not self.is_bound and "org" not in self.initial:
            only = list(cells[:2])
            if len(only) == 1:  # a cell secretary: their own cell, preselected
                self.initial["org"] = only[0].code

    def decision(self) -> services.Decision:
        return services.Decision(
            number=self.cleaned_data["decision_number"],
            issuing_body=self.cleaned_data["issuing_body"],
        )


class AdmitForm(_NewMemberForm):
    admitted_on = date_field(_l("Admission decision date"))
    ceremony_on = date_field(
        _l("Admission ceremony date"), required=False, help_text=_l("Leave empty if the same day.")
    )
    decision_number = decision_field(required=True)
    issuing_body = forms.CharField(label=_l("Issued by"), max_length=255, required=False)
    note = forms.CharField(
        label=_l("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def save(self) -> Member:
        data = self.cleaned_data
        return services.member_admit(
            actor=self.user,
            org=data["org"],
            identity=self.identity(),
            admitted_on=data["admitted_on"],
            ceremony_on=data["ceremony_on"],
            decision=self.decision(),
            note=data["note"],
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
        return services.member_receive(
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

    def __init__(self, *args: Any, member: Member, sensitive: bool, **kwargs: Any) -> None:
        initial = {name: getattr(member, name) for name in services.IDENTITY_FIELDS}
        initial["version"] = member.version
        super().__init__(*args, initial=initial, **kwargs)
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
    """Common fields of a lifecycle event; subclasses call their service in ``submit``."""

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

    def common(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "actor": self.user,
            "member": self.member,
            "decision": services.Decision(
                number=data["decision_number"], issuing_body=data["issuing_body"]
            ),
            "note": data["note"],
            "expected_version": data["version"],
        }

    def submit(self) -> Any:
        raise NotImplementedError


class RecognizeForm(EventForm):
    kind = EventKind.RECOGNIZED
    decided_on = date_field(
        _l("Decision date"),
        help_text=_l("The recognition takes effect on the day probation ended."),
    )
    field_order: ClassVar[list[str]] = ["decided_on"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["effective_date"]

    def submit(self) -> Any:
        return services.member_recognize(
            **self.common(), decided_on=self.cleaned_data["decided_on"]
        )


class TransferOutForm(EventForm):
    kind = EventKind.TRANSFER_OUT
    destination_org = forms.CharField(
        label=_l("Destination cell in chibo (code)"),
        max_length=32,
        required=False,
        help_text=_l("Leave empty when the destination is outside chibo."),
    )
    destination = forms.CharField(
        label=_l("Destination outside chibo"), max_length=255, required=False
    )

    def clean_destination_org(self) -> Org | None:
        return org_by_exact_code(self.cleaned_data["destination_org"])

    def submit(self) -> Any:
        data = self.cleaned_data
        return services.member_transfer_out(
            **self.common(),
            effective_date=data["effective_date"],
            destination_org=data["destination_org"],
            destination=data["destination"],
        )


class TransferInForm(EventForm):
    kind = EventKind.TRANSFER_IN
    org = forms.CharField(label=_l("Receiving cell (code)"), max_length=32)
    field_order: ClassVar[list[str]] = ["org"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        pending = self.member.pending_org
        self.fields["org"].initial = pending.code if pending and pending.is_cell else ""

    def clean_org(self) -> Org:
        return org_by_code(self.user, self.cleaned_data["org"], Cap.MEMBER_CHANGE)

    def submit(self) -> Any:
        data = self.cleaned_data
        return services.member_transfer_in(
            **self.common(), org=data["org"], effective_date=data["effective_date"]
        )


class TempOutForm(EventForm):
    kind = EventKind.TEMP_OUT
    host_org = forms.CharField(label=_l("Host cell in chibo (code)"), max_length=32, required=False)
    host = forms.CharField(label=_l("Host outside chibo"), max_length=255, required=False)
    until = date_field(_l("Until"), required=False)

    def clean_host_org(self) -> Org | None:
        return org_by_exact_code(self.cleaned_data["host_org"])

    def submit(self) -> Any:
        data = self.cleaned_data
        return services.member_temp_transfer_out(
            **self.common(),
            effective_date=data["effective_date"],
            host_org=data["host_org"],
            host=data["host"],
            until=data["until"],
        )


class TempBackForm(EventForm):
    kind = EventKind.TEMP_BACK

    def submit(self) -> Any:
        return services.member_temp_transfer_back(
            **self.common(), effective_date=self.cleaned_data["effective_date"]
        )


class ExemptForm(EventForm):
    kind = EventKind.EXEMPTED

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["note"].label = _l("Reason for the exemption")
        self.fields["note"].required = True

    def submit(self) -> Any:
        return services.member_exempt(
            **self.common(), effective_date=self.cleaned_data["effective_date"]
        )


class EndExemptionForm(EventForm):
    kind = EventKind.EXEMPTION_ENDED

    def submit(self) -> Any:
        return services.member_end_exemption(
            **self.common(), effective_date=self.cleaned_data["effective_date"]
        )


class RemoveForm(EventForm):
    kind = EventKind.REMOVED
    danger = True
    reason = forms.ChoiceField(
        label=_l("Reason"), choices=[("", "—"), *RemovalReason.choices], required=True
    )
    field_order: ClassVar[list[str]] = ["reason"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decision_number"].required = True

    def submit(self) -> Any:
        data = self.cleaned_data
        return services.member_remove(
            **self.common(), effective_date=data["effective_date"], reason=data["reason"]
        )


class ExpelForm(EventForm):
    kind = EventKind.EXPELLED
    danger = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decision_number"].required = True

    def submit(self) -> Any:
        return services.member_expel(
            **self.common(), effective_date=self.cleaned_data["effective_date"]
        )


class DeathForm(EventForm):
    kind = EventKind.DECEASED
    danger = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["effective_date"].label = _l("Date of death")

    def submit(self) -> Any:
        return services.member_record_death(
            **self.common(), effective_date=self.cleaned_data["effective_date"]
        )


class IssueCardForm(EventForm):
    kind = EventKind.CARD_ISSUED
    card_number = forms.CharField(label=_l("Party card number"), max_length=32)
    field_order: ClassVar[list[str]] = ["card_number"]

    def submit(self) -> Any:
        data = self.cleaned_data
        return services.member_issue_card(
            **self.common(), effective_date=data["effective_date"], card_number=data["card_number"]
        )


class ChangeCategoryForm(EventForm):
    kind = EventKind.CATEGORY_CHANGED
    category = forms.ChoiceField(label=_l("New category"), choices=Category.choices)
    field_order: ClassVar[list[str]] = ["category"]

    def submit(self) -> Any:
        data = self.cleaned_data
        return services.member_change_category(
            **self.common(), effective_date=data["effective_date"], category=data["category"]
        )


EVENT_FORMS: dict[str, type[EventForm]] = {
    form.kind: form
    for form in (
        RecognizeForm,
        IssueCardForm,
        ChangeCategoryForm,
        TempOutForm,
        TempBackForm,
        ExemptForm,
        EndExemptionForm,
        TransferOutForm,
        TransferInForm,
        RemoveForm,
        ExpelForm,
        DeathForm,
    )
}


def allowed_events(member: Member) -> list[str]:
    """The events that may follow the member's current status (services.ALLOWED_FROM)."""
    kinds = []
    for kind in EVENT_FORMS:
        allowed = services.ALLOWED_FROM.get(kind)
        if allowed is not None and member.status not in allowed:
            continue
        if kind == EventKind.RECOGNIZED and (member.is_full or member.probation_ends_on is None):
            continue
        kinds.append(kind)
    return kinds


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
        self.fields["org"].queryset = cells
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
