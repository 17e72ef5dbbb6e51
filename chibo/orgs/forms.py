"""Forms for restructuring the org tree; the views hand their data to orgs.services.

Also ``org_by_code`` and ``OrgCodeField``: an org typed by its code, used by other apps' forms.
The toolkit every form uses (date fields, service errors on the form) is ``chibo.core.web``.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from chibo.core.roles import Cap
from chibo.core.web import date_field, decision_field
from chibo.orgs.models import ALLOWED_PARENTS, CELL_KINDS, Org, OrgKind, Ownership, SchoolLevel
from chibo.orgs.selectors import get_org_for, orgs_for


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
        kinds: set[str] = set(CELL_KINDS) if self.org.is_cell else {self.org.kind}
        return restructure_choices(self.user, kinds, exclude=self.org)


class RenameForm(_UserForm):
    name = forms.CharField(label=_l("New name"), max_length=255)
    effective_date = date_field(_l("Effective date"))
    decision_number = decision_field()

    def choices(self) -> list[Org]:
        return []


class AbbreviationForm(_UserForm):
    abbreviation = forms.CharField(
        label=_l("Document abbreviation"),
        max_length=24,
        help_text=_l(
            "The issuer part of its documents' numbers and symbols (HD 36-HD/VPTW), "
            "e.g. ĐU in 01-BC/ĐU: TU, ĐUK, QU, ĐU, CB …"
        ),
    )

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
        cast(forms.ChoiceField, self.fields["kind"]).choices = [
            (k, OrgKind(k).label) for k in kinds
        ]

    def choices(self) -> list[Org]:
        return []
