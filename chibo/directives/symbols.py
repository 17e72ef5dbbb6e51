"""Party document numbers and symbols (số và ký hiệu), per HD 36-HD/VPTW (3/4/2018).

A symbol is ``N-TYPE/ISSUER``: ``1000-CV/TU``, ``719-CV/BCSĐ``, ``24-QĐ/TW``.
Scanned letters are untidy (``Số 719 -CV/BCSD``): spaces around the dash and
slash are dropped and a type or issuer typed without its Đ (``QD``,
``BCSD``) is matched to the known spelling by folding (đ→d, no accents).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from chibo.lib.text import fold

# Abbreviations of party document types (HD 36-HD/VPTW, Phụ lục; the first ten
# are the common ones the guide lists), with their names.
DOC_TYPES: dict[str, object] = {
    "NQ": _("Resolution"),
    "QĐ": _("Decision / Regulation"),
    "CT": _("Directive"),
    "KL": _("Conclusion"),
    "HD": _("Guidance"),
    "KH": _("Plan"),
    "CTr": _("Programme"),
    "CTrHĐ": _("Action programme"),
    "BC": _("Report"),
    "CV": _("Official letter"),
    "TB": _("Notice"),
    "QC": _("Rules of procedure"),
    "TTr": _("Submission"),
    "TT": _("Circular (thông tri)"),
    "BB": _("Minutes"),
    "ĐA": _("Scheme"),
    "CTĐ": _("Telegram"),
    "GM": _("Invitation"),
    "GGT": _("Letter of introduction"),
    "PC": _("Transmittal slip"),
}

# Issuers whose usual spelling has a Đ, so ``BCSD`` reads as ``BCSĐ``.
KNOWN_ISSUERS = (
    "TW",
    "TU",
    "BCSĐ",
    "ĐU",
    "ĐUK",
    "QU",
    "HU",
    "BTCTW",
    "VPTW",
    "BTGTW",
    "UBKTTW",
    "BTCTU",
    "VPTU",
    "BTGTU",
    "UBKTTU",
    "ĐTN",
    "TĐTN",
)

_BY_FOLD_TYPE = {fold(code): code for code in DOC_TYPES}
_BY_FOLD_ISSUER = {fold(code): code for code in KNOWN_ISSUERS}

_SYMBOL = re.compile(
    r"^\s*(?:s[ốo]\s*[:.]?\s*)?(?P<number>\d{1,6})\s*-\s*(?P<type>[^\W\d_]{1,8})"
    r"\s*/\s*(?P<issuer>[^\W_][\w.\-]{0,23})\s*$",
    re.IGNORECASE,
)


class SymbolError(ValueError):
    """The text is not a number and symbol like 1000-CV/TU."""


@dataclass(frozen=True)
class Symbol:
    number: int
    doc_type: str
    issuer: str

    @property
    def text(self) -> str:
        return format_symbol(self.number, self.doc_type, self.issuer)

    @property
    def folded(self) -> str:
        return fold(self.text)

    @property
    def type_known(self) -> bool:
        return self.doc_type in DOC_TYPES


def format_symbol(number: int, doc_type: str, issuer: str) -> str:
    """``(7, "BC", "TU")`` → ``07-BC/TU``: numbers below 10 are written with two digits."""
    return f"{number:02d}-{doc_type}/{issuer}"


def canonical_type(text: str) -> str:
    """``qd`` → ``QĐ``; an unknown type is kept as typed (upper-cased)."""
    return _BY_FOLD_TYPE.get(fold(text), text.strip().upper())


def canonical_issuer(text: str) -> str:
    raw = text.strip()
    return _BY_FOLD_ISSUER.get(fold(raw), raw.upper())


def parse_symbol(text: str) -> Symbol:
    """``"Số 719 -CV/BCSD"`` → ``Symbol(719, "CV", "BCSĐ")``; SymbolError if it is not one."""
    match = _SYMBOL.match(text or "")
    if match is None:
        raise SymbolError(text)
    return Symbol(
        number=int(match["number"]),
        doc_type=canonical_type(match["type"]),
        issuer=canonical_issuer(match["issuer"]),
    )


# A symbol inside running text: "Nghị quyết số 29-NQ/TW ngày 04 tháng 11 năm 2013".
_CITED = re.compile(
    r"(?<![\w/-])(\d{1,6})\s?-\s?([A-Za-zĐđ]{1,8})\s?/\s?([A-Za-zĐđ]{1,12})(?![\w])"
)


def find_symbols(text: str) -> list[Symbol]:
    """Every document symbol named in ``text``, in order of first mention, without repeats."""
    seen: dict[str, Symbol] = {}
    for number, doc_type, issuer in _CITED.findall(text or ""):
        symbol = Symbol(int(number), canonical_type(doc_type), canonical_issuer(issuer))
        seen.setdefault(symbol.folded, symbol)
    return list(seen.values())
