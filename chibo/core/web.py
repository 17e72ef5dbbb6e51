"""The web toolkit every app's views and forms share.

- ``date_field`` / ``decision_field``: a dd/mm/yyyy date and a decision number, as typed.
- ``add_service_errors`` / ``run_service``: a service's ``ValidationError`` shown next
  to the form's fields; success flashed.
- ``require_page_cap``: 403 unless the user's roles grant a capability somewhere.
- ``is_htmx``: the request comes from htmx (optionally aimed at one target), so the
  view answers with the partial.
- ``form_page``: a form page's render (form, title, the page to go back to).
- ``DOCX_TYPE`` / ``XLSX_TYPE``: the content types of the files the app answers.

Only Django and ``core`` below it: every app may import this module.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages as django_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from chibo.core.datefields import DayField
from chibo.core.scoping import has_cap

DATE_PLACEHOLDER = "dd/mm/yyyy"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

T = TypeVar("T")


def date_field(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DateField:
    """A date typed as dd/mm/yyyy (or yyyy-mm-dd); ``31/02/2024`` says the day does not exist."""
    return DayField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(
            format="%d/%m/%Y",
            attrs={"placeholder": DATE_PLACEHOLDER, "inputmode": "numeric", "autocomplete": "off"},
        ),
    )


def decision_field(required: bool = False) -> forms.CharField:
    """A decision number (số quyết định) such as 12-QĐ/ĐU."""
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
    request: HttpRequest,
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


def require_page_cap(request: HttpRequest, cap: str, message: Any = None) -> None:
    """403 unless the user's roles grant ``cap`` somewhere (the object's scope is checked later)."""
    if not has_cap(request.user, cap):
        raise PermissionDenied(message or _("Your role does not give access to this page."))


def is_htmx(request: HttpRequest, target: str | None = None) -> bool:
    """An htmx request (``HX-Request: true``), aimed at the element ``target`` when given."""
    if request.headers.get("HX-Request") != "true":
        return False
    return target is None or request.headers.get("HX-Target") == target


def form_page(
    request: HttpRequest,
    template: str,
    form: forms.Form,
    title: str,
    back: str | None = None,
    **extra: Any,
) -> HttpResponse:
    """A form page: ``template`` with the form, its title and the page to go back to."""
    context: dict[str, Any] = {"form": form, "title": title, **extra}
    if back is not None:
        context["back"] = back
    return render(request, template, context)
