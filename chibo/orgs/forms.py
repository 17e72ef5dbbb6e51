"""Forms for restructuring the org tree; the views hand their data to orgs.services.

Also the two helpers every chibo form uses: a dd/mm/yyyy date field and
``add_service_errors`` (a service's ValidationError shown next to the fields).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages as django_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from chibo.accounts.roles import Cap
from chibo.core.scoping import get_org_for, orgs_for
from chibo.orgs.models import ALLOWED_PARENTS, CELL_KINDS, Org, OrgKind, Ownership, SchoolLevel

DATE_PLACEHOLDER = "dd/mm/yyyy"

T = TypeVar("T")


def date_field(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DateField:
    """A date typed as dd/mm/yyyy (DATE_INPUT_FORMATS of chibo.formats)."""
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(
            format="%d/%m/%Y",
            attrs={"placeholder": DATE_PLACEHOLDER, "inputmode": "numeric", "autocomplete": "off"},
        ),
        error_messages={"invalid": _l("Enter the date as dd/mm/yyyy, e.g. 01/07/2025.")},
    )


def decision_field(required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=_l("Decision number"),
        max_length=64,
        required=required,
        widget=forms.TextInput(attrs={"placeholder": _l("e.g. 12-QĐ/ĐU")}),
    )


def add_service_errors(
    form: forms.Form, exc: ValidationError, field_map: dict[str, str] | None = None
) -> None:
    """Put a service's ValidationError on the form: by field when it names one, else on top."""
    field_map = field_map or {}
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            target = field_map.get(name, name)
            messages = [m for e in errors for m in e.messages]
            if target in form.fields:
                form.add_error(target, messages)
            else:
                form.add_error(None, messages)
    else:
        form.add_error(None, exc.messages)


def run_service(
    request: Any,
    form: forms.Form,
    call: Callable[[], T],
    success: str | Callable[[T], str],
    field_map: dict[str, str] | None = None,
) -> T | None:
    """Run a valid form's service call: its ValidationError goes on the form (None), else flash ``success``.

    Services return the row they wrote, so the caller redirects to it when the result is not None.
    ``success`` may be a function of that row when the message names it; ``field_map`` is
    ``add_service_errors``'s.
    """
    try:
        result = call()
    except ValidationError as exc:
        add_service_errors(form, exc, field_map)
        return None
    django_messages.success(request, success(result) if callable(success) else success)
    return result


def org_by_code(user: Any, code: str, cap: str) -> Org:
    """The org ``code`` within ``user``'s scope for ``cap``, or a form error."""
    try:
        return get_org_for(user, code.strip(), cap=cap)
    except (Http404, PermissionDenied) as exc:
        raise ValidationError(
            _("No organization with code %(code)s in your scope.") % {"code": code}
        ) from exc


class OrgCodeField(forms.CharField):
    """An org typed by its code (a datalist offers the choices in scope)."""

    def __init__(self, *, datalist: str, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 32)
        super().__init__(**kwargs)
        self.widget.attrs.update({"list": datalist, "autocomplete": "off"})


def restructure_choices(
    user: Any, kinds: set[str] | None = None, exclude: Org | None = None
) -> list[Org]:
    """Open orgs the user may restructure (for a datalist), optionally of some kinds."""
    qs = orgs_for(user, Cap.ORG_RESTRUCTURE).filter(closed_on__isnull=True)
    if kinds is not None:
        qs = qs.filter(kind__in=kinds)
    if exclude is not None:
        qs = qs.exclude(path__gte=exclude.path, path__lt=exclude.path_bound)
    return list(qs.only("code", "name", "kind", "path")[:500])


class _UserForm(forms.Form):
    def __init__(self, *args: Any, user: Any, org: Org, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.org = org


class MoveForm(_UserForm):
    new_parent = OrgCodeField(label=_l("New superior organization (code)"), datalist="org-choices")
    effective_date = date_field(_l("Effective date"))
    decision_number = decision_field()
    note = forms.CharField(
        label=_l("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_new_parent(self) -> Org:
        return org_by_code(self.user, self.cleaned_data["new_parent"], Cap.ORG_RESTRUCTURE)

    def choices(self) -> list[Org]:
        parents = {k for k in ALLOWED_PARENTS[self.org.kind] if k}
        return restructure_choices(self.user, parents, exclude=self.org)


class MergeForm(_UserForm):
    target = OrgCodeField(label=_l("Merge into (code)"), datalist="org-choices")
    effective_date = date_field(_l("Effective date"))
    decision_number = decision_field()
    note = forms.CharField(
        label=_l("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_target(self) -> Org:
        return org_by_code(self.user, self.cleaned_data["target"], Cap.ORG_RESTRUCTURE)

    def choices(self) -> list[Org]:
        kinds = set(CELL_KINDS) if self.org.is_cell else {self.org.kind}
        return restructure_choices(self.user, kinds, exclude=self.org)


class RenameForm(_UserForm):
    name = forms.CharField(label=_l("New name"), max_length=255)
    effective_date = date_field(_l("Effective date"))
    decision_number = decision_field()

    def choices(self) -> list[Org]:
        return []


class CloseForm(_UserForm):
    effective_date = date_field(_l("Dissolved on"))
    decision_number = decision_field()
    note = forms.CharField(
        label=_l("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def choices(self) -> list[Org]:
        return []


class NewChildForm(_UserForm):
    code = forms.CharField(label=_l("Code"), max_length=32)
    name = forms.CharField(label=_l("Name"), max_length=255)
    kind = forms.ChoiceField(label=_l("Type"))
    school_level = forms.ChoiceField(
        label=_l("School level"), required=False, choices=[("", "—"), *SchoolLevel.choices]
    )
    ownership = forms.ChoiceField(
        label=_l("Ownership"), required=False, choices=[("", "—"), *Ownership.choices]
    )
    opened_on = date_field(_l("Established on"))
    decision_number = decision_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kinds = [k for k, parents in ALLOWED_PARENTS.items() if self.org.kind in parents]
        self.fields["kind"].choices = [(k, OrgKind(k).label) for k in kinds]

    def choices(self) -> list[Org]:
        return []
