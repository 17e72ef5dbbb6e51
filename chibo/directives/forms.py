"""Forms of the directives UI; they hand clean data to directives.services."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

# Lazy throughout: labels are evaluated per request, in the user's language.
from django.utils.translation import gettext_lazy as _

from chibo.core.roles import Cap
from chibo.core.web import date_field
from chibo.directives import selectors, services
from chibo.directives.models import (
    Confidentiality,
    Direction,
    IssuingUnit,
    RecipientKind,
    Recurrence,
    Urgency,
)
from chibo.directives.symbols import DOC_TYPES, SymbolError, parse_symbol
from chibo.orgs.models import Org
from chibo.orgs.selectors import orgs_for

_SPLIT = re.compile(r"[,;\n]+")
_COPIES = re.compile(r"^(?P<name>.*?)\s*\|\s*(?P<copies>\d{1,3})\s*$")


def _file(upload: Any) -> services.FileIn | None:
    if not upload:
        return None
    return services.FileIn(
        upload.name, upload.content_type or "application/octet-stream", upload.read()
    )


def _symbols(text: str, field: str) -> list[str]:
    out = []
    for part in _SPLIT.split(text or ""):
        if part.strip():
            try:
                out.append(parse_symbol(part).text)
            except SymbolError as exc:
                raise ValidationError(
                    _("“%(text)s” is not a number and symbol like 1000-CV/TU.")
                    % {"text": part.strip()}
                ) from exc
    return out


def _textarea(rows: int = 3, placeholder: Any = "") -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "placeholder": placeholder})


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


SIGNATURE_CHOICES = [
    ("", _("The issuing body's usual block")),
    ("T/M BAN THƯỜNG VỤ", "T/M BAN THƯỜNG VỤ"),
    ("T/M ĐẢNG ỦY", "T/M ĐẢNG ỦY"),
    ("T/M CHI BỘ", "T/M CHI BỘ"),
    ("T/M THÀNH ỦY", "T/M THÀNH ỦY"),
    ("T/M QUẬN ỦY", "T/M QUẬN ỦY"),
    ("T/M HUYỆN ỦY", "T/M HUYỆN ỦY"),
    ("T/M ĐẢNG ỦY KHỐI", "T/M ĐẢNG ỦY KHỐI"),
    ("K/T BÍ THƯ", "K/T BÍ THƯ"),
    ("-", _("(the head of the office signs: CHÁNH VĂN PHÒNG)")),
    ("K/T CHÁNH VĂN PHÒNG", "K/T CHÁNH VĂN PHÒNG"),
    ("T/L BAN THƯỜNG VỤ", "T/L BAN THƯỜNG VỤ"),
]
TITLE_CHOICES = [
    ("BÍ THƯ", "BÍ THƯ"),
    ("PHÓ BÍ THƯ", "PHÓ BÍ THƯ"),
    ("CHÁNH VĂN PHÒNG", "CHÁNH VĂN PHÒNG"),
    ("PHÓ CHÁNH VĂN PHÒNG", "PHÓ CHÁNH VĂN PHÒNG"),
]


class TitleField(forms.ChoiceField):
    """The signer's title, matched however it is typed ("Phó Bí thư" is PHÓ BÍ THƯ)."""

    def to_python(self, value: Any) -> str:
        return " ".join(str(value or "").split()).upper()


def signature_fields(form: forms.Form) -> None:
    """The signature block chosen at issue: block, the signer's title and name."""
    form.fields["signature_for"] = forms.ChoiceField(
        label=_("Signed for (signature block)"), choices=SIGNATURE_CHOICES, required=False
    )
    form.fields["signer_title"] = TitleField(
        label=_("Signer's title"), choices=TITLE_CHOICES, initial="BÍ THƯ"
    )
    form.fields["signer"] = forms.CharField(
        label=_("Signed by (full name)"),
        max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


def signature_for_value(choice: str) -> str | None:
    """The form's choice as the service's ``signature_for`` (None: the usual block)."""
    if not choice:
        return None
    return "" if choice == "-" else choice


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


class TermForm(forms.Form):
    """Declare a committee term (nhiệm kỳ)."""

    org = forms.CharField(
        label=_("Organization code"),
        max_length=32,
        widget=forms.TextInput(attrs={"list": "term-orgs"}),
    )
    name = forms.CharField(
        label=_("Term"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "2025–2030"}),
    )
    congress = forms.CharField(
        label=_("Opened by the congress"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Đại hội đại biểu lần thứ XII")}),
    )
    starts_on = date_field(_("Starts on"), help_text=_("The day after the congress closed."))
    ends_on = date_field(
        _("Ends on"), required=False, help_text=_("Leave empty while the term runs.")
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_org(self) -> Org:
        code = self.cleaned_data["org"].strip()
        org = orgs_for(self.user, Cap.DIRECTIVE_MANAGE).filter(code=code).first()
        if org is None:
            raise ValidationError(
                _("No organization with code %(code)s in your scope.") % {"code": code}
            )
        return org

    def save(self) -> Any:
        data = self.cleaned_data
        return services.term_create(
            actor=self.user,
            org=data["org"],
            name=data["name"],
            congress=data["congress"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
        )
