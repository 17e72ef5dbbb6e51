"""Fields and parsers the directives forms share: symbols, attachments, text areas, signature blocks."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from chibo.directives import services
from chibo.directives.symbols import SymbolError, parse_symbol

_SPLIT = re.compile(r"[,;\n]+")


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
