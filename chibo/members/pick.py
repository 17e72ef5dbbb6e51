"""Pick, don't type: a person is chosen from the roster in scope, searched without diacritics.

``PickField`` is a text field whose widget searches as one types (htmx GET to
``members:pick``: names by their folded prefix, given names, or an exact code,
through the same index ranges as the member list) and fills in the chosen
member's code. Without JavaScript the same field takes a code or a name, and
``resolve`` reads it: a code, or a name that one member of the roster has.
Anything else is a message on the form, with the typed text kept, never an
error page.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chibo.members.models import Member
from chibo.members.selectors import search_q

MAX_SHOWN = 20


def resolve(roster: QuerySet[Member], text: str) -> Member:
    """The member of ``roster`` that ``text`` names: its code, or a name only one member has."""
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Choose a member from the list."))
    found = list(
        roster.filter(search_q(text))
        .select_related("org")
        .order_by("name_folded", "member_code")[:6]
    )
    for member in found:
        if member.member_code.upper() == text.upper():
            return member
    if len(found) == 1:
        return found[0]
    if not found:
        raise ValidationError(
            _(
                "No member here matches “%(text)s”. Type the beginning of the name, "
                "without diacritics if you like, or the member code, and choose in the list."
            )
            % {"text": text}
        )
    names = ", ".join(f"{m.full_name} ({m.member_code})" for m in found[:5])
    raise ValidationError(
        _("Several members match “%(text)s”: %(names)s. Choose one in the list, or type the code.")
        % {"text": text, "names": names}
    )


class PickWidget(forms.TextInput):
    template_name = "members/widgets/pick.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            {
                "autocomplete": "off",
                "spellcheck": "false",
                "placeholder": gettext_lazy("Type a name (diacritics optional) or a code"),
                **(attrs or {}),
            }
        )
        self.params: dict[str, str] = {}

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["pick_url"] = (
            reverse("members:pick") + "?" + urlencode({"field": name, **self.params})
        )
        return context


class PickField(forms.CharField):
    """A member chosen from a roster; ``cleaned_data`` holds the typed text until ``resolve``.

    The roster depends on the page (a cell, the actor's scope, full members
    only): the form narrows the search with ``pick(org=..., standing=...)``
    and resolves against the same roster in its ``clean_<field>``.
    """

    widget = PickWidget

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 120)
        super().__init__(**kwargs)

    def pick(self, *, org: Any = None, standing: str = "", status: str = "") -> None:
        params = {}
        if org is not None:
            params["org"] = org.code
        if standing:
            params["standing"] = standing
        if status:
            params["status"] = status
        self.widget.params = params
