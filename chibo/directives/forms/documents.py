"""The register's search, and the forms for incoming and outgoing documents."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from chibo.core.roles import Cap
from chibo.core.web import date_field
from chibo.directives import services
from chibo.directives.forms.fields import (
    _file,
    _symbols,
    _textarea,
    signature_fields,
    signature_for_value,
)
from chibo.directives.models import (
    Confidentiality,
    Direction,
    IssuingUnit,
    RecipientKind,
    Urgency,
)
from chibo.directives.symbols import DOC_TYPES, SymbolError, parse_symbol
from chibo.orgs.selectors import orgs_for

_COPIES = re.compile(r"^(?P<name>.*?)\s*\|\s*(?P<copies>\d{1,3})\s*$")


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Number, symbol or words of the title"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"placeholder": _("e.g. 1000-CV/TU or xay dung dang"), "type": "search"}
        ),
    )
    date_from = date_field(_("From"), required=False)
    date_to = date_field(_("To"), required=False)
    direction = forms.ChoiceField(
        label=_("Which register"),
        required=False,
        choices=[("", _("Incoming and outgoing")), *Direction.choices],
    )


class _DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title (V/v …)"), max_length=500)
    issued_on = date_field(_("Date of the document"))
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)
    confidentiality = forms.ChoiceField(
        label=_("Confidentiality"), choices=Confidentiality.choices, initial=Confidentiality.NORMAL
    )
    signer = forms.CharField(label=_("Signed by"), max_length=120, required=False)
    signer_title = forms.CharField(label=_("Signer's title"), max_length=120, required=False)
    recipients = forms.CharField(
        label=_("Addressed to (Kính gửi), one per line"),
        required=False,
        help_text=_("An organization code (e.g. KDHCD) or a name; add “| 2” for 2 copies."),
        widget=_textarea(4),
    )
    copies_to = forms.CharField(
        label=_("Also sent to (Nơi nhận), one per line"),
        required=False,
        help_text=_("“Như trên” and “Lưu …” are added by themselves."),
        widget=_textarea(3),
    )
    forwards = forms.CharField(
        label=_("Forwards (numbers and symbols)"), required=False, max_length=500
    )
    cites = forms.CharField(
        label=_("Cites (numbers and symbols)"),
        required=False,
        max_length=2000,
        help_text=_("Left empty, the documents named in the text are linked."),
    )
    body = forms.CharField(label=_("Text"), required=False, widget=_textarea(6))
    attachment = forms.FileField(label=_("Attached file"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["org"] = forms.ModelChoiceField(
            label=_("Register of"),
            queryset=orgs_for(user, Cap.DIRECTIVE_MANAGE).filter(closed_on__isnull=True),
            empty_label=None,
        )
        self.order_fields(
            [
                "org",
                "issuing_unit",
                "symbol",
                "allow_duplicate",
                "doc_type",
                "number",
                "title",
                "issuing_body",
                "issued_on",
                "incoming_number",
                "received_at",
                "urgency",
                "confidentiality",
                "signature_for",
                "signer_title",
                "signer",
                "recipients",
                "copies_to",
                "forwards",
                "cites",
                "body",
            ]
        )

    def clean_forwards(self) -> list[str]:
        return _symbols(self.cleaned_data["forwards"], "forwards")

    def clean_cites(self) -> list[str]:
        return _symbols(self.cleaned_data["cites"], "cites")

    def clean_recipients(self) -> list[services.RecipientIn]:
        return self._recipients(self.cleaned_data["recipients"], RecipientKind.TO)

    def clean_copies_to(self) -> list[services.RecipientIn]:
        return self._recipients(self.cleaned_data["copies_to"], RecipientKind.COPY)

    def _recipients(self, text: str, kind: str) -> list[services.RecipientIn]:
        out = []
        for line in (text or "").splitlines():
            line = line.strip().lstrip("-").strip()
            if not line:
                continue
            copies = 1
            match = _COPIES.match(line)
            if match:
                line, copies = match["name"].strip(), int(match["copies"])
            org = orgs_for(self.user, Cap.ORG_VIEW).filter(code=line).first()
            out.append(
                services.RecipientIn(
                    name=org.name if org else line, copies=copies, org=org, kind=kind
                )
            )
        return out

    def common(self) -> dict[str, Any]:
        data = self.cleaned_data
        cites = data["cites"] or services.cited_symbols(data["body"])
        return {
            "actor": self.user,
            "org": data["org"],
            "title": data["title"],
            "issued_on": data["issued_on"],
            "urgency": data["urgency"],
            "confidentiality": data["confidentiality"],
            "signer": data["signer"],
            "signer_title": data["signer_title"],
            "recipients": [*data["recipients"], *data["copies_to"]],
            "body": data["body"],
            "attachment": _file(data.get("attachment")),
            "forwards": data["forwards"],
            "cites": cites,
        }


class IncomingForm(_DocumentForm):
    symbol = forms.CharField(
        label=_("Number and symbol"),
        max_length=40,
        widget=forms.TextInput(attrs={"placeholder": "1000-CV/TU"}),
    )
    issuing_body = forms.CharField(label=_("Issuing body"), max_length=200)
    incoming_number = forms.CharField(
        label=_("Incoming register number"), max_length=40, required=False
    )
    received_at = forms.DateTimeField(
        label=_("Received at"),
        required=False,
        input_formats=["%d/%m/%Y %H:%M", "%d/%m/%Y"],
        widget=forms.DateTimeInput(
            format="%d/%m/%Y %H:%M", attrs={"placeholder": "dd/mm/yyyy hh:mm"}
        ),
        error_messages={"invalid": _("Enter the time as dd/mm/yyyy hh:mm, e.g. 17/06/2023 08:56.")},
    )

    def clean_symbol(self) -> str:
        try:
            return parse_symbol(self.cleaned_data["symbol"]).text
        except SymbolError as exc:
            raise ValidationError(
                _("Write the number and symbol as on the document, e.g. 1000-CV/TU.")
            ) from exc

    # Shown only once the register was found to have the document already (the view).
    allow_duplicate = forms.BooleanField(
        label=_("Register it even though the register already has it"),
        required=False,
        help_text=_("Tick only for a second copy that must have its own entry."),
        widget=forms.HiddenInput,
    )

    def offer_duplicate(self) -> None:
        self.fields["allow_duplicate"].widget = forms.CheckboxInput()

    def save(self) -> Any:
        data = self.cleaned_data
        issuer = services.issuing_org_for(parse_symbol(data["symbol"]).issuer)
        return services.document_register_incoming(
            **self.common(),
            symbol=data["symbol"],
            issuing_body=data["issuing_body"],
            issuing_org=issuer,
            incoming_number=data["incoming_number"],
            received_at=data["received_at"],
            allow_duplicate=data["allow_duplicate"],
        )


class OutgoingForm(_DocumentForm):
    issuing_unit = forms.TypedChoiceField(
        label=_("Issued by"),
        choices=IssuingUnit.choices,
        initial=IssuingUnit.COMMITTEE,
        required=False,
        empty_value=IssuingUnit.COMMITTEE,
    )
    doc_type = forms.ChoiceField(
        label=_("Type"), choices=[(code, f"{code} — {label}") for code, label in DOC_TYPES.items()]
    )
    number = forms.IntegerField(
        label=_("Number already given on paper"),
        required=False,
        min_value=1,
        max_value=999999,
        help_text=_("Leave empty to take the next number of the term."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        signature_fields(self)
        self.order_fields(
            [
                "org",
                "issuing_unit",
                "doc_type",
                "number",
                "title",
                "issued_on",
                "urgency",
                "confidentiality",
                "signature_for",
                "signer_title",
                "signer",
                "recipients",
                "copies_to",
                "forwards",
                "cites",
                "body",
            ]
        )

    def save(self) -> Any:
        data = self.cleaned_data
        common = self.common()
        common["signer"] = data["signer"]
        common["signer_title"] = data["signer_title"]
        return services.document_issue(
            **common,
            doc_type=data["doc_type"],
            issuing_unit=data["issuing_unit"],
            signature_for=signature_for_value(data["signature_for"]),
            number=data["number"],
        )
